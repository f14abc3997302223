"""The chat protocol's frames (docs/chat-protocol.md): parsing what clients send, and building
what the server sends. JSON text frames only; every frame is an object with a ``type``."""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.utils import timezone

from chat.models import Message, MessageKind

VERSION = 1
SUPPORTED_VERSIONS = (1,)
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")


class FrameError(Exception):
    """A frame the server will not act on; answered with an error frame, the socket stays open."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.extra = extra


def max_frame_chars() -> int:
    """Room for a message at the size limit, escaped, plus the other fields."""
    return int(settings.CHAT_MAX_MESSAGE_CHARS) * 6 + 1024


def parse_frame(text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
    if text_data is None:
        raise FrameError("malformed", "Send JSON text frames, not binary ones.")
    if len(text_data) > max_frame_chars():
        raise FrameError("too_large", "That frame is too large.")
    try:
        frame = json.loads(text_data)
    except ValueError:
        raise FrameError("malformed", "That frame is not valid JSON.") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("malformed", "A frame is a JSON object with a 'type'.")
    return frame


def client_id_of(frame: dict[str, Any]) -> str:
    value = frame.get("client_id")
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise FrameError(
            "malformed", "A message needs a 'client_id' of 1 to 64 letters, digits or -_.:"
        )
    return value


def body_of(frame: dict[str, Any], client_id: str) -> str:
    body = frame.get("body")
    if not isinstance(body, str):
        raise FrameError("malformed", "A message needs a 'body' string.", client_id=client_id)
    if len(body) > settings.CHAT_MAX_MESSAGE_CHARS:
        raise FrameError(
            "too_long",
            f"A message can be at most {settings.CHAT_MAX_MESSAGE_CHARS} characters.",
            client_id=client_id,
            max_chars=settings.CHAT_MAX_MESSAGE_CHARS,
        )
    return body


def seq_of(frame: dict[str, Any], field: str = "seq", default: int | None = None) -> int:
    value = frame.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FrameError("malformed", f"'{field}' must be a whole number, 0 or more.")
    return value


def text_of(frame: dict[str, Any], field: str, limit: int = 500) -> str:
    value = frame.get(field, "")
    if not isinstance(value, str):
        raise FrameError("malformed", f"'{field}' must be a string.")
    return value[:limit]


def error_frame(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, **extra}


def author_name(message: Message) -> str | None:
    if message.kind in (MessageKind.AGENT, MessageKind.NOTE) and message.author is not None:
        return message.author.display_name
    return None


def message_frame(message: Message, conversation: str, *, staff: bool) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "message",
        "conversation": conversation,
        "seq": message.seq,
        "kind": message.kind,
        "body": message.body,
        "author": author_name(message),
        "at": timezone.localtime(message.created_at).isoformat(),
        "masked": message.masked,
    }
    if message.client_id and (staff or message.kind == MessageKind.CITIZEN):
        frame["client_id"] = message.client_id
    meta = message.meta or {}
    if "offers" in meta:
        frame["offers"] = meta["offers"]
    if "event" in meta:
        frame["event"] = meta["event"]
    if message.kind == MessageKind.BOT and "reply" in meta:
        frame["article"] = meta["reply"].get("article")
    return frame


def citizen_view(frame: dict[str, Any]) -> dict[str, Any]:
    """A staff message frame as the citizen gets it: only their own client ids (the frame
    itself when nothing differs)."""
    if frame["kind"] != MessageKind.CITIZEN and "client_id" in frame:
        return {k: v for k, v in frame.items() if k != "client_id"}
    return frame


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
