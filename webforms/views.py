"""Citizens' pages: the catalogue, the form pages, check your answers, confirmation, save and
come back, tracking and replying. Thin: check input and permission, call one action, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from contactcentre.errors import ContactCentreError, NotPermitted
from contactcentre.models import Contact, User
from webforms import selectors
from webforms.actions import drafts, inbox, intake
from webforms.attachments import stored_path
from webforms.forms import (
    AttachmentForm,
    ReplyForm,
    SaveForm,
    TrackForm,
    display_answer,
    missing_answers,
    page_form,
)
from webforms.models import Draft, FormDefinition, FormField
from webforms.reference import normalise_reference
from webforms.selectors import SESSION_DRAFTS, SESSION_SUBMISSIONS, remember_in_session
from webforms.throttle import client_address, tracking_attempt_allowed


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _language() -> str:
    return (get_language() or "en")[:2]


def _form_or_404(slug: str) -> FormDefinition:
    try:
        return selectors.form_by_slug(slug)
    except FormDefinition.DoesNotExist:
        raise Http404 from None


def _draft_or_404(request: HttpRequest, slug: str, draft_id: str) -> Draft:
    try:
        draft = selectors.draft_for(draft_id, _user(request), request.session)
    except NotPermitted:
        raise Http404 from None
    if draft.form.slug != slug:
        raise Http404
    return draft


def _pages(draft: Draft) -> list[list[FormField]]:
    return selectors.pages_of(draft.form)


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "webforms/catalogue.html", {"forms": selectors.active_forms()})


def _chat_contact(request: HttpRequest) -> Contact | None:
    """The citizen's own chat named by ``?from_contact=``: theirs when signed in, or one this
    browser's session holds (the chat app keeps its contacts under ``chat_contacts``)."""
    public_id = request.GET.get("from_contact") or request.POST.get("from_contact")
    if not public_id:
        return None
    contact = Contact.objects.filter(public_id=public_id).first() if _is_uuid(public_id) else None
    if contact is None:
        return None
    user = _user(request)
    if user is not None and contact.citizen_id == user.pk:
        return contact
    if contact.citizen_id is None and str(contact.public_id) in request.session.get(
        "chat_contacts", []
    ):
        return contact
    return None


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    form = _form_or_404(slug)
    from_contact = _chat_contact(request)
    if request.method == "POST":
        draft = drafts.start_draft(
            form,
            citizen=_user(request),
            language=_language(),
            now=timezone.now(),
            from_contact=from_contact,
        )
        remember_in_session(request.session, SESSION_DRAFTS, str(draft.public_id))
        return redirect("webforms:page", slug=slug, draft_id=draft.public_id, number=1)
    return render(
        request, "webforms/start.html", {"definition": form, "from_contact": from_contact}
    )


def _render_page(
    request: HttpRequest, draft: Draft, number: int, form: Any, status: int = 200
) -> HttpResponse:
    pages = _pages(draft)
    fields = pages[number - 1]
    single = len(fields) == 1
    context = {
        "definition": draft.form,
        "draft": draft,
        "form": form,
        "number": number,
        "page_count": len(pages),
        "single": single,
        "heading": fields[0].label if single else draft.form.title,
        "back_url": _back_url(draft, number),
        "change": request.GET.get("change") == "1",
    }
    return render(request, "webforms/page.html", context, status=status)


def _back_url(draft: Draft, number: int) -> str:
    if number > 1:
        return reverse("webforms:page", args=[draft.form.slug, draft.public_id, number - 1])
    return reverse("webforms:start", args=[draft.form.slug])


def _next_url(draft: Draft, number: int, change: bool) -> str:
    args = [draft.form.slug, draft.public_id]
    if change or number >= len(_pages(draft)):
        if draft.form.attachments_allowed and not change:
            return reverse("webforms:attachments", args=args)
        return reverse("webforms:check", args=args)
    return reverse("webforms:page", args=[*args, number + 1])


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, slug: str, draft_id: str, number: int) -> HttpResponse:
    draft = _draft_or_404(request, slug, draft_id)
    pages = _pages(draft)
    if not 1 <= number <= len(pages):
        raise Http404
    fields = pages[number - 1]
    now = timezone.now()
    language = _language()
    change = request.GET.get("change") == "1"
    if request.method == "POST":
        if "save" in request.POST:
            # Keep what was typed, checked or not: it is checked when they continue.
            typed = {f.name: request.POST.get(f.name, "")[: f.max_length] for f in fields}
            _save(draft, typed, now)
            return redirect("webforms:save", slug=slug, draft_id=draft.public_id)
        form = page_form(fields, language, now, data=request.POST)
        if not form.is_valid():
            return _render_page(request, draft, number, form, status=200)
        _save(draft, form.answers(), now)
        return redirect(_next_url(draft, number, change))
    form = page_form(fields, language, now, initial=draft.answers)
    return _render_page(request, draft, number, form)


