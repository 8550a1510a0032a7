"""Files a user downloads from a page, and every other CSV file the product writes."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.http import HttpResponse

# A spreadsheet takes a cell beginning with one of these as a formula (OWASP, "CSV
# Injection"): a victim's name of ``=HYPERLINK(...)`` would run on the partner's desk.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A cell that a spreadsheet shows as written: text beginning with a formula character
    gets a single quote in front. Numbers the code itself writes (``-3``) stay numbers; text
    that only looks like one (``"-3"`` typed by a person) is text, and is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(row: Iterable[object]) -> list[object]:
    return [csv_cell(value) for value in row]


class _Writes(Protocol):
    def write(self, s: str, /) -> Any: ...


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``csv_cell``: the one way the product
    writes CSV, to a download or to a file."""

    def __init__(self, f: _Writes) -> None:
        self._writer = csv.writer(f)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A UTF-8 CSV file, offered for saving as ``filename``."""
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
