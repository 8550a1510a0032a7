"""The personal-data purge past retention, across the apps that hold personal data: the
``purge-personal-data`` command and the worker's daily duty run the same function."""

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from bluelamp.care.erasure import victim_data_purge
from bluelamp.intake.services import personal_data_purge
from bluelamp.lib.erasure import Tally
from bluelamp.prevention.erasure import zone_places_purge
from bluelamp.recovery.erasure import case_notes_purge


@dataclass
class Purged:
    people: int
    victims: int
    notes: int
    tally: Tally

    def summary(self) -> str:
        """Counts only, so it may be logged."""
        return f"{self.people} people, {self.victims} victims and {self.notes} case notes erased"


def personal_data_purge_all(*, now: dt.datetime, days: int, check: bool = False) -> Purged:
    """Erase callers' and victims' personal data older than ``days`` (with the places of
    prevention zones of their crimes), and case notes, keeping
    what the statistics need. With ``check`` nothing changes (one transaction, rolled back);
    a purge commits force by force, since one transaction would hold SQLite's lock."""
    tally = Tally()
    with transaction.atomic() if check else contextlib.nullcontext():
        people = personal_data_purge(now=now, days=days, check=check, tally=tally)
        victims = victim_data_purge(now=now, days=days, check=check, tally=tally)
        zone_places_purge(now=now, days=days, check=check, tally=tally)
        notes = case_notes_purge(now=now, days=days, check=check, tally=tally)
        if check:
            transaction.set_rollback(True)
    return Purged(people=people, victims=victims, notes=notes, tally=tally)
