"""Routing's actions: stored decisions, queueing, assignment and abandonment."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactcentre.actions import transition_contact
from contactcentre.errors import InvalidTransition
from contactcentre.models import ContactStatus, ContactTransition, Outcome
from routing import actions, assignment
from routing.actions import (
    abandon_queue_entry,
    assign_next,
    enqueue_contact,
    finish_assignment,
    route_contact,
    set_presence,
)
from routing.demo import load_demo_data
from routing.models import AgentProfile, EntryStatus, Presence, Queue, QueueEntry, RoutingDecision
from routing.policy import ContactDescription
from tests.factories import ContactFactory, UserFactory
from tests.routing.factories import AgentFactory, QueueFactory, WaitingEntryFactory

TUESDAY_11AM = datetime(2026, 3, 10, 11, tzinfo=UTC)
SATURDAY = datetime(2026, 3, 14, 11, tzinfo=UTC)


@pytest.mark.django_db
class TestRouteContact:
    @pytest.fixture(autouse=True)
    def _seeded(self) -> None:
        load_demo_data()

    def test_every_decision_is_stored_with_its_contact_and_reasons(
        self, django_capture_on_commit_callbacks: object
    ) -> None:
        contact = ContactFactory()
        description = ContactDescription("how do I reset my password")
        stored = route_contact(contact, description, SATURDAY)
        assert RoutingDecision.objects.get(contact=contact) == stored
        assert stored.destination == "chatbot"
        assert stored.reasons[0].startswith("simple question")
        contact.refresh_from_db()
        assert contact.topic == "how-to"

    def test_an_agent_decision_queues_the_contact(self) -> None:
        AgentFactory(skills=[Queue.objects.get(slug="fraud")])
        contact = ContactFactory()
        stored = route_contact(contact, ContactDescription("I've been scammed"), TUESDAY_11AM)
        assert (stored.destination, stored.queue, stored.priority) == ("agent", "fraud", 1)
        assert stored.urgent
        entry = QueueEntry.objects.get(contact=contact)
        assert (entry.queue.slug, entry.priority, entry.status) == ("fraud", 1, "waiting")
        contact.refresh_from_db()
        assert (contact.status, contact.urgency) == (ContactStatus.WAITING, "urgent")

    def test_nobody_signed_in_sends_complex_problems_to_the_webform(self) -> None:
        stored = route_contact(
            ContactFactory(), ContactDescription("can I talk to a person"), TUESDAY_11AM
        )
        assert (stored.destination, stored.form) == ("webform", "general")

    def test_a_citizen_back_within_7_days_is_treated_as_complex(self) -> None:
        AgentFactory(skills=list(Queue.objects.all()))
        citizen = UserFactory()
        ContactFactory(citizen=citizen)
        again = ContactFactory(citizen=citizen)
        stored = route_contact(again, ContactDescription("how do I sign in"), TUESDAY_11AM)
        assert stored.repeat_contact
        assert stored.destination == "agent"

    def test_contacts_a_week_apart_are_not_repeats(self) -> None:
        citizen = UserFactory()
        old = ContactFactory(citizen=citizen)
        old.created_at = timezone.now() - timedelta(days=8)
        old.save()
        stored = route_contact(
            ContactFactory(citizen=citizen), ContactDescription("how do I sign in"), SATURDAY
        )
        assert not stored.repeat_contact


@pytest.fixture(params=["one statement", "orm"])
def assignment_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on both ways of assigning: one SQL statement (PostgreSQL) and the ORM queries
    other databases use."""
    if request.param == "orm":
        monkeypatch.setattr(actions, "_assign_next_in_one_statement", actions._assign_next_with_orm)
    else:
        # The one-statement path needs PostgreSQL: a missing server fails in CI, as elsewhere.
        request.getfixturevalue("postgres")
    return str(request.param)


