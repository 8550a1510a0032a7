from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.care.imports import crimes_import
from bluelamp.forces.models import Force


class Command(BaseCommand):
    help = (
        "Import crimes from a JSON Lines file: one crime per line, exactly as POST "
        "/api/v1/crimes takes it (victims nested). Each line is written in its own savepoint "
        "and the import carries on: good lines are stored, every bad line is reported by "
        "line number and field (not JSON, not UTF-8, nested too deeply, a date outside 1990 "
        "to 2100, ...); a reference already known is skipped. Exit status: 0 all imported; "
        "1 nothing imported; 2 some lines rejected, the others imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="UTF-8, one JSON object per line")
        parser.add_argument("--force", required=True, help="The force's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        force = Force.objects.filter(slug=options["force"]).first()
        if force is None:
            raise CommandError(f"--force: no force with slug {options['force']!r}")
        try:
            report = crimes_import(force=force, path=path, actor=f"import:{path.name}")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except OSError as e:
            raise CommandError(f"{path}: cannot be read: {e.strerror}") from None
        for problem in report.rejected:
            self.stdout.write(problem)
        self.stdout.write(
            f"{path.name} into {force.slug}: created {report.created}, already known "
            f"{report.known}, problems {len(report.rejected)} on {report.rejected_lines} lines"
        )
        if report.rejected:
            stored = report.created or report.known
            raise CommandError(
                f"{report.rejected_lines} lines rejected (listed above); "
                + ("the others were imported." if stored else "nothing was imported."),
                returncode=2 if stored else 1,
            )
