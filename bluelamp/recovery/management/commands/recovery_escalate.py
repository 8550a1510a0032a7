import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bluelamp.forces.importing import force_get
from bluelamp.recovery.services import cases_escalate_overdue


class Command(BaseCommand):
    help = (
        "Escalate overdue service-recovery cases to the force's duty supervisor. Safe to run "
        "as often as you like (from cron or the worker): each case is escalated once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", help="Only this force (its slug)")
        parser.add_argument(
            "--now",
            help="Treat this moment (ISO 8601 with an offset) as now, to check what would be due",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        force = None
        if options["force"]:
            force = force_get(options["force"])
        now = timezone.now()
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError("--now: use ISO 8601, e.g. 2026-11-27T09:00:00+00:00") from None
            if now.tzinfo is None:
                raise CommandError("--now: give the offset, e.g. 2026-11-27T09:00:00+00:00")
        escalated = cases_escalate_overdue(now=now, force=force)
        self.stdout.write(f"escalated {escalated} overdue case(s)")
