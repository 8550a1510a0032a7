from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.forces.importing import force_get
from bluelamp.investigations.outcome_rollups import rollups_check, rollups_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the outcome rollups (the charge rates page's counts) from the crimes and "
        "their latest outcomes. With --check, change nothing: report every count that "
        "differs (exit status 1 if any)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing")
        parser.add_argument("--force", help="One force's slug (default: every force)")

    def handle(self, *args: Any, **options: Any) -> None:
        force_id = force_get(options["force"]).pk if options["force"] else None
        if options["check"]:
            differences = rollups_check(force_id)
            for d in differences[:200]:
                self.stdout.write(str(d))
            if differences:
                raise CommandError(
                    f"{len(differences)} counts differ from the crimes (first 200 listed "
                    "above); `bluelamp rebuild-outcome-rollups` recomputes them.",
                    returncode=1,
                )
            self.stdout.write("Outcome rollups match the crimes.")
            return
        rows = rollups_rebuild(force_id)
        self.stdout.write(f"Rebuilt {rows} outcome rollup rows from the crimes.")
