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
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)
SEND_TIMEOUT_SECONDS = 5

_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None
_loop_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    """One long-lived event loop per process for sending events from synchronous code.

    ``async_to_sync`` would start a fresh loop for every event, and channels_redis keeps its
    connections per loop, so each event would open a new Redis connection (about 3 ms). The
    loop is made again after a fork (Celery's prefork workers), where the thread does not exist.
    """
    global _loop, _loop_pid
    with _loop_lock:
        if _loop is None or _loop_pid != os.getpid():
            _loop = asyncio.new_event_loop()
            thread = threading.Thread(target=_loop.run_forever, name="realtime-events", daemon=True)
            thread.start()
            _loop_pid = os.getpid()
        return _loop


def send_event_now(group: str, event: dict[str, Any]) -> None:
    if "type" not in event:
        raise ValueError("A realtime event needs a 'type'.")
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if isinstance(layer, InMemoryChannelLayer):
            # The in-memory layer's queues belong to the server's own loop: send from there.
            async_to_sync(layer.group_send)(group, event)
        else:
            future = asyncio.run_coroutine_threadsafe(
                layer.group_send(group, event), _sender_loop()
            )
            future.result(timeout=SEND_TIMEOUT_SECONDS)
    except Exception:
        # A lost wake-up is recovered from the database; never fail the action for it.
        logger.exception("Could not send %s event to group %s", event["type"], group)


def send_event_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to every consumer in ``group`` once the current transaction commits."""
    if "type" not in event:
        raise ValueError("A realtime event needs a 'type'.")
    transaction.on_commit(lambda: send_event_now(group, event))
