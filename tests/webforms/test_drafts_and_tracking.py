"""Save and come back (account drafts, magic links: expiry, reuse, someone else's link), draft
expiry with a reminder, tracking (permissions, rate limit, replies reopen), attachments."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from contactcentre.models import ContactStatus
from tests.factories import UserFactory
from tests.webforms.conftest import fill_all_pages, start, submit
from webforms.actions import drafts
from webforms.actions.inbox import citizen_reply
from webforms.attachments import stored_path
from webforms.models import Attachment, Draft, DraftStatus, MagicLink

pytestmark = pytest.mark.django_db(transaction=True)


def save_with_link(client: Client) -> tuple[str, str]:
    first = start(client, "general")
    client.post(first, {"full_name": "Half Done", "email": "", "save": "1"})
    save_url = first.rsplit("/", 2)[0] + "/save/"
    response = client.post(save_url, {"email": "later@example.org"})
    assert "We have sent a link to later@example.org" in response.content.decode()
    body = mail.outbox[-1].body
    link = re.search(r"http://\S+/forms/resume/\S+/", body)
    assert link is not None
    return first, link.group(0).split("127.0.0.1:8000", 1)[1]


def test_a_saved_form_comes_back_in_another_browser_through_the_emailed_link(
    catalogue: None,
) -> None:
    _first, link = save_with_link(Client())
    other = Client()
    assert other.get(link).status_code == 200  # only asks; a mail scanner spends nothing
    response = other.post(link)
    assert response.status_code == 302
    assert "Half Done" in other.get(response["Location"]).content.decode()
    assert MagicLink.objects.get().used_at is not None


def test_only_the_hash_of_the_token_is_stored_and_the_sent_email_is_blanked(
    catalogue: None,
) -> None:
    _first, link = save_with_link(Client())
    token = link.rstrip("/").rsplit("/", 1)[1]
    stored = MagicLink.objects.get()
    assert token not in stored.token_hash
    from webforms.models import OutboundEmail

    assert token not in OutboundEmail.objects.get(kind="magic_link").body


def test_a_magic_link_works_once(catalogue: None) -> None:
    _first, link = save_with_link(Client())
    assert Client().post(link).status_code == 302
    response = Client().post(link)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_an_expired_magic_link_is_refused(catalogue: None) -> None:
    _first, link = save_with_link(Client())
    MagicLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().post(link).status_code == 410


def test_a_new_link_replaces_the_old_one(catalogue: None) -> None:
    client = Client()
    first, old = save_with_link(client)
    client.post(first.rsplit("/", 2)[0] + "/save/", {"email": "later@example.org"})
    assert Client().post(old).status_code == 410


def test_someone_elses_link_does_not_open_their_account_draft(catalogue: None) -> None:
    owner, other = UserFactory(), UserFactory()
    form = Draft._meta.get_field("form").related_model.objects.get(slug="general")
    draft = drafts.start_draft(form, citizen=owner, language="en", now=timezone.now())
    link = drafts.send_magic_link(draft, owner.email, now=timezone.now())
    assert link.draft == draft
    token = re.search(r"/forms/resume/(\S+)/", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    client = Client()
    client.force_login(other)
    assert client.post(f"/forms/resume/{token}/").status_code == 410
    assert Client().post(f"/forms/resume/{token}/").status_code == 410


def test_a_signed_in_citizen_saves_to_their_account_and_comes_back(catalogue: None) -> None:
    citizen = UserFactory()
    client = Client()
    client.force_login(citizen)
    first = start(client, "foi")
    response = client.post(first, {"full_name": "Jo", "email": citizen.email, "save": "1"})
    page = client.get(response["Location"])
    assert "You can carry on from your account" in page.content.decode()
    mine = client.get("/forms/mine/").content.decode()
    assert "Make a Freedom of Information request" in mine
    other = Client()
    other.force_login(UserFactory())
    assert other.get(first).status_code == 404


def test_drafts_expire_after_a_reminder(catalogue: None, settings: Any) -> None:
    citizen = UserFactory()
    form = Draft._meta.get_field("form").related_model.objects.get(slug="general")
    now = timezone.now()
    draft = drafts.start_draft(form, citizen=citizen, language="cy", now=now)
    drafts.save_to_account(draft, citizen, now=now)
    soon = draft.expires_at - timedelta(days=settings.WEBFORMS_DRAFT_REMINDER_DAYS - 1)
    assert drafts.remind_expiring_drafts(now) == 0
    assert drafts.remind_expiring_drafts(soon) == 1
    assert drafts.remind_expiring_drafts(soon) == 0  # once only
    assert "yn cael ei dileu" in mail.outbox[-1].subject
    assert drafts.expire_drafts(soon) == 0
    assert drafts.expire_drafts(draft.expires_at + timedelta(seconds=1)) == 1
    draft.refresh_from_db()
    assert draft.status == DraftStatus.EXPIRED
    assert draft.answers == {}


def test_tracking_needs_the_reference_and_the_email(catalogue: None) -> None:
    submission = submit(Client(), "complaint")
    stranger = Client()
    assert stranger.get(f"/forms/track/{submission.reference}/").status_code == 302
    html = stranger.post(
        "/forms/track/", {"reference": submission.reference, "email": "wrong@example.org"}
    ).content.decode()
    assert "We could not find a request" in html
    response = stranger.post(
        "/forms/track/",
        {"reference": submission.reference.lower(), "email": "Citizen@Example.org"},
    )
    assert response["Location"] == f"/forms/track/{submission.reference}/"
    assert "Waiting for an adviser" in stranger.get(response["Location"]).content.decode()


def test_tracking_is_rate_limited_against_guessing(catalogue: None, settings: Any) -> None:
    client = Client()
    for _ in range(settings.WEBFORMS_TRACK_ATTEMPTS):
        client.post("/forms/track/", {"reference": "GS-7KQ4-92XM", "email": "a@example.org"})
    response = client.post("/forms/track/", {"reference": "GS-7KQ4-92XM", "email": "a@b.org"})
    assert response.status_code == 429
    assert "too many times" in response.content.decode()


def test_signed_in_citizens_see_their_requests_and_no_one_elses(catalogue: None) -> None:
    citizen = UserFactory()
    client = Client()
    client.force_login(citizen)
    mine = submit(client, "feedback", email=citizen.email)
    theirs = submit(Client(), "feedback")
    assert client.get(f"/forms/track/{mine.reference}/").status_code == 200
    assert client.get(f"/forms/track/{theirs.reference}/").status_code == 302
    assert mine.reference in client.get("/forms/mine/").content.decode()


def test_a_citizen_reply_reopens_a_closed_request_and_shows_in_tracking(
    catalogue: None,
) -> None:
    from contactcentre.actions import transition_contact
    from contactcentre.models import Outcome
    from routing.models import EntryStatus, QueueEntry

    client = Client()
    submission = submit(client, "general")
    contact = submission.contact
    contact.refresh_from_db()
    QueueEntry.objects.filter(contact=contact).update(status=EntryStatus.ABANDONED)
    transition_contact(contact, ContactStatus.CLOSED, outcome=Outcome.RESOLVED)
    response = client.post(f"/forms/track/{submission.reference}/", {"body": "One more thing"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.status == ContactStatus.WAITING
    assert QueueEntry.objects.filter(contact=contact, status=EntryStatus.WAITING).exists()
    assert "One more thing" in client.get(response["Location"]).content.decode()
    assert any("reopened" in m.subject for m in mail.outbox)
    citizen_reply(submission, "and another", now=timezone.now())


PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def test_attachments_are_checked_by_content_and_size(catalogue: None, settings: Any) -> None:
    client = Client()
    first = start(client, "general")
    files = fill_all_pages(client, "general", first)
    assert files.endswith("/files/")
    ok = client.post(files, {"file": SimpleUploadedFile("../../etc/passwd.pdf", PDF)})
    assert ok.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.pdf"
    assert "/" not in attachment.stored_name
    assert ".." not in attachment.stored_name
    assert stored_path(attachment.stored_name).read_bytes() == PDF
    assert str(stored_path(attachment.stored_name)).startswith(settings.MEDIA_ROOT)
    exe = client.post(files, {"file": SimpleUploadedFile("photo.png", b"MZ\x90\x00binary")})
    assert "must be a PDF, JPG, PNG or plain text file" in exe.content.decode()
    settings.WEBFORMS_MAX_ATTACHMENT_BYTES = 1024
    big = client.post(files, {"file": SimpleUploadedFile("big.png", PNG + b"\x00" * 2000)})
    assert "must be smaller" in big.content.decode()
    assert Attachment.objects.count() == 1


def test_attachments_are_served_only_to_their_owner_and_staff(catalogue: None) -> None:
    from tests.factories import StaffFactory

    client = Client()
    first = start(client, "general")
    files = fill_all_pages(client, "general", first)
    client.post(files, {"file": SimpleUploadedFile("note.txt", b"hello")})
    attachment = Attachment.objects.get()
    url = f"/forms/files/{attachment.public_id}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"hello"  # type: ignore[attr-defined]
    assert Client().get(url).status_code == 404
    assert client.get("/forms/files/../../contactcentre/settings.py").status_code == 404
    Attachment.objects.filter(pk=attachment.pk).update(stored_name="../../etc/passwd")
    assert client.get(url).status_code == 404
    Attachment.objects.filter(pk=attachment.pk).update(stored_name=attachment.stored_name)
    client.post(first.rsplit("/", 2)[0] + "/check/")
    staff = Client()
    staff.force_login(StaffFactory())
    assert staff.get(url).status_code == 200
