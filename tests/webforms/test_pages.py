"""The citizen's pages: validation and error messages on every form, check your answers,
idempotent submit, acknowledgement in the citizen's language, chat pre-fill."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from contactcentre.models import Channel
from tests.factories import ContactFactory, UserFactory
from tests.webforms.conftest import fill_all_pages, start, submit, valid_answer
from webforms.actions.drafts import start_draft_from_chat
from webforms.actions.intake import submit_draft
from webforms.models import Draft, FieldKind, FormDefinition, Submission

pytestmark = pytest.mark.django_db
SLUGS = ("general", "foi", "sar", "complaint", "fraud", "callback", "feedback")


@pytest.mark.parametrize("slug", SLUGS)
def test_every_required_question_has_its_own_error_linked_from_the_summary(
    catalogue: None, slug: str
) -> None:
    client = Client()
    first = start(client, slug)
    base = first.rsplit("/", 2)[0]
    definition = FormDefinition.objects.get(slug=slug)
    for page in sorted({f.page for f in definition.fields.all()}):
        fields = [f for f in definition.fields.all() if f.page == page]
        response = client.post(f"{base}/{page}/", {"continue": "1"})
        html = response.content.decode()
        required = [f for f in fields if f.required]
        if not required:
            assert response.status_code == 302
            continue
        assert response.status_code == 200
        assert "<title>Error:" in html
        assert "govuk-error-summary" in html
        for field in required:
            assert field.required_error_en in html, field.name
            assert f'href="#id_{field.name}' in html
        client.post(f"{base}/{page}/", {f.name: valid_answer(f) for f in fields})


@pytest.mark.parametrize("slug", ["general", "foi", "fraud", "callback"])
def test_errors_are_in_welsh_for_welsh_speakers(catalogue: None, slug: str) -> None:
    client = Client()
    client.cookies["language"] = "cy"
    first = start(client, slug)
    html = client.post(first, {"continue": "1"}).content.decode()
    assert "Rhowch eich enw llawn" in html or "Dewiswch" in html


def test_an_email_in_the_wrong_format_and_too_long_text_are_refused(catalogue: None) -> None:
    client = Client()
    first = start(client, "foi")
    html = client.post(first, {"full_name": "Jo", "email": "not-an-email"}).content.decode()
    assert "Enter an email address in the correct format, like name@example.com" in html
    client.post(first, {"full_name": "Jo", "email": "jo@example.org"})
    page_two = first.rsplit("/", 2)[0] + "/2/"
    html = client.post(page_two, {"request": "x" * 5001}).content.decode()
    assert "must be 5000 characters or fewer" in html


def test_a_phone_number_and_a_callback_slot_outside_opening_hours_are_refused(
    catalogue: None,
) -> None:
    client = Client()
    first = start(client, "callback")
    client.post(first, {"full_name": "Jo", "email": "jo@example.org"})
    page_two = first.rsplit("/", 2)[0] + "/2/"
    html = client.post(
        page_two, {"phone": "call me maybe", "slot": "2026-12-25T03:00:00+00:00"}
    ).content.decode()
    assert "Enter a phone number, like 01632 960 001" in html
    assert "Choose a time for us to call" in html


def test_callback_slots_are_within_the_live_agents_opening_hours(catalogue: None) -> None:
    from datetime import datetime

    from webforms.forms import callback_slots

    slots = callback_slots(timezone.now())
    assert slots
    for value, _label in slots:
        at = datetime.fromisoformat(value)
        assert at.weekday() < 5
        assert 8 <= at.hour < 20


def test_check_your_answers_shows_every_answer_with_a_change_link(catalogue: None) -> None:
    client = Client()
    first = start(client, "general")
    fill_all_pages(client, "general", first, full_name="Jo Bloggs")
    html = client.get(first.rsplit("/", 2)[0] + "/check/").content.decode()
    assert "Check your answers before sending your form" in html
    assert "Jo Bloggs" in html
    assert html.count(">Change<") >= 4


def test_check_sends_you_back_to_an_unanswered_question(catalogue: None) -> None:
    client = Client()
    first = start(client, "general")
    response = client.get(first.rsplit("/", 2)[0] + "/check/")
    assert response.status_code == 302
    assert response["Location"].endswith("/1/")


@pytest.mark.django_db(transaction=True)
def test_double_click_refresh_and_retry_make_exactly_one_submission(catalogue: None) -> None:
    client = Client()
    first = start(client, "complaint")
    fill_all_pages(client, "complaint", first)
    check = first.rsplit("/", 2)[0] + "/check/"
    locations = {client.post(check)["Location"] for _ in range(3)}
    assert len(locations) == 1
    assert Submission.objects.count() == 1
    assert len(mail.outbox) == 1
    draft = Draft.objects.get()
    assert submit_draft(draft, citizen=None, now=timezone.now()) == Submission.objects.get()


@pytest.mark.django_db(transaction=True)
def test_the_idempotency_key_is_a_database_constraint(catalogue: None) -> None:
    from django.db import IntegrityError, transaction

    submission = submit(Client(), "feedback")
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            reference="GS-XXXX-XXXX",
            form=submission.form,
            contact=ContactFactory(channel=Channel.WEBFORM),
            idempotency_key=submission.idempotency_key,
            email="x@example.org",
            submitted_at=timezone.now(),
            due_at=timezone.now(),
        )


def test_a_reference_already_taken_is_drawn_again(
    catalogue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from webforms.actions import intake

    taken = submit(Client(), "feedback").reference
    draws = iter([taken, "GS-2345-6789"])
    monkeypatch.setattr(intake, "new_reference", lambda prefix: next(draws))
    second = submit(Client(), "feedback")
    assert second.reference == "GS-2345-6789"
    assert Submission.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_taken_reference_is_drawn_again_outside_a_test_transaction(
    catalogue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole submit transaction is retried (it takes no savepoint): nothing of the failed
    attempt stays, and the draft is sent once."""
    from webforms.actions import intake

    taken = submit(Client(), "feedback").reference
    draws = iter([taken, "GS-2345-6789"])
    monkeypatch.setattr(intake, "new_reference", lambda prefix: next(draws))
    second = submit(Client(), "feedback")
    assert second.reference == "GS-2345-6789"
    assert Submission.objects.count() == 2
    assert Submission.objects.filter(contact__channel=Channel.WEBFORM).count() == 2
    from contactcentre.models import Contact

    assert Contact.objects.count() == 2  # the rolled-back attempt's contact is gone


