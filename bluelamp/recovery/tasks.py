"""Thin wrappers the worker loop and the management command call."""

import datetime as dt

from bluelamp.forces.models import Force
from bluelamp.recovery.services import cases_escalate_overdue


def overdue_cases_escalate(*, now: dt.datetime, force: Force | None = None) -> int:
    """Escalate the cases that have gone overdue since the last run (idempotent)."""
    return cases_escalate_overdue(now=now, force=force)
