"""Managers' routing pages. Editing hours, closures, queues, skills and rules is in the admin."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from contactcentre.access import staff_page
from contactcentre.roles import Role
from routing.forms import TryPolicyForm
from routing.policy import ContactDescription, decide
from routing.selectors import availability_snapshot, policy_config


@staff_page(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def try_policy(request: HttpRequest) -> HttpResponse:
    """Type a message; see the decision the policy would take, and its reasons."""
    form = TryPolicyForm(request.POST or None)
    decision = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        at = data["at"] or timezone.now()
        description = ContactDescription(
            text=data["text"],
            language=data["language"],
            form=data["form"],
            repeat_contact=data["repeat_contact"],
        )
        # As the ``route`` command does: scheduled staff are assumed signed in when open.
        no_agents = data["no_agents"]
        snapshot = availability_snapshot(at, assume_staffed=not no_agents, no_agents=no_agents)
        decision = decide(description, at, snapshot, policy_config())
    return render(request, "routing/try_policy.html", {"form": form, "decision": decision})
