"""Working days in England and Wales and the Victims' Code deadline."""

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelamp.lib.workdays import (
    LONDON,
    add_working_days,
    is_working_day,
    working_days_between,
)

# The plain model the properties check against: weekends and the published holiday set.
HOLIDAYS = set(holidays.country_holidays("GB", subdiv="ENG", years=range(2019, 2033)))

# The bank holidays in England and Wales published on GOV.UK.
GOV_UK_2026 = {
    date(2026, 1, 1),
    date(2026, 4, 3),
    date(2026, 4, 6),
    date(2026, 5, 4),
    date(2026, 5, 25),
    date(2026, 8, 31),
    date(2026, 12, 25),
    date(2026, 12, 28),
}
GOV_UK_2027 = {
    date(2027, 1, 1),
    date(2027, 3, 26),
    date(2027, 3, 29),
    date(2027, 5, 3),
    date(2027, 5, 31),
    date(2027, 8, 30),
    date(2027, 12, 27),
    date(2027, 12, 28),
}


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year, published", [(2026, GOV_UK_2026), (2027, GOV_UK_2027)])
def test_weekday_non_working_days_are_the_published_bank_holidays(year, published):
    closed = {day for day in days_of(year) if day.weekday() < 5 and not is_working_day(day)}
    assert closed == published


def test_weekends_and_one_off_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 8, 29))  # Saturday
    assert not is_working_day(date(2026, 8, 30))  # Sunday
    assert not is_working_day(date(2022, 9, 19))  # state funeral of Queen Elizabeth II
    assert not is_working_day(date(2023, 5, 8))  # coronation of King Charles III
    assert is_working_day(date(2026, 9, 1))


def test_the_summer_bank_holiday_example():
    # Friday 28 August 2026, 2 working days: Monday 31 August is a bank holiday, so Tuesday 1
    # and Wednesday 2 September count, and the deadline is the end of Wednesday (BST).
    deadline = add_working_days(london(2026, 8, 28, 10), 2)
    assert deadline == utc(2026, 9, 2, 23)
    assert deadline.tzinfo is UTC
    assert deadline.astimezone(LONDON) == london(2026, 9, 3)


def test_the_start_day_never_counts_whatever_the_hour():
    for hour, minute in [(0, 0), (9, 0), (23, 59)]:
        assert add_working_days(london(2026, 9, 1, hour, minute), 1) == utc(2026, 9, 2, 23)


def test_zero_days_is_the_end_of_the_start_day():
    assert add_working_days(london(2026, 9, 1, 14), 0) == utc(2026, 9, 1, 23)
    assert add_working_days(london(2026, 8, 31, 14), 0) == utc(2026, 8, 31, 23)


def test_a_start_on_a_weekend_or_bank_holiday():
    # Saturday 29 August 2026: Monday is the bank holiday, so Tuesday is the first day.
    assert add_working_days(london(2026, 8, 29, 12), 1) == utc(2026, 9, 1, 23)
    assert add_working_days(london(2026, 8, 31, 12), 1) == utc(2026, 9, 1, 23)


def test_christmas_2026():
    # Thursday 24 December: Christmas Day (Fri), the weekend and the Boxing Day substitute
    # (Mon 28) are skipped, so 2 working days end on Wednesday 30 December (GMT).
    assert add_working_days(london(2026, 12, 24, 16), 2) == utc(2026, 12, 31)
    assert add_working_days(london(2026, 12, 24, 16), 1) == utc(2026, 12, 30)


def test_new_year_2027():
    # Thursday 31 December 2026: New Year's Day is a Friday bank holiday.
    assert add_working_days(london(2026, 12, 31, 9), 1) == utc(2027, 1, 5)


def test_christmas_2027_two_substitute_days():
    # Christmas on a Saturday: Monday 27 and Tuesday 28 December are both bank holidays.
    assert add_working_days(london(2027, 12, 24, 9), 1) == utc(2027, 12, 30)
    assert working_days_between(date(2027, 12, 24), date(2027, 12, 31)) == 3


def test_clocks_going_forward():
    # Clocks go forward at 01:00 on Sunday 29 March 2026. A Friday evening start in GMT ends
    # on Monday in BST.
    assert add_working_days(london(2026, 3, 27, 23, 30), 1) == utc(2026, 3, 30, 23)
    # The end of the short day itself is midnight BST.
    assert add_working_days(london(2026, 3, 29, 12), 0) == utc(2026, 3, 29, 23)


def test_clocks_going_back():
    # Clocks go back at 02:00 on Sunday 25 October 2026. Friday 23 in BST, Monday 26 in GMT.
    assert add_working_days(london(2026, 10, 23, 18), 1) == utc(2026, 10, 27)
    assert add_working_days(london(2026, 10, 25, 1, 30), 0) == utc(2026, 10, 26)


def test_the_day_is_the_london_date_not_the_utc_date():
    # 23:30 UTC on Tuesday 30 June 2026 is 00:30 BST on Wednesday 1 July.
    assert add_working_days(utc(2026, 6, 30, 23, 30), 1) == utc(2026, 7, 2, 23)
    # 23:30 UTC on Tuesday 15 December 2026 is still Tuesday in GMT.
    assert add_working_days(utc(2026, 12, 15, 23, 30), 1) == utc(2026, 12, 17)


def test_naive_start_and_negative_days_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2026, 9, 1, 10), 2)
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(london(2026, 9, 1, 10), -1)


def test_working_days_between():
    assert working_days_between(date(2026, 8, 28), date(2026, 9, 2)) == 2
    assert working_days_between(date(2026, 8, 28), date(2026, 8, 31)) == 0
    assert working_days_between(date(2026, 9, 2), date(2026, 9, 2)) == 0
    assert working_days_between(date(2026, 9, 2), date(2026, 8, 28)) == 0
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253


def plain_due_day(start: date, n: int) -> date:
    day = start
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in HOLIDAYS:
            counted += 1
    return day


starts = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 12, 31, 23, 59),
    timezones=st.sampled_from([LONDON, UTC]),
    allow_imaginary=False,
)
counts = st.integers(min_value=0, max_value=30)


@settings(max_examples=300, deadline=None)
@given(start=starts, n=counts)
def test_deadline_agrees_with_a_plain_calendar_count(start, n):
    deadline = add_working_days(start, n)
    local = deadline.astimezone(LONDON)
    assert deadline.tzinfo is UTC
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    due = local.date() - timedelta(days=1)
    assert due == plain_due_day(start.astimezone(LONDON).date(), n)
    assert deadline > start
    if n > 0:
        assert is_working_day(due)


@settings(max_examples=300, deadline=None)
@given(start=starts, n=counts)
def test_working_days_between_inverts_the_deadline(start, n):
    due = add_working_days(start, n).astimezone(LONDON).date() - timedelta(days=1)
    assert working_days_between(start.astimezone(LONDON).date(), due) == n


@settings(max_examples=200, deadline=None)
@given(first=starts, second=starts, n=counts, m=counts)
def test_deadlines_are_monotonic(first, second, n, m):
    early, late = sorted([first, second])
    assert add_working_days(early, n) <= add_working_days(late, n)
    low, high = sorted([n, m])
    if low < high:
        assert add_working_days(early, low) < add_working_days(early, high)
    else:
        assert add_working_days(early, low) == add_working_days(early, high)
