"""Interval figures from files: a CSV of intervals, or per-call records aggregated."""

import csv
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from pydantic import ValidationError

from bluelamp.forces.models import Force
from bluelamp.lib.errors import field_errors
from bluelamp.lib.files import ImportFileError, text_lines
from bluelamp.lib.inputs import FROM_TEXT
from bluelamp.staffing.records import IntervalFigures
from bluelamp.staffing.schemas import CallIntervalIn, Stored
from bluelamp.staffing.services import call_intervals_store

INTERVAL_COLUMNS = tuple(CallIntervalIn.model_fields)
REQUIRED_INTERVAL_COLUMNS = tuple(
    name for name, f in CallIntervalIn.model_fields.items() if f.is_required()
)
BATCH_SIZE = 1000
QUEUE_CODE = re.compile(r"[A-Za-z0-9_-]{1,20}")


@dataclass
class IntervalImport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)

    def add(self, stored: Stored) -> None:
        self.created += stored.created
        self.updated += stored.updated
        self.unchanged += stored.unchanged


class IntervalFileError(ValueError):
    """The file as a whole cannot be imported; nothing from it is stored."""


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Each data row with its line: its non-empty cells by column, or why it has none."""
    with path.open("rb") as f:
        reader = csv.DictReader(text_lines(f), strict=True)
        try:
            columns = set(reader.fieldnames or [])
            unknown = sorted(columns - set(INTERVAL_COLUMNS))
            missing = sorted(set(REQUIRED_INTERVAL_COLUMNS) - columns)
            if unknown:
                raise IntervalFileError(f"header: unknown column(s) {', '.join(unknown)}")
            if missing:
                raise IntervalFileError(f"header: missing column(s) {', '.join(missing)}")
            for row in reader:
                if None in row:
                    yield reader.line_num, "row: more cells than the header has columns"
                    continue
                yield reader.line_num, {k: v for k, v in row.items() if v not in ("", None)}
        except ImportFileError as e:
            raise IntervalFileError(str(e)) from None
        except csv.Error as e:
            raise IntervalFileError(f"line {reader.line_num}: not valid CSV: {e}") from None


def intervals_import(*, force: Force, path: Path) -> IntervalImport:
    """Check the whole file, storing nothing, and report each bad row by line, field and
    message; then store the good rows, all in one transaction.

    Raises IntervalFileError, having stored nothing, for a file that cannot be read as a
    whole (not UTF-8, broken quoting, a bad header)."""
    report = IntervalImport()
    seen: dict[tuple[str, dt.datetime], int] = {}
    good: list[CallIntervalIn] = []
    for line, row in _rows(path):
        report.rows += 1
        if isinstance(row, str):
            report.rejected.append(f"line {line}: {row}")
            continue
        try:
            item = CallIntervalIn.model_validate(row, context=FROM_TEXT)
        except ValidationError as e:
            for name, message in field_errors(e.errors(), missing="required, but empty").items():
                report.rejected.append(f"line {line}: {name}: {message}")
            continue
        key = (item.queue, item.start)
        if key in seen:
            report.rejected.append(
                f"line {line}: start: the same queue and start as line {seen[key]}"
            )
            continue
        seen[key] = line
        good.append(item)
    with transaction.atomic():
        for batch in itertools.batched(good, BATCH_SIZE):
            report.add(call_intervals_store(force=force, intervals=batch))
    return report


def figures_to_intervals(queue: str, figures: list[IntervalFigures]) -> list[CallIntervalIn]:
    return [
        CallIntervalIn(
            queue=queue,
            start=f.start,
            minutes=f.minutes,  # type: ignore[arg-type]
            offered=f.offered,
            answered=f.answered,
            abandoned=f.abandoned,
            answered_within_target=f.answered_within_target,
            average_handle_seconds=f.average_handle_seconds,
            average_answer_seconds=f.average_answer_seconds,
            average_abandon_seconds=f.average_abandon_seconds,
            handlers_logged_in=round(f.logged_in, 3),
        )
        for f in figures
    ]
