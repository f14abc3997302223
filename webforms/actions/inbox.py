"""What happens to a submission after intake: agents reply, write notes, ask for more
information, transfer and resolve; citizens reply (which reopens a closed request); supervisors
are told of breached service levels. Each function is one transaction; emails go through the
outbox and events through ``send_event_on_commit``."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from contactcentre.actions import record_first_response, transition_contact
from contactcentre.errors import NotPermitted
from contactcentre.models import ContactStatus, Outcome, User
from contactcentre.realtime import send_event_on_commit
from contactcentre.roles import SUPERVISE_CONTACTS
from routing.actions import enqueue_contact, take_out_of_queue
from webforms.actions.outbox import write_email
from webforms.models import EmailKind, MessageKind, Submission, SubmissionMessage

SUPERVISORS_GROUP = "webforms.supervisors"
S = ContactStatus


def _event(submission: Submission, kind: str) -> None:
    event = {"type": kind, "reference": submission.reference}
    send_event_on_commit("webforms.inbox", event)
    if submission.owner_id:
        send_event_on_commit(f"agent.{submission.owner_id}", event)


def _lock(submission: Submission) -> Submission:
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("contact", "form")
        .get(pk=submission.pk)
    )
    submission.contact = locked.contact
    return locked


def _take(submission: Submission, agent: User, now: datetime) -> None:
    """The agent starts working the submission: it leaves its queue and becomes theirs."""
    contact = submission.contact
    if contact.status == S.CLOSED:
        raise NotPermitted("This request is closed.")
    take_out_of_queue(contact, agent, now)
    if contact.status in (S.NEW, S.WAITING):
        transition_contact(contact, S.IN_PROGRESS, actor=agent, reason="taken from the inbox")
        _status_email(submission, "in_progress", key=f"progress:{submission.pk}")
    if submission.owner_id != agent.pk:
        Submission.objects.filter(pk=submission.pk).update(owner=agent)
        submission.owner = agent


def _status_email(submission: Submission, status: str, *, key: str, body: str = "") -> None:
    write_email(
        kind=EmailKind.STATUS_CHANGE,
        dedupe_key=key,
        to=submission.email,
        language=submission.language,
        template="status_change",
        context={"submission": submission, "status": status, "body": body},
        submission=submission,
    )


def _message(
    submission: Submission, kind: MessageKind, author: User | None, body: str
) -> SubmissionMessage:
    return SubmissionMessage.objects.create(
        submission=submission, kind=kind, author=author, body=body
    )


@transaction.atomic
def reply_to_citizen(
    submission: Submission, agent: User, body: str, *, now: datetime
) -> SubmissionMessage:
    """An agent answers: emailed to the citizen and shown when they track the request."""
    submission = _lock(submission)
    _take(submission, agent, now)
    message = _message(submission, MessageKind.AGENT_REPLY, agent, body)
    record_first_response(submission.contact)
    write_email(
        kind=EmailKind.REPLY,
        dedupe_key=f"reply:{message.pk}",
        to=submission.email,
        language=submission.language,
        template="reply",
        context={"submission": submission, "body": body},
        submission=submission,
    )
    _event(submission, "webform.replied")
    return message


@transaction.atomic
def add_note(submission: Submission, agent: User, body: str) -> SubmissionMessage:
    """An internal note: never shown or sent to the citizen."""
    message = _message(submission, MessageKind.NOTE, agent, body)
    _event(submission, "webform.noted")
    return message


@transaction.atomic
def ask_for_information(
    submission: Submission, agent: User, body: str, *, now: datetime
) -> SubmissionMessage:
    """The agent needs more from the citizen: the request waits for them."""
    submission = _lock(submission)
    _take(submission, agent, now)
    message = _message(submission, MessageKind.INFO_REQUEST, agent, body)
    record_first_response(submission.contact)
    if submission.contact.status != S.AWAITING_CITIZEN:
        transition_contact(
            submission.contact, S.AWAITING_CITIZEN, actor=agent, reason="asked for more information"
        )
    _status_email(submission, "awaiting_citizen", key=f"info:{message.pk}", body=body)
    _event(submission, "webform.info_requested")
    return message


@transaction.atomic
def transfer_submission(
    submission: Submission, agent: User, queue_slug: str, reason: str, *, now: datetime
) -> Submission:
    """Send the request to another queue, where it waits for an agent there."""
    submission = _lock(submission)
    _take(submission, agent, now)
    transition_contact(
        submission.contact,
        S.WAITING,
        actor=agent,
        reason=f"transferred to {queue_slug}: {reason}"[:255],
    )
    enqueue_contact(submission.contact, queue_slug, submission.form.priority, now)
    Submission.objects.filter(pk=submission.pk).update(queue_slug=queue_slug, owner=None)
    submission.queue_slug, submission.owner = queue_slug, None
    _message(submission, MessageKind.TRANSFER, agent, f"{queue_slug}: {reason}".strip(": "))
    _event(submission, "webform.transferred")
    return submission


@transaction.atomic
def resolve_submission(
    submission: Submission, agent: User, outcome: Outcome, body: str, *, now: datetime
) -> Submission:
    """Close the request with an outcome, telling the citizen (with a final message if any)."""
    submission = _lock(submission)
    _take(submission, agent, now)
    if body:
        _message(submission, MessageKind.RESOLUTION, agent, body)
        record_first_response(submission.contact)
    transition_contact(
        submission.contact, S.CLOSED, actor=agent, reason="resolved from the inbox", outcome=outcome
    )
    closes = submission.contact.transitions.order_by("-id").values_list("pk", flat=True).first()
    _status_email(submission, "closed", key=f"closed:{submission.pk}:{closes}", body=body)
    _event(submission, "webform.resolved")
    return submission


@transaction.atomic
def citizen_reply(submission: Submission, body: str, *, now: datetime) -> SubmissionMessage:
    """The citizen sends more information. A closed request is reopened and queued again; one
    waiting for them goes back to the agent working it."""
    submission = _lock(submission)
    contact = submission.contact
    message = _message(submission, MessageKind.CITIZEN_REPLY, None, body)
    if contact.status == S.CLOSED:
        transition_contact(contact, S.WAITING, reason="the citizen replied: reopened")
        enqueue_contact(
            contact,
            submission.queue_slug or submission.form.queue_slug,
            submission.form.priority,
            now,
        )
        Submission.objects.filter(pk=submission.pk).update(owner=None, breach_alerted_at=None)
        submission.owner = None
        _status_email(submission, "reopened", key=f"reopened:{message.pk}")
    elif contact.status == S.AWAITING_CITIZEN:
        to_status = S.IN_PROGRESS if submission.owner_id else S.WAITING
        transition_contact(contact, to_status, reason="the citizen replied")
        if to_status == S.WAITING:
            enqueue_contact(contact, submission.queue_slug, submission.form.priority, now)
    _event(submission, "webform.citizen_replied")
    return message


def alert_sla_breaches(now: datetime) -> int:
    """Tell supervisors (email and a realtime event) of each open request past its due date,
    once per request. Returns how many were alerted."""
    breached = Submission.objects.filter(
        due_at__lt=now, breach_alerted_at__isnull=True, routed_at__isnull=False
    ).exclude(contact__status=S.CLOSED)
    supervisors = list(
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename=SUPERVISE_CONTACTS.split(".")[1]) | Q(is_superuser=True)
        )
        .distinct()
    )
    alerted = 0
    for submission in breached.select_related("form")[:500]:
        with transaction.atomic():
            claimed = Submission.objects.filter(
                pk=submission.pk, breach_alerted_at__isnull=True
            ).update(breach_alerted_at=now)
            if claimed != 1:
                continue
            for supervisor in supervisors:
                write_email(
                    kind=EmailKind.SLA_BREACH,
                    dedupe_key=f"breach:{submission.pk}:{submission.due_at:%Y%m%d%H%M}:{supervisor.pk}",
                    to=supervisor.email,
                    language=supervisor.preferred_language,
                    template="sla_breach",
                    context={"submission": submission},
                    submission=submission,
                )
            send_event_on_commit(
                SUPERVISORS_GROUP,
                {
                    "type": "webform.sla_breached",
                    "reference": submission.reference,
                    "queue": submission.queue_slug,
                },
            )
            alerted += 1
    return alerted
