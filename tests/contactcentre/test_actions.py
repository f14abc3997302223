"""Contacts move through their statuses only as the transitions table allows, and every move
is recorded with who, when and why."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from contactcentre import actions
from contactcentre.errors import InvalidTransition, StaleState
from contactcentre.models import (
    ALLOWED_TRANSITIONS,
    AuditEvent,
    Channel,
    Contact,
    ContactStatus,
    Outcome,
    Urgency,
)
from tests.factories import ContactFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
S = ContactStatus


def test_opening_a_contact_links_a_signed_in_citizen() -> None:
    citizen = UserFactory()
    contact = actions.open_contact(
        channel=Channel.WEBFORM, citizen=citizen, topic="fraud", urgency=Urgency.URGENT
    )
    assert contact.status == S.NEW
    assert contact.citizen == citizen
    assert contact.outcome == ""


def test_each_transition_is_recorded_with_actor_and_reason() -> None:
    agent = StaffFactory()
    contact = ContactFactory()
    actions.transition_contact(contact, S.WAITING, reason="routed to general")
    actions.transition_contact(contact, S.IN_PROGRESS, actor=agent, reason="accepted")
    history = list(contact.transitions.values_list("from_status", "to_status", "actor", "reason"))
    assert history == [
        (S.NEW, S.WAITING, None, "routed to general"),
        (S.WAITING, S.IN_PROGRESS, agent.pk, "accepted"),
    ]
    assert Contact.objects.get(pk=contact.pk).status == S.IN_PROGRESS


def test_closing_needs_an_outcome_and_sets_the_timestamps() -> None:
    contact = ContactFactory(status=S.IN_PROGRESS)
    with pytest.raises(InvalidTransition):
        actions.transition_contact(contact, S.CLOSED)
    actions.transition_contact(contact, S.CLOSED, outcome=Outcome.RESOLVED)
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.outcome == Outcome.RESOLVED
    assert stored.closed_at is not None
    assert stored.resolved_at == stored.closed_at


def test_closing_unresolved_leaves_no_resolved_time() -> None:
    contact = ContactFactory(status=S.WAITING)
    actions.transition_contact(contact, S.CLOSED, outcome=Outcome.ABANDONED)
    assert Contact.objects.get(pk=contact.pk).resolved_at is None


def test_reopening_a_closed_contact_clears_its_outcome() -> None:
    contact = ContactFactory(status=S.IN_PROGRESS)
    actions.transition_contact(contact, S.CLOSED, outcome=Outcome.RESOLVED)
    actions.transition_contact(contact, S.WAITING, reason="citizen replied")
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.status, stored.outcome, stored.closed_at) == (S.WAITING, "", None)


def test_a_transition_from_stale_state_changes_nothing() -> None:
    contact = ContactFactory(status=S.WAITING)
    other_copy = Contact.objects.get(pk=contact.pk)
    actions.transition_contact(contact, S.IN_PROGRESS)
    with pytest.raises(StaleState):
        actions.transition_contact(other_copy, S.IN_PROGRESS)
    assert contact.transitions.count() == 1


@settings(max_examples=60, deadline=None)
@given(
    start=st.sampled_from(list(S)),
    target=st.sampled_from(list(S)),
)
def test_only_allowed_transitions_succeed(start: S, target: S) -> None:
    contact = ContactFactory(status=start, outcome=Outcome.RESOLVED if start == S.CLOSED else "")
    outcome = Outcome.RESOLVED if target == S.CLOSED else None
    if target in ALLOWED_TRANSITIONS[start]:
        actions.transition_contact(contact, target, outcome=outcome)
        assert Contact.objects.get(pk=contact.pk).status == target
    else:
        with pytest.raises(InvalidTransition):
            actions.transition_contact(contact, target, outcome=outcome)
        assert Contact.objects.get(pk=contact.pk).status == start


def test_first_response_is_recorded_once() -> None:
    contact = ContactFactory()
    actions.record_first_response(contact)
    first = contact.first_response_at
    assert first is not None
    actions.record_first_response(contact)
    assert contact.first_response_at == first


def test_audit_event_names_actor_and_object() -> None:
    agent = StaffFactory()
    contact = ContactFactory()
    event = actions.record_audit_event(agent, "view_contact", contact, reason="test")
    assert (event.actor, event.object_type, event.object_id) == (
        agent,
        "contactcentre.contact",
        str(contact.pk),
    )
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_agents_racing_to_take_one_contact_only_one_wins(postgres: None) -> None:
    contact = ContactFactory(status=S.WAITING)
    agents = [StaffFactory(), StaffFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(agent_index: int) -> None:
        copy = Contact.objects.get(pk=contact.pk)
        barrier.wait()
        try:
            actions.transition_contact(copy, S.IN_PROGRESS, actor=agents[agent_index])
            outcomes.append("won")
        except StaleState:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["stale", "won"]
    assert contact.transitions.count() == 1
