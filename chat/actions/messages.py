"""Starting a conversation and storing its messages."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from chat import events
from chat.errors import ConversationClosed, EmptyMessage, MessageTooLong
from chat.masking import mask_sensitive
from chat.models import Conversation, Message, MessageKind, Participant
from chat.protocol import message_frame
from contactcentre.actions import open_contact
from contactcentre.models import Channel, ContactStatus, User

# Kinds a person types, held to the size limit; the bot and system texts are ours.
TYPED_KINDS = (MessageKind.CITIZEN, MessageKind.AGENT, MessageKind.NOTE)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    # Given to the citizen once, never stored or logged: only its hash is kept.
    token: str


@transaction.atomic
def start_conversation(*, citizen: User | None, language: str = "en") -> Started:
    """A citizen opens a chat: a new chat contact and its conversation, with a fresh token."""
    if language not in dict(settings.LANGUAGES):
        language = "en"
    if citizen is not None and not citizen.is_authenticated:
        citizen = None
    contact = open_contact(channel=Channel.CHAT, citizen=citizen, language=language)
    token = secrets.token_urlsafe(32)
    conversation = Conversation.objects.create(
        contact=contact,
        token_hash=hash_token(token),
        language=language,
        citizen_active_at=timezone.now(),
    )
    events.state_changed(conversation.pk)
    return Started(conversation, token)


@dataclass(frozen=True)
class Posted:
    message: Message
    # False when the client id had been sent before: the stored message is returned instead.
    created: bool


def check_body(body: str, kind: str) -> str:
    body = body.strip()
    if not body:
        raise EmptyMessage("A message needs some text.")
    if kind in TYPED_KINDS and len(body) > settings.CHAT_MAX_MESSAGE_CHARS:
        raise MessageTooLong(
            f"A message can be at most {settings.CHAT_MAX_MESSAGE_CHARS} characters."
        )
    return body


@transaction.atomic
def post_message(
    conversation: Conversation,
    *,
    kind: MessageKind,
    body: str,
    author: User | None = None,
    client_id: str = "",
    meta: dict[str, Any] | None = None,
    open_only: bool = False,
) -> Posted:
    """Store a message with the conversation's next sequence number, then wake its readers.

    The conversation row is locked while the number is taken, so numbers never repeat or skip;
    a client id already used in this conversation returns the stored message unchanged.
    ``open_only``: refuse (``ConversationClosed``) if the contact is closed.
    """
    body = check_body(body, kind)
    # The lock and the duplicate check in one round trip: this runs for every message.
    already_sent: Subquery | Value = Value(None, output_field=BigIntegerField())
    if client_id:
        same_id = Message.objects.filter(conversation=OuterRef("pk"), client_id=client_id)
        already_sent = Subquery(same_id.values("pk")[:1])
    locked = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("contact")
        .annotate(already_sent=already_sent)
        .get(pk=conversation.pk)
    )
    conversation.contact.status = locked.contact.status
    if locked.already_sent is not None:
        return Posted(Message.objects.get(pk=locked.already_sent), created=False)
    if open_only and locked.contact.status == ContactStatus.CLOSED:
        raise ConversationClosed("This chat has ended.")
    masked_body, masked = mask_sensitive(body)
    seq = locked.last_seq + 1
    message = Message.objects.create(
        conversation=locked,
        seq=seq,
        kind=kind,
        author=author,
        client_id=client_id,
        body=masked_body,
        masked=masked,
        meta=meta or {},
    )
    changes: dict[str, Any] = {"last_seq": seq}
    if kind == MessageKind.CITIZEN:
        changes["citizen_active_at"] = message.created_at
    Conversation.objects.filter(pk=locked.pk).update(**changes)
    for field, value in changes.items():
        setattr(conversation, field, value)
    frame = message_frame(message, str(locked.contact.public_id), staff=True)
    events.message_posted(conversation.pk, seq, frame)
    return Posted(message, created=True)


def post_citizen_message(conversation: Conversation, *, body: str, client_id: str) -> Posted:
    """The citizen sent a message. A closed conversation takes no more."""
    return post_message(
        conversation, kind=MessageKind.CITIZEN, body=body, client_id=client_id, open_only=True
    )


def citizen_stays(conversation: Conversation, now: datetime) -> None:
    """The citizen answered the inactivity warning: the time-out starts again."""
    Conversation.objects.filter(pk=conversation.pk).update(citizen_active_at=now)
    conversation.citizen_active_at = now


def citizen_saw(conversation: Conversation, seq: int) -> None:
    """The citizen's client has shown messages up to ``seq``. Acks may arrive in any order: the
    highest one counts."""
    Conversation.objects.filter(pk=conversation.pk).update(
        citizen_seen_seq=Greatest("citizen_seen_seq", max(seq, 0))
    )


def staff_saw(conversation: Conversation, user: User, seq: int) -> None:
    """A member of staff has read up to ``seq`` (their unread count is what lies beyond)."""
    Participant.objects.filter(conversation=conversation, user=user, left_at__isnull=True).update(
        seen_seq=Greatest("seen_seq", max(seq, 0))
    )
