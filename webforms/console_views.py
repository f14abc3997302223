"""The agent inbox in the console: list with filters and search, one submission with its
answers, messages and history, and the agent's actions on it. Every view of a submission is
written to the audit log."""

from __future__ import annotations

from typing import Any

from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from contactcentre.access import staff_page
from contactcentre.actions import record_audit_event
from contactcentre.errors import ContactCentreError
from contactcentre.models import ContactStatus, Outcome, User
from contactcentre.roles import Role
from routing.models import Queue
from webforms import selectors
from webforms.actions import inbox as inbox_actions
from webforms.forms import ResolveForm, StaffMessageForm, TransferForm, display_answer
from webforms.models import Submission
from webforms.selectors import InboxFilter


def _agent(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _queues() -> list[tuple[str, str]]:
    return list(Queue.objects.order_by("slug").values_list("slug", "name"))


@staff_page(Role.AGENT)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    chosen = InboxFilter(
        queue=request.GET.get("queue", ""),
        status=request.GET.get("status", "open"),
        sla=request.GET.get("sla", ""),
        search=request.GET.get("q", "")[:120],
        mine=request.GET.get("mine") == "1",
    )
    rows = list(selectors.inbox(_agent(request), chosen, now)[:200])
    context = {
        "rows": rows,
        "chosen": chosen,
        "queues": _queues(),
        "statuses": [("open", "Open")] + [(s.value, s.label) for s in ContactStatus],
        "now": now,
    }
    return render(request, "webforms/console/inbox.html", context)


def _submission_or_404(reference: str) -> Submission:
    try:
        return selectors.submission_for_staff(reference)
    except Submission.DoesNotExist:
        raise Http404 from None


def _context(submission: Submission, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    rows = []
    for field in submission.form.fields.all():
        value = submission.answers.get(field.name, "")
        rows.append((field.label_en, display_answer(field, value, "en")))
    return {
        "submission": submission,
        "contact": submission.contact,
        "rows": rows,
        "now": timezone.now(),
        "reply_form": StaffMessageForm(prefix="reply"),
        "note_form": StaffMessageForm(prefix="note"),
        "info_form": StaffMessageForm(prefix="info"),
        "transfer_form": TransferForm(prefix="transfer", queues=_queues()),
        "resolve_form": ResolveForm(prefix="resolve"),
        **(forms or {}),
    }


@staff_page(Role.AGENT)
@require_GET
def submission(request: HttpRequest, reference: str) -> HttpResponse:
    found = _submission_or_404(reference)
    record_audit_event(_agent(request), "view_submission", found, reference=found.reference)
    return render(request, "webforms/console/submission.html", _context(found))


ACTIONS = ("reply", "note", "info", "transfer", "resolve")


@staff_page(Role.AGENT)
@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    found = _submission_or_404(reference)
    agent = _agent(request)
    now = timezone.now()
    form: Form
    if action == "transfer":
        form = TransferForm(request.POST, prefix="transfer", queues=_queues())
    elif action == "resolve":
        form = ResolveForm(request.POST, prefix="resolve")
    else:
        form = StaffMessageForm(request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _do(action, found, agent, data, now)
        except ContactCentreError as error:
            form.add_error(None, str(error))
        else:
            record_audit_event(agent, f"{action}_submission", found, reference=found.reference)
            return redirect("webforms_console:submission", reference=reference)
    found = _submission_or_404(reference)
    context = _context(found, {f"{action}_form": form, "failed": action})
    return render(request, "webforms/console/submission.html", context, status=400)


def _do(action: str, found: Submission, agent: User, data: dict[str, Any], now: Any) -> None:
    if action == "reply":
        inbox_actions.reply_to_citizen(found, agent, data["body"], now=now)
    elif action == "note":
        inbox_actions.add_note(found, agent, data["body"])
    elif action == "info":
        inbox_actions.ask_for_information(found, agent, data["body"], now=now)
    elif action == "transfer":
        inbox_actions.transfer_submission(found, agent, data["queue"], data["reason"], now=now)
    else:
        inbox_actions.resolve_submission(
            found, agent, Outcome(data["outcome"]), data["body"], now=now
        )
