"""A page's query parameters, checked: a bad value is a 400 that names the parameter, never
silently replaced by the default.

    query = QueryCheck(request.GET)
    status = query.choice("status", STATUSES, default="open")
    month = query.month("month", default=today)
    query.done()  # raises BadQuery naming every bad parameter at once

``BadQuery`` is Django's ``BadRequest``, so the site's 400 page (or, under ``/api/``, a JSON
answer) shows each parameter and what was wrong with it, never the value sent.
"""

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import BadRequest

from bluelamp.lib.inputs import EARLIEST, LATEST

CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")
MONTH = re.compile(r"(\d{4})-(\d{2})")
DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class BadQuery(BadRequest):
    """Query parameters that cannot be used, each by name with what was wrong."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


class QueryCheck:
    def __init__(self, query: Mapping[str, str]) -> None:
        self.query = query
        self.errors: dict[str, str] = {}

    def _given(self, name: str) -> str | None:
        value = self.query.get(name)
        return value if value not in (None, "") else None

    def text(self, name: str, *, max_length: int) -> str:
        """Free text such as a reference: any printable characters, at most ``max_length``;
        surrounding spaces are dropped. "" when not given."""
        value = (self._given(name) or "").strip()
        if not value.isprintable():
            self.errors[name] = "should not contain line breaks or other control characters"
        elif len(value) > max_length:
            self.errors[name] = f"at most {max_length} characters"
        else:
            return value
        return ""

    def code(self, name: str) -> str:
        """A code (a service, a team): letters, digits, ``-`` and ``_``. "" when not given."""
        value = self._given(name)
        if value is None:
            return ""
        if not CODE.fullmatch(value):
            self.errors[name] = "should be a code of letters, digits, - and _ (at most 40)"
            return ""
        return value

    def choice(self, name: str, choices: Iterable[str], *, default: str) -> str:
        value = self._given(name)
        if value is None:
            return default
        allowed = list(choices)
        if value not in allowed:
            # An empty value is "not given", so "" is never one to name.
            self.errors[name] = "should be one of " + ", ".join(a for a in allowed if a)
            return default
        return value

    def number(self, name: str, choices: Iterable[int], *, default: int) -> int:
        allowed = [str(n) for n in choices]
        return int(self.choice(name, allowed, default=str(default)))

    def positive(self, name: str, *, default: int, most: int = 1_000_000) -> int:
        """A whole number from 1 to ``most`` (a page number)."""
        value = self._given(name)
        if value is None:
            return default
        if not value.isdigit() or not 1 <= int(value) <= most:
            self.errors[name] = f"should be a whole number from 1 to {most:,}"
            return default
        return int(value)

    def month(self, name: str, *, default: dt.date) -> dt.date:
        """A month as ``2026-11``, from 1990 to 2100: its first day."""
        value = self._given(name)
        if value is None:
            return default.replace(day=1)
        found = MONTH.fullmatch(value)
        if found and 1 <= int(found.group(2)) <= 12:
            first = dt.date(int(found.group(1)) or 1, int(found.group(2)), 1)
            if EARLIEST <= first <= LATEST:
                return first
        self.errors[name] = (
            f"should be a month such as {default:%Y-%m}, from {EARLIEST:%Y-%m} to {LATEST:%Y-%m}"
        )
        return default.replace(day=1)

    def day(self, name: str, *, default: dt.date) -> dt.date:
        """A day as ``2026-11-23``, from 1990 to 2100."""
        value = self._given(name)
        if value is None:
            return default
        found = DAY.fullmatch(value)
        if found:
            try:
                day = dt.date(*(int(g) for g in found.groups()))
            except ValueError:
                pass
            else:
                if EARLIEST <= day <= LATEST:
                    return day
        self.errors[name] = (
            f"should be a day such as {default:%Y-%m-%d}, from {EARLIEST:%Y} to {LATEST:%Y}"
        )
        return default

    def done(self) -> None:
        if self.errors:
            raise BadQuery(self.errors)
