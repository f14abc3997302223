"""The one way to tell browsers that something happened.

Events go to the channel layer only after the surrounding transaction commits, so nobody hears of
a change that was rolled back. The channel layer is only a wake-up: a consumer that misses an
event recovers the state from the database. Every event is a dict with a ``type``; the event
types are listed in ``docs/realtime-events.md``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Events waiting to be sent by this process; past this many (Redis unreachable for a while)
# new ones are dropped and logged: consumers recover what they missed from the database.
MAX_PENDING_EVENTS = 10_000
SEND_TIMEOUT_SECONDS = 5


class _Sender:
    """One long-lived event loop per process, on a thread of its own, sending events in the
    order they were handed over, one at a time.

    Callers never wait for Redis: an action that commits must not be slowed down (or failed) by
    a wake-up. ``async_to_sync`` would also start a fresh loop for every event, and
    channels_redis keeps its connections per loop, so each event would open a new Redis
    connection (about 3 ms).
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]]] | None = None
        self.ready = threading.Event()
        thread = threading.Thread(target=self._run, name="realtime-events", daemon=True)
        thread.start()
        self.ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.queue = asyncio.Queue(MAX_PENDING_EVENTS)
        self.loop.create_task(self._drain(self.queue))
        self.ready.set()
        self.loop.run_forever()

    async def _drain(self, queue: asyncio.Queue[tuple[str, dict[str, Any]]]) -> None:
        while True:
            group, event = await queue.get()
            layer = get_channel_layer()
            try:
                if layer is not None:
                    await asyncio.wait_for(layer.group_send(group, event), SEND_TIMEOUT_SECONDS)
            except Exception:
                logger.exception("Could not send %s event to group %s", event["type"], group)

    def submit(self, group: str, event: dict[str, Any]) -> None:
        self.loop.call_soon_threadsafe(self._put, group, event)

    def _put(self, group: str, event: dict[str, Any]) -> None:
        assert self.queue is not None
        try:
            self.queue.put_nowait((group, event))
        except asyncio.QueueFull:
            logger.warning("Dropped %s event to group %s: too many pending", event["type"], group)


# Events collected on this thread instead of being handed to the sender (``collect_events``).
_collecting = threading.local()
Pending = list[tuple[str, dict[str, Any]]]


@contextmanager
def collect_events() -> Iterator[Pending]:
    """Keep the events committed inside the block, in order, for the caller to send itself
    (``send_collected``): a websocket consumer's database work runs on a worker thread, and its
    wake-ups are best sent from the consumer's own event loop as soon as that work returns,
    without a hand-over to the sender's thread and its queue behind every other event."""
    pending: Pending = []
    previous = getattr(_collecting, "events", None)
    _collecting.events = pending
    try:
        yield pending
    finally:
        _collecting.events = previous


async def send_collected(pending: Pending) -> None:
    """Send collected events, in order, from the running event loop. A lost wake-up is
    recovered from the database, so a failure is logged, never raised."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, event in pending:
        try:
            await asyncio.wait_for(layer.group_send(group, event), SEND_TIMEOUT_SECONDS)
        except Exception:
            logger.exception("Could not send %s event to group %s", event["type"], group)


def in_worker_thread(function: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """``function`` (ORM work) for an event loop: run on a worker thread of the pool (not the
    single thread-sensitive one), with the wake-ups it commits collected and sent from the
    calling loop as soon as it returns, before the caller goes on."""

    def collecting(*args: Any, **kwargs: Any) -> tuple[T, Pending]:
        with collect_events() as pending:
            return function(*args, **kwargs), pending

    in_thread = database_sync_to_async(collecting, thread_sensitive=False)

    async def run(*args: Any, **kwargs: Any) -> T:
        result, pending = await in_thread(*args, **kwargs)
        if pending:
            await send_collected(pending)
        return result

    return run


_sender: _Sender | None = None
_sender_pid: int | None = None
_sender_lock = threading.Lock()


def _current_sender() -> _Sender:
    """This process's sender; made again after a fork (Celery's prefork workers), where the
    parent's thread does not exist."""
    global _sender, _sender_pid
    with _sender_lock:
        if _sender is None or _sender_pid != os.getpid():
            _sender = _Sender()
            _sender_pid = os.getpid()
        return _sender


def send_event_now(group: str, event: dict[str, Any]) -> None:
    """Hand ``event`` over for sending; returns at once. A lost wake-up is recovered from the
    database, so a failure to send is logged, never raised."""
    if "type" not in event:
        raise ValueError("A realtime event needs a 'type'.")
    collecting: Pending | None = getattr(_collecting, "events", None)
    if collecting is not None:
        collecting.append((group, event))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # The in-memory layer's queues belong to the server's own loop: send from there.
        try:
            async_to_sync(layer.group_send)(group, event)
        except Exception:
            logger.exception("Could not send %s event to group %s", event["type"], group)
        return
    _current_sender().submit(group, event)


def send_event_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to every consumer in ``group`` once the current transaction commits."""
    if "type" not in event:
        raise ValueError("A realtime event needs a 'type'.")
    transaction.on_commit(lambda: send_event_now(group, event))
