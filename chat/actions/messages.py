"""Starting a conversation and storing its messages."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import BigIntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from psycopg.errors import UniqueViolation

from chat import events
from chat.actions.store import Stored, astore_message, store_message
from chat.errors import ConversationClosed, EmptyMessage, MessageTooLong, NotPermitted
from chat.masking import mask_sensitive
from chat.models import Conversation, Message, MessageKind, Participant
from chat.protocol import message_frame
from contactcentre import asyncdb, realtime
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


@dataclass(frozen=True)
class Draft:
    """A message checked and masked, ready to store."""

    kind: MessageKind
    body: str
    masked: bool
    author: User | None
    client_id: str
    meta: dict[str, Any]
    open_only: bool
    now: datetime

    @classmethod
    def of(
        cls,
        *,
        kind: MessageKind,
        body: str,
        author: User | None,
        client_id: str,
        meta: dict[str, Any] | None,
        open_only: bool,
    ) -> Draft:
        masked_body, masked = mask_sensitive(check_body(body, kind))
        return cls(
            kind, masked_body, masked, author, client_id, meta or {}, open_only, timezone.now()
        )

    def statement_fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "body": self.body,
            "masked": self.masked,
            "author_id": self.author.pk if self.author is not None else None,
            "client_id": self.client_id,
            "meta": self.meta,
            "now": self.now,
            "open_only": self.open_only,
            "citizen": self.kind == MessageKind.CITIZEN,
        }

    def message(self, conversation_id: int, pk: int, seq: int) -> Message:
        """The row as the statement stored it, without reading it back."""
        message = Message(
            pk=pk,
            conversation_id=conversation_id,
            seq=seq,
            kind=self.kind,
            author=self.author,
            client_id=self.client_id,
            body=self.body,
            masked=self.masked,
            meta=self.meta,
            created_at=self.now,
        )
        message._state.adding = False
        message._state.db = DEFAULT_DB_ALIAS  # ``connection`` is always this alias's
        return message


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
    draft = Draft.of(
        kind=kind, body=body, author=author, client_id=client_id, meta=meta, open_only=open_only
    )
    post = _post_in_one_statement if connection.vendor == "postgresql" else _post_with_orm
    try:
        posted, status, public_id = post(conversation, draft)
    except IntegrityError:
        if not client_id:
            raise
        posted, status, public_id = _sent_at_once(conversation.pk, client_id)
    group_event = _after_posting(conversation, draft, posted, status, public_id)
    if group_event is not None:
        realtime.send_event_on_commit(*group_event)
    return posted


async def apost_message(
    conversation: Conversation,
    *,
    kind: MessageKind,
    body: str,
    author: User | None = None,
    client_id: str = "",
    meta: dict[str, Any] | None = None,
    open_only: bool = False,
) -> Posted:
    """``post_message`` from an event loop (a websocket consumer): on PostgreSQL the one
    statement on an asynchronous connection (``contactcentre.asyncdb``), and the wake-up sent
    from this loop, without a hop to a worker thread; elsewhere ``post_message`` on one."""
    if not asyncdb.available():
        return await realtime.in_worker_thread(post_message)(
            conversation,
            kind=kind,
            body=body,
            author=author,
            client_id=client_id,
            meta=meta,
            open_only=open_only,
        )
    draft = Draft.of(
        kind=kind, body=body, author=author, client_id=client_id, meta=meta, open_only=open_only
    )
    posted, status, public_id = await apost_draft(conversation.pk, draft)
    group_event = _after_posting(conversation, draft, posted, status, public_id)
    if group_event is not None:
        await realtime.send_collected([group_event])
    return posted


async def apost_draft(
    conversation_id: int, draft: Draft, *, participant_only: bool = False
) -> tuple[Posted, str, str]:
    """The one statement from an event loop. ``participant_only``: refuse (``NotPermitted``)
    unless the author is in the conversation; an adviser's message then also counts as the
    contact's first response."""
    try:
        stored = await astore_message(
            conversation_id,
            **draft.statement_fields(),
            participant_only=participant_only,
            first_response=participant_only and draft.kind == MessageKind.AGENT,
        )
        if stored is not None and not stored.allowed:
            if draft.open_only and stored.status == ContactStatus.CLOSED:
                raise ConversationClosed("This chat has ended.")
            raise NotPermitted("Join or accept the chat before writing in it.")
        if stored is not None and stored.duplicate_of is not None:
            # The rare ORM reads of this path (a repeated client id) go to a worker thread.
            return await realtime.in_worker_thread(_already_stored)(stored)
        return _posted(conversation_id, draft, stored)
    except UniqueViolation:
        if not draft.client_id:
            raise
        return await realtime.in_worker_thread(_sent_at_once)(conversation_id, draft.client_id)


