"""Taking a submission out of its routing queue when an agent starts working it.

Written requests are worked from the inbox at the agent's pace, so they do not hold a live
chat slot: when an agent first acts on one, its queue entry ends. Routing has no public action
for ending an entry on behalf of a named agent yet, so this uses routing's status-checked
``_move_entry`` (which enforces its transitions table); the report to the lead proposes a public
``routing.actions.finish_entry_for(contact, agent, now)`` to replace it.
"""

from __future__ import annotations

from datetime import datetime

from contactcentre.models import Contact, User
from routing.actions import _move_entry, finish_assignment
from routing.models import AgentProfile, EntryStatus, QueueEntry


def finish_open_entry(contact: Contact, agent: User, now: datetime) -> None:
    """End the contact's open queue entry, if any. A waiting entry is first assigned to
    ``agent`` (when they have an agent profile) so the queue's history shows who took it; an
    entry routing assigned frees the agent's capacity."""
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
