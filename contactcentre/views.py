"""The spine's pages: the start page, the citizen's account, and the staff shells."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from contactcentre import selectors
from contactcentre.access import staff_page
from contactcentre.actions import record_audit_event
from contactcentre.models import Contact, User
from contactcentre.roles import Role, is_staff_member


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "contactcentre/start.html")


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Staff go to the console, citizens to their account."""
    assert isinstance(request.user, User)
    if is_staff_member(request.user):
        return redirect("console")
    return redirect("my_account")


@login_required
@require_GET
def my_account(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    contacts = selectors.contacts_of_citizen(request.user)[:50]
    return render(request, "contactcentre/my_account.html", {"contacts": contacts})


@staff_page(Role.AGENT)
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    """The console shell: each app's panel, in the order ``CONSOLE_PANELS`` gives."""
    contacts = selectors.open_contacts()[:200]
    panels = settings.CONSOLE_PANELS
    return render(request, "console/home.html", {"contacts": contacts, "console_panels": panels})


@staff_page(Role.AGENT)
@require_GET
def console_contact(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        contact = selectors.contact_for_staff(public_id)
    except (Contact.DoesNotExist, ValueError):
        raise Http404 from None
    assert isinstance(request.user, User)
    record_audit_event(request.user, "view_contact", contact)
    return render(request, "console/contact.html", {"contact": contact})


@staff_page(Role.MANAGER)
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    now = timezone.localtime()
    since = now.replace(hour=0, minute=0, second=0, microsecond=0)
    figures = {
        "today": selectors.contact_figures_since(since),
        "last_7_days": selectors.contact_figures_since(since - timedelta(days=6)),
    }
    return render(request, "manage/home.html", {"figures": figures})
