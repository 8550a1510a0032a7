import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from bluelamp.care.schemas import CrimeIn
from bluelamp.care.services import crime_ingest
from bluelamp.forces.models import Force
from bluelamp.intake.schemas import field_errors
from bluelamp.intake.services import IntakeError


class Command(BaseCommand):
    help = (
        "Import crimes from a JSON Lines file: one crime per line, exactly as POST "
        "/api/v1/crimes takes it (victims nested). Each line stands alone: good lines are "
        "stored, bad ones reported by line number and field; a reference already known is "
        "skipped. Exit status: 0 all imported; 1 nothing imported; 2 some lines rejected."
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
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"{path}: cannot be read ({e}). Nothing was imported.") from None
        created = known = 0
        rejected: list[str] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = CrimeIn.model_validate(json.loads(line))
                found = crime_ingest(force=force, data=data, actor=f"import:{path.name}")
            except json.JSONDecodeError as e:
                rejected.append(f"line {number}: not JSON ({e.msg}, column {e.colno})")
            except ValidationError as e:
                for field, message in field_errors(e.errors()).items():
                    rejected.append(f"line {number}: {field}: {message}")
            except IntakeError as e:
                rejected.append(f"line {number}: {e.field}: {e.message}")
            else:
                created += found.created
                known += not found.created
        for problem in rejected:
            self.stdout.write(problem)
        self.stdout.write(
            f"{path.name} into {force.slug}: created {created}, already known {known}, "
            f"problems {len(rejected)}"
        )
        if rejected:
            raise CommandError(
                "Some lines were rejected (listed above); the others were imported.",
                returncode=2 if created or known else 1,
            )
