"""The email outbox. An email is a row written in the same transaction as the change it tells
of; it is sent after the commit, under a row lock, and marked sent in that transaction, so a
task that is retried, duplicated or swept never sends it twice."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from webforms.models import EmailKind, EmailStatus, OutboundEmail, Submission

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# Magic-link emails carry a working token: once sent, the copy in the outbox is blanked.
SECRET_KINDS = (EmailKind.MAGIC_LINK,)


def render_email(template: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject (the first line) and body of ``webforms/email/<language>/<template>.txt``."""
    language = language if language in ("en", "cy") else "en"
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        text = render_to_string(f"webforms/email/{language}/{template}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    return subject.removeprefix("Subject:").strip(), body.strip() + "\n"


def write_email(
    *,
    kind: EmailKind,
    dedupe_key: str,
    to: str,
    language: str,
    template: str,
    context: dict[str, Any],
    submission: Submission | None = None,
    send_after_commit: bool = True,
) -> OutboundEmail | None:
    """Put an email in the outbox. Returns None if one with ``dedupe_key`` is already there."""
    subject, body = render_email(template, language, context)
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                dedupe_key=dedupe_key,
                kind=kind,
                submission=submission,
                to=to,
                language=language,
                subject=subject,
                body=body,
            )
    except IntegrityError:
        return None
    if send_after_commit:
        from webforms.tasks import queue_after_commit, send_email

        queue_after_commit(send_email, email.pk)
    return email


def deliver_email(email_id: int, *, mail: Any = None) -> bool:
    """Send one outbox email if it is still pending. True if it was sent now.

    The row is locked (``SKIP LOCKED``: another worker sending it is left to finish) and marked
    sent in the same transaction that sent it; a worker killed before the commit leaves it
    pending, and it is sent again by a retry or the sweep. ``mail``: an email connection kept
    open across several sends (one SMTP session for a batch); the caller closes it.
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=EmailStatus.PENDING)
            .first()
        )
        if email is None:
            return False
        message = EmailMessage(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            headers={
                # The provider and the citizen's mail client see one message id per outbox
                # row, whatever happens to the worker.
                "Message-ID": f"<{email.dedupe_key.replace(':', '.')}@webforms.{_domain()}>",
                "X-Outbox-Key": email.dedupe_key,
                "Content-Language": email.language,
            },
        )
        changes: dict[str, Any] = {"status": EmailStatus.SENT, "sent_at": timezone.now()}
        if email.kind in SECRET_KINDS:
            changes["body"] = "[link removed from the outbox once sent]"
        failure: Exception | None = None
        try:
            if mail is None:
                connection().send_messages([message])
            else:
                mail.open()  # once: a connection already open is kept
                mail.send_messages([message])
        except Exception as error:
            failure = error
            if mail is not None:
                mail.close()  # a broken session is opened afresh for the next email
            attempts = email.attempts + 1
            OutboundEmail.objects.filter(pk=email.pk).update(
                attempts=attempts,
                last_error=str(error)[:300],
                status=EmailStatus.FAILED if attempts >= MAX_ATTEMPTS else EmailStatus.PENDING,
            )
            logger.warning("Could not send outbox email %s: %s", email.pk, error)
        else:
            OutboundEmail.objects.filter(pk=email.pk).update(**changes)
    if failure is not None:
        raise failure  # the task retries with backoff; the attempt is recorded
    return True


def _domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.SITE_URL).hostname or "localhost"


def connection() -> Any:
    options: dict[str, Any] = {}
    if settings.WEBFORMS_EMAIL_FILE_PATH:
        options["file_path"] = settings.WEBFORMS_EMAIL_FILE_PATH
    return get_connection(backend=settings.WEBFORMS_EMAIL_BACKEND, **options)
