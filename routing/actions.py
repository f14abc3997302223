"""State changes in routing: deciding where a contact goes, queueing it, and assigning it.

Each function is one thing that happens, in one transaction. Assignment locks rows with
``FOR UPDATE SKIP LOCKED`` so that two workers never give one contact to two agents, nor one agent
more contacts than their capacity. On PostgreSQL ``assign_next`` is one statement, its own
transaction (``routing/assignment.py``); elsewhere the same rules run as ORM queries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from contactcentre.actions import classify_contact, transition_contact
from contactcentre.errors import InvalidTransition, NotPermitted, StaleState
from contactcentre.models import Contact, ContactStatus, Outcome, Urgency, User
from contactcentre.realtime import send_event_on_commit
from routing import assignment, selectors
from routing.assignment import ASSIGNED_REASON
from routing.choices import Destination
from routing.models import (
    ENTRY_TRANSITIONS,
    AgentProfile,
    EntryStatus,
    Presence,
    Queue,
    QueueEntry,
    RoutingDecision,
)
from routing.policy import ContactDescription, Decision, PolicyConfig, decide

QUEUES_GROUP = "routing.queues"


@transaction.atomic
def route_contact(
    contact: Contact,
    description: ContactDescription,
    now: datetime,
    *,
    config: PolicyConfig | None = None,
    snapshot: selectors.RoutingSnapshot | None = None,
) -> RoutingDecision:
    """Decide where ``contact`` goes, store the decision with its reasons, and queue the contact
    when it goes to an agent. The repeat-contact flag is worked out here from the contact.
    ``snapshot``: what routing reads, already read for a batch of contacts."""
    snapshot = snapshot or selectors.routing_snapshot(now, config=config)
    return carry_out_route(contact, plan_route(contact, description, now, snapshot), now, snapshot)


@dataclass(frozen=True)
class RoutePlan:
    decision: Decision
    repeat_contact: bool


def plan_route(
    contact: Contact,
    description: ContactDescription,
    now: datetime,
    snapshot: selectors.RoutingSnapshot,
) -> RoutePlan:
    """Where ``contact`` would go now (``policy.decide``), without storing anything: a caller
    that must claim the contact's work first decides, claims, then ``carry_out_route``."""
    repeat = description.repeat_contact or snapshot.is_repeat(contact)
    description = replace(description, repeat_contact=repeat)
    decision = decide(description, now, snapshot.availability(now), snapshot.config)
    return RoutePlan(decision, repeat)


def carry_out_route(
    contact: Contact, plan: RoutePlan, now: datetime, snapshot: selectors.RoutingSnapshot
) -> RoutingDecision:
    """Store the planned decision, classify the contact and queue it when it goes to an agent.
    Runs in the caller's transaction (``route_contact``'s, or one that also claimed the work)."""
    decision = plan.decision
    stored = _store_decision(contact, decision, plan.repeat_contact, now)
    classify_contact(
        contact,
        topic=decision.topic.replace("_", "-"),
        urgency=Urgency.URGENT if decision.urgent else Urgency.ROUTINE,
    )
    if decision.destination == Destination.AGENT and decision.queue:
        queue_in_snapshot(contact, decision.queue, decision.priority or 3, now, snapshot)
    return stored


def _store_decision(
    contact: Contact, decision: Decision, repeat: bool, now: datetime
) -> RoutingDecision:
    classified = decision.classification
    return RoutingDecision.objects.create(
        contact=contact,
        decided_at=now,
        destination=decision.destination,
        queue=decision.queue or "",
        priority=decision.priority,
        form=decision.form or "",
        offers=list(decision.offers),
        reasons=list(decision.reasons),
        topic=decision.topic,
        urgent=decision.urgent,
        classified_by=classified.source if classified else "",
        confidence=classified.confidence if classified else None,
        repeat_contact=repeat,
    )


@transaction.atomic
def enqueue_contact(contact: Contact, queue_slug: str, priority: int, now: datetime) -> QueueEntry:
    """The contact waits in ``queue_slug`` for an agent."""
    return _enqueue(contact, Queue.objects.get(slug=queue_slug), priority, now)


def queue_in_snapshot(
    contact: Contact,
    queue_slug: str,
    priority: int,
    now: datetime,
    snapshot: selectors.RoutingSnapshot,
) -> QueueEntry:
    """``enqueue_contact`` with the queue as ``snapshot`` read it, in the caller's transaction
    (no savepoint: a failure undoes the caller's work too); the snapshot counts the arrival."""
    queue = snapshot.queues.get(queue_slug)
    if queue is None:
        raise Queue.DoesNotExist(f"Queue {queue_slug} does not exist.")
    entry = _enqueue(contact, queue, priority, now)
    snapshot.queued(queue_slug)
    return entry


