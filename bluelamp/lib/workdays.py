"""Working days in England and Wales, as the Victims' Code counts them.

A working day is Monday to Friday and not a bank holiday in England and Wales. Substitute
days count as bank holidays (Boxing Day on a Saturday makes Monday 28 December 2026 one), as
do one-off holidays such as the state funeral on 19 September 2022; the dates come from the
``holidays`` package.

A Code deadline of n working days (referral to support within 2, suspect updates within 5, or
1 under Enhanced Rights) runs to the end of the nth working day after the day the clock
started, in London time. That day never counts, whatever the hour and even if it is a working
day, so a crime reported at 09:00 on a Friday and one reported at 23:59 share a deadline.

Pure functions: no ORM, no clock.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")

SATURDAY = 5
ONE_DAY = timedelta(days=1)


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays in England and Wales in ``year`` (substitute days included)."""
    # One frozen set per year, built once: a lazily expanding HolidayBase is mutated on lookup,
    # which is not safe under a threaded server. Neighbouring years are included because an
    # observed day may be listed under the year of the holiday it stands in for.
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(year - 1, year + 2))
    return frozenset(day for day in calendar if day.year == year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday (substitute days included) in England and Wales."""
    return day.weekday() < SATURDAY and day not in bank_holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The deadline ``days`` working days after ``start``, as an aware UTC datetime.

    The deadline is the end of the ``days``-th working day after the London date of ``start``,
    given as the first instant of the next calendar day in London: "by the end of Wednesday
    2 September 2026" is 2026-09-02 23:00 UTC (BST). The start day never counts; it may be a
    weekend or a bank holiday. ``days == 0`` means the end of the start day itself.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be a timezone-aware datetime")
    if days < 0:
        raise ValueError(f"days must be 0 or more, not {days}")
    day = start.astimezone(LONDON).date()
    counted = 0
    while counted < days:
        day += ONE_DAY
        if is_working_day(day):
            counted += 1
    # Midnight always exists in London: the clocks change at 01:00 and 02:00.
    end_of_day = datetime.combine(day + ONE_DAY, time.min, tzinfo=LONDON)
    return end_of_day.astimezone(UTC)


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 if none)."""
    count = 0
    day = start + ONE_DAY
    while day <= end:
        if is_working_day(day):
            count += 1
        day += ONE_DAY
    return count
