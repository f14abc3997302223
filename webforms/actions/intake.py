"""Durable intake. ``submit_draft`` commits the submission, its contact and its reference in one
transaction, keyed by the draft's idempotency key (a unique constraint), and only then queues
the rest. ``process_submission`` routes and acknowledges it; each step sets its own work marker
with a status-checked update in the transaction that does the work, so a step that is retried,
delivered twice or re-queued by the sweep does its work exactly once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend as EmailBackend
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, Q

from contactcentre.actions import open_contact
from contactcentre.errors import ContactCentreError
from contactcentre.models import Channel, Contact, ContactStatus, Urgency, User
from contactcentre.realtime import send_event_on_commit
from routing.actions import carry_out_route, plan_route, queue_in_snapshot
from routing.choices import Destination
from routing.policy import ContactDescription
from routing.selectors import routing_snapshot
from webforms.actions import outbox, store
from webforms.actions.outbox import deliver_email, write_email
from webforms.actions.store import Unanswered as Unanswered  # the views catch it here
from webforms.models import (
    Attachment,
    Draft,
    DraftStatus,
    EmailKind,
    EmailStatus,
    FieldKind,
    FormField,
    OutboundEmail,
    Submission,
)
from webforms.reference import new_reference
from webforms.selectors import unanswered_required
from webforms.sla import due_at

logger = logging.getLogger(__name__)
INBOX_GROUP = "webforms.inbox"


class NotReadyToSubmit(ContactCentreError):
    code = "not_ready"


class QueueMissing(ContactCentreError):
    code = "queue_missing"


def submit_draft(draft: Draft, *, citizen: User | None, now: datetime) -> Submission:
    """Send the form, if every required question has an answer (``Unanswered`` otherwise:
    nothing is written). Idempotent: submitting the same draft again (a double click, a refresh,
    a retried request) returns the one submission already made: ``_submit`` finds the draft
    already submitted under its lock, and a concurrent twin that lost the race to the
    idempotency key's unique constraint returns the winner's submission."""
    for _attempt in range(5):
        reference = new_reference(settings.WEBFORMS_REFERENCE_PREFIX)
        try:
            return _submit(draft, reference=reference, citizen=citizen, now=now)
        except IntegrityError:
            # Checked only when the insert failed, so the usual submit makes no extra round
            # trip (and takes no savepoint): the unique constraints decide.
            existing = Submission.objects.filter(idempotency_key=draft.idempotency_key).first()
            if existing is not None:
                return existing
            if not Submission.objects.filter(reference=reference).exists():
                raise
            # The reference was taken (one in billions): the transaction rolled back; again.
    raise IntegrityError("could not draw an unused reference")


def _submit(draft: Draft, *, reference: str, citizen: User | None, now: datetime) -> Submission:
    """The answers sent are those of ``draft`` as the caller read (and checked) them. Claiming
    the draft first, with a status-checked update, also locks its row: a concurrent submit of
    the same draft waits there and then finds it already sent. On PostgreSQL claim, contact
    and submission are one statement (``store``); elsewhere, the ORM in one transaction."""
    if citizen is not None and not citizen.is_authenticated:
        citizen = None
    if connection.vendor != "postgresql":
        submission = _submit_with_orm(draft, reference=reference, citizen=citizen, now=now)
    elif connection.in_atomic_block:
        with transaction.atomic():  # a savepoint: a taken reference undoes only this
            submission = _submit_in_one_statement(draft, reference, citizen, now)
    else:
        submission = _submit_in_one_statement(draft, reference, citizen, now)
    from webforms.tasks import process_submission, process_submissions, queue_after_commit

    queue_after_commit(process_submission, submission.pk, batch_task=process_submissions)
    return submission


def _already_sent(draft: Draft) -> Submission:
    existing = Submission.objects.filter(idempotency_key=draft.idempotency_key).first()
    if existing is None:
        raise NotReadyToSubmit("This form has expired.")
    return existing


def _email(draft: Draft, citizen: User | None) -> str:
    email = draft.answers.get("email") or (citizen.email if citizen else "")
    if not email:
        raise NotReadyToSubmit("An email address is needed to send the form.")
    return str(email)


@transaction.atomic
def _submit_with_orm(
    draft: Draft, *, reference: str, citizen: User | None, now: datetime
) -> Submission:
    form = draft.form
    if unanswered_required(form, draft.answers):
        raise Unanswered("A required question has no answer.")
    claimed = Draft.objects.filter(pk=draft.pk, status=DraftStatus.ACTIVE).update(
        status=DraftStatus.SUBMITTED
    )
    if claimed != 1:
        return _already_sent(draft)
    citizen = citizen or draft.citizen
    email = _email(draft, citizen)
    contact = open_contact(
        channel=Channel.WEBFORM,
        citizen=citizen,
        topic=form.slug,
        urgency=Urgency.URGENT if form.urgent else Urgency.ROUTINE,
        language=draft.language,
    )
    submission = Submission.objects.create(
        reference=reference,
        form=form,
        contact=contact,
        idempotency_key=draft.idempotency_key,
        citizen=citizen,
        email=email,
        language=draft.language,
        answers=draft.answers,
        from_contact_id=draft.from_contact_id,
        submitted_at=now,
        due_at=due_at(now, form.sla_working_days),
        queue_slug=form.queue_slug,
    )
    if form.attachments_allowed:
        Attachment.objects.filter(draft_id=draft.pk).update(submission=submission)
    return submission


def _submit_in_one_statement(
    draft: Draft, reference: str, citizen: User | None, now: datetime
) -> Submission:
    """The same rows as ``_submit_with_orm``, written by one statement; the objects returned
    are built from what was written, not read back."""
    form = draft.form
    if citizen is None and draft.citizen_id is not None and not draft.answers.get("email"):
        citizen = draft.citizen  # only its email is needed
    citizen_id = citizen.pk if citizen is not None else draft.citizen_id
    no_email = not (draft.answers.get("email") or (citizen.email if citizen else ""))
    if no_email and unanswered_required(form, draft.answers):
        # Rare: refused before the statement; say what is missing first, as the ORM path does.
        raise Unanswered("A required question has no answer.")
    email = _email(draft, citizen)
    urgency = Urgency.URGENT if form.urgent else Urgency.ROUTINE
    due = due_at(now, form.sla_working_days)
    stored = store.submit_in_one_statement(
        draft_id=draft.pk,
        reference=reference,
        form_id=form.pk,
        topic=form.slug,
        urgency=urgency.value,
        citizen_id=citizen_id,
        email=email,
        language=draft.language,
        answers=draft.answers,
        idempotency_key=draft.idempotency_key,
        from_contact_id=draft.from_contact_id,
        now=now,
        due=due,
        queue=form.queue_slug,
        attachments=form.attachments_allowed,
    )
    if stored is None:
        return _already_sent(draft)
    contact = _as_stored(
        Contact(
            pk=stored.contact_id,
            public_id=stored.contact_public_id,
            channel=Channel.WEBFORM,
            citizen_id=citizen_id,
            topic=form.slug,
            urgency=urgency,
            language=draft.language,
            status=ContactStatus.NEW,
            created_at=now,
        )
    )
    submission = _as_stored(
        Submission(
            pk=stored.submission_id,
            reference=reference,
            form=form,
            contact_id=contact.pk,
            idempotency_key=draft.idempotency_key,
            citizen_id=citizen_id,
            email=email,
            language=draft.language,
            answers=draft.answers,
            from_contact_id=draft.from_contact_id,
            submitted_at=now,
            due_at=due,
            queue_slug=form.queue_slug,
        )
    )
    # The contact cached on the submission one way only: assigning it would cache the
    # submission on the contact too, a reference cycle that only the garbage collector frees.
    Submission.contact.field.set_cached_value(submission, contact)
    return submission


M = TypeVar("M", bound=Model)


def _as_stored(instance: M) -> M:
    """Mark an instance built in Python as the row it describes (saving it updates, not
    inserts)."""
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


class Batch:
    """What processing some submissions reads, read together: the submissions with their forms
    and contacts, the forms' text questions (what routing reads of the answers) and, when some
    are still to route, routing's snapshot (``routing.selectors.routing_snapshot``). Each
    submission's work is still done, and claimed, in transactions of its own."""

    def __init__(self, submission_ids: list[int], now: datetime) -> None:
        self.submissions = Submission.objects.select_related("form", "contact").in_bulk(
            submission_ids
        )
        unrouted = [s for s in self.submissions.values() if s.routed_at is None]
        text_fields: dict[int, list[str]] = {}
        for form_id, name in FormField.objects.filter(
            form_id__in={s.form_id for s in unrouted},
            kind__in=[FieldKind.TEXTAREA, FieldKind.TEXT],
        ).values_list("form_id", "name"):  # in the fields' own order
            text_fields.setdefault(form_id, []).append(name)
        self.descriptions = {
            s.pk: ContactDescription(
                text=_description_text(s, text_fields.get(s.form_id, [])),
                language=s.language,
                form=s.form.slug,
            )
            for s in unrouted
        }
        self.routing = (
            routing_snapshot(
                now,
                contacts=[s.contact for s in unrouted],
                descriptions=list(self.descriptions.values()),
            )
            if unrouted
            else None
        )

    def submission(self, submission_id: int) -> Submission:
        try:
            return self.submissions[submission_id]
        except KeyError:
            raise Submission.DoesNotExist(f"Submission {submission_id} does not exist.") from None