@pytest.mark.django_db
@pytest.mark.usefixtures("assignment_path")
class TestAssignment:
    def test_priority_then_first_come(self) -> None:
        queue = QueueFactory()
        now = timezone.now()
        late_urgent = WaitingEntryFactory(queue=queue, priority=1, enqueued_at=now)
        early = WaitingEntryFactory(queue=queue, priority=3, enqueued_at=now - timedelta(hours=1))
        earlier = WaitingEntryFactory(queue=queue, priority=3, enqueued_at=now - timedelta(hours=2))
        AgentFactory(skills=[queue], capacity=3)
        order = [assign_next(now).entry.pk for _ in range(3)]  # type: ignore[union-attr]
        assert order == [late_urgent.pk, earlier.pk, early.pk]

    def test_urgent_contacts_in_any_queue_go_before_non_urgent_ones(self) -> None:
        general, fraud = QueueFactory(slug="general"), QueueFactory(slug="fraud")
        now = timezone.now()
        WaitingEntryFactory(queue=general, priority=3, enqueued_at=now - timedelta(hours=1))
        urgent = WaitingEntryFactory(queue=fraud, priority=1, enqueued_at=now)
        AgentFactory(skills=[general, fraud], capacity=1)
        assert assign_next(now).entry.pk == urgent.pk  # type: ignore[union-attr]

    def test_the_longest_idle_agent_with_the_skill_gets_the_contact(self) -> None:
        queue, other = QueueFactory(), QueueFactory()
        now = timezone.now()
        AgentFactory(skills=[other], idle_since=now - timedelta(hours=3))
        AgentFactory(skills=[queue], idle_since=now - timedelta(minutes=5))
        longest = AgentFactory(skills=[queue], idle_since=now - timedelta(hours=1))
        AgentFactory(skills=[queue], idle_since=now - timedelta(hours=2), presence=Presence.AWAY)
        WaitingEntryFactory(queue=queue)
        assignment = assign_next(now)
        assert assignment is not None
        assert assignment.agent.pk == longest.pk
        assignment.entry.contact.refresh_from_db()
        assert assignment.entry.contact.status == ContactStatus.IN_PROGRESS

    def test_no_agent_takes_more_than_their_capacity(self) -> None:
        queue = QueueFactory()
        agent = AgentFactory(skills=[queue], capacity=2)
        for _ in range(4):
            WaitingEntryFactory(queue=queue)
        now = timezone.now()
        assert [assign_next(now) is not None for _ in range(4)] == [True, True, False, False]
        agent.refresh_from_db()
        assert agent.active_contacts == 2
        finish_assignment(QueueEntry.objects.filter(status="assigned").first(), now)  # type: ignore[arg-type]
        assert assign_next(now) is not None

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        agents=st.lists(
            st.tuples(st.integers(1, 3), st.sets(st.integers(0, 2), min_size=1)),
            min_size=1,
            max_size=4,
        ),
        entries=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)), max_size=12),
        steps=st.lists(st.booleans(), min_size=1, max_size=25),
    )
    def test_any_sequence_of_assignments_and_finishes_keeps_the_rules(
        self,
        agents: list[tuple[int, set[int]]],
        entries: list[tuple[int, int]],
        steps: list[bool],
    ) -> None:
        """Whatever the agents, queue and order of events: nobody goes over capacity, nothing is
        assigned twice, and each assignment takes the most urgent then oldest entry that the
        longest-idle free agent with the skill can serve."""
        with transaction.atomic():
            queues = [QueueFactory() for _ in range(3)]
            start = timezone.now() - timedelta(hours=1)
            profiles = [
                AgentFactory(
                    skills=[queues[i] for i in skills],
                    capacity=capacity,
                    idle_since=start - timedelta(minutes=n),
                )
                for n, (capacity, skills) in enumerate(agents)
            ]
            for n, (queue, priority) in enumerate(entries):
                WaitingEntryFactory(
                    queue=queues[queue], priority=priority, enqueued_at=start + timedelta(seconds=n)
                )
            assigned: list[int] = []
            for n, assign in enumerate(steps):
                now = start + timedelta(minutes=1, seconds=n)
                if not assign:
                    busy = QueueEntry.objects.filter(status="assigned").order_by("pk").first()
                    if busy is not None:
                        finish_assignment(busy, now)
                    continue
                waiting = list(
                    QueueEntry.objects.filter(status="waiting").order_by(
                        "priority", "enqueued_at", "pk"
                    )
                )
                free = [
                    p
                    for p in AgentProfile.objects.filter(pk__in=[p.pk for p in profiles])
                    if p.presence == Presence.AVAILABLE and p.active_contacts < p.capacity
                ]
                servable = [
                    e for e in waiting if any(p.skills.filter(pk=e.queue_id).exists() for p in free)
                ]
                assignment = assign_next(now)
                if not servable:
                    assert assignment is None
                    continue
                assert assignment is not None
                assert assignment.entry.pk == servable[0].pk
                skilled = [p for p in free if p.skills.filter(pk=servable[0].queue_id).exists()]
                longest_idle = min(skilled, key=lambda p: (p.idle_since, p.pk))
                assert assignment.agent.pk == longest_idle.pk
                assigned.append(assignment.entry.pk)
            assert len(assigned) == len(set(assigned))
            for profile in AgentProfile.objects.filter(pk__in=[p.pk for p in profiles]):
                holding = profile.entries.filter(status="assigned").count()
                assert profile.active_contacts == holding <= profile.capacity
            transaction.set_rollback(True)

    def test_an_abandoned_contact_leaves_the_queue(self) -> None:
        queue = QueueFactory()
        contact = ContactFactory()
        entry = enqueue_contact(contact, queue.slug, 3, timezone.now())
        abandon_queue_entry(entry, timezone.now())
        AgentFactory(skills=[queue])
        assert assign_next(timezone.now()) is None
        contact.refresh_from_db()
        assert (contact.status, contact.outcome) == (ContactStatus.CLOSED, Outcome.ABANDONED)
        assert QueueEntry.objects.get(pk=entry.pk).status == EntryStatus.ABANDONED

    def test_presence_changes_who_is_offered_contacts(self) -> None:
        queue = QueueFactory()
        agent = AgentFactory(skills=[queue], presence=Presence.OFFLINE)
        WaitingEntryFactory(queue=queue)
        assert assign_next(timezone.now()) is None
        set_presence(agent, Presence.AVAILABLE, timezone.now())
        assert assign_next(timezone.now()) is not None

    def test_assignment_records_who_when_and_why_and_wakes_the_agent_after_commit(
        self, django_capture_on_commit_callbacks: object, settings: object
    ) -> None:
        queue = QueueFactory()
        agent = AgentFactory(skills=[queue])
        entry = WaitingEntryFactory(queue=queue)
        now = timezone.now()
        with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
            assignment = assign_next(now)
        assert assignment is not None
        assert len(callbacks) == 1
        transition = ContactTransition.objects.get(contact=entry.contact)
        assert (transition.from_status, transition.to_status) == ("waiting", "in_progress")
        assert (transition.actor_id, transition.reason) == (agent.user_id, "assigned")
        assert now <= transition.at <= timezone.now()
        entry.contact.refresh_from_db()
        assert (entry.contact.status, entry.contact.outcome) == (ContactStatus.IN_PROGRESS, "")
        stored = QueueEntry.objects.get(pk=entry.pk)
        assert (stored.status, stored.agent_id, stored.assigned_at) == ("assigned", agent.pk, now)
        agent.refresh_from_db()
        assert (agent.active_contacts, agent.idle_since) == (1, now)
        # What callers read from the assignment matches the database.
        assert assignment.entry.contact.channel == entry.contact.channel
        assert assignment.entry.contact.status == ContactStatus.IN_PROGRESS
        assert (assignment.agent.pk, assignment.agent.active_contacts) == (agent.pk, 1)

    def test_a_contact_that_may_not_become_in_progress_is_passed_over(
        self, assignment_path: str
    ) -> None:
        queue = QueueFactory()
        agent = AgentFactory(skills=[queue])
        now = timezone.now()
        stuck = WaitingEntryFactory(queue=queue, enqueued_at=now - timedelta(hours=1))
        # Closed behind the queue's back (no action does this; the guard still holds).
        transition_contact(stuck.contact, ContactStatus.CLOSED, outcome=Outcome.ABANDONED)
        if assignment_path == "orm":
            # One query at a time, the contact's own transition refuses it.
            with pytest.raises(InvalidTransition):
                assign_next(now)
        else:
            # One statement only picks entries whose contact may be assigned.
            assert assign_next(now) is None
            later = WaitingEntryFactory(queue=queue, enqueued_at=now)
            assert assign_next(now).entry.pk == later.pk  # type: ignore[union-attr]
        assert QueueEntry.objects.get(pk=stuck.pk).status == EntryStatus.WAITING
        assert not ContactTransition.objects.filter(contact=stuck.contact, to_status="in_progress")
        agent.refresh_from_db()
        assert agent.active_contacts == (0 if assignment_path == "orm" else 1)

    def test_urgent_contacts_nobody_can_serve_do_not_hold_up_other_queues(self) -> None:
        welsh, general = QueueFactory(slug="welsh"), QueueFactory(slug="general")
        now = timezone.now()
        for n in range(50):
            WaitingEntryFactory(queue=welsh, priority=1, enqueued_at=now - timedelta(hours=n))
        waiting = WaitingEntryFactory(queue=general, priority=3, enqueued_at=now)
        AgentFactory(skills=[welsh], presence=Presence.AWAY)
        AgentFactory(skills=[general])
        assert assign_next(now).entry.pk == waiting.pk  # type: ignore[union-attr]


