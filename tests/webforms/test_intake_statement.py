"""The one-statement submit on PostgreSQL stores exactly what the ORM path stores, moves the
draft's attachments, refuses a draft with a required question unanswered as the ORM path does,
and a draft sent twice at once still makes one submission."""

from __future__ import annotations

import gc
import threading
from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from contactcentre.models import Contact
from tests.factories import UserFactory
from tests.webforms.factories import DraftFactory
from webforms.actions import intake
from webforms.models import Attachment, Draft, DraftStatus, Submission

pytestmark = pytest.mark.django_db
# Differ between any two submissions by design.
OWN = {"id", "reference", "idempotency_key", "contact", "public_id"}


def _with_file(draft: Draft, name: str) -> Draft:
    Attachment.objects.create(
        draft=draft,
        original_name="letter.pdf",
        stored_name=name,
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    return draft


def _rows(submission: Submission) -> tuple[dict[str, Any], dict[str, Any], int]:
    stored = Submission.objects.get(pk=submission.pk)
    contact = Contact.objects.get(pk=stored.contact_id)
    rows = (
        {k: v for k, v in model_to_dict(stored).items() if k not in OWN},
        {k: v for k, v in model_to_dict(contact).items() if k not in OWN},
        stored.attachments.count(),
    )
    assert contact.created_at is not None
    return rows


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_statement_stores_what_the_orm_stores(
    catalogue: None, postgres: None, signed_in: bool
) -> None:
    citizen = UserFactory() if signed_in else None
    now = timezone.now()
    by_orm = intake._submit_with_orm(
        _with_file(DraftFactory(citizen=citizen), "a.pdf"),
        reference="GS-2345-6789",
        citizen=citizen,
        now=now,
    )
    draft = _with_file(DraftFactory(citizen=citizen), "b.pdf")
    in_one = intake._submit_in_one_statement(draft, "GS-3456-789A", citizen, now)
    assert _rows(in_one) == _rows(by_orm)
    assert _rows(in_one)[2] == 1  # the attachment moved to the submission
    assert Draft.objects.get(pk=draft.pk).status == DraftStatus.SUBMITTED
    # The objects handed back are the stored rows, as the ORM path's are.
    assert in_one.contact.public_id == Contact.objects.get(pk=in_one.contact_id).public_id
    assert in_one.reference == Submission.objects.get(pk=in_one.pk).reference
    assert not in_one._state.adding


def test_the_objects_handed_back_free_themselves(
    catalogue: None, postgres: None, django_assert_num_queries: Any
) -> None:
    """The submission carries its contact without the contact carrying the submission back: a
    reference cycle would be left for the garbage collector, whose pauses a busy web process
    feels, after every submit."""
    draft = DraftFactory()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        submission = intake._submit_in_one_statement(draft, "GS-4567-89AB", None, timezone.now())
        with django_assert_num_queries(0):
            assert submission.contact.pk == submission.contact_id  # cached: no query
        del submission
        gc.collect()
        left = {type(thing).__name__ for thing in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not left & {"Submission", "Contact"}


@pytest.mark.django_db(transaction=True)
def test_a_draft_sent_twice_at_once_makes_one_submission(catalogue: None, postgres: None) -> None:
    draft = DraftFactory()
    results: list[Any] = []
    start = threading.Barrier(4)

    def send() -> None:
        try:
            start.wait()
            results.append(
                intake.submit_draft(
                    Draft.objects.get(pk=draft.pk), citizen=None, now=timezone.now()
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert {r.pk for r in results} == {Submission.objects.get().pk}
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("path", ["orm", "statement"])
def test_a_required_question_unanswered_sends_nothing(
    catalogue: None, postgres: None, path: str
) -> None:
    draft = DraftFactory()
    draft.answers = {**draft.answers, "details": ""}

    def send() -> Any:
        if path == "orm":
            return intake._submit_with_orm(draft, reference="GS-2345-6789", citizen=None, now=now)
        return intake._submit_in_one_statement(draft, "GS-2345-6789", None, now)

    now = timezone.now()
    with pytest.raises(intake.Unanswered):
        send()
    draft.answers = {}  # no email either: still told what is missing, not refused outright
    with pytest.raises(intake.Unanswered):
        send()
    assert Draft.objects.get(pk=draft.pk).status == DraftStatus.ACTIVE
    assert Submission.objects.count() == 0
    assert Contact.objects.count() == 0
