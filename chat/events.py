"""Channels group names and the realtime events the chat sends (see docs/realtime-events.md).

Every event is only a wake-up: the consumer that receives it reads what changed from the
database, by message sequence number.
"""

from __future__ import annotations

from typing import Any

from chat.protocol import citizen_view, dumps
from contactcentre.realtime import send_event_on_commit

# Supervisors' live view: every conversation whose state changes.
LIVE_GROUP = "chat.live"


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def agent_group(user_id: int) -> str:
    """The same group routing sends ``routing.assigned`` to."""
    return f"agent.{user_id}"


def message_posted_event(
    conversation_id: int, seq: int, frame: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """The group and event that say message ``seq`` was stored. ``frame``: the stored message as
    staff see it, carried as the JSON text to send (``text``, and ``citizen_text`` where the
    citizen's copy differs), so a consumer that has everything up to ``seq - 1`` sends it as it
    is, without a read and without encoding it again for every reader. One that has a gap
    reads from the database."""
    event: dict[str, Any] = {"type": "chat.message", "conversation": conversation_id, "seq": seq}
    if frame is not None:
        event["kind"] = frame["kind"]
        event["text"] = dumps(frame)
        citizens_see = citizen_view(frame)
        if citizens_see is not frame:
            event["citizen_text"] = dumps(citizens_see)
    return conversation_group(conversation_id), event


def state_changed(conversation_id: int) -> None:
    event = {"type": "chat.state", "conversation": conversation_id}
    send_event_on_commit(conversation_group(conversation_id), event)
    send_event_on_commit(LIVE_GROUP, {"type": "chat.live", "conversation": conversation_id})


def assignment_changed(user_id: int, conversation_id: int) -> None:
    """An agent's set of chats changed (accepted, transferred away, closed)."""
    send_event_on_commit(
        agent_group(user_id), {"type": "chat.assignment", "conversation": conversation_id}
    )
