"""Basics from a CSV file: columns ``reference,item,status,at,by,rationale``, one word on one
item of a crime a row, under the same rules as ``POST /api/v1/crimes/{reference}/basics``.

The file is all or nothing: every row is checked first (the crime known, the item in its
checklist, a rationale where needed) and every problem reported by line number; only a file
with none is stored, in one transaction, so nothing is ever half-written.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from pydantic import ValidationError

from bluelamp.care.models import Crime
from bluelamp.forces.models import Force
from bluelamp.intake.services import IntakeError
from bluelamp.investigations.models import BasicsWord
from bluelamp.investigations.schemas import BasicsIn
from bluelamp.investigations.services import basics_check, basics_record
from bluelamp.lib.errors import field_errors
from bluelamp.lib.files import ImportFileError, text_lines

COLUMNS = ("reference", "item", "status", "at", "by", "rationale")
REQUIRED = ("reference", "item", "status", "at", "by")
MAX_ROWS = 100_000


@dataclass
class BasicsImport:
    recorded: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)


def basics_import(*, force: Force, raw_lines: Iterable[bytes], actor: str) -> BasicsImport:
    """Check every row, then store them all or none. ImportFileError when the file as a whole
    is wrong (not UTF-8, a header without the columns)."""
    reader = csv.DictReader(text_lines(raw_lines))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(f"line 1: the header has no column {', '.join(missing)}")
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise ImportFileError(f"line 1: unknown column {', '.join(unknown)}")
    report = BasicsImport()
    good: list[tuple[int, Crime, BasicsIn]] = []
    crimes: dict[str, Crime | None] = {}
    for row in reader:
        number = reader.line_num
        if len(good) + len(report.rejected) >= MAX_ROWS:
            raise ImportFileError(f"line {number}: more than {MAX_ROWS:,} rows")
        if None in row:
            report.rejected.append(f"line {number}: more fields than columns")
            continue
        values = {k: (v or "") for k, v in row.items()}
        reference = values.pop("reference").strip()
        try:
            data = BasicsIn.model_validate(values)
        except ValidationError as e:
            report.rejected.extend(
                f"line {number}: {k}: {v}" for k, v in field_errors(e.errors()).items()
            )
            continue
        if reference not in crimes:
            crimes[reference] = (
                Crime.objects.filter(force=force, reference=reference).first()
                if reference
                else None
            )
        crime = crimes[reference]
        if crime is None:
            report.rejected.append(f"line {number}: reference: no crime with this reference")
            continue
        try:
            basics_check(crime=crime, data=data)
        except IntakeError as e:
            report.rejected.append(f"line {number}: {e.field}: {e.message}")
            continue
        good.append((number, crime, data))
    if report.rejected:
        return report
    with transaction.atomic():
        for _, crime, data in good:
            found = basics_record(
                crime=crime, data=data, source=BasicsWord.Source.IMPORT, actor=actor
            )
            report.recorded += found.created
            report.unchanged += not found.created
    return report
