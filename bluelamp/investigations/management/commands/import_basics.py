from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from bluelamp.forces.importing import ImportCommand, file_reading
from bluelamp.forces.models import Force
from bluelamp.investigations.imports import basics_import
from bluelamp.lib.files import ImportFileError


class Command(ImportCommand):
    help = (
        "Import what was done on crimes' basics from a CSV file with the columns reference, "
        "item, status (done, not_applicable, not_done), at, by, rationale (needed for "
        "not_applicable and not_done), under the rules of POST /api/v1/crimes/{reference}/"
        "basics: the same item and time again changes nothing, the latest time wins. All or "
        "nothing: every problem is reported by line number and then nothing is stored. Exit "
        "status: 0 imported; 1 nothing imported."
    )
    file_help = "UTF-8 CSV with a header row"

    def import_file(self, *, path: Path, force: Force, options: dict[str, Any]) -> None:
        with file_reading(path, refused=ImportFileError), path.open("rb") as f:
            report = basics_import(force=force, raw_lines=f, actor=f"import:{path.name}")
        for problem in report.rejected:
            self.stdout.write(problem)
        if report.rejected:
            raise CommandError(
                f"{path.name}: {len(report.rejected)} problems (listed above); nothing was "
                "imported.",
                returncode=1,
            )
        self.stdout.write(
            f"{path.name} into {force.slug}: recorded {report.recorded}, already known "
            f"{report.unchanged}"
        )
