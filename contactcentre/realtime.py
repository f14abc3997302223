"""The one way to tell browsers that something happened.

Events go to the channel layer only after the surrounding transaction commits, so nobody hears of
a change that was rolled back. The channel layer is only a wake-up: a consumer that misses an
event recovers the state from the database. Every event is a dict with a ``type``; the event
types are listed in ``docs/realtime-events.md``.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def send_event_now(group: str, event: dict[str, Any]) -> None:
    if "type" not in event:
        raise ValueError("A realtime event needs a 'type'.")
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        # A lost wake-up is recovered from the database; never fail the action for it.
        logger.exception("Could not send %s event to group %s", event["type"], group)


def send_event_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to every consumer in ``group`` once the current transaction commits."""
    if "type" not in event:
        raise ValueError("A realtime event needs a 'type'.")
    transaction.on_commit(lambda: send_event_now(group, event))