def _already_stored(stored: Stored) -> tuple[Posted, str, str]:
    """The statement found the client id already used: the message stored with it."""
    assert stored.duplicate_of is not None
    existing = Message.objects.get(pk=stored.duplicate_of)
    return Posted(existing, created=False), stored.status, stored.public_id


def _sent_at_once(conversation_id: int, client_id: str) -> tuple[Posted, str, str]:
    """The same client id, sent twice at once (the duplicate check of the one that waited for
    the lock could not see the other's row yet): the other copy was stored first."""
    existing = Message.objects.select_related("conversation__contact").get(
        conversation=conversation_id, client_id=client_id
    )
    contact = existing.conversation.contact
    return Posted(existing, created=False), contact.status, str(contact.public_id)


def _after_posting(
    conversation: Conversation, draft: Draft, posted: Posted, status: str, public_id: str
) -> tuple[str, dict[str, Any]] | None:
    """Bring the caller's ``conversation`` up to date; the wake-up to send, if any."""
    if Conversation.contact.is_cached(conversation):
        conversation.contact.status = status
    if not posted.created:
        return None
    message = posted.message
    conversation.last_seq = message.seq
    if draft.kind == MessageKind.CITIZEN:
        conversation.citizen_active_at = message.created_at
    return posted_event(conversation.pk, posted, public_id)


def posted_event(
    conversation_id: int, posted: Posted, public_id: str
) -> tuple[str, dict[str, Any]]:
    """The wake-up for a stored message, carrying it as staff see it."""
    frame = message_frame(posted.message, public_id, staff=True)
    return events.message_posted_event(conversation_id, posted.message.seq, frame)


def _posted(conversation_id: int, draft: Draft, stored: Stored | None) -> tuple[Posted, str, str]:
    """What the one statement did (a duplicate is looked up by the caller)."""
    if stored is None:
        raise Conversation.DoesNotExist("No such conversation.")
    if stored.message_id is None or stored.seq is None:
        raise ConversationClosed("This chat has ended.")
    message = draft.message(conversation_id, stored.message_id, stored.seq)
    return Posted(message, created=True), stored.status, stored.public_id


def _post_in_one_statement(conversation: Conversation, draft: Draft) -> tuple[Posted, str, str]:
    """PostgreSQL: one round trip (``store``). Returns what was posted, the contact's status
    and its public id."""
    if draft.client_id and connection.in_atomic_block:
        # A clash of client ids must not spoil the caller's transaction.
        with transaction.atomic():
            stored = store_message(conversation.pk, **draft.statement_fields())
    else:
        stored = store_message(conversation.pk, **draft.statement_fields())
    if stored is not None and stored.duplicate_of is not None:
        return _already_stored(stored)
    return _posted(conversation.pk, draft, stored)


@transaction.atomic
def _post_with_orm(conversation: Conversation, draft: Draft) -> tuple[Posted, str, str]:
    """Other databases: lock, check, insert and update in a transaction."""
    # The lock and the duplicate check in one round trip.
    already_sent: Subquery | Value = Value(None, output_field=BigIntegerField())
    if draft.client_id:
        same_id = Message.objects.filter(conversation=OuterRef("pk"), client_id=draft.client_id)
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
    if draft.open_only and status == ContactStatus.CLOSED:
        raise ConversationClosed("This chat has ended.")
    message = draft.message(conversation.pk, pk=0, seq=locked.last_seq + 1)
    message.pk = None
    message._state.adding = True
    message.save(force_insert=True)
    changes: dict[str, Any] = {"last_seq": message.seq}
    if draft.kind == MessageKind.CITIZEN:
        changes["citizen_active_at"] = message.created_at
    Conversation.objects.filter(pk=locked.pk).update(**changes)
    return Posted(message, created=True), status, public_id


def post_citizen_message(conversation: Conversation, *, body: str, client_id: str) -> Posted:
    """The citizen sent a message. A closed conversation takes no more."""
    return post_message(
        conversation, kind=MessageKind.CITIZEN, body=body, client_id=client_id, open_only=True
    )


async def apost_citizen_message(conversation: Conversation, *, body: str, client_id: str) -> Posted:
    """``post_citizen_message`` from a websocket consumer's event loop."""
    return await apost_message(
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
