"""Celery tasks of the webforms app: thin wrappers that take ids, call an action and own their
retries. All are idempotent (see ``actions.intake`` and ``actions.outbox``)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from webforms import publisher
from webforms.actions import drafts, inbox, intake, outbox

logger = logging.getLogger(__name__)


def queue_after_commit(task: Any, object_id: int, *, batch_task: Any = None) -> None:
    """Queue ``task(object_id)`` once the transaction commits. The request does not wait for
    the broker: the background publisher (``webforms.publisher``) sends it, with others of
    its kind as one ``batch_task`` message when given. If the broker cannot be reached the
    work is already safe in the database: it is logged and left to the sweep, rather than
    fail the citizen's request after the commit. Eager Celery (tests, the demo) runs it at
    once, in the committing thread."""
    from contactcentre.celery import app

    def send() -> None:
        if not app.conf.task_always_eager:
            publisher.hand_over(task, object_id, batch_task=batch_task)
            return
        try:
            task.apply_async((object_id,), retry=False)
        except Exception:
            logger.warning("Broker unavailable: %s(%s) left to the sweep", task.name, object_id)

    transaction.on_commit(send)


@shared_task(max_retries=10, autoretry_for=(Exception,), retry_backoff=2, retry_backoff_max=300)
def process_submission(submission_id: int) -> None:
    intake.process_submission(submission_id, now=timezone.now())


@shared_task(max_retries=10, autoretry_for=(Exception,), retry_backoff=2, retry_backoff_max=300)
def process_submissions(submission_ids: list[int]) -> None:
    """``process_submission`` for several submissions published together, reading what they
    share once. One that fails is queued again on its own, with ``process_submission``'s
    retries and backoff; the others are not held back by it. Run twice (a worker killed
    mid-batch), it redoes nothing."""
    failed = intake.process_submissions(submission_ids, clock=timezone.now)
    for submission_id in failed:
        process_submission.apply_async((submission_id,), countdown=2)


@shared_task(
    max_retries=outbox.MAX_ATTEMPTS,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
)
def send_email(email_id: int) -> None:
    outbox.deliver_email(email_id)


@shared_task(max_retries=3, autoretry_for=(Exception,), retry_backoff=2, retry_backoff_max=300)
def sweep_unfinished_work() -> dict[str, int]:
    """Re-queue submissions whose work never ran (broker down, worker killed) and emails never
    sent. Queuing twice is harmless: the work is idempotent. Submissions go as batches
    (``process_submissions``): after an outage a message each, on every sweep until the backlog
    is done, spent more of the worker on publishing and unpacking messages than on the work."""
    submissions, emails = intake.unfinished_work(timezone.now())
    for start in range(0, len(submissions), publisher.MAX_BATCH):
        process_submissions.delay(submissions[start : start + publisher.MAX_BATCH])
    for email_id in emails:
        send_email.delay(email_id)
    return {"submissions": len(submissions), "emails": len(emails)}


@shared_task(max_retries=3, autoretry_for=(Exception,), retry_backoff=2, retry_backoff_max=300)
def remind_and_expire_drafts() -> dict[str, int]:
    now = timezone.now()
    return {"reminded": drafts.remind_expiring_drafts(now), "expired": drafts.expire_drafts(now)}


@shared_task(max_retries=3, autoretry_for=(Exception,), retry_backoff=2, retry_backoff_max=300)
def alert_sla_breaches() -> int:
    return inbox.alert_sla_breaches(timezone.now())
