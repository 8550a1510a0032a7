from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.forces.models import Force
from bluelamp.staffing.imports import (
    INTERVAL_COLUMNS,
    REQUIRED_INTERVAL_COLUMNS,
    IntervalFileError,
    intervals_import,
)


class Command(BaseCommand):
    help = (
        "Import call statistics per queue and interval from a CSV file, as if each row were "
        f"sent to POST /api/v1/call-intervals. Columns: {', '.join(INTERVAL_COLUMNS)} "
        f"(required: {', '.join(REQUIRED_INTERVAL_COLUMNS)}). The whole file is checked before "
        "anything is written: every bad row is reported by line number and field, then the "
        "good rows are stored together in one transaction; an interval already stored is "
        "replaced by the file's figures. Exit status: 0 all imported; 1 nothing imported; "
        "2 some rows rejected, the others imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", required=True, help="The force's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        force = Force.objects.filter(slug=options["force"]).first()
        if force is None:
            raise CommandError(f"--force: no force with slug {options['force']!r}")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            report = intervals_import(force=force, path=path)
        except IntervalFileError as e:
            raise CommandError(f"{path.name}: {e}. Nothing was imported.") from None
        except OSError as e:
            raise CommandError(f"{path.name}: cannot be read ({e}).") from None
        for line in report.rejected:
            self.stdout.write(line)
        self.stdout.write(
            f"{path.name} into {force.slug}: {report.rows} rows; created {report.created}, "
            f"updated {report.updated}, unchanged {report.unchanged}, "
            f"rejected {len(report.rejected)}"
        )
        stored = report.created + report.updated + report.unchanged
        if report.rejected:
            raise CommandError(
                f"{len(report.rejected)} problem(s) (listed above); "
                + ("the other rows were imported." if stored else "nothing was imported."),
                returncode=2 if stored else 1,
            )