def _save(draft: Draft, answers: dict[str, str], now: Any) -> None:
    try:
        drafts.save_answers(draft, answers, now=now)
    except drafts.DraftUnavailable:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def attachments(request: HttpRequest, slug: str, draft_id: str) -> HttpResponse:
    draft = _draft_or_404(request, slug, draft_id)
    if not draft.form.attachments_allowed:
        raise Http404
    upload_form = AttachmentForm()
    if request.method == "POST":
        if "remove" in request.POST:
            attachment = draft.attachments.filter(public_id=request.POST["remove"]).first()
            if attachment is not None:
                drafts.remove_attachment(draft, attachment)
            return redirect("webforms:attachments", slug=slug, draft_id=draft.public_id)
        if "continue" in request.POST:
            return redirect("webforms:check", slug=slug, draft_id=draft.public_id)
        upload_form = AttachmentForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                drafts.add_attachment(draft, upload_form.cleaned_data["file"])
            except ContactCentreError as error:
                upload_form.add_error("file", _attachment_error(str(error)))
            else:
                return redirect("webforms:attachments", slug=slug, draft_id=draft.public_id)
    context = {
        "definition": draft.form,
        "draft": draft,
        "form": upload_form,
        "files": draft.attachments.all(),
        "back_url": reverse("webforms:page", args=[slug, draft.public_id, len(_pages(draft))]),
    }
    return render(request, "webforms/attachments.html", context)


def _attachment_error(message: str) -> str:
    """The domain message, in the citizen's language."""
    known = {
        "The selected file is empty.": _("The selected file is empty"),
        "The selected file is too large.": _("The selected file must be smaller than the limit"),
        "The selected file must be a PDF, JPG, PNG or plain text file.": _(
            "The selected file must be a PDF, JPG, PNG or plain text file"
        ),
    }
    if message.startswith("You can upload up to"):
        return _("You have uploaded the most files this form takes")
    return known.get(message, _("The selected file could not be uploaded"))


def _summary_rows(
    draft_or_answers: dict[str, str],
    definition: FormDefinition,
    language: str,
    draft: Draft | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for number, fields in enumerate(selectors.pages_of(definition), start=1):
        for field in fields:
            row: dict[str, Any] = {
                "label": field.label,
                "value": display_answer(field, draft_or_answers.get(field.name, ""), language),
                "field": field,
            }
            if draft is not None:
                row["change_url"] = (
                    reverse("webforms:page", args=[definition.slug, draft.public_id, number])
                    + "?change=1"
                )
            rows.append(row)
    return rows


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, slug: str, draft_id: str) -> HttpResponse:
    draft = _draft_or_404(request, slug, draft_id)
    if request.method == "POST":
        try:
            # Checks the required answers itself (on PostgreSQL, in the statement that sends).
            submission = intake.submit_draft(draft, citizen=_user(request), now=timezone.now())
        except intake.Unanswered:
            missing = missing_answers(draft.form, draft.answers)
            if not missing:
                raise Http404 from None
            return _to_first_unanswered(draft, missing)
        except intake.NotReadyToSubmit:
            raise Http404 from None
        # Nothing to remember in the session: the draft it holds lets it see the submission.
        return redirect("webforms:confirmation", reference=submission.reference)
    missing = missing_answers(draft.form, draft.answers)
    if missing:
        return _to_first_unanswered(draft, missing)
    context = {
        "definition": draft.form,
        "draft": draft,
        "rows": _summary_rows(draft.answers, draft.form, _language(), draft),
        "files": draft.attachments.all(),
        "back_url": reverse("webforms:page", args=[slug, draft.public_id, len(_pages(draft))]),
    }
    return render(request, "webforms/check.html", context)


