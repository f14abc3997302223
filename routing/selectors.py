"""Reads of routing data that several pages share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.conf import settings

from routing.models import OpeningSession, Schedule, Weekday


@dataclass(frozen=True)
class OpeningPeriod:
    """Consecutive weekdays with the same hours, e.g. Monday to Friday, 08:00 to 20:00."""

    first_day: str
    last_day: str
    opens: time
    closes: time

    @property
    def single_day(self) -> bool:
        return self.first_day == self.last_day


def live_agent_schedule() -> Schedule | None:
    return (
        Schedule.objects.filter(slug=settings.LIVE_AGENT_SCHEDULE)
        .prefetch_related("sessions")
        .first()
    )


def opening_periods(schedule: Schedule | None) -> list[OpeningPeriod]:
    """Group a schedule's weekly sessions into readable periods, Monday first."""
    if schedule is None:
        return []
    sessions: list[OpeningSession] = sorted(
        schedule.sessions.all(), key=lambda s: (s.weekday, s.opens)
    )
    periods: list[OpeningPeriod] = []
    previous: OpeningSession | None = None
    for session in sessions:
        extends = (
            periods
            and previous is not None
            and session.weekday == previous.weekday + 1
            and (session.opens, session.closes) == (previous.opens, previous.closes)
        )
        day = str(Weekday(session.weekday).label)
        if extends:
            last = periods[-1]
            periods[-1] = OpeningPeriod(last.first_day, day, last.opens, last.closes)
        else:
            periods.append(OpeningPeriod(day, day, session.opens, session.closes))
        previous = session
    return periods
