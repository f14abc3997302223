"""Due dates in working days (weekends, bank holidays, clock changes) and checkable references."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from webforms.reference import ALPHABET, check_character, new_reference, normalise_reference
from webforms.sla import LONDON, add_working_days, due_at, is_working_day


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def test_friday_request_with_two_working_days_is_due_at_the_end_of_tuesday() -> None:
    due = due_at(london(2026, 11, 27, 17, 30), 2)  # Friday
    assert due == london(2026, 12, 2, 0, 0)  # end of Tuesday 1 December


def test_bank_holidays_do_not_count() -> None:
    # Wednesday 23 December 2026: 25 and 28 December (Boxing Day substitute) are holidays.
    assert add_working_days(date(2026, 12, 23), 2).isoformat() == "2026-12-29"
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))


def test_easter_is_skipped() -> None:
    # Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April are holidays.
    assert due_at(london(2026, 4, 2, 9), 1) == london(2026, 4, 8, 0)


def test_due_date_after_the_spring_clock_change_is_local_midnight() -> None:
    # Clocks go forward on Sunday 29 March 2026.
    due = due_at(london(2026, 3, 27, 12), 1)  # Friday, GMT
    assert due == london(2026, 3, 31, 0)
    assert due.utcoffset() == timedelta(hours=1)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 23, 0, tzinfo=UTC)


def test_due_date_after_the_autumn_clock_change_is_local_midnight() -> None:
    # Clocks go back on Sunday 25 October 2026.
    due = due_at(london(2026, 10, 23, 23, 30), 1)  # Friday, BST
    assert due.astimezone(UTC) == datetime(2026, 10, 27, 0, 0, tzinfo=UTC)


def test_a_request_arriving_in_utc_late_evening_counts_from_the_london_day() -> None:
    # 23:30 UTC on Sunday 14 June is 00:30 Monday in London (BST): Monday is the arrival day.
    due = due_at(datetime(2026, 6, 14, 23, 30, tzinfo=UTC), 1)
    assert due == london(2026, 6, 17, 0)


def test_zero_working_days_means_the_end_of_the_next_working_day_from_arrival() -> None:
    assert due_at(london(2026, 11, 28, 10), 0) == london(2026, 12, 1, 0)  # Saturday → Monday
    assert due_at(london(2026, 11, 26, 10), 0) == london(2026, 11, 27, 0)


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),  # noqa: DTZ001
    st.integers(min_value=1, max_value=40),
)
def test_due_dates_end_a_working_day_after_arrival(arrival: datetime, days: int) -> None:
    received = arrival.replace(tzinfo=UTC)
    due = due_at(received, days)
    local = due.astimezone(LONDON)
    assert (local.hour, local.minute) == (0, 0)
    last_day = (local - timedelta(days=1)).date()
    assert is_working_day(last_day)
    assert due > received
    arrived = received.astimezone(LONDON).date()
    working = sum(
        is_working_day(arrived + timedelta(days=n)) for n in range(1, (last_day - arrived).days + 1)
    )
    assert working == days


@given(st.integers(min_value=0, max_value=10_000))
def test_every_new_reference_checks_and_one_typo_is_caught(seed: int) -> None:
    reference = new_reference("GS")
    assert normalise_reference(reference, "GS") == reference
    assert normalise_reference(reference.lower().replace("-", " "), "GS") == reference
    chars = reference.replace("GS-", "").replace("-", "")
    position = seed % len(chars)
    for wrong in ALPHABET:
        if wrong != chars[position]:
            typo = chars[:position] + wrong + chars[position + 1 :]
            assert normalise_reference(typo, "GS") is None


def test_references_avoid_look_alike_characters() -> None:
    for char in "01ILOUV":
        assert char not in ALPHABET
    assert check_character("7KQ492X") in ALPHABET
    assert normalise_reference("GS-7KQ4-92X", "GS") is None
    assert normalise_reference("nonsense", "GS") is None