def _to_first_unanswered(draft: Draft, missing: list[FormField]) -> HttpResponse:
    number = _page_number(draft, missing[0])
    return redirect("webforms:page", slug=draft.form.slug, draft_id=draft.public_id, number=number)


def _page_number(draft: Draft, field: FormField) -> int:
    for number, fields in enumerate(_pages(draft), start=1):
        if field in fields:
            return number
    return 1


@require_GET
def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        submission = selectors.submission_for_citizen(reference, _user(request), request.session)
    except NotPermitted:
        raise Http404 from None
    return render(request, "webforms/confirmation.html", {"submission": submission})


@require_http_methods(["GET", "POST"])
def save(request: HttpRequest, slug: str, draft_id: str) -> HttpResponse:
    draft = _draft_or_404(request, slug, draft_id)
    user = _user(request)
    now = timezone.now()
    if user is not None:
        drafts.save_to_account(draft, user, now=now)
        return render(request, "webforms/saved.html", {"draft": draft, "signed_in": True})
    form = SaveForm(request.POST or None, initial={"email": draft.answers.get("email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            drafts.send_magic_link(draft, form.cleaned_data["email"], now=now)
        except drafts.DraftUnavailable:
            raise Http404 from None
        return render(
            request,
            "webforms/saved.html",
            {"draft": draft, "signed_in": False, "email": form.cleaned_data["email"]},
        )
    back = reverse("webforms:page", args=[slug, draft.public_id, 1])
    return render(request, "webforms/save.html", {"draft": draft, "form": form, "back_url": back})


@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """A magic link. GET only asks to continue, so a mail scanner opening the link does not
    spend it; the POST spends it."""
    if request.method == "GET":
        return render(request, "webforms/resume.html", {})
    try:
        draft = drafts.use_magic_link(token, user=_user(request), now=timezone.now())
    except ContactCentreError:
        return render(request, "webforms/link_invalid.html", {}, status=410)
    remember_in_session(request.session, SESSION_DRAFTS, str(draft.public_id))
    return redirect("webforms:page", slug=draft.form.slug, draft_id=draft.public_id, number=1)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["reference"]
        from django.conf import settings

        reference = normalise_reference(typed, settings.WEBFORMS_REFERENCE_PREFIX) or ""
        client = client_address(request.META)
        if not tracking_attempt_allowed(client, reference):
            form.add_error(None, _("You have tried too many times. Try again in 15 minutes."))
            status = 429
        elif not reference:
            form.add_error(
                "reference", _("Enter a reference number in the correct format, like GS-7KQ4-92XM")
            )
        else:
            submission = selectors.find_for_tracking(reference, form.cleaned_data["email"])
            if submission is None:
                form.add_error(
                    None,
                    _("We could not find a request with that reference number and email address"),
                )
            else:
                remember_in_session(request.session, SESSION_SUBMISSIONS, submission.reference)
                return redirect("webforms:tracked", reference=submission.reference)
    return render(request, "webforms/track.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def tracked(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        submission = selectors.submission_for_citizen(reference, _user(request), request.session)
    except NotPermitted:
        return redirect("webforms:track")
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        inbox.citizen_reply(submission, form.cleaned_data["body"], now=timezone.now())
        return redirect("webforms:tracked", reference=reference)
    context = {
        "submission": submission,
        "contact": submission.contact,
        "history": selectors.citizen_history(submission),
        "rows": _summary_rows(submission.answers, submission.form, submission.language),
        "files": submission.attachments.all(),
        "form": form,
    }
    return render(request, "webforms/tracked.html", context)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user is not None
    context = {
        "drafts": selectors.drafts_of_citizen(user)[:50],
        "submissions": selectors.submissions_of_citizen(user)[:50],
    }
    return render(request, "webforms/mine.html", context)


@require_GET
def attachment(request: HttpRequest, public_id: str) -> HttpResponseBase:
    try:
        found = selectors.attachment_for(public_id, _user(request), request.session)
        path = stored_path(found.stored_name)
    except NotPermitted:
        raise Http404 from None
    if not path.is_file():
        raise Http404
    user = _user(request)
    if user is not None and found.submission is not None and found.submission.citizen_id != user.pk:
        from contactcentre.actions import record_audit_event

        record_audit_event(user, "download_attachment", found.submission, file=str(found.public_id))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
