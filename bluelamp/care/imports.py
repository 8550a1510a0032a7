"""Crimes from a JSON Lines file: one crime a line, exactly as ``POST /api/v1/crimes`` takes it.

Each line stands alone, in its own savepoint: a good line is stored (a reference already known
is skipped), a bad one is rejected with its line number and field, and neither affects the
other. No line can stop the import: text that is not UTF-8 or not JSON, JSON nested too
deeply to read, a number too long to read, a date outside 1990 to 2100 or a NUL character
each rejects its own line.
"""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import InterfaceError, OperationalError, transaction
from pydantic import ValidationError

from bluelamp.care.schemas import CrimeIn
from bluelamp.care.services import crime_ingest
from bluelamp.forces.models import Force
from bluelamp.intake.services import IntakeError
from bluelamp.lib.errors import field_errors

logger = logging.getLogger(__name__)


@dataclass
class CrimeImport:
    created: int = 0
    known: int = 0
    rejected: list[str] = field(default_factory=list)

    @property
    def rejected_lines(self) -> int:
        return len({problem.split(":", 1)[0] for problem in self.rejected})


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    # Split on newlines only: str.splitlines would also split inside a JSON string at
    # U+2028 and other separators, which JSON allows there unescaped.
    with path.open("rb") as f:
        yield from enumerate(f, start=1)


def _problems(number: int, raw: bytes) -> tuple[CrimeIn | None, list[str]]:
    """The line's crime, or what is wrong with it, by field."""
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError:
        return None, [f"line {number}: not UTF-8 text"]
    if not text.strip():
        return None, []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return None, [f"line {number}: not JSON ({e.msg}, column {e.colno})"]
    except RecursionError:
        return None, [f"line {number}: not read: JSON nested too deeply"]
    except ValueError:
        # Such as an integer of more digits than Python will read.
        return None, [f"line {number}: not read: a number too long"]
    try:
        return CrimeIn.model_validate(data), []
    except ValidationError as e:
        return None, [f"line {number}: {k}: {v}" for k, v in field_errors(e.errors()).items()]
    except RecursionError:
        return None, [f"line {number}: not read: JSON nested too deeply"]


def crimes_import(*, force: Force, path: Path, actor: str) -> CrimeImport:
    """Store each good line of the file as a crime of the force, each in its own savepoint,
    and reject each bad line with its number and field. Raises OSError if the file cannot be
    opened, before anything is stored."""
    report = CrimeImport()
    for number, raw in _lines(path):
        crime, problems = _problems(number, raw)
        if crime is None:
            report.rejected.extend(problems)
            continue
        try:
            with transaction.atomic():
                found = crime_ingest(force=force, data=crime, actor=actor)
        except IntakeError as e:
            report.rejected.append(f"line {number}: {e.field}: {e.message}")
        except (OperationalError, InterfaceError):
            raise  # the database itself is failing: stop, rather than reject every line
        except Exception as e:
            # A line the checks let through but storing refused: it alone is rejected. Only
            # the kind of error is logged, as its message may quote the victim's details.
            logger.error("import line %d not stored: %s", number, type(e).__name__)
            report.rejected.append(f"line {number}: body: could not be stored ({type(e).__name__})")
        else:
            report.created += found.created
            report.known += not found.created
    return report
