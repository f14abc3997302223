"""Forms in progress: starting one (also from a chat), saving answers page by page, saving to
come back later (to the citizen's account, or through an emailed magic link), attachments, and
the expiry of drafts nobody came back to."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from contactcentre.errors import ContactCentreError, NotPermitted
from contactcentre.models import Contact, User
from webforms.actions.outbox import write_email
from webforms.attachments import UploadRefused as AttachmentRefused
from webforms.attachments import check_upload, store_upload
from webforms.models import (
    Attachment,
    Draft,
    DraftStatus,
    EmailKind,
    FieldKind,
    FormDefinition,
    LinkPurpose,
    MagicLink,
)


class DraftUnavailable(ContactCentreError):
    """The draft has been sent or has expired."""

    code = "draft_unavailable"


class LinkInvalid(ContactCentreError):
    """A magic link that is unknown, used, expired, or for another purpose or person."""

    code = "link_invalid"


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.WEBFORMS_DRAFT_DAYS)


def start_draft(
    form: FormDefinition,
    *,
    citizen: User | None,
    language: str,
    now: datetime,
    answers: dict[str, str] | None = None,
    from_contact: Contact | None = None,
) -> Draft:
    """A citizen starts filling in ``form``."""
    if citizen is not None and not citizen.is_authenticated:
        citizen = None
    answers = dict(answers or {})
    if citizen is not None:
        answers.setdefault("email", citizen.email)
    return Draft.objects.create(
        form=form,
        citizen=citizen,
        language=language,
        answers=answers,
        from_contact=from_contact,
        expires_at=_expiry(now),
    )


def start_draft_from_chat(
    contact: Contact, form: FormDefinition, text: str, *, now: datetime
) -> Draft:
    """A chat is passed to a webform: the form starts with what the citizen already said in
    its first long-text question, and the submission will link back to the chat."""
    first_long = form.fields.filter(kind=FieldKind.TEXTAREA).order_by("page", "order").first()
    answers = {first_long.name: text[: first_long.max_length]} if first_long else {}
    return start_draft(
        form,
        citizen=contact.citizen,
        language=contact.language,
        now=now,
        answers=answers,
        from_contact=contact,
    )


def save_answers(draft: Draft, answers: dict[str, str], *, now: datetime) -> Draft:
    """Answers from one page are kept; using the draft keeps it alive."""
    if draft.status != DraftStatus.ACTIVE:
        raise DraftUnavailable("This form has already been sent or has expired.")
    draft.answers = {**draft.answers, **answers}
    draft.expires_at = _expiry(now)
    draft.save(update_fields=["answers", "expires_at", "updated_at"])
    return draft


def save_to_account(draft: Draft, citizen: User, *, now: datetime) -> Draft:
    """A signed-in citizen keeps the draft in their account to come back to."""
    if draft.citizen_id not in (None, citizen.pk):
        raise NotPermitted("This form belongs to someone else.")
    Draft.objects.filter(pk=draft.pk).update(citizen=citizen, saved_at=now)
    draft.citizen, draft.saved_at = citizen, now
    return draft


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def send_magic_link(draft: Draft, email: str, *, now: datetime) -> MagicLink:
    """Email a single-use link to carry on with ``draft``. Only the token's hash is kept; older
    unused links for the draft stop working."""
    if draft.status != DraftStatus.ACTIVE:
        raise DraftUnavailable("This form has already been sent or has expired.")
    MagicLink.objects.filter(draft=draft, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    link = MagicLink.objects.create(
        token_hash=_token_hash(token),
        purpose=LinkPurpose.RESUME_DRAFT,
        draft=draft,
        expires_at=now + timedelta(hours=settings.WEBFORMS_MAGIC_LINK_HOURS),
    )
    Draft.objects.filter(pk=draft.pk).update(email=email, saved_at=now)
    draft.email, draft.saved_at = email, now
    url = settings.SITE_URL + reverse("webforms:resume", args=[token])
    write_email(
        kind=EmailKind.MAGIC_LINK,
        dedupe_key=f"magic:{link.pk}",
        to=email,
        language=draft.language,
        template="magic_link",
        context={
            "form": draft.form,
            "url": url,
            "hours": settings.WEBFORMS_MAGIC_LINK_HOURS,
            "expires_at": draft.expires_at,
        },
    )
    return link


@transaction.atomic
def use_magic_link(token: str, *, user: User | None, now: datetime) -> Draft:
    """Spend a magic link: it works once, before it expires, for its purpose only, and never
    for a draft that belongs to a different signed-in citizen."""
    link = (
        MagicLink.objects.select_for_update()
        .select_related("draft")
        .filter(token_hash=_token_hash(token), purpose=LinkPurpose.RESUME_DRAFT)
        .first()
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise LinkInvalid("This link has expired or has already been used.")
    draft = link.draft
    owner = draft.citizen_id
    if owner is not None and (user is None or not user.is_authenticated or user.pk != owner):
        raise LinkInvalid("This link is for someone else's form.")
    if draft.status != DraftStatus.ACTIVE or draft.expires_at <= now:
        raise DraftUnavailable("This form has already been sent or has expired.")
    updated = MagicLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
    if updated != 1:
        raise LinkInvalid("This link has already been used.")
    return draft


def add_attachment(draft: Draft, upload: UploadedFile) -> Attachment:
    """Keep a file sent with the form, after checking its type (by content) and size."""
    if draft.status != DraftStatus.ACTIVE:
        raise DraftUnavailable("This form has already been sent or has expired.")
    form = draft.form
    if not form.attachments_allowed:
        raise AttachmentRefused("This form does not take attachments.")
    if draft.attachments.count() >= form.max_attachments:
        raise AttachmentRefused(f"You can upload up to {form.max_attachments} files.")
    checked = check_upload(upload)
    stored = store_upload(upload)
    return Attachment.objects.create(
        draft=draft,
        original_name=checked.display_name,
        stored_name=stored.name,
        content_type=checked.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )


def remove_attachment(draft: Draft, attachment: Attachment) -> None:
    if attachment.draft_id != draft.pk or attachment.submission_id is not None:
        raise NotPermitted("That file is not part of this form.")
    from webforms.attachments import stored_path

    path: Path = stored_path(attachment.stored_name)
    attachment.delete()
    path.unlink(missing_ok=True)


def remind_expiring_drafts(now: datetime) -> int:
    """Email citizens whose saved draft expires soon (once per draft). Returns how many."""
    soon = now + timedelta(days=settings.WEBFORMS_DRAFT_REMINDER_DAYS)
    candidates = Draft.objects.filter(
        status=DraftStatus.ACTIVE,
        saved_at__isnull=False,
        reminder_sent_at__isnull=True,
        expires_at__lte=soon,
        expires_at__gt=now,
    ).select_related("form", "citizen")
    sent = 0
    for draft in candidates[:500]:
        with transaction.atomic():
            claimed = Draft.objects.filter(pk=draft.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            to = draft.citizen.email if draft.citizen else draft.email
            if claimed != 1 or not to:
                continue
            write_email(
                kind=EmailKind.DRAFT_REMINDER,
                dedupe_key=f"reminder:{draft.pk}",
                to=to,
                language=draft.language,
                template="draft_reminder",
                context={
                    "form": draft.form,
                    "expires_at": draft.expires_at,
                    "signed_in": draft.citizen is not None,
                },
            )
            sent += 1
    return sent


def expire_drafts(now: datetime) -> int:
    """Drafts past their expiry are closed, their files deleted. Returns how many."""

    expired = 0
    for draft in Draft.objects.filter(status=DraftStatus.ACTIVE, expires_at__lte=now)[:1000]:
        with transaction.atomic():
            updated = Draft.objects.filter(pk=draft.pk, status=DraftStatus.ACTIVE).update(
                status=DraftStatus.EXPIRED, answers={}
            )
            if updated != 1:
                continue
            files = list(draft.attachments.filter(submission__isnull=True))
            Attachment.objects.filter(pk__in=[f.pk for f in files]).delete()
            MagicLink.objects.filter(draft=draft, used_at__isnull=True).update(used_at=now)
            transaction.on_commit(_deleter([f.stored_name for f in files]))
            expired += 1
    return expired


def _deleter(names: list[str]) -> Callable[[], None]:
    from webforms.attachments import stored_path

    def delete() -> None:
        for name in names:
            stored_path(name).unlink(missing_ok=True)

    return delete