def _enqueue(contact: Contact, queue: Queue, priority: int, now: datetime) -> QueueEntry:
    if contact.status != ContactStatus.WAITING:
        transition_contact(contact, ContactStatus.WAITING, reason=f"queued for {queue.slug}")
    entry = QueueEntry.objects.create(
        contact=contact, queue=queue, priority=priority, enqueued_at=now
    )
    send_event_on_commit(QUEUES_GROUP, {"type": "queue.changed", "queue": queue.slug})
    return entry


@dataclass(frozen=True)
class Assignment:
    entry: QueueEntry
    agent: AgentProfile


def assign_next(now: datetime) -> Assignment | None:
    """Give the most urgent, longest-waiting contact that some agent can take to the available
    agent serving its queue with spare capacity who has been idle longest. None if no pair."""
    if connection.vendor == "postgresql":
        return _assign_next_in_one_statement(now)
    return _assign_next_with_orm(now)


def _assign_next_in_one_statement(now: datetime) -> Assignment | None:
    """PostgreSQL: pick, lock and assign in one statement, its own transaction
    (``routing/assignment.py``). The wake-up is sent once it has committed."""
    per_queue: int | None = assignment.CANDIDATES_PER_QUEUE
    for _attempt in range(3):
        attempt = assignment.assign_next_waiting(now, timezone.now(), per_queue=per_queue)
        if attempt.locked_out:
            # Other workers hold every candidate: read whole queues this time.
            per_queue = None
            continue
        if attempt.entry_id is None:
            return None
        if attempt.agent_id is None:
            # Another worker took the last free agent for that queue: look again.
            continue
        if not attempt.assigned:  # pragma: no cover - every row written was locked and checked
            raise StaleState(f"Contact {attempt.public_id} changed before it could be assigned.")
        entry, agent = attempt.entry(now), attempt.agent(now)
        _wake_agent(agent, entry)
        return Assignment(entry=entry, agent=agent)
    return None


@transaction.atomic
def _assign_next_with_orm(now: datetime) -> Assignment | None:
    """Other databases (the embedded SQLite demo): the same rules, one query at a time."""
    for _attempt in range(3):
        entry = _next_entry()
        if entry is None:
            return None
        agent = _longest_idle_agent(entry.queue_id)
        if agent is not None:
            return _assign(entry, agent, now)
        # Another worker took the last free agent for that queue: look again.
    return None


def _free_agents() -> QuerySet[AgentProfile]:
    return AgentProfile.objects.filter(
        presence=Presence.AVAILABLE, active_contacts__lt=F("capacity")
    )


def _next_entry() -> QueueEntry | None:
    """The most urgent, then oldest, waiting entry in a queue some free agent serves, locked.

    Entries another worker has locked are skipped: it is assigning them. Only the columns the
    assignment needs are read: this runs for every assignment.
    """
    served = AgentProfile.skills.through.objects.filter(
        agentprofile__presence=Presence.AVAILABLE,
        agentprofile__active_contacts__lt=F("agentprofile__capacity"),
    ).values("queue_id")
    return (
        QueueEntry.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("contact")
        .only(
            "id",
            "status",
            "queue_id",
            "contact__id",
            "contact__status",
            "contact__channel",
            "contact__public_id",
        )
        .filter(status=EntryStatus.WAITING, queue_id__in=served)
        .order_by("priority", "enqueued_at", "id")
        .first()
    )


def _longest_idle_agent(queue_id: int) -> AgentProfile | None:
    return (
        _free_agents()
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .only("id", "user__id", "active_contacts", "idle_since")
        .filter(skills__id=queue_id)
        .order_by(F("idle_since").asc(nulls_first=True), "id")
        .first()
    )


@transaction.atomic
def assign_to(entry: QueueEntry, agent: AgentProfile, now: datetime) -> Assignment:
    """Give a waiting entry to a named agent (a transfer to a person), bypassing the queue order.

    Refused with ``NotPermitted`` unless the agent is available with spare capacity, checked on
    their locked row so two transfers cannot both take their last slot.
    """
    locked = AgentProfile.objects.select_for_update().get(pk=agent.pk)
    if locked.presence != Presence.AVAILABLE or locked.active_contacts >= locked.capacity:
        raise NotPermitted("That adviser is not available to take a contact.")
    return _assign(entry, locked, now)


