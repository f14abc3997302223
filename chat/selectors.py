"""Reads of the chat that several places share, with the access checks built in."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from chat.actions.messages import hash_token
from chat.errors import NotPermitted
from chat.models import CITIZEN_VISIBLE_KINDS, CannedResponse, Conversation, Message, Participant
from contactcentre import asyncdb, realtime
from contactcentre.models import Channel, Contact, ContactStatus, User
from contactcentre.roles import SUPERVISE_CONTACTS
from routing.models import EntryStatus, Queue, QueueEntry

# Most messages sent in one replay frame batch; the client asks again from the last it saw.
REPLAY_LIMIT = 500


def _parse_id(public_id: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(public_id))
    except (TypeError, ValueError, AttributeError):
        raise NotPermitted("No such conversation.") from None


def conversation_for_citizen(
    public_id: object, token: object, user: User | None = None
) -> Conversation:
    """The conversation ``public_id`` if ``token`` is its token, or it belongs to the signed-in
    ``user``. Anything else (unknown id, wrong token, someone else's) is the same refusal."""
    conversation = (
        Conversation.objects.select_related("contact", "agent")
        .filter(contact__public_id=_parse_id(public_id))
        .first()
    )
    if conversation is None:
        # Compare anyway, so a missing conversation takes as long as a wrong token.
        hmac.compare_digest(hash_token(str(token or "")), "0" * 64)
        raise NotPermitted("No such conversation.")
    if (
        isinstance(token, str)
        and token
        and hmac.compare_digest(hash_token(token), conversation.token_hash)
    ):
        return conversation
    citizen_id = conversation.contact.citizen_id
    signed_in = user is not None and user.is_authenticated
    if signed_in and citizen_id is not None and citizen_id == user.pk:  # type: ignore[union-attr]
        return conversation
    raise NotPermitted("No such conversation.")


def is_supervisor(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm(SUPERVISE_CONTACTS))


def conversation_for_staff(user: User, public_id: object) -> Conversation:
    """A conversation a member of staff may see: supervisors any; an agent the chats assigned
    to them and those they have been part of."""
    conversation = (
        Conversation.objects.select_related("contact", "contact__citizen", "agent")
        .filter(contact__public_id=_parse_id(public_id))
        .first()
    )
    if conversation is None:
        raise NotPermitted("No such conversation.")
    if is_supervisor(user):
        return conversation
    assigned = QueueEntry.objects.filter(
        contact_id=conversation.contact_id, status=EntryStatus.ASSIGNED, agent__user=user
    ).exists()
    if assigned or Participant.objects.filter(conversation=conversation, user=user).exists():
        return conversation
    raise NotPermitted("No such conversation.")


async def last_seqs(conversation_ids: list[int]) -> dict[int, int]:
    """The last message number of each conversation, from an event loop: what a ``ping``
    compares with what it has sent, to read messages only when a wake-up was lost. One small
    query on the async pool where the database is PostgreSQL, rather than a read of every
    conversation's messages on a worker thread."""
    if not conversation_ids:
        return {}
    if not asyncdb.available():
        return await realtime.in_worker_thread(_last_seqs)(conversation_ids)
    pool = await asyncdb.pool()
    async with pool.connection() as conn:
        cursor = await conn.execute(
            "SELECT id, last_seq FROM chat_conversation WHERE id = ANY(%s)", [conversation_ids]
        )
        return dict(await cursor.fetchall())


def _last_seqs(conversation_ids: list[int]) -> dict[int, int]:
    rows = Conversation.objects.filter(pk__in=conversation_ids).values_list("pk", "last_seq")
    return dict(rows)


def messages_after(conversation_id: int, seq: int, *, staff: bool) -> list[Message]:
    """Messages numbered after ``seq``, oldest first; the citizen never gets internal notes."""
    messages = Message.objects.filter(conversation_id=conversation_id, seq__gt=seq)
    if not staff:
        messages = messages.filter(kind__in=CITIZEN_VISIBLE_KINDS)
    return list(messages.select_related("author").order_by("seq")[:REPLAY_LIMIT])


def conversation_state(conversation: Conversation) -> dict[str, Any]:
    """What the widget shows: ``bot``, ``waiting`` (with the wait), ``assigned``, ``agent``
    (with the adviser's first name), ``closed``; and what is on offer."""
    from chat.actions.flow import offer_links

    status = conversation.contact.status
    states: dict[str, str] = {
        ContactStatus.NEW: "new",
        ContactStatus.WITH_BOT: "bot",
        ContactStatus.WAITING: "waiting",
        ContactStatus.CLOSED: "closed",
    }
    state = states.get(status, "agent" if conversation.agent_id else "assigned")
    wait = None
    if state == "waiting" and conversation.wait_high is not None:
        wait = {"low": conversation.wait_low, "high": conversation.wait_high}
    agent_name = None
    if state == "agent" and conversation.agent is not None:
        agent_name = conversation.agent.display_name
    return {
        "state": state,
        "agent": agent_name,
        "wait": wait,
        "offers": offer_links(list(conversation.offers)),
        "agents_open_at": conversation.agents_open_at.isoformat()
        if conversation.agents_open_at
        else None,
        "outcome": conversation.contact.outcome or None,
        "last_seq": conversation.last_seq,
        "citizen_left": conversation.citizen_left_at is not None,
    }


def load_conversation(conversation_id: int) -> Conversation:
    return Conversation.objects.select_related("contact", "agent").get(pk=conversation_id)


def agent_conversations(user: User) -> list[Conversation]:
    """The chats assigned to ``user`` or that they are in, open ones only, oldest first."""
    assigned = QueueEntry.objects.filter(
        status=EntryStatus.ASSIGNED, agent__user=user, contact__channel=Channel.CHAT
    ).values("contact_id")
    joined = Participant.objects.filter(user=user, left_at__isnull=True).values("conversation_id")
    return list(
        Conversation.objects.select_related("contact", "contact__citizen", "agent")
        .filter(Q(contact_id__in=assigned) | Q(pk__in=joined))
        .exclude(contact__status=ContactStatus.CLOSED)
        .order_by("created_at")
    )


def live_conversations() -> QuerySet[Conversation]:
    """Every open chat, oldest first: what supervisors watch."""
    return (
        Conversation.objects.select_related("contact", "agent")
        .exclude(contact__status=ContactStatus.CLOSED)
        .order_by("created_at")
    )


@dataclass(frozen=True)
class QueueSummary:
    slug: str
    name: str
    waiting: int
    with_agents: int


def queue_summaries() -> list[QueueSummary]:
    rows = Queue.objects.annotate(
        waiting=Count("entries", filter=Q(entries__status=EntryStatus.WAITING)),
        with_agents=Count("entries", filter=Q(entries__status=EntryStatus.ASSIGNED)),
    ).order_by("slug")
    return [QueueSummary(q.slug, q.name, q.waiting, q.with_agents) for q in rows]


def earlier_contacts(conversation: Conversation, limit: int = 10) -> list[Contact]:
    """The same signed-in citizen's other contacts, newest first (none for anonymous chats)."""
    citizen_id = conversation.contact.citizen_id
    if citizen_id is None:
        return []
    return list(
        Contact.objects.filter(citizen_id=citizen_id)
        .exclude(pk=conversation.contact_id)
        .order_by("-created_at")[:limit]
    )


def canned_responses(language: str | None = None) -> list[CannedResponse]:
    responses = CannedResponse.objects.filter(active=True)
    if language:
        responses = responses.filter(language=language)
    return list(responses.order_by("title"))


@dataclass(frozen=True)
class ConsoleChat:
    """A chat as a console opens it: the conversation, the user's unread count in it, and the
    messages after what the console already has (at most ``REPLAY_LIMIT``)."""

    conversation: Conversation
    unread: int
    messages: list[Message]


def console_chats(user: User, after: dict[int, int]) -> list[ConsoleChat]:
    """What a console needs to show the conversations ``after`` names (conversation pk -> the
    last seq the console has), in that order, read after the console has joined their groups:
    three queries however many chats, so a supervisor's console with a hundred opens as fast as
    an agent's with three. Staff see every kind and sequence numbers never skip, so a chat's
    next ``REPLAY_LIMIT`` messages are those numbered up to ``after + REPLAY_LIMIT``."""
    if not after:
        return []
    loaded = Conversation.objects.select_related("contact", "contact__citizen", "agent").in_bulk(
        list(after)
    )
    conversations = [loaded[pk] for pk in after if pk in loaded]
    seen = Participant.objects.filter(
        conversation=OuterRef("conversation_id"), user=user, left_at__isnull=True
    ).values("seen_seq")[:1]
    unseen = Message.objects.filter(
        conversation_id__in=list(loaded), seq__gt=Coalesce(Subquery(seen), 0)
    )
    unread = dict(
        unseen.order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values_list("conversation_id", "n")
    )
    wanted = Q()
    for c in conversations:
        start = after[c.pk]
        wanted |= Q(conversation_id=c.pk, seq__gt=start, seq__lte=start + REPLAY_LIMIT)
    messages: dict[int, list[Message]] = {c.pk: [] for c in conversations}
    if conversations:
        rows = Message.objects.filter(wanted).select_related("author").order_by("seq")
        for message in rows:
            messages[message.conversation_id].append(message)
    return [ConsoleChat(c, unread.get(c.pk, 0), messages[c.pk]) for c in conversations]


def unread_count(conversation: Conversation, user: User) -> int:
    participation = Participant.objects.filter(
        conversation=conversation, user=user, left_at__isnull=True
    ).first()
    seen = participation.seen_seq if participation else 0
    return Message.objects.filter(conversation=conversation, seq__gt=seen).count()