@pytest.mark.django_db(transaction=True)
def test_sending_a_form_costs_a_fixed_handful_of_queries(
    catalogue: None, django_assert_max_num_queries: Any
) -> None:
    """The busiest POST: session, draft, then one statement that checks the required answers,
    claims the draft, opens the contact and writes the submission (its own transaction). The
    session is read, never written: the draft it holds is what lets this browser see the
    submission."""
    client = Client()
    first = start(client, "foi")
    fill_all_pages(client, "foi", first)
    check = first.rsplit("/", 2)[0] + "/check/"
    from unittest import mock

    # The queued work runs elsewhere (eager here): count the request's own queries.
    with (
        mock.patch("webforms.tasks.process_submission.apply_async") as queued,
        django_assert_max_num_queries(3 if connection.vendor == "postgresql" else 8),
    ):
        response = client.post(check)
    assert response["Location"].startswith("/forms/sent/")
    assert "sessionid" not in response.cookies  # the session was not saved again
    queued.assert_called_once()


def test_only_the_browser_that_sent_a_form_sees_its_confirmation(catalogue: None) -> None:
    sender = Client()
    submission = submit(sender, "foi")
    page = f"/forms/sent/{submission.reference}/"
    assert submission.reference in sender.get(page).content.decode()
    assert sender.get(f"/forms/track/{submission.reference}/").status_code == 200
    assert Client().get(page).status_code == 404
    someone_else = Client()
    submit(someone_else, "foi")  # a session holding another draft proves nothing about this one
    assert someone_else.get(page).status_code == 404
    assert someone_else.get(f"/forms/track/{submission.reference}/").status_code == 302


def test_a_draft_started_signed_in_shows_its_submission_to_that_citizen_only(
    catalogue: None,
) -> None:
    citizen = UserFactory()
    browser = Client()
    browser.force_login(citizen)
    submission = submit(browser, "foi")
    assert submission.citizen == citizen
    page = f"/forms/sent/{submission.reference}/"
    assert browser.get(page).status_code == 200
    browser.logout()  # a new, anonymous session: the signed-in draft is not its to show
    assert browser.get(page).status_code == 404


def test_sending_an_incomplete_form_goes_back_to_the_question(catalogue: None) -> None:
    client = Client()
    first = start(client, "general")
    check = first.rsplit("/", 2)[0] + "/check/"
    response = client.post(check)
    assert response.status_code == 302
    assert response["Location"].endswith("/1/")
    assert Submission.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_acknowledgement_is_in_welsh_for_a_welsh_form(catalogue: None) -> None:
    client = Client()
    client.cookies["language"] = "cy"
    submission = submit(client, "foi")
    assert submission.language == "cy"
    (email,) = mail.outbox
    assert email.subject == f"Rydym wedi cael eich ffurflen: {submission.reference}"
    assert "Eich cyfeirnod yw" in email.body
    assert email.extra_headers["Content-Language"] == "cy"


@pytest.mark.django_db(transaction=True)
def test_the_acknowledgement_is_in_english_for_an_english_form(catalogue: None) -> None:
    submission = submit(Client(), "foi")
    (email,) = mail.outbox
    assert email.subject == f"We have received your form: {submission.reference}"
    assert f"Your reference number is {submission.reference}" in email.body
    assert email.to == ["citizen@example.org"]


