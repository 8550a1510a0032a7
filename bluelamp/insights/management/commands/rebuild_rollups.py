from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.forces.importing import force_get
from bluelamp.insights.rollups import rollups_check, rollups_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the live view's rollups from the responses and invitations themselves. "
        "With --check, change nothing: report every count that differs (exit status 1 if any)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing")
        parser.add_argument("--force", help="One force's slug (default: every force)")

    def handle(self, *args: Any, **options: Any) -> None:
        force_id = None
        if options["force"]:
            force = force_get(options["force"])
            force_id = force.pk
        if options["check"]:
            differences = rollups_check(force_id)
            for d in differences[:200]:
                self.stdout.write(str(d))
            if differences:
                raise CommandError(
                    f"{len(differences)} counts differ from the raw data "
                    "(first 200 listed above); `bluelamp rebuild-rollups` recomputes them.",
                    returncode=1,
                )
            self.stdout.write("Rollups match the raw data.")
            return
        rows = rollups_rebuild(force_id)
        self.stdout.write(f"Rebuilt {rows} rollup rows from the raw data.")