@pytest.mark.django_db
def test_assignment_is_one_statement_on_postgresql(
    postgres: None, django_assert_max_num_queries: object
) -> None:
    queue = QueueFactory()
    AgentFactory(skills=[queue])
    WaitingEntryFactory(queue=queue)
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        assert assign_next(timezone.now()) is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("candidates_per_queue", [assignment.CANDIDATES_PER_QUEUE, 1])
def test_racing_workers_never_double_assign_nor_exceed_capacity(
    postgres: None, monkeypatch: pytest.MonkeyPatch, candidates_per_queue: int
) -> None:
    """Eight workers assign at once. With one candidate per queue, workers usually find every
    candidate locked by another and must fall back to reading whole queues."""
    monkeypatch.setattr(assignment, "CANDIDATES_PER_QUEUE", candidates_per_queue)
    queues = [QueueFactory(slug=f"race-{n}") for n in range(3)]
    agents = [AgentFactory(skills=queues, capacity=2) for _ in range(10)]
    # Urgent contacts in a queue nobody serves must not hold the others up.
    unserved = QueueFactory(slug="race-unserved")
    for _ in range(10):
        WaitingEntryFactory(queue=unserved, priority=1)
    for n in range(40):
        WaitingEntryFactory(queue=queues[n % 3], priority=1 + n % 3)
    assigned: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            while (assignment := assign_next(timezone.now())) is not None:
                with lock:
                    assigned.append(assignment.entry.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(assigned) == len(set(assigned)) == 20  # 10 agents x capacity 2
    for agent in AgentProfile.objects.filter(pk__in=[a.pk for a in agents]):
        assert agent.active_contacts == 2
        assert agent.entries.filter(status="assigned").count() == 2
    assert QueueEntry.objects.filter(status="waiting").count() == 30
    # Each assigned contact moved once, by its agent; no waiting contact moved.
    for entry in QueueEntry.objects.select_related("agent", "contact"):
        moves = list(ContactTransition.objects.filter(contact=entry.contact))
        if entry.status == EntryStatus.ASSIGNED:
            assert entry.contact.status == ContactStatus.IN_PROGRESS
            assert [(t.to_status, t.actor_id) for t in moves] == [
                ("in_progress", entry.agent.user_id)  # type: ignore[union-attr]
            ]
        else:
            assert entry.contact.status == ContactStatus.WAITING
            assert moves == []