def _assign(entry: QueueEntry, agent: AgentProfile, now: datetime) -> Assignment:
    _move_entry(entry, EntryStatus.ASSIGNED, agent=agent, assigned_at=now)
    AgentProfile.objects.filter(pk=agent.pk).update(
        active_contacts=F("active_contacts") + 1, idle_since=now
    )
    agent.active_contacts += 1
    agent.idle_since = now
    transition_contact(
        entry.contact, ContactStatus.IN_PROGRESS, actor=agent.user, reason=ASSIGNED_REASON
    )
    _wake_agent(agent, entry)
    return Assignment(entry=entry, agent=agent)


def _wake_agent(agent: AgentProfile, entry: QueueEntry) -> None:
    # One wake-up, to the agent who now has the contact: each event costs a channel-layer round
    # trip inside the assignment, and queue figures are read from the database.
    send_event_on_commit(
        f"agent.{agent.user_id}",
        {
            "type": "routing.assigned",
            "contact": str(entry.contact.public_id),
            "queue": entry.queue_id,
        },
    )


def _move_entry(entry: QueueEntry, to_status: EntryStatus, **changes: object) -> None:
    """A status-checked update of a queue entry."""
    if to_status not in ENTRY_TRANSITIONS[entry.status]:
        raise InvalidTransition(f"A {entry.status} queue entry cannot become {to_status}.")
    updated = QueueEntry.objects.filter(pk=entry.pk, status=entry.status).update(
        status=to_status, **changes
    )
    if updated != 1:
        raise StaleState(f"Queue entry {entry.pk} changed before this could be done.")
    entry.status = to_status
    for field, value in changes.items():
        setattr(entry, field, value)


@transaction.atomic
def abandon_queue_entry(entry: QueueEntry, now: datetime) -> QueueEntry:
    """The citizen gave up waiting: the contact leaves the queue and is closed as abandoned."""
    _move_entry(entry, EntryStatus.ABANDONED, ended_at=now)
    contact = entry.contact
    contact.refresh_from_db(fields=["status"])
    transition_contact(
        contact, ContactStatus.CLOSED, reason="left the queue", outcome=Outcome.ABANDONED
    )
    send_event_on_commit(QUEUES_GROUP, {"type": "queue.changed", "queue": entry.queue_id})
    return entry


@transaction.atomic
def finish_assignment(entry: QueueEntry, now: datetime) -> QueueEntry:
    """The agent has finished with the contact: their capacity is free again."""
    _move_entry(entry, EntryStatus.FINISHED, ended_at=now)
    assert entry.agent_id is not None
    AgentProfile.objects.filter(pk=entry.agent_id, active_contacts__gt=0).update(
        active_contacts=F("active_contacts") - 1, idle_since=now
    )
    return entry


@transaction.atomic
def take_out_of_queue(contact: Contact, agent: User, now: datetime) -> None:
    """An agent has started working ``contact`` outside live chat (a written request): its open
    queue entry ends without holding a chat slot.

    A waiting entry is first assigned to ``agent`` (when they have an agent profile) so the
    queue's history shows who took it; an entry routing had assigned frees that agent's capacity.
    """
    entry = (
        QueueEntry.objects.select_for_update(of=("self",))
        .filter(contact=contact, status__in=[EntryStatus.WAITING, EntryStatus.ASSIGNED])
        .first()
    )
    if entry is None:
        return
    if entry.status == EntryStatus.ASSIGNED:
        finish_assignment(entry, now)
        return
    profile = AgentProfile.objects.filter(user=agent).first()
    if profile is None:
        _move_entry(entry, EntryStatus.ABANDONED, ended_at=now)
        return
    _move_entry(entry, EntryStatus.ASSIGNED, agent=profile, assigned_at=now)
    _move_entry(entry, EntryStatus.FINISHED, ended_at=now)


@transaction.atomic
def set_presence(agent: AgentProfile, presence: Presence, now: datetime) -> AgentProfile:
    """The agent says whether they can take contacts."""
    changes: dict[str, object] = {"presence": presence}
    if presence == Presence.AVAILABLE and agent.presence != Presence.AVAILABLE:
        changes["idle_since"] = now
    AgentProfile.objects.filter(pk=agent.pk).update(**changes)
    for field, value in changes.items():
        setattr(agent, field, value)
    send_event_on_commit(QUEUES_GROUP, {"type": "agent.presence", "agent": agent.user_id})
    return agent
