"""What routing reads, read once for a batch of contacts (``selectors.routing_snapshot``): it
gives the same availability, repeat flags and classifier answers as reading for each contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routing.actions import enqueue_contact
from routing.classifier import default_model
from routing.demo import load_demo_data
from routing.models import Queue
from routing.policy import ContactDescription, KnownTexts, needs_classifier
from routing.selectors import (
    availability_snapshot,
    is_repeat_contact,
    repeat_contacts,
    routing_snapshot,
)
from tests.factories import ContactFactory, UserFactory
from tests.routing.factories import AgentFactory, WaitingEntryFactory

TUESDAY_11AM = datetime(2026, 3, 10, 11, tzinfo=UTC)
TEXTS = [
    "How do I reset my password?",
    "Someone has opened an account in my name",
    "Mae angen help arnaf i fewngofnodi",
    "How do I reset my password?",
    "I want to complain about the service",
]


def test_known_texts_answer_as_the_model_does_one_text_at_a_time() -> None:
    model = default_model()
    known = KnownTexts(model, TEXTS)
    for text in [*TEXTS, "a text the batch did not have"]:
        (batched,) = known.probabilities([text])
        (alone,) = model.probabilities([text])
        assert batched.keys() == alone.keys()
        assert all(batched[t] == pytest.approx(alone[t], abs=1e-12) for t in alone)


def test_only_descriptions_without_a_topic_naming_form_need_the_classifier() -> None:
    assert needs_classifier(ContactDescription("I cannot sign in", form="general"))
    assert not needs_classifier(ContactDescription("I cannot sign in", form="foi"))
    assert not needs_classifier(ContactDescription("   ", form="general"))


@pytest.mark.django_db
def test_a_snapshot_gives_the_availability_a_fresh_read_would_as_the_batch_queues() -> None:
    load_demo_data()
    queues = list(Queue.objects.all())
    AgentFactory(skills=queues)
    AgentFactory(skills=queues[:2])
    for queue in queues[:3]:
        WaitingEntryFactory(queue=queue, enqueued_at=TUESDAY_11AM - timedelta(minutes=5))
    snapshot = routing_snapshot(TUESDAY_11AM)
    for moment in (TUESDAY_11AM, TUESDAY_11AM.replace(hour=19, minute=59, second=59),
                   TUESDAY_11AM.replace(hour=20), TUESDAY_11AM + timedelta(days=4)):  # fmt: skip
        assert snapshot.availability(moment) == availability_snapshot(moment)
    for queue in (queues[0], queues[0], queues[1]):
        enqueue_contact(ContactFactory(), queue.slug, 3, TUESDAY_11AM)
        snapshot.queued(queue.slug)
        assert snapshot.availability(TUESDAY_11AM) == availability_snapshot(TUESDAY_11AM)
        assert snapshot.availability(TUESDAY_11AM).of(queue.slug).wait is not None


@pytest.mark.django_db
def test_repeat_contacts_are_read_together_as_each_would_be_alone() -> None:
    twice, once = UserFactory(), UserFactory()
    contacts = [
        ContactFactory(citizen=twice),
        ContactFactory(citizen=once),
        ContactFactory(),
        ContactFactory(citizen=twice),
    ]
    old = ContactFactory(citizen=once)
    old.created_at = contacts[1].created_at - timedelta(days=30)
    old.save()
    flags = repeat_contacts(contacts, 7)
    assert flags == {c.pk: is_repeat_contact(c, 7) for c in contacts}
    assert flags[contacts[3].pk]
    assert not flags[contacts[1].pk]
