"""Queued work reaches the broker from a thread of its own, in batches.

Publishing a Celery task costs about a millisecond of CPU (Kombu builds and encodes the message
and its headers for every task) plus a round trip to Redis, which a request that has already
committed its submission should not wait for. After the commit, ``hand_over`` only puts the id
on this process's pending list and returns; a background thread publishes what is pending, and
work for several objects of one kind goes as one message (a batch task) when the task has a
batch form.

Durability is unchanged: the work is already committed when it is handed over, and anything
that never reaches a worker (broker down, the process killed before its thread published it,
a full pending list) is re-queued by the periodic sweep, as before. At exit the thread is given
a few seconds to publish what is still pending.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from typing import Any

logger = logging.getLogger(__name__)
# Past this many ids waiting in one process (the broker hanging) new ones are left to the sweep.
MAX_PENDING = 10_000
# Ids of one kind published together at most, and how long the thread waits after the first
# for others to join it: long enough for a busy process to fill a batch, short next to the time
# the work itself takes on a worker.
MAX_BATCH = 50
LINGER_SECONDS = 0.02
FLUSH_AT_EXIT_SECONDS = 5.0


class _Publisher:
    def __init__(self) -> None:
        self.pending: queue.Queue[tuple[Any, Any, int]] = queue.Queue(MAX_PENDING)
        self.idle = threading.Condition()
        self.unfinished = 0
        threading.Thread(target=self._run, name="webforms-publisher", daemon=True).start()

    def hand_over(self, task: Any, batch_task: Any, object_id: int) -> None:
        with self.idle:
            self.unfinished += 1
        try:
            self.pending.put_nowait((task, batch_task, object_id))
        except queue.Full:
            self._done(1)
            logger.warning("Too much work pending: %s(%s) left to the sweep", task.name, object_id)

    def flush(self, timeout: float) -> bool:
        """Wait until everything handed over so far has been published (or given up on)."""
        deadline = time.monotonic() + timeout
        with self.idle:
            while self.unfinished:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.idle.wait(left)
        return True

    def _done(self, count: int) -> None:
        with self.idle:
            self.unfinished -= count
            if not self.unfinished:
                self.idle.notify_all()

    def _run(self) -> None:
        while True:
            batch = [self.pending.get()]
            until = time.monotonic() + LINGER_SECONDS
            while len(batch) < MAX_BATCH:
                left = until - time.monotonic()
                try:
                    batch.append(self.pending.get(timeout=max(left, 0.0)))
                except queue.Empty:
                    break
            try:
                publish(batch)
            finally:
                self._done(len(batch))


def publish(batch: list[tuple[Any, Any, int]]) -> None:
    """Publish each kind of work in ``batch``: one message for the lot when the task has a batch
    form, else one each. A failure is logged and the work left to the sweep."""
    kinds: dict[str, tuple[Any, Any, list[int]]] = {}
    for task, batch_task, object_id in batch:
        kinds.setdefault(task.name, (task, batch_task, []))[2].append(object_id)
    for task, batch_task, ids in kinds.values():
        if batch_task is not None and len(ids) > 1:
            messages: list[tuple[tuple[Any, ...], Any]] = [((ids,), batch_task)]
        else:
            messages = [((object_id,), task) for object_id in ids]
        for args, sender in messages:
            try:
                # No publish retries: with the broker down, move on; the sweep has it.
                sender.apply_async(args, retry=False)
            except Exception:
                logger.warning("Broker unavailable: %s%s left to the sweep", sender.name, args)


_publisher: _Publisher | None = None
_publisher_pid: int | None = None
_lock = threading.Lock()


def current() -> _Publisher:
    """This process's publisher; made again after a fork (Celery's prefork children), where
    the parent's thread does not exist."""
    global _publisher, _publisher_pid
    with _lock:
        if _publisher is None or _publisher_pid != os.getpid():
            _publisher = _Publisher()
            _publisher_pid = os.getpid()
        return _publisher


def hand_over(task: Any, object_id: int, *, batch_task: Any = None) -> None:
    """Publish ``task(object_id)`` soon, from the background thread; returns at once."""
    current().hand_over(task, batch_task, object_id)


def flush(timeout: float = FLUSH_AT_EXIT_SECONDS) -> bool:
    """Wait for this process's pending work to be published. True if it all was."""
    with _lock:
        publisher = _publisher if _publisher_pid == os.getpid() else None
    return publisher is None or publisher.flush(timeout)


atexit.register(flush)
