from pathlib import Path
from typing import Any

from bluelamp.care.imports import crimes_import
from bluelamp.forces.importing import ImportCommand, file_reading, rows_rejected
from bluelamp.forces.models import Force


class Command(ImportCommand):
    help = (
        "Import crimes from a JSON Lines file: one crime per line, exactly as POST "
        "/api/v1/crimes takes it (victims nested). Each line is written in its own savepoint "
        "and the import carries on: good lines are stored, every bad line is reported by "
        "line number and field (not JSON, not UTF-8, nested too deeply, a date outside 1990 "
        "to 2100, ...); a reference already known is skipped. Exit status: 0 all imported; "
        "1 nothing imported; 2 some lines rejected, the others imported."
    )
    file_help = "UTF-8, one JSON object per line"

    def import_file(self, *, path: Path, force: Force, options: dict[str, Any]) -> None:
        with file_reading(path):
            report = crimes_import(force=force, path=path, actor=f"import:{path.name}")
        for problem in report.rejected:
            self.stdout.write(problem)
        self.stdout.write(
            f"{path.name} into {force.slug}: created {report.created}, already known "
            f"{report.known}, problems {len(report.rejected)} on {report.rejected_lines} lines"
        )
        if report.rejected:
            stored = report.created or report.known
            raise rows_rejected(
                f"{report.rejected_lines} lines rejected",
                stored=bool(stored),
                others="the others",
            )
