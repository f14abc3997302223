"""The console panel's figures: the console shell composes panels by template, so the panel
fetches its own (through the selector) with this tag."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from webforms import selectors

register = template.Library()


@register.simple_tag
def webforms_inbox_summary(user: Any) -> dict[str, int]:
    return selectors.inbox_summary(user, timezone.now())
