"""Erasure past retention for service-recovery cases: the timeline keeps its shape, not words."""

import datetime as dt

from django.db import transaction

from bluelamp.audit.services import audit_counts
from bluelamp.forces.models import Force
from bluelamp.intake.selectors import people_past_retention
from bluelamp.lib.erasure import Tally
from bluelamp.recovery.models import CaseAction

# What people wrote on a case's timeline; the other kinds hold Bluelamp's own words.
WRITTEN = [
    CaseAction.Kind.NOTE,
    CaseAction.Kind.CONTACT_ATTEMPT,
    CaseAction.Kind.STATUS,
    CaseAction.Kind.REASSIGNED,
]


def case_notes_purge(
    *, now: dt.datetime, days: int, check: bool = False, tally: Tally | None = None
) -> int:
    """Erase the notes staff wrote on closed cases about a caller whose every contact is older
    than ``days`` (``PERSONAL_DATA_RETENTION_DAYS``). Each action keeps its kind, time,
    author and the statuses and owners before and after, and the case its reasons, outcome
    and dates, so the recovery measures do not change. With ``check`` nothing changes and
    ``tally`` gets the counts. Returns how many notes are erased; one audit record of counts
    per force."""
    cutoff = now - dt.timedelta(days=days)
    tally = tally if tally is not None else Tally()
    total = 0
    for force in Force.objects.all():
        with transaction.atomic():
            people = people_past_retention(force=force, cutoff=cutoff)
            notes = CaseAction.objects.filter(
                case__force=force,
                case__contact__person__in=people,
                case__closed_at__isnull=False,
                kind__in=WRITTEN,
            ).exclude(text="")
            n = notes.count()
            tally.add(force.slug, "recovery_case.note", n)
            total += n
            if check or not n:
                continue
            notes.update(text="")
            audit_counts(
                force=force,
                summary=f"{n} notes on closed recovery cases erased "
                f"(contacts before {cutoff:%Y-%m-%d})",
            )
    return total
