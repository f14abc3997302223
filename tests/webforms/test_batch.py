"""Processing submissions in a batch (``intake.process_submissions``, what the
``process_submissions`` task and the sweep run): routing's reads are made once for the batch,
and the rows, emails and events are the same as processing each submission alone; a batch run
again, or one whose submissions were done by someone else since it read them, does nothing
twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from contactcentre.models import Contact
from routing.models import Queue, QueueEntry, RoutingDecision
from tests.factories import UserFactory
from tests.routing.factories import AgentFactory
from tests.webforms.factories import DraftFactory
from webforms.actions import intake
from webforms.actions.intake import submit_draft
from webforms.models import FormDefinition, OutboundEmail, Submission

TUESDAY_11AM = datetime(2026, 3, 10, 11, tzinfo=UTC)  # the demo's agents are working


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def submissions(catalogue_forms: dict[str, FormDefinition]) -> list[int]:
    """A mixed batch: texts the classifier reads, forms that name their topic, Welsh, fraud,
    and one citizen who writes twice (a repeat contact)."""
    citizen = UserFactory(email="twice@example.org")
    general = {"full_name": "Jo", "email": "jo@example.org", "problem": "other"}
    drafts = [
        DraftFactory(answers={**general, "details": "How do I reset my password?"}),
        DraftFactory(answers={**general, "details": "Someone opened an account in my name"}),
        DraftFactory(answers={**general, "details": "I cannot prove my identity"}, language="cy"),
        DraftFactory(answers={**general, "details": "How do I reset my password?"}),
        DraftFactory(form=catalogue_forms["foi"], answers=_answers(catalogue_forms["foi"])),
        DraftFactory(form=catalogue_forms["fraud"], answers=_answers(catalogue_forms["fraud"])),
        DraftFactory(answers={**general, "details": "My account is locked"}, citizen=citizen),
        DraftFactory(answers={**general, "details": "Still locked out"}, citizen=citizen),
    ]
    return [submit_draft(d, citizen=d.citizen, now=TUESDAY_11AM).pk for d in drafts]


def _answers(form: FormDefinition) -> dict[str, str]:
    from tests.webforms.conftest import valid_answer

    return {field.name: valid_answer(field) for field in form.fields.all()}


def outcome(ids: list[int]) -> list[dict[str, Any]]:
    """Everything processing writes or sends for each submission."""
    rows = []
    for submission in Submission.objects.filter(pk__in=ids).order_by("pk"):
        contact = Contact.objects.get(pk=submission.contact_id)
        rows.append(
            {
                "submission": (submission.routed_at, submission.acknowledged_at,
                               submission.queue_slug),
                "contact": (contact.status, contact.topic, contact.urgency),
                "decisions": list(
                    RoutingDecision.objects.filter(contact=contact).values_list(
                        "destination", "queue", "priority", "form", "offers", "reasons",
                        "topic", "urgent", "classified_by", "repeat_contact",
                    )
                ),
                "confidence": [
                    round(c, 9) if c is not None else None
                    for c in RoutingDecision.objects.filter(contact=contact).values_list(
                        "confidence", flat=True
                    )
                ],
                "entries": list(
                    QueueEntry.objects.filter(contact=contact).values_list(
                        "queue__slug", "priority", "status", "enqueued_at"
                    )
                ),
                "transitions": list(
                    contact.transitions.order_by("id").values_list(
                        "from_status", "to_status", "reason"
                    )
                ),
                "emails": list(
                    OutboundEmail.objects.filter(submission=submission).values_list(
                        "dedupe_key", "kind", "to", "language", "subject", "body", "status"
                    )
                ),
            }
        )  # fmt: skip
    return rows


def sent() -> list[tuple[str, list[str], str]]:
    return [(m.subject, m.to, m.extra_headers["Message-ID"]) for m in mail.outbox]


@pytest.fixture
def forms(catalogue: None) -> dict[str, FormDefinition]:
    AgentFactory(skills=list(Queue.objects.all()))
    return {form.slug: form for form in FormDefinition.objects.all()}


def test_a_batch_writes_and_sends_what_processing_each_alone_does(
    forms: dict[str, FormDefinition], django_capture_on_commit_callbacks: Any
) -> None:
    ids = submissions(forms)
    before = transaction.savepoint()
    with django_capture_on_commit_callbacks() as alone_events:
        for submission_id in ids:
            intake.process_submission(submission_id, now=TUESDAY_11AM)
    alone, alone_sent = outcome(ids), sent()
    transaction.savepoint_rollback(before)
    mail.outbox = []

    with django_capture_on_commit_callbacks() as batch_events:
        failed = intake.process_submissions(ids, clock=at(TUESDAY_11AM))

    assert failed == []
    assert outcome(ids) == alone
    assert sent() == alone_sent
    assert len(batch_events) == len(alone_events)
    destinations = {row["decisions"][0][0] for row in alone}
    assert {"agent", "webform", "chatbot"} <= destinations  # the batch covers every kind
    assert any(row["decisions"][0][-1] for row in alone)  # and a repeat contact
    assert all(len(row["entries"]) == 1 and len(row["emails"]) == 1 for row in alone)


def test_a_batch_run_again_does_nothing_twice(
    forms: dict[str, FormDefinition], django_capture_on_commit_callbacks: Any
) -> None:
    ids = submissions(forms)
    intake.process_submissions(ids, clock=at(TUESDAY_11AM))
    done, done_sent = outcome(ids), sent()
    with django_capture_on_commit_callbacks() as events:
        failed = intake.process_submissions(ids, clock=at(TUESDAY_11AM.replace(hour=12)))
    assert failed == []
    assert outcome(ids) == done
    assert sent() == done_sent
    assert events == []


def test_a_submission_done_since_the_batch_read_it_is_not_done_again(
    forms: dict[str, FormDefinition],
) -> None:
    ids = submissions(forms)
    batch = intake.Batch(ids, TUESDAY_11AM)
    intake.process_submission(ids[0], now=TUESDAY_11AM)  # a retry, or another worker
    done, done_sent = outcome(ids[:1]), sent()
    intake.process_submission(ids[0], now=TUESDAY_11AM, batch=batch)
    assert outcome(ids[:1]) == done
    assert sent() == done_sent


def test_a_contact_changed_since_the_batch_read_it_fails_alone_and_undoes_its_claim(
    forms: dict[str, FormDefinition],
) -> None:
    from contactcentre.models import ContactStatus

    ids = submissions(forms)
    batch = intake.Batch(ids, TUESDAY_11AM)
    changed = batch.submission(ids[4])  # FOI: queued in the form's queue
    Contact.objects.filter(pk=changed.contact_id).update(status=ContactStatus.WAITING)
    with pytest.raises(Exception, match="changed before"):
        intake.process_submission(ids[4], now=TUESDAY_11AM, batch=batch)
    assert Submission.objects.get(pk=ids[4]).routed_at is None
    assert not RoutingDecision.objects.filter(contact_id=changed.contact_id).exists()


def test_a_batch_reads_routing_once_and_writes_a_few_rows_per_submission(
    forms: dict[str, FormDefinition], django_assert_max_num_queries: Any
) -> None:
    ids = submissions(forms)
    # Per submission: route (claim, decision, topic, queue: status, transition, entry),
    # acknowledge (claim, email), send (lock, mark sent), each step in its own savepoint here
    # (a transaction on a worker): 18. Once for the batch: the submissions, the forms' text
    # questions, the policy (3), the queues and their hours (3), agents on duty, queue loads
    # (3) and the repeat contacts: 13. Alone, a submission took 37.
    with django_assert_max_num_queries(13 + 18 * len(ids)):
        intake.process_submissions(ids, clock=at(TUESDAY_11AM))
    assert Submission.objects.filter(pk__in=ids, routed_at=None).count() == 0
