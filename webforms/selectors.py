"""Reads of webforms data that several pages share, with the access checks built in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.db.models import Exists, Field, ForeignKey, Model, OuterRef, Q, QuerySet

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
    """An active form, without its questions: the start page and starting a draft need none,
    and prefetched questions each point back at the form, a cycle for the garbage collector."""
    return FormDefinition.objects.get(slug=slug, active=True)


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
    draft = _draft_with_form(public_id)
    if draft is None:
        raise NotPermitted("No such form in progress.")
    signed_in = user is not None and user.is_authenticated
    if draft.citizen_id is not None:
        if signed_in and user is not None and draft.citizen_id == user.pk:
            return draft
        raise NotPermitted("This form belongs to someone else.")
    if str(draft.public_id) in session.get(SESSION_DRAFTS, []):
        return draft
    raise NotPermitted("This form was started in another browser.")


class _RowRead:
    """One row and the row its foreign key points at, read by one ``SELECT ... JOIN`` written
    once from the models' metadata and made into the same model instances the ORM makes (the
    database's converters applied, the related object cached on the row).

    Every form page and every submit reads its draft with its form: through the query compiler
    that cost about 0.6 ms of CPU each time, most of a form page's own work, for a statement
    that never changes."""

    def __init__(self, model: type[Model], relation: str, key: str) -> None:
        self.model = model
        self.key = cast(Field, model._meta.get_field(key))
        self.relation = cast(ForeignKey, model._meta.get_field(relation))
        self.related: type[Model] = self.relation.related_model
        self.fields = list(model._meta.concrete_fields)
        self.related_fields = list(self.related._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.related_names = [f.attname for f in self.related_fields]
        quote = connection.ops.quote_name

        def column(alias: str, field: Any) -> str:
            return f"{alias}.{quote(field.column)}"

        columns = [column("r", f) for f in self.fields] + [
            column("j", f) for f in self.related_fields
        ]
        # Names from the models' metadata, quoted; the key is a parameter.
        table = quote(model._meta.db_table)
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {table} r "  # noqa: S608
            f"JOIN {quote(self.related._meta.db_table)} j "
            f"ON {column('j', self.related._meta.pk)} = {column('r', self.relation)} "
            f"WHERE {column('r', self.key)} = %s"
        )
        self.converters = [
            (position, converters, col)
            for position, field in enumerate([*self.fields, *self.related_fields])
            for col in [field.get_col(field.model._meta.db_table)]
            for converters in [
                connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            ]
            if converters
        ]

    def get(self, key: Any) -> Model | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [self.key.get_db_prep_value(key, connection)])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for position, converters, col in self.converters:
            for converter in converters:
                values[position] = converter(values[position], col, connection)
        split = len(self.fields)
        instance = self.model.from_db(connection.alias, self.names, values[:split])
        related = self.related.from_db(connection.alias, self.related_names, values[split:])
        self.relation.set_cached_value(instance, related)
        return instance


_draft_reads: dict[str, _RowRead] = {}


def _draft_with_form(public_id: str) -> Draft | None:
    """The draft with its form (``select_related("form")``), or None if there is none."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    read = _draft_reads.get(connection.vendor)
    if read is None:
        read = _draft_reads[connection.vendor] = _RowRead(Draft, "form", "public_id")
    return read.get(key)  # type: ignore[return-value]


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
