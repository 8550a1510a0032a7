"""``bluelamp purge-personal-data [--check] [--days N]``: erasure past retention, run daily."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from bluelamp.ops.retention import personal_data_purge_all


class Command(BaseCommand):
    help = (
        "Erase callers' and victims' personal data older than PERSONAL_DATA_RETENTION_DAYS, "
        "keeping what the statistics need (the worker runs it daily). --check lists what "
        "would go, as counts per force and kind of field, and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.PERSONAL_DATA_RETENTION_DAYS)
        parser.add_argument(
            "--check", action="store_true", help="List what would be erased; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        days: int = options["days"]
        check: bool = options["check"]
        # A check promises to change nothing: it runs in a transaction that is rolled back.
        purged = personal_data_purge_all(now=now, days=days, check=check)
        people, victims, notes, tally = purged.people, purged.victims, purged.notes, purged.tally
        cutoff = now - dt.timedelta(days=days)
        if check:
            self.stdout.write(
                f"Check only, nothing changed. Past retention ({days} days: contacts and "
                f"crimes before {cutoff:%Y-%m-%d}), would erase {people} people, {victims} "
                f"victims and {notes} case notes:"
            )
        else:
            self.stdout.write(
                f"Erased the personal details of {people} people and {victims} victims, and "
                f"{notes} case notes (victims with a referral still being worked are kept "
                "until it is declined or closed):"
            )
        self.stdout.write("\n".join(tally.lines()) or "nothing")