def _description_text(submission: Submission, text_fields: list[str]) -> str:
    return " ".join(submission.answers.get(name, "") for name in text_fields)[:2000]


def route_submission(submission_id: int, *, now: datetime, batch: Batch | None = None) -> bool:
    """Decide where the submission goes (the routing policy, with its reasons) and put it in a
    queue. The form's own queue is used unless routing sends it to agents elsewhere. True if
    it was routed now, False if that was already done. The decision is made first, from what
    ``batch`` read; then one transaction claims the work (a status-checked update of
    ``routed_at``, which also locks the row) and stores it: a run that loses the claim to
    another stores nothing."""
    batch = batch or Batch([submission_id], now)
    submission = batch.submission(submission_id)
    if submission.routed_at is not None or batch.routing is None:
        return False
    form, contact = submission.form, submission.contact
    plan = plan_route(contact, batch.descriptions[submission.pk], now, batch.routing)
    decision = plan.decision
    queue = (decision.queue or "") if decision.destination == Destination.AGENT else ""
    to_form_queue = not queue
    if to_form_queue:
        if form.queue_slug not in batch.routing.queues:
            raise QueueMissing(f"Form {form.slug} names queue {form.queue_slug}, which is missing.")
        queue = form.queue_slug
    with transaction.atomic():
        claimed = Submission.objects.filter(pk=submission.pk, routed_at__isnull=True).update(
            routed_at=now, queue_slug=queue
        )
        if claimed != 1:
            return False
        # The contact was read with the batch: its transitions are status-checked, so one
        # changed since (StaleState) undoes this claim and the submission is retried alone.
        carry_out_route(contact, plan, now, batch.routing)
        if to_form_queue and contact.status == ContactStatus.NEW:
            queue_in_snapshot(contact, queue, form.priority, now, batch.routing)
        send_event_on_commit(
            INBOX_GROUP,
            {"type": "webform.routed", "reference": submission.reference, "queue": queue},
        )
    submission.routed_at, submission.queue_slug = now, queue
    return True


