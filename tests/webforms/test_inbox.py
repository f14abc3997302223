"""The agent inbox: filters, search, audit, reply, note, ask for information, transfer, resolve;
SLA breach alerts; the sweep; outbox emails never sent twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from contactcentre.models import AuditEvent, ContactStatus
from contactcentre.roles import Role
from routing.models import AgentProfile, EntryStatus, Queue, QueueEntry
from tests.factories import StaffFactory
from tests.webforms.conftest import submit
from webforms.actions.inbox import alert_sla_breaches
from webforms.actions.intake import process_submission, unfinished_work
from webforms.actions.outbox import deliver_email
from webforms.models import OutboundEmail, Submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agent_client(catalogue: None, settings: Any) -> Client:
    settings.STAFF_MFA_REQUIRED = False
    agent = StaffFactory(role=Role.AGENT)
    profile = AgentProfile.objects.create(user=agent)
    profile.skills.set(Queue.objects.all())
    client = Client()
    client.force_login(agent)
    client.agent = agent  # type: ignore[attr-defined]
    return client


def test_inbox_lists_filters_and_searches(agent_client: Client) -> None:
    fraud = submit(Client(), "fraud", email="victim@example.org")
    foi = submit(Client(), "foi")
    html = agent_client.get("/console/forms/").content.decode()
    assert fraud.reference in html
    assert foi.reference in html
    html = agent_client.get("/console/forms/?queue=fraud").content.decode()
    assert fraud.reference in html
    assert foi.reference not in html
    html = agent_client.get("/console/forms/?q=victim@example.org").content.decode()
    assert fraud.reference in html
    assert foi.reference not in html
    Submission.objects.filter(pk=foi.pk).update(due_at=timezone.now() - timedelta(hours=1))
    html = agent_client.get("/console/forms/?sla=breached").content.decode()
    assert foi.reference in html
    assert fraud.reference not in html
    Submission.objects.filter(pk=fraud.pk).update(due_at=timezone.now() + timedelta(hours=2))
    html = agent_client.get("/console/forms/?sla=due_soon").content.decode()
    assert fraud.reference in html
    assert foi.reference not in html
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    assert "webforms/console_panel.html" in settings.CONSOLE_PANELS
    request = RequestFactory().get("/console/")
    request.user = agent_client.agent  # type: ignore[attr-defined]
    panel = render_to_string("webforms/console_panel.html", {"request": request})
    assert "1 past its due date" in panel


def test_citizens_cannot_open_the_inbox(catalogue: None) -> None:
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    assert client.get("/console/forms/").status_code == 403


def test_viewing_a_submission_is_audited(agent_client: Client) -> None:
    submission = submit(Client(), "sar")
    html = agent_client.get(f"/console/forms/{submission.reference}/").content.decode()
    assert "My scope" in html
    event = AuditEvent.objects.get(action="view_submission")
    assert event.object_id == str(submission.pk)


def test_reply_note_ask_transfer_resolve(agent_client: Client) -> None:
    citizen = Client()
    submission = submit(citizen, "complaint")
    url = f"/console/forms/{submission.reference}/"
    mail.outbox = []
    agent_client.post(url + "note/", {"note-body": "Checked the logs"})
    agent_client.post(url + "reply/", {"reply-body": "We are sorry about this."})
    contact = submission.contact
    contact.refresh_from_db()
    assert contact.status == ContactStatus.IN_PROGRESS
    assert contact.first_response_at is not None
    assert not QueueEntry.objects.filter(contact=contact, status=EntryStatus.WAITING).exists()
    tracked = citizen.get(f"/forms/track/{submission.reference}/").content.decode()
    assert "We are sorry about this." in tracked
    assert "Checked the logs" not in tracked
    agent_client.post(url + "info/", {"info-body": "Which day was it?"})
    contact.refresh_from_db()
    assert contact.status == ContactStatus.AWAITING_CITIZEN
    citizen.post(f"/forms/track/{submission.reference}/", {"body": "Tuesday"})
    contact.refresh_from_db()
    assert contact.status == ContactStatus.IN_PROGRESS
    agent_client.post(url + "transfer/", {"transfer-queue": "general", "transfer-reason": "x"})
    contact.refresh_from_db()
    assert contact.status == ContactStatus.WAITING
    assert QueueEntry.objects.get(contact=contact, status=EntryStatus.WAITING).queue.slug == (
        "general"
    )
    response = agent_client.post(
        url + "resolve/", {"resolve-outcome": "resolved", "resolve-body": "Refund agreed."}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.status == ContactStatus.CLOSED
    assert contact.outcome == "resolved"
    subjects = [m.subject for m in mail.outbox]
    assert any("Reply to your request" in s for s in subjects)
    assert any("We need more information" in s for s in subjects)
    assert any("is closed" in s for s in subjects)
    assert all(m.to == ["citizen@example.org"] for m in mail.outbox)
    assert AuditEvent.objects.filter(action="resolve_submission").exists()


def test_an_action_form_error_is_shown(agent_client: Client) -> None:
    submission = submit(Client(), "general")
    response = agent_client.post(f"/console/forms/{submission.reference}/reply/", {})
    assert response.status_code == 400
    assert "Enter a message" in response.content.decode()


def test_sla_breaches_alert_supervisors_once(catalogue: None) -> None:
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    submission = submit(Client(), "fraud")
    mail.outbox = []
    assert alert_sla_breaches(timezone.now()) == 0
    later = submission.due_at + timedelta(minutes=1)
    assert alert_sla_breaches(later) == 1
    assert alert_sla_breaches(later) == 0
    (email,) = mail.outbox
    assert email.to == [supervisor.email]
    assert submission.reference in email.subject


def test_a_retried_task_never_acknowledges_twice(catalogue: None) -> None:
    submission = submit(Client(), "general")
    for _ in range(3):
        process_submission(submission.pk, now=timezone.now())
    assert len(mail.outbox) == 1
    assert QueueEntry.objects.filter(contact=submission.contact).count() == 1
    email = OutboundEmail.objects.get(dedupe_key=f"ack:{submission.pk}")
    assert deliver_email(email.pk) is False


def test_the_sweep_finds_work_that_never_ran(catalogue: None, settings: object) -> None:
    from contactcentre.celery import app

    app.conf.task_always_eager = False  # the broker "is down": nothing runs after commit
    try:
        from webforms.actions.drafts import start_draft
        from webforms.actions.intake import submit_draft
        from webforms.models import FormDefinition

        form = FormDefinition.objects.get(slug="feedback")
        draft = start_draft(form, citizen=None, language="en", now=timezone.now())
        draft.answers = {"satisfaction": "5", "comments": "ok", "email": "a@example.org"}
        draft.save()
        from unittest import mock

        with mock.patch("webforms.tasks.process_submission.delay"):
            submission = submit_draft(draft, citizen=None, now=timezone.now())
    finally:
        app.conf.task_always_eager = True
    assert unfinished_work(timezone.now()) == ([], [])
    later = timezone.now() + timedelta(minutes=5)
    assert unfinished_work(later) == ([submission.pk], [])
    from webforms.tasks import sweep_unfinished_work

    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.now() - timedelta(hours=1)
    )
    assert sweep_unfinished_work() == {"submissions": 1, "emails": 0}
    submission.refresh_from_db()
    assert submission.routed_at
    assert submission.acknowledged_at
    assert len(mail.outbox) == 1
