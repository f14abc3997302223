"""Demo queues and opening hours: live agents Monday to Friday, 08:00 to 20:00 UK time."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import transaction

from routing.models import OpeningSession, Queue, Schedule, Weekday

DEMO_QUEUES = (
    ("general", "General help", "Help with a GovSign account."),
    ("identity", "Proving identity", "Problems proving who you are."),
    ("fraud", "Fraud and scams", "Suspected fraud, identity theft and accounts taken over."),
    ("accessibility", "Accessibility", "Help for people with access needs."),
    ("welsh", "Welsh language", "Help in Welsh."),
)
WORKING_DAYS = (
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
    Weekday.FRIDAY,
)


@transaction.atomic
def load_demo_data() -> list[str]:
    schedule, created = Schedule.objects.get_or_create(
        slug=settings.LIVE_AGENT_SCHEDULE,
        defaults={"name": "Live agents", "timezone": "Europe/London"},
    )
    if created:
        OpeningSession.objects.bulk_create(
            OpeningSession(schedule=schedule, weekday=day, opens=time(8), closes=time(20))
            for day in WORKING_DAYS
        )
    for slug, name, description in DEMO_QUEUES:
        Queue.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "schedule": schedule}
        )
    return [
        f"Queues: {', '.join(slug for slug, _n, _d in DEMO_QUEUES)}; "
        f"live agents Monday to Friday 08:00-20:00 Europe/London."
    ]
