"""Service-level due dates in working days. Pure: no database.

A request is due by the end of the Nth working day after the day it arrives (the day of arrival
does not count, as for Freedom of Information requests). Working days are Monday to Friday
except England and Wales bank holidays. Days are counted on the local calendar and the end of
the day is local midnight, turned into an instant by ``zoneinfo``: a due date that falls after
a clock change is still the end of the local day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from routing.hours import is_bank_holiday

LONDON = ZoneInfo("Europe/London")


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def due_at(received_at: datetime, working_days: int, zone: ZoneInfo = LONDON) -> datetime:
    """When a request received at ``received_at`` must be answered by: the end (local midnight)
    of the ``working_days``-th working day after the local day it arrived. Zero working days
    means by the end of the next working day from arrival (the same day if it is one)."""
    arrived = received_at.astimezone(zone).date()
    if working_days == 0:
        last = arrived if is_working_day(arrived) else add_working_days(arrived, 1)
    else:
        last = add_working_days(arrived, working_days)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
