"""Opening hours are shown as readable periods."""

from __future__ import annotations

from datetime import time

import pytest

from routing.models import OpeningSession, Schedule
from routing.selectors import opening_periods

pytestmark = pytest.mark.django_db


def test_consecutive_days_with_the_same_hours_form_one_period() -> None:
    schedule = Schedule.objects.create(slug="s", name="S")
    for day in range(5):
        OpeningSession.objects.create(
            schedule=schedule, weekday=day, opens=time(8), closes=time(20)
        )
    OpeningSession.objects.create(schedule=schedule, weekday=5, opens=time(9), closes=time(13))
    periods = opening_periods(schedule)
    assert [(p.first_day, p.last_day, p.opens, p.closes) for p in periods] == [
        ("Monday", "Friday", time(8), time(20)),
        ("Saturday", "Saturday", time(9), time(13)),
    ]
    assert periods[1].single_day


def test_a_gap_in_the_week_starts_a_new_period() -> None:
    schedule = Schedule.objects.create(slug="s", name="S")
    for day in (0, 1, 3):
        OpeningSession.objects.create(
            schedule=schedule, weekday=day, opens=time(8), closes=time(20)
        )
    assert [(p.first_day, p.last_day) for p in opening_periods(schedule)] == [
        ("Monday", "Tuesday"),
        ("Thursday", "Thursday"),
    ]


def test_no_schedule_means_no_periods() -> None:
    assert opening_periods(None) == []
