"""The statement behind ``actions.assign_next`` on PostgreSQL: pick, lock and assign in one.

Assignment runs for every contact an agent takes, so it is one SQL statement, which is also its
own transaction, rather than six ORM queries between a ``BEGIN`` and a ``COMMIT``: one round
trip to the database instead of eight. Its steps, each a ``WITH`` clause:

1. ``free_queue``: the queues some available agent with spare capacity serves.
2. ``candidate``: the first few waiting entries of each of those queues (the partial index
   ``routing_waiting_by_queue``), most urgent then oldest first. Reading a few per queue rather
   than every waiting entry in order keeps the cost flat when the most urgent entries sit in
   queues nobody can serve right now.
3. ``picked``: the first candidate whose entry and contact are both free to lock
   (``FOR UPDATE SKIP LOCKED``: another worker holding one is assigning it or changing the
   contact), re-checked under the lock as still waiting and in a status that may become
   ``in_progress`` (from the spine's ``ALLOWED_TRANSITIONS``).
4. ``agent``: the longest-idle available agent with the skill and spare capacity, locked the
   same way and re-checked, so no two workers can both take an agent's last slot.
5. ``contact``, ``moved``, ``busier``, ``transition``: status-checked updates of the contact,
   the entry and the agent, and the ``ContactTransition`` row (who, when, why), which is what
   ``contactcentre.actions.transition_contact`` writes. Each write needs the one before it, on
   rows this statement holds locked, so all happen or none do; and the statement is atomic.

Other databases use the ORM path in ``actions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from django.db import connection
from django.db.models import Model

from contactcentre.models import ALLOWED_TRANSITIONS, Contact, ContactStatus
from routing.models import AgentProfile, EntryStatus, Presence, QueueEntry

M = TypeVar("M", bound=Model)

ASSIGNED_REASON = "assigned"
# Entries read per queue. More than the workers that may be assigning at once, so that the
# entries they hold locked never hide the next one; ``None`` reads every waiting entry.
CANDIDATES_PER_QUEUE = 16

_ASSIGN = """
WITH free_queue AS (
    SELECT DISTINCT s.queue_id
    FROM routing_agentprofile a JOIN routing_agentprofile_skills s ON s.agentprofile_id = a.id
    WHERE a.presence = %(available)s AND a.active_contacts < a.capacity
),
candidate AS MATERIALIZED (
    SELECT ARRAY(
        SELECT first.id FROM free_queue CROSS JOIN LATERAL (
            SELECT w.id, w.priority, w.enqueued_at FROM routing_queueentry w
            WHERE w.status = %(waiting)s AND w.queue_id = free_queue.queue_id
            ORDER BY w.priority, w.enqueued_at, w.id
            LIMIT %(per_queue)s
        ) first
        ORDER BY first.priority, first.enqueued_at, first.id
    ) AS ids
),
picked AS MATERIALIZED (
    SELECT e.id, e.queue_id, e.priority, e.enqueued_at, e.contact_id,
           c.status AS contact_status, c.channel, c.public_id
    FROM candidate, routing_queueentry e JOIN contactcentre_contact c ON c.id = e.contact_id
    WHERE e.id = ANY(candidate.ids) AND e.status = %(waiting)s
      AND c.status = ANY(%(may_start)s)
    -- In the candidates' order, so that the few candidates are looked up by primary key:
    -- ordering by the columns would let PostgreSQL walk every waiting entry in that order,
    -- which is slow when the first thousand are in queues nobody can serve now.
    ORDER BY array_position(candidate.ids, e.id)
    LIMIT 1
    FOR UPDATE OF e, c SKIP LOCKED
),
agent AS MATERIALIZED (
    SELECT longest_idle.id, longest_idle.user_id FROM picked CROSS JOIN LATERAL (
        SELECT a.id, a.user_id FROM routing_agentprofile a
        WHERE a.presence = %(available)s AND a.active_contacts < a.capacity
          AND EXISTS (
            SELECT 1 FROM routing_agentprofile_skills s
            WHERE s.agentprofile_id = a.id AND s.queue_id = picked.queue_id
          )
        ORDER BY a.idle_since ASC NULLS FIRST, a.id
        LIMIT 1
        FOR UPDATE OF a SKIP LOCKED
    ) longest_idle
),
contact AS (
    UPDATE contactcentre_contact c
    SET status = %(in_progress)s, outcome = ''
    FROM picked, agent
    WHERE c.id = picked.contact_id AND c.status = picked.contact_status
    RETURNING c.id
),
moved AS (
    UPDATE routing_queueentry e
    SET status = %(assigned)s, agent_id = agent.id, assigned_at = %(now)s
    FROM picked, agent, contact
    WHERE e.id = picked.id AND e.status = %(waiting)s
    RETURNING e.id
),
busier AS (
    UPDATE routing_agentprofile a
    SET active_contacts = a.active_contacts + 1, idle_since = %(now)s
    FROM agent, moved
    WHERE a.id = agent.id
    RETURNING a.active_contacts
),
transition AS (
    INSERT INTO contactcentre_contacttransition
        (contact_id, from_status, to_status, actor_id, reason, at)
    SELECT picked.contact_id, picked.contact_status, %(in_progress)s, agent.user_id,
           %(reason)s, %(transition_at)s
    FROM picked, agent, busier
    RETURNING id
)
SELECT (SELECT cardinality(ids) FROM candidate), picked.id, picked.queue_id, picked.priority,
       picked.enqueued_at, picked.contact_id, picked.contact_status, picked.channel,
       picked.public_id, agent.id, agent.user_id, busier.active_contacts,
       (SELECT count(*) FROM transition)
