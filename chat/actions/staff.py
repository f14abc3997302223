"""What advisers and supervisors do in a conversation: accept it, reply, write internal notes,
transfer it, close it, join it. And how a conversation ends for the citizen."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from chat import events, hooks
from chat.actions.flow import _tell_waiting, assign_waiting
from chat.actions.messages import Draft, Posted, apost_draft, post_message, posted_event
from chat.errors import ConversationClosed, NotPermitted
from chat.models import Conversation, MessageKind, Participant, ParticipantRole
from contactcentre import asyncdb, realtime
from contactcentre.actions import record_audit_event, record_first_response, transition_contact
from contactcentre.errors import StaleState
from contactcentre.models import ContactStatus, Outcome, User
from contactcentre.roles import SUPERVISE_CONTACTS
from routing import actions as routing_actions
from routing.models import (
    AgentProfile,
    EntryStatus,
    Presence,
    Queue,
    QueueEntry,
    RoutingDecision,
)


def _assigned_entry(conversation: Conversation, *, lock: bool = False) -> QueueEntry | None:
    entries = QueueEntry.objects.filter(
        contact_id=conversation.contact_id, status=EntryStatus.ASSIGNED
    )
    if lock:
        entries = entries.select_for_update(of=("self",))
    return entries.select_related("agent", "queue").first()


def _open_participation(conversation: Conversation, user: User) -> Participant | None:
    return Participant.objects.filter(
        conversation=conversation, user=user, left_at__isnull=True
    ).first()


def _check_open(conversation: Conversation) -> None:
    conversation.contact.refresh_from_db(fields=["status"])
    if conversation.contact.status == ContactStatus.CLOSED:
        raise ConversationClosed("This chat has ended.")


@transaction.atomic
def accept_conversation(conversation: Conversation, agent: User, now: datetime) -> None:
    """The agent routing assigned the chat to takes it: the citizen sees them join."""
    _check_open(conversation)
    entry = _assigned_entry(conversation, lock=True)
    if entry is None or entry.agent is None or entry.agent.user_id != agent.pk:
        raise NotPermitted("This chat is not assigned to you.")
    if conversation.agent_id == agent.pk and _open_participation(conversation, agent):
        return
    Conversation.objects.filter(pk=conversation.pk).update(
        agent=agent, wait_low=None, wait_high=None, offers=[], agents_open_at=None
    )
    conversation.agent = agent
    Participant.objects.create(
        conversation=conversation, user=agent, role=ParticipantRole.AGENT, joined_at=now
    )
    with translation.override(conversation.language):
        post_message(
            conversation,
            kind=MessageKind.SYSTEM,
            body=_("%(name)s has joined the chat.") % {"name": agent.display_name},
            meta={"event": "joined", "name": agent.display_name},
        )
    events.state_changed(conversation.pk)
    events.assignment_changed(agent.pk, conversation.pk)


def check_staff_may_write(conversation: Conversation, user: User) -> Participant:
    participation = _open_participation(conversation, user)
    if participation is None:
        _check_open(conversation)  # everyone leaves a closed chat: say it has ended
        raise NotPermitted("Join or accept the chat before writing in it.")
    return participation


@transaction.atomic
def staff_says(conversation: Conversation, user: User, *, body: str, client_id: str) -> Posted:
    """An adviser (or a supervisor who joined) writes to the citizen."""
    check_staff_may_write(conversation, user)
    posted = post_message(
        conversation,
        kind=MessageKind.AGENT,
        body=body,
        author=user,
        client_id=client_id,
        open_only=True,
    )
    if posted.created and conversation.contact.first_response_at is None:
        record_first_response(conversation.contact)
    return posted


async def astaff_says(conversation_id: int, user: User, *, body: str, client_id: str) -> Posted:
    """``staff_says`` from a websocket consumer's event loop. On PostgreSQL one statement checks
    that they are in the chat, stores the message and records the first response, and the
    wake-up goes from this loop; elsewhere ``staff_says`` runs on a worker thread."""
    if not asyncdb.available():
        return await realtime.in_worker_thread(_staff_says_in)(
            conversation_id, user, body, client_id
        )
    draft = Draft.of(
        kind=MessageKind.AGENT,
        body=body,
        author=user,
        client_id=client_id,
        meta=None,
        open_only=True,
    )
    posted, _status, public_id = await apost_draft(conversation_id, draft, participant_only=True)
    if posted.created:
        await realtime.send_collected([posted_event(conversation_id, posted, public_id)])
    return posted


def _staff_says_in(conversation_id: int, user: User, body: str, client_id: str) -> Posted:
    conversation = Conversation.objects.select_related("contact").get(pk=conversation_id)
    return staff_says(conversation, user, body=body, client_id=client_id)


@transaction.atomic
def add_note(conversation: Conversation, user: User, *, body: str, client_id: str) -> Posted:
    """An internal note: staff see it, the citizen never does."""
    if not user.has_perm(SUPERVISE_CONTACTS):
        check_staff_may_write(conversation, user)
    return post_message(
        conversation, kind=MessageKind.NOTE, body=body, author=user, client_id=client_id
    )


def _leave(conversation: Conversation, user: User | None, now: datetime) -> None:
    participants = Participant.objects.filter(conversation=conversation, left_at__isnull=True)
    if user is not None:
        participants = participants.filter(user=user)
    participants.update(left_at=now)


@transaction.atomic
def transfer_conversation(
    conversation: Conversation,
    by: User,
    now: datetime,
    *,
    queue: Queue | None = None,
    to_agent: User | None = None,
    note: str = "",
) -> None:
    """Pass the chat to another queue, or straight to another agent, with a note for them."""
    if (queue is None) == (to_agent is None):
        raise ValueError("Transfer to a queue or to an agent, not both.")
    _check_open(conversation)
    entry = _assigned_entry(conversation, lock=True)
    if entry is None or conversation.agent_id != by.pk:
        raise NotPermitted("Only the adviser chatting can transfer this chat.")
    target = queue or entry.queue
    profile = None
    if to_agent is not None:
        profile = (
            AgentProfile.objects.select_for_update()
            .filter(user=to_agent, presence=Presence.AVAILABLE, active_contacts__lt=F("capacity"))
            .exclude(user=by)
            .first()
        )
        if profile is None:
            raise NotPermitted("That adviser is not available to take a chat.")
    routing_actions.finish_assignment(entry, now)
    _leave(conversation, by, now)
    Conversation.objects.filter(pk=conversation.pk).update(agent=None)
    conversation.agent = None
    where = to_agent.display_name if to_agent else target.name
    transferred = _("Transferred to %(where)s by %(name)s.") % {
        "where": where,
        "name": by.display_name,
    }
    post_message(
        conversation,
        kind=MessageKind.NOTE,
        body=" ".join(filter(None, [transferred, note.strip()])),
        author=by,
        meta={
            "event": "transfer",
            "queue": target.slug,
            "agent": to_agent.pk if to_agent else None,
        },
    )
    with translation.override(conversation.language):
        post_message(
            conversation,
            kind=MessageKind.SYSTEM,
            body=_("You're being transferred to another adviser. Please stay in the chat."),
            meta={"event": "transferred"},
        )
    new_entry = routing_actions.enqueue_contact(
        conversation.contact, target.slug, entry.priority, now
    )
    if profile is not None:
        # Straight to the named agent: routing's own assignment step, on rows locked above.
        routing_actions.assign_to(new_entry, profile, now)
        events.state_changed(conversation.pk)
    else:
        decision = (
            RoutingDecision.objects.filter(contact=conversation.contact)
            .order_by("-decided_at", "-id")
            .first()
        )
        if decision is not None:
            decision.queue = target.slug
            _tell_waiting(conversation, decision, now)
    events.assignment_changed(by.pk, conversation.pk)
    transaction.on_commit(assign_waiting)


@transaction.atomic
def close_conversation(
    conversation: Conversation,
    by: User | None,
    now: datetime,
    *,
    outcome: Outcome,
    wrap_up: str = "",
    note: str = "",
    reason: str = "closed by the adviser",
) -> None:
    """End the chat with an outcome and wrap-up reason; free the agent; hand over to the survey
    (``hooks.after_conversation_closed``) once it is committed."""
    conversation.contact.refresh_from_db()
    if conversation.contact.status == ContactStatus.CLOSED:
        return
    if by is not None and not by.has_perm(SUPERVISE_CONTACTS) and conversation.agent_id != by.pk:
        raise NotPermitted("Only the adviser chatting can close this chat.")
    for entry in QueueEntry.objects.select_for_update().filter(
        contact_id=conversation.contact_id, status__in=(EntryStatus.WAITING, EntryStatus.ASSIGNED)
    ):
        if entry.status == EntryStatus.ASSIGNED:
            routing_actions.finish_assignment(entry, now)
            events.assignment_changed(entry.agent.user_id, conversation.pk)  # type: ignore[union-attr]
        else:
            entry.contact = conversation.contact
            routing_actions.abandon_queue_entry(entry, now)
    with translation.override(conversation.language):
        post_message(
            conversation,
            kind=MessageKind.SYSTEM,
            body=_("The chat has ended."),
            meta={"event": "closed"},
        )
    conversation.contact.refresh_from_db(fields=["status"])
    if conversation.contact.status != ContactStatus.CLOSED:
        transition_contact(
            conversation.contact, ContactStatus.CLOSED, actor=by, reason=reason, outcome=outcome
        )
    Conversation.objects.filter(pk=conversation.pk).update(
        wrap_up=wrap_up, wrap_up_note=note[:500], wait_low=None, wait_high=None
    )
    conversation.wrap_up, conversation.wrap_up_note = wrap_up, note[:500]
    _leave(conversation, None, now)
    events.state_changed(conversation.pk)
    transaction.on_commit(lambda: hooks.after_conversation_closed(conversation))
    transaction.on_commit(assign_waiting)


@transaction.atomic
def citizen_ends(conversation: Conversation, now: datetime) -> None:
    """The citizen ends the chat. With an adviser, the adviser closes it with the outcome."""
    conversation.contact.refresh_from_db(fields=["status"])
    status = conversation.contact.status
    if status == ContactStatus.CLOSED or conversation.citizen_left_at is not None:
        return
    if conversation.agent_id is not None and status in (
        ContactStatus.IN_PROGRESS,
        ContactStatus.AWAITING_CITIZEN,
    ):
        Conversation.objects.filter(pk=conversation.pk).update(citizen_left_at=now)
        conversation.citizen_left_at = now
        with translation.override(conversation.language):
            post_message(
                conversation,
                kind=MessageKind.SYSTEM,
                body=_("You left the chat."),
                meta={"event": "citizen_left"},
            )
        events.state_changed(conversation.pk)
        return
    outcome = Outcome.RESOLVED if status == ContactStatus.WITH_BOT else Outcome.ABANDONED
    close_conversation(conversation, None, now, outcome=outcome, reason="ended by the citizen")


@transaction.atomic
def join_as_supervisor(conversation: Conversation, supervisor: User, now: datetime) -> None:
    """A supervisor joins a live chat (the citizen is told); audit-logged."""
    if not supervisor.has_perm(SUPERVISE_CONTACTS):
        raise NotPermitted("Only supervisors can join a chat.")
    _check_open(conversation)
    if _open_participation(conversation, supervisor) is not None:
        return
    Participant.objects.create(
        conversation=conversation, user=supervisor, role=ParticipantRole.SUPERVISOR, joined_at=now
    )
    record_audit_event(supervisor, "join_conversation", conversation.contact)
    with translation.override(conversation.language):
        post_message(
            conversation,
            kind=MessageKind.SYSTEM,
            body=_("%(name)s, a supervisor, has joined the chat.")
            % {"name": supervisor.display_name},
            meta={"event": "supervisor_joined", "name": supervisor.display_name},
        )
    events.state_changed(conversation.pk)
    events.assignment_changed(supervisor.pk, conversation.pk)


def close_inactive(conversation: Conversation, now: datetime) -> None:
    """The citizen did not answer the inactivity warning: the chat closes."""
    try:
        close_conversation(
            conversation,
            None,
            now,
            outcome=Outcome.ABANDONED,
            wrap_up="inactive",
            reason="no reply from the citizen",
        )
    except StaleState:
        return  # someone closed it at the same moment
