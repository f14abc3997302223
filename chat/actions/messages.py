"""Starting a conversation and storing its messages."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from chat import events
from chat.actions.store import Stored, store_message
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
    masked_body, masked = mask_sensitive(body)
    post = _post_in_one_statement if connection.vendor == "postgresql" else _post_with_orm
    try:
        posted, status, public_id = post(
            conversation,
            kind=kind,
            body=masked_body,
            masked=masked,
            author=author,
            client_id=client_id,
            meta=meta or {},
            open_only=open_only,
        )
    except IntegrityError:
        if not client_id:
            raise
        # The same client id, sent twice at once (the duplicate check of the one that waited
        # for the lock could not see the other's row yet): the other copy was stored first.
        existing = Message.objects.select_related("conversation__contact").get(
            conversation=conversation.pk, client_id=client_id
        )
        contact = existing.conversation.contact
        posted, status, public_id = Posted(existing, False), contact.status, str(contact.public_id)
    if Conversation.contact.is_cached(conversation):
        conversation.contact.status = status
    if posted.created:
        message = posted.message
        conversation.last_seq = message.seq
        if kind == MessageKind.CITIZEN:
            conversation.citizen_active_at = message.created_at
        events.message_posted(
            conversation.pk, message.seq, message_frame(message, public_id, staff=True)
        )
    return posted


def _post_in_one_statement(
    conversation: Conversation,
    *,
    kind: MessageKind,
    body: str,
    masked: bool,
    author: User | None,
    client_id: str,
    meta: dict[str, Any],
    open_only: bool,
) -> tuple[Posted, str, str]:
    """PostgreSQL: one round trip (``store``). Returns what was posted, the contact's status
    and its public id."""
    now = timezone.now()

    def store() -> Stored | None:
        return store_message(
            conversation.pk,
            kind=kind,
            body=body,
            masked=masked,
            author_id=author.pk if author is not None else None,
            client_id=client_id,
            meta=meta,
            now=now,
            open_only=open_only,
            citizen=kind == MessageKind.CITIZEN,
        )

    if client_id and connection.in_atomic_block:
        # A clash of client ids must not spoil the caller's transaction.
        with transaction.atomic():
            stored = store()
    else:
        stored = store()
    if stored is None:
        raise Conversation.DoesNotExist("No such conversation.")
    if stored.duplicate_of is not None:
        existing = Message.objects.get(pk=stored.duplicate_of)
        return Posted(existing, created=False), stored.status, stored.public_id
    if stored.message_id is None or stored.seq is None:
        raise ConversationClosed("This chat has ended.")
    message = Message(
        pk=stored.message_id,
        conversation_id=conversation.pk,
        seq=stored.seq,
        kind=kind,
        author=author,
        client_id=client_id,
        body=body,
        masked=masked,
        meta=meta,
        created_at=now,
    )
    message._state.adding = False
    message._state.db = connection.alias
    return Posted(message, created=True), stored.status, stored.public_id


@transaction.atomic
def _post_with_orm(
    conversation: Conversation,
    *,
    kind: MessageKind,
    body: str,
    masked: bool,
    author: User | None,
    client_id: str,
    meta: dict[str, Any],
    open_only: bool,
) -> tuple[Posted, str, str]:
    """Other databases: lock, check, insert and update in a transaction."""
    # The lock and the duplicate check in one round trip.
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
    status, public_id = locked.contact.status, str(locked.contact.public_id)
    if locked.already_sent is not None:
        return Posted(Message.objects.get(pk=locked.already_sent), created=False), status, public_id
    if open_only and status == ContactStatus.CLOSED:
        raise ConversationClosed("This chat has ended.")
    seq = locked.last_seq + 1
    message = Message.objects.create(
        conversation=locked,
        seq=seq,
        kind=kind,
        author=author,
        client_id=client_id,
        body=body,
        masked=masked,
        meta=meta,
    )
    changes: dict[str, Any] = {"last_seq": seq}
    if kind == MessageKind.CITIZEN:
        changes["citizen_active_at"] = message.created_at
    Conversation.objects.filter(pk=locked.pk).update(**changes)
    return Posted(message, created=True), status, public_id


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