@pytest.mark.django_db(transaction=True)
def test_fraud_is_urgent_and_routed_with_priority(catalogue: None) -> None:
    from routing.models import QueueEntry

    submission = submit(Client(), "fraud")
    submission.refresh_from_db()
    assert submission.contact.urgency == "urgent"
    entry = QueueEntry.objects.get(contact=submission.contact)
    assert entry.queue.slug == "fraud"
    assert entry.priority == 1
    assert submission.contact.routing_decisions.exists()


def test_chat_is_passed_to_a_prefilled_form_linked_to_the_chat(catalogue: None) -> None:
    citizen = UserFactory()
    chat = ContactFactory(channel=Channel.CHAT, citizen=citizen)
    form = FormDefinition.objects.get(slug="complaint")
    draft = start_draft_from_chat(chat, form, "You kept me waiting for an hour", now=timezone.now())
    assert draft.answers["what_happened"] == "You kept me waiting for an hour"
    assert draft.from_contact == chat
    assert draft.answers["email"] == citizen.email


def test_from_contact_links_only_the_citizens_own_chat(catalogue: None) -> None:
    owner, other = UserFactory(), UserFactory()
    chat = ContactFactory(channel=Channel.CHAT, citizen=owner)
    client = Client()
    client.force_login(other)
    start(client, "general", f"?from_contact={chat.public_id}")
    assert Draft.objects.get().from_contact is None
    client.force_login(owner)
    start(client, "general", f"?from_contact={chat.public_id}")
    assert Draft.objects.filter(from_contact=chat).count() == 1


def test_another_browser_cannot_open_a_draft(catalogue: None) -> None:
    first = start(Client(), "general")
    assert Client().get(first).status_code == 404


def test_every_form_field_kind_renders(catalogue: None) -> None:
    client = Client()
    for slug in SLUGS:
        first = start(client, slug)
        assert client.get(first).status_code == 200
    kinds = set(FormDefinition.objects.values_list("fields__kind", flat=True))
    assert {FieldKind.EMAIL, FieldKind.CHOICE, FieldKind.CALLBACK_SLOT} <= kinds


def test_the_draft_is_read_with_its_form_as_the_orm_reads_it(catalogue: None) -> None:
    """The pages read the draft and its form with one statement of their own
    (``selectors._draft_with_form``): the same values, in the same Python types."""
    from webforms.selectors import _draft_with_form

    citizen = UserFactory()
    draft = Draft.objects.create(
        form=FormDefinition.objects.get(slug="foi"),
        citizen=citizen,
        language="cy",
        answers={"full_name": "Siân", "email": "sian@example.org"},
        expires_at=timezone.now(),
    )
    read = _draft_with_form(str(draft.public_id))
    orm = Draft.objects.select_related("form").get(pk=draft.pk)
    assert read is not None
    for field in Draft._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
        assert type(getattr(read, field.attname)) is type(getattr(orm, field.attname))
    for field in FormDefinition._meta.concrete_fields:
        assert getattr(read.form, field.attname) == getattr(orm.form, field.attname), field.name
    assert not read._state.adding
    assert _draft_with_form("not-a-uuid") is None
    assert _draft_with_form("6c0c1d6e-0000-4000-8000-000000000000") is None


@pytest.mark.django_db(transaction=True)
def test_a_managers_change_to_a_form_applies_to_the_next_submit(catalogue: None) -> None:
    """Forms are data managers edit: nothing about a form is kept between requests, so a draft
    started before the change is sent with the form as it is now."""
    client = Client()
    first = start(client, "foi")
    fill_all_pages(client, "foi", first)
    FormDefinition.objects.filter(slug="foi").update(queue_slug="fraud", sla_working_days=1)
    response = client.post(first.rsplit("/", 2)[0] + "/check/")
    reference = str(response["Location"]).rstrip("/").rsplit("/", 1)[1]
    submission = Submission.objects.get(reference=reference)
    assert submission.queue_slug == "fraud"
    assert (submission.due_at - submission.submitted_at).days <= 4


def test_a_page_form_leaves_nothing_for_the_garbage_collector(catalogue: None) -> None:
    """Django keeps each bound field on its form, and each points back at the form: a cycle on
    every page. Ours makes them on use. (A refused answer still leaves one: Django keeps the
    error, whose traceback holds the validating frames.)"""
    import gc

    from webforms.forms import PageForm, page_form
    from webforms.selectors import pages_of

    fields = pages_of(FormDefinition.objects.get(slug="foi"))[0]
    answers = {f.name: valid_answer(f) for f in fields}
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        form = page_form(fields, "en", timezone.now(), data=answers)
        html = "".join(str(bound) for bound in form)  # as the page shows it
        assert form.is_valid()
        assert form["email"].value() == answers["email"]
        del form
        gc.collect()
        left = {type(thing) for thing in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert 'name="email"' in html
    assert PageForm not in left
