"""Panels other apps' templates include, so the spine never imports ``routing``."""

from __future__ import annotations

from django import template

from routing.selectors import live_agent_schedule, opening_periods

register = template.Library()


@register.inclusion_tag("routing/opening_hours.html")
def live_agent_hours() -> dict[str, object]:
    """The weekly hours when advisers answer live chat."""
    return {"periods": opening_periods(live_agent_schedule())}
