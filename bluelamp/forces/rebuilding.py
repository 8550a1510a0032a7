"""The skeleton of the commands that recompute counts kept beside the records they count
(``rebuild-rollups``, ``rebuild-outcome-rollups``): ``--force`` (default every force) and
``--check``, which changes nothing and lists every count that differs (the first 200), exit
status 1 if any; without it the counts are rebuilt and the rows written are told."""

from collections.abc import Callable, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.forces.importing import force_get


class RebuildCommand(BaseCommand):
    """A subclass names its counts (``counts``: "rollups"), what they are counted from
    (``source``: "the raw data"), its own command (``command``), and the functions that
    compare the counts with their source (``compare``: the differences) and recompute them
    (``recompute``: the rows written)."""

    counts: str
    source: str
    command: str
    compare: Callable[[int | None], Sequence[object]]
    recompute: Callable[[int | None], int]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing")
        parser.add_argument("--force", help="One force's slug (default: every force)")

    def handle(self, *args: Any, **options: Any) -> None:
        force_id = force_get(options["force"]).pk if options["force"] else None
        if options["check"]:
            differences = type(self).compare(force_id)
            for d in differences[:200]:
                self.stdout.write(str(d))
            if differences:
                raise CommandError(
                    f"{len(differences)} counts differ from {self.source} (first 200 listed "
                    f"above); `bluelamp {self.command}` recomputes them.",
                    returncode=1,
                )
            self.stdout.write(f"{self.counts.capitalize()} match {self.source}.")
            return
        rows = type(self).recompute(force_id)
        self.stdout.write(
            f"Rebuilt {rows} {self.counts.removesuffix('s')} rows from {self.source}."
        )
