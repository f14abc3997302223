"""Reads of webforms data that several pages share, with the access checks built in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from contactcentre.errors import NotPermitted
from contactcentre.models import ContactStatus, User
from webforms.models import (
    Attachment,
    Draft,
    DraftStatus,
    FormDefinition,
    FormField,
    Submission,
    SubmissionMessage,
)

SESSION_DRAFTS = "webforms_drafts"
SESSION_SUBMISSIONS = "webforms_submissions"


def active_forms() -> QuerySet[FormDefinition]:
    return FormDefinition.objects.filter(active=True)


def form_by_slug(slug: str) -> FormDefinition:
    return FormDefinition.objects.prefetch_related("fields").get(slug=slug, active=True)


def pages_of(form: FormDefinition) -> list[list[FormField]]:
    """The questions grouped into pages, in order."""
    pages: dict[int, list[FormField]] = {}
    for field in form.fields.all():
        pages.setdefault(field.page, []).append(field)
    return [pages[number] for number in sorted(pages)]


def unanswered_required(form: FormDefinition, answers: dict[str, str]) -> bool:
    """Whether a required question of ``form`` has no answer: the names only, so sending a
    complete form does not build its questions."""
    required = FormField.objects.filter(form=form, required=True).order_by()
    return any(not answers.get(name) for name in required.values_list("name", flat=True))


def remember_in_session(session: SessionBase, key: str, value: str) -> None:
    known = list(session.get(key, []))
    if value not in known:
        session[key] = [*known[-49:], value]


def draft_for(public_id: str, user: User | None, session: SessionBase) -> Draft:
    """A draft the person may open: theirs when signed in, or one this browser started or
    resumed through a magic link. Raises ``NotPermitted`` otherwise."""
    try:
        # get(), not first(): no ORDER BY to build for a unique key, on every form page.
        draft = Draft.objects.select_related("form").get(public_id=public_id)
    except (Draft.DoesNotExist, ValidationError):
        raise NotPermitted("No such form in progress.") from None
    signed_in = user is not None and user.is_authenticated
    if draft.citizen_id is not None:
        if signed_in and user is not None and draft.citizen_id == user.pk:
            return draft
        raise NotPermitted("This form belongs to someone else.")
    if str(draft.public_id) in session.get(SESSION_DRAFTS, []):
        return draft
    raise NotPermitted("This form was started in another browser.")


def drafts_of_citizen(citizen: User) -> QuerySet[Draft]:
    return (
        Draft.objects.filter(citizen=citizen, status=DraftStatus.ACTIVE)
        .select_related("form")
        .order_by("-updated_at")
    )


def submissions_of_citizen(citizen: User) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(citizen=citizen)
        .select_related("form", "contact")
        .order_by("-submitted_at")
    )


def submission_for_citizen(reference: str, user: User | None, session: SessionBase) -> Submission:
    """A submission the citizen may see: their own when signed in, one this browser sent (made
    from an anonymous draft the session holds, as ``draft_for`` allows), or one it proved
    (reference and email) on the tracking page.

    Sending a form does not write the session (a read, an update and a commit of their own on
    every submit): the draft the session already holds is the proof, checked in the same
    query as the submission is read."""
    from_this_browser = Draft.objects.filter(
        idempotency_key=OuterRef("idempotency_key"),
        citizen_id__isnull=True,
        public_id__in=_session_draft_ids(session),
    )
    submission = (
        Submission.objects.select_related("form", "contact")
        .annotate(sent_from_this_browser=Exists(from_this_browser))
        .filter(reference=reference)
        .first()
    )
    if submission is None:
        raise NotPermitted("No such request.")
    if user is not None and user.is_authenticated and submission.citizen_id == user.pk:
        return submission
    if getattr(submission, "sent_from_this_browser", False):
        return submission
    if submission.reference in session.get(SESSION_SUBMISSIONS, []):
        return submission
    raise NotPermitted("Not your request.")


def _session_draft_ids(session: SessionBase) -> list[uuid.UUID]:
    ids = []
    for value in session.get(SESSION_DRAFTS, []):
        try:
            ids.append(uuid.UUID(value))
        except (TypeError, ValueError, AttributeError):
            continue
    return ids


def find_for_tracking(reference: str, email: str) -> Submission | None:
    return (
        Submission.objects.filter(reference=reference, email__iexact=email.strip())
        .select_related("form", "contact")
        .first()
    )


def citizen_history(submission: Submission) -> list[tuple[datetime, str, SubmissionMessage | None]]:
    """What the citizen sees: status changes and the messages meant for them, in order."""
    events: list[tuple[datetime, str, SubmissionMessage | None]] = []
    for transition in submission.contact.transitions.all():
        events.append((transition.at, transition.to_status, None))
    for message in submission.messages.all():
        if message.visible_to_citizen:
            events.append((message.at, message.kind, message))
    return sorted(events, key=lambda e: e[0])


def attachment_for(public_id: str, user: User | None, session: SessionBase) -> Attachment:
    """An attachment the person may download: staff, or the citizen whose draft or request
    holds it."""
    from contactcentre.roles import is_staff_member

    attachment = (
        Attachment.objects.select_related("draft", "submission").filter(public_id=public_id).first()
    )
    if attachment is None:
        raise NotPermitted("No such file.")
    if user is not None and is_staff_member(user) and attachment.submission_id:
        return attachment
    if attachment.submission is not None:
        submission_for_citizen(attachment.submission.reference, user, session)
        return attachment
    if attachment.draft is not None:
        draft_for(str(attachment.draft.public_id), user, session)
        return attachment
    raise NotPermitted("No such file.")


# The agent inbox.

SLA_FILTERS = ("due_soon", "breached")


@dataclass(frozen=True)
class InboxFilter:
    queue: str = ""
    status: str = ""
    sla: str = ""
    search: str = ""
    mine: bool = False


def inbox(agent: User, chosen: InboxFilter, now: datetime) -> QuerySet[Submission]:
    rows = Submission.objects.select_related("form", "contact", "owner")
    if chosen.mine:
        rows = rows.filter(owner=agent)
    if chosen.queue:
        rows = rows.filter(queue_slug=chosen.queue)
    if chosen.status == "open":
        rows = rows.exclude(contact__status=ContactStatus.CLOSED)
    elif chosen.status and chosen.status != "all":
        rows = rows.filter(contact__status=chosen.status)
    if chosen.sla in SLA_FILTERS:
        rows = rows.exclude(contact__status=ContactStatus.CLOSED)
        if chosen.sla == "breached":
            rows = rows.filter(due_at__lt=now)
        else:
            soon = now + timedelta(hours=settings.WEBFORMS_DUE_SOON_HOURS)
            rows = rows.filter(due_at__gte=now, due_at__lt=soon)
    if chosen.search:
        term = chosen.search.strip()
        rows = rows.filter(Q(reference__iexact=term) | Q(email__iexact=term))
    return rows.order_by("contact__urgency", "due_at", "id")


def inbox_summary(agent: User, now: datetime) -> dict[str, int]:
    open_rows = Submission.objects.exclude(contact__status=ContactStatus.CLOSED)
    soon = now + timedelta(hours=settings.WEBFORMS_DUE_SOON_HOURS)
    return {
        "open": open_rows.count(),
        "mine": open_rows.filter(owner=agent).count(),
        "breached": open_rows.filter(due_at__lt=now).count(),
        "due_soon": open_rows.filter(due_at__gte=now, due_at__lt=soon).count(),
    }


def submission_for_staff(reference: str) -> Submission:
    return (
        Submission.objects.select_related("form", "contact", "owner", "from_contact", "citizen")
        .prefetch_related("messages__author", "attachments", "contact__transitions__actor")
        .get(reference=reference)
    )