FROM (VALUES (1)) AS one (n)
LEFT JOIN picked ON true LEFT JOIN agent ON true LEFT JOIN busier ON true
"""

# Statuses a contact may leave for ``in_progress``, from the spine's transitions table.
_MAY_START = sorted(
    status for status, after in ALLOWED_TRANSITIONS.items() if ContactStatus.IN_PROGRESS in after
)


@dataclass(frozen=True)
class Attempt:
    """What one run of the statement found and did.

    ``entry_id`` is None when nothing waits that a free agent serves, or when other workers held
    every candidate (``locked_out``). ``agent_id`` is None when other workers held all of the
    entry's free agents: then nothing was written. ``assigned``: the contact is with the agent.
    """

    candidates: int
    entry_id: int | None = None
    queue_id: int | None = None
    priority: int = 0
    enqueued_at: datetime | None = None
    contact_id: int | None = None
    contact_status: str = ""
    channel: str = ""
    public_id: UUID | None = None
    agent_id: int | None = None
    user_id: int | None = None
    active_contacts: int = 0
    assigned: bool = False

    @property
    def locked_out(self) -> bool:
        return self.entry_id is None and self.candidates > 0

    def entry(self, now: datetime) -> QueueEntry:
        """The assigned entry and its contact as they now stand. Columns not read stay deferred:
        touching one loads it from the database."""
        entry = _loaded(
            QueueEntry,
            id=self.entry_id,
            queue_id=self.queue_id,
            priority=self.priority,
            enqueued_at=self.enqueued_at,
            contact_id=self.contact_id,
            status=EntryStatus.ASSIGNED,
            agent_id=self.agent_id,
            assigned_at=now,
        )
        entry.contact = _loaded(
            Contact,
            id=self.contact_id,
            status=ContactStatus.IN_PROGRESS,
            outcome="",
            channel=self.channel,
            public_id=self.public_id,
        )
        return entry

    def agent(self, now: datetime) -> AgentProfile:
        return _loaded(
            AgentProfile,
            id=self.agent_id,
            user_id=self.user_id,
            active_contacts=self.active_contacts,
            idle_since=now,
        )


def _loaded(model: type[M], **values: object) -> M:
    """An instance as if read from the database with ``.only(*values)``."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def assign_next_waiting(
    now: datetime, transition_at: datetime, *, per_queue: int | None = CANDIDATES_PER_QUEUE
) -> Attempt:
    """Run the statement: its own transaction, or part of the caller's if there is one.
    ``now`` is the assignment time; ``transition_at`` when the contact's transition is recorded
    (the clock, as ``transition_contact`` records it)."""
    params = {
        "available": Presence.AVAILABLE.value,
        "waiting": EntryStatus.WAITING.value,
        "assigned": EntryStatus.ASSIGNED.value,
        "in_progress": ContactStatus.IN_PROGRESS.value,
        "may_start": _MAY_START,
        "per_queue": per_queue,
        "now": now,
        "transition_at": transition_at,
        "reason": ASSIGNED_REASON,
    }
    with connection.cursor() as cursor:
        cursor.execute(_ASSIGN, params)
        row = cursor.fetchone()
    assert row is not None
    (candidates, entry_id, queue_id, priority, enqueued_at, contact_id, contact_status) = row[:7]
    channel, public_id, agent_id, user_id, active_contacts, transitions = row[7:]
    return Attempt(
        candidates=candidates,
        entry_id=entry_id,
        queue_id=queue_id,
        priority=priority or 0,
        enqueued_at=enqueued_at,
        contact_id=contact_id,
        contact_status=contact_status or "",
        channel=channel or "",
        public_id=public_id,
        agent_id=agent_id,
        user_id=user_id,
        active_contacts=active_contacts or 0,
        assigned=transitions == 1,
    )