def acknowledge_submission(
    submission_id: int, *, now: datetime, batch: Batch | None = None
) -> int | None:
    """Write the acknowledgement email, in the citizen's language, to the outbox (once).
    Returns the outbox id to send, or None if it was already written."""
    with transaction.atomic():
        claimed = Submission.objects.filter(pk=submission_id, acknowledged_at__isnull=True).update(
            acknowledged_at=now
        )
        if claimed != 1:
            return None
        # What the email says (reference, form, address, language, due date) never changes
        # after the submit, so the batch's copy will do.
        if batch is not None:
            submission = batch.submission(submission_id)
        else:
            submission = Submission.objects.select_related("form").get(pk=submission_id)
        email = write_email(
            kind=EmailKind.ACKNOWLEDGEMENT,
            dedupe_key=f"ack:{submission.pk}",
            to=submission.email,
            language=submission.language,
            template="acknowledgement",
            context={"submission": submission, "form": submission.form},
            submission=submission,
            send_after_commit=False,
        )
    submission.acknowledged_at = now
    return email.pk if email else None


def process_submission(
    submission_id: int,
    *,
    now: datetime,
    batch: Batch | None = None,
    mail: EmailBackend | None = None,
) -> None:
    """Everything after the commit: route, acknowledge, send the acknowledgement. ``batch``:
    what was read for several submissions at once (``process_submissions``); ``mail``: an open
    email connection to send with."""
    batch = batch or Batch([submission_id], now)
    route_submission(submission_id, now=now, batch=batch)
    email_id = acknowledge_submission(submission_id, now=now, batch=batch)
    if email_id is None:
        # Written by an earlier run that may have died before sending: send it if still due.
        email_id = (
            OutboundEmail.objects.filter(
                dedupe_key=f"ack:{submission_id}", status=EmailStatus.PENDING
            )
            .values_list("pk", flat=True)
            .first()
        )
    if email_id is not None:
        deliver_email(email_id, mail=mail)


def process_submissions(submission_ids: list[int], *, clock: Callable[[], datetime]) -> list[int]:
    """``process_submission`` for each of several submissions, with what they read read once
    (``Batch``) and one email connection. Each submission's steps keep their own claims and
    transactions, so a batch run twice, or alongside a retry or the sweep, redoes nothing.
    Returns the ids that failed (logged): the caller retries them on their own."""
    batch = Batch(submission_ids, clock())
    failed = []
    mail = outbox.connection()
    try:
        for submission_id in submission_ids:
            try:
                process_submission(submission_id, now=clock(), batch=batch, mail=mail)
            except Exception:
                logger.exception(
                    "Submission %s failed in a batch: retried on its own", submission_id
                )
                failed.append(submission_id)
    finally:
        mail.close()
    return failed


def unfinished_work(now: datetime) -> tuple[list[int], list[int]]:
    """Submissions whose routing or acknowledgement never happened, and pending emails, older
    than the sweep delay: what the sweep re-queues."""
    before = now - timedelta(seconds=settings.WEBFORMS_SWEEP_AFTER_SECONDS)
    submissions = list(
        Submission.objects.filter(submitted_at__lte=before)
        .filter(Q(routed_at__isnull=True) | Q(acknowledged_at__isnull=True))
        .values_list("pk", flat=True)[:5000]
    )
    emails = list(
        OutboundEmail.objects.filter(status=EmailStatus.PENDING, created_at__lte=before)
        .exclude(dedupe_key__startswith="ack:", submission_id__in=submissions)
        .values_list("pk", flat=True)[:5000]
    )
    return submissions, emails
