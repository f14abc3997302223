"""Reads of the spine that several pages share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from contactcentre.models import Channel, Contact, ContactStatus, User


def contacts_of_citizen(citizen: User) -> QuerySet[Contact]:
    """A citizen's own contacts, newest first. Nobody else's, ever."""
    return Contact.objects.filter(citizen=citizen).order_by("-created_at")


def open_contacts() -> QuerySet[Contact]:
    """Contacts still being worked, oldest first: what the console shows."""
    return (
        Contact.objects.exclude(status=ContactStatus.CLOSED)
        .select_related("citizen")
        .order_by("created_at")
    )


def contact_for_staff(public_id: str) -> Contact:
    return (
        Contact.objects.select_related("citizen")
        .prefetch_related("transitions__actor")
        .get(public_id=public_id)
    )


@dataclass(frozen=True)
class ContactFigures:
    """Counts of contacts received in a period, every channel and status listed (zeros too)."""

    total: int
    by_channel: list[tuple[str, int]]
    by_status: list[tuple[str, int]]


def contact_figures_since(since: datetime) -> ContactFigures:
    recent = Contact.objects.filter(created_at__gte=since)
    channels = dict(recent.values_list("channel").annotate(n=Count("id")))
    statuses = dict(recent.values_list("status").annotate(n=Count("id")))
    return ContactFigures(
        total=sum(channels.values()),
        by_channel=[(str(c.label), channels.get(c.value, 0)) for c in Channel],
        by_status=[(str(s.label), statuses.get(s.value, 0)) for s in ContactStatus],
    )
