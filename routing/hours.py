"""Opening hours as plain data: weekly sessions, bank holidays and one-off closures.

Pure: no database. Sessions are wall-clock times in the schedule's time zone, so 08:00 stays
08:00 across the clock changes; ``zoneinfo`` turns them into instants.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# How far ahead "next opening" looks before saying there is none.
SEARCH_DAYS = 400


@dataclass(frozen=True)
class Session:
    """Open from ``opens`` up to (not including) ``closes`` on ``weekday`` (Monday is 0)."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class Closure:
    """Closed from ``starts_at`` up to ``ends_at``, whatever the weekly hours say."""

    starts_at: datetime
    ends_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class OpeningHours:
    timezone: str = "Europe/London"
    sessions: tuple[Session, ...] = ()
    closures: tuple[Closure, ...] = ()
    closed_on_bank_holidays: bool = True
    always_open: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


ALWAYS_OPEN = OpeningHours(always_open=True)


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays (substitute days included), from the offline tables."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    # A wall-clock time the spring change skips is taken as the instant after the gap.
    moment = datetime.combine(day, at, tzinfo=zone)
    round_trip = moment.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        moment = round_trip
    return moment


def _weekly_intervals(
    hours: OpeningHours, first: date, days: int
) -> Iterator[tuple[datetime, datetime]]:
    zone = hours.zone
    by_day: dict[int, list[Session]] = {}
    for session in hours.sessions:
        by_day.setdefault(session.weekday, []).append(session)
    for offset in range(days):
        day = first + timedelta(days=offset)
        if hours.closed_on_bank_holidays and is_bank_holiday(day):
            continue
        for session in sorted(by_day.get(day.weekday(), ()), key=lambda s: s.opens):
            yield _local(day, session.opens, zone), _local(day, session.closes, zone)


def _minus_closures(
    start: datetime, end: datetime, closures: tuple[Closure, ...]
) -> Iterator[tuple[datetime, datetime]]:
    pieces = [(start, end)]
    for closure in closures:
        remaining = []
        for piece_start, piece_end in pieces:
            if closure.ends_at <= piece_start or closure.starts_at >= piece_end:
                remaining.append((piece_start, piece_end))
                continue
            if piece_start < closure.starts_at:
                remaining.append((piece_start, closure.starts_at))
            if closure.ends_at < piece_end:
                remaining.append((closure.ends_at, piece_end))
        pieces = remaining
    yield from pieces


def open_intervals(
    hours: OpeningHours, after: datetime, days: int = SEARCH_DAYS
) -> Iterator[tuple[datetime, datetime]]:
    """Times open, in order, from the local day before ``after`` for ``days`` days."""
    first = after.astimezone(hours.zone).date() - timedelta(days=1)
    for start, end in _weekly_intervals(hours, first, days + 1):
        yield from _minus_closures(start, end, hours.closures)


def is_open(hours: OpeningHours, at: datetime) -> bool:
    if hours.always_open:
        return True
    return any(start <= at < end for start, end in open_intervals(hours, at, days=2))


def next_opening(hours: OpeningHours, at: datetime) -> datetime | None:
    """The first instant at or after ``at`` when it is open, or None if it never opens."""
    if hours.always_open:
        return at
    for start, end in open_intervals(hours, at):
        if end > at:
            return max(start, at)
    return None


def next_change(hours: OpeningHours, at: datetime) -> datetime | None:
    """The next instant after ``at`` when it opens or closes."""
    if hours.always_open:
        return None
    for start, end in open_intervals(hours, at):
        if start > at:
            return start
        if end > at:
            return end
    return None
