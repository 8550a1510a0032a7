from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from bluelamp.forces.importing import ImportCommand, file_missing, rows_rejected
from bluelamp.forces.models import Force
from bluelamp.outcomes.policeuk_import import policeuk_import


class Command(ImportCommand):
    help = (
        "Import police.uk's published crimes and outcomes: every street (*-street.csv) and "
        "outcome (*-outcomes.csv) file under the folder, any number of months, into the "
        "force's police.uk tables (never its own crimes). A crime is stored once per Crime "
        "ID, an outcome once per Crime ID, month and type, so importing the same files again "
        "changes nothing; rows with no Crime ID (anti-social behaviour) are counted, not "
        "stored. Each bad line is reported by file and line number and the rest imported. "
        "Exit status: 0 all imported; 1 nothing imported; 2 some lines rejected, the others "
        "imported."
    )
    file_help = "A folder of police.uk monthly CSV files (searched recursively), or one file"

    def import_file(self, *, path: Path, force: Force, options: dict[str, Any]) -> None:
        if not path.exists():
            raise file_missing(path)
        try:
            report = policeuk_import(force=force, folder=path, actor=f"import:{path.name}")
        except OSError as e:
            raise CommandError(f"{e.filename}: cannot be read ({e.strerror}).") from None
        if not report.files:
            raise CommandError(f"{path}: no police.uk files (*-street.csv, *-outcomes.csv)")
        for found in report.files:
            for problem in found.rejected:
                self.stdout.write(problem)
            if found.refused:
                self.stdout.write(found.refused)
            self.stdout.write(
                f"{found.name}: read {found.read}, new {found.new}, already known "
                f"{found.known}, rejected {len(found.rejected)}"
                + (f", no Crime ID {found.no_crime_id}" if found.kind == "street" else "")
            )
        for kind, what in (("street", "crimes"), ("outcomes", "outcomes")):
            files = [f for f in report.files if f.kind == kind]
            self.stdout.write(
                f"{what} into {force.slug} from {len(files)} {kind} files: read "
                f"{sum(f.read for f in files)}, new {sum(f.new for f in files)}, already known "
                f"{sum(f.known for f in files)}, rejected {sum(len(f.rejected) for f in files)}"
                + (
                    f", no Crime ID (anti-social behaviour, not stored) "
                    f"{sum(f.no_crime_id for f in files)}"
                    if kind == "street"
                    else ""
                )
            )
        refused = [f for f in report.files if f.refused]
        if report.rejected or refused:
            stored = report.total("new") + report.total("known") + report.total("no_crime_id")
            raise rows_rejected(
                f"{report.rejected} lines rejected, {len(refused)} files refused",
                stored=bool(stored),
                others="the other lines",
            )
