"""Opening hours: weekly sessions in local time, bank holidays, closures and clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.hours import (
    Closure,
    OpeningHours,
    Session,
    is_bank_holiday,
    is_open,
    next_change,
    next_opening,
)

LONDON = ZoneInfo("Europe/London")
LIVE = OpeningHours(sessions=tuple(Session(day, time(8), time(20)) for day in range(5)))


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def oracle(at: datetime) -> bool:
    """Open by the plain rule, computed from the local wall clock."""
    local = at.astimezone(LONDON)
    return (
        local.weekday() < 5
        and time(8) <= local.time() < time(20)
        and not is_bank_holiday(local.date())
    )


@settings(max_examples=500, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001
        max_value=datetime(2029, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    )
)
def test_open_exactly_when_the_local_clock_says_so(at: datetime) -> None:
    assert is_open(LIVE, at) is oracle(at)
    change = next_change(LIVE, at)
    assert change is not None
    # Nothing changes before the next change, and something changes at it.
    assert is_open(LIVE, change - timedelta(microseconds=1)) is oracle(at)
    assert is_open(LIVE, change) is not oracle(at)


def test_opening_follows_the_clock_change_in_spring_and_autumn() -> None:
    # Monday after the clocks go forward (29 March 2026): 08:00 BST is 07:00 UTC.
    assert not is_open(LIVE, datetime(2026, 3, 30, 6, 59, 59, tzinfo=UTC))
    assert is_open(LIVE, datetime(2026, 3, 30, 7, tzinfo=UTC))
    assert next_opening(LIVE, datetime(2026, 3, 28, 12, tzinfo=UTC)) == datetime(
        2026, 3, 30, 7, tzinfo=UTC
    )
    # Monday after the clocks go back (25 October 2026): 08:00 GMT is 08:00 UTC.
    assert not is_open(LIVE, datetime(2026, 10, 26, 7, 59, tzinfo=UTC))
    assert is_open(LIVE, datetime(2026, 10, 26, 8, tzinfo=UTC))


def test_sessions_across_the_missing_and_repeated_hours_stay_consistent() -> None:
    night = OpeningHours(sessions=(Session(6, time(0, 30), time(3)),))  # Sundays 00:30-03:00
    # 29 March 2026: 01:00-02:00 does not exist; still open 00:30 GMT to 03:00 BST.
    assert is_open(night, london(2026, 3, 29, 0, 45))
    assert is_open(night, datetime(2026, 3, 29, 1, 30, tzinfo=UTC))  # 02:30 BST
    assert not is_open(night, datetime(2026, 3, 29, 2, tzinfo=UTC))  # 03:00 BST
    # 25 October 2026: 01:00-02:00 happens twice; open throughout.
    assert is_open(night, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    assert is_open(night, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))


def test_bank_holidays_are_closed_and_skipped_by_next_opening() -> None:
    assert is_bank_holiday(date(2026, 8, 31))
    assert is_bank_holiday(date(2026, 12, 28))  # Boxing Day, substitute day
    assert not is_open(LIVE, london(2026, 8, 31, 11))
    assert next_opening(LIVE, london(2026, 8, 31, 11)) == london(2026, 9, 1, 8)
    assert next_opening(LIVE, london(2026, 12, 24, 21)) == london(2026, 12, 29, 8)


def test_a_one_off_closure_closes_early_on_christmas_eve() -> None:
    early = Closure(london(2026, 12, 24, 16), london(2026, 12, 24, 20), "Christmas Eve")
    hours = OpeningHours(sessions=LIVE.sessions, closures=(early,))
    assert is_open(hours, london(2026, 12, 24, 15, 59))
    assert not is_open(hours, london(2026, 12, 24, 16))
    assert next_change(hours, london(2026, 12, 24, 12)) == london(2026, 12, 24, 16)
    assert next_opening(hours, london(2026, 12, 24, 16)) == london(2026, 12, 29, 8)


def test_a_schedule_with_no_sessions_never_opens() -> None:
    assert next_opening(OpeningHours(), london(2026, 1, 5, 9)) is None
