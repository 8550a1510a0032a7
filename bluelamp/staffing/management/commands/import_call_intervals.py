from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from bluelamp.forces.importing import ImportCommand, file_missing, file_refused, rows_rejected
from bluelamp.forces.models import Force
from bluelamp.staffing.imports import (
    INTERVAL_COLUMNS,
    REQUIRED_INTERVAL_COLUMNS,
    IntervalFileError,
    intervals_import,
)


class Command(ImportCommand):
    help = (
        "Import call statistics per queue and interval from a CSV file, as if each row were "
        f"sent to POST /api/v1/call-intervals. Columns: {', '.join(INTERVAL_COLUMNS)} "
        f"(required: {', '.join(REQUIRED_INTERVAL_COLUMNS)}). The whole file is checked before "
        "anything is written: every bad row is reported by line number and field, then the "
        "good rows are stored together in one transaction; an interval already stored is "
        "replaced by the file's figures. Exit status: 0 all imported; 1 nothing imported; "
        "2 some rows rejected, the others imported."
    )

    def import_file(self, *, path: Path, force: Force, options: dict[str, Any]) -> None:
        if not path.is_file():
            raise file_missing(path)
        try:
            report = intervals_import(force=force, path=path)
        except IntervalFileError as e:
            raise file_refused(path, e) from None
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
            raise rows_rejected(f"{len(report.rejected)} problem(s)", stored=bool(stored))
