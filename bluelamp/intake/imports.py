"""Contacts from a CSV file: the same contacts, and the same validation, as the intake API.

A file is one header row, then one contact per row. Columns (any order; only the first four are
required): reference, received_at, channel, incident_type, call_handler, team, answer_seconds,
thrive, name, phone, email, date_of_birth, age, language, postcode, flags, advice_given. An
empty cell means "not given"; flags and the advice given on the call are separated by ``;``;
dates and times are ISO 8601, and a time without an offset is UK local time, as in the API.

A file that cannot be read as a whole (not UTF-8, broken CSV quoting, unknown or missing
columns) imports nothing. Otherwise rows go in batches (``--batch-size``, 1,000 by default),
each batch one transaction written in a few statements, and each row stands alone: a good row
is stored, a bad one (a date outside 1990 to 2100, a NUL character, a row that fails to store
for any other reason) is rejected with its line number, field and message, and neither affects
the other. A batch the database refuses as a whole is stored again row by row, each row in its
own savepoint, so that only the row at fault is rejected.

Reading and parsing (everything above ``ImportReport``) touch no database and read one row at a
time; ``contacts_import`` is the one function here that writes, only through
``contacts_ingest`` (a batch) and ``contact_ingest`` (a row, when a batch failed whole).
"""

import csv
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import InterfaceError, OperationalError, transaction
from pydantic import ValidationError

from bluelamp.forces.models import Force
from bluelamp.intake.models import Contact
from bluelamp.intake.schemas import ContactIn
from bluelamp.intake.services import (
    IntakeError,
    contact_ingest,
    contacts_ingest,
    incident_type_get,
    known_ids_clear,
)
from bluelamp.lib.errors import field_errors
from bluelamp.lib.files import ImportFileError, text_lines
from bluelamp.lib.inputs import FROM_TEXT
from bluelamp.surveys.models import Invitation

CONTACT_COLUMNS = (
    "reference",
    "received_at",
    "channel",
    "incident_type",
    "call_handler",
    "team",
    "answer_seconds",
    "thrive",
)
PERSON_COLUMNS = ("name", "phone", "email", "date_of_birth", "age", "language", "postcode")
LIST_COLUMNS = ("flags", "advice_given")  # codes separated by ";"
COLUMNS = (*CONTACT_COLUMNS, *PERSON_COLUMNS, *LIST_COLUMNS)
REQUIRED_COLUMNS = ("reference", "received_at", "channel", "incident_type")
# A batch is one transaction, and on SQLite a transaction holds the only write lock: 1,000
# contacts, written in a few statements, keep it well under a second, so the API and
# respondents are not kept waiting.
DEFAULT_BATCH_SIZE = 1000

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowError:
    """Why a row was rejected: ``line 7: person.phone: not a valid phone number``.

    ``field`` uses the API's names (``person.phone``), so one vocabulary serves both. The
    message never contains the rejected value: rejection reports are shared and kept, and
    the cells hold personal data.
    """

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Row:
    """One data row: the contact it describes, or why it was rejected. ``line`` is where the
    row starts in the file, counting the header as line 1 and every physical line after it
    (a quoted cell may span several)."""

    line: int
    contact: ContactIn | None
    errors: tuple[RowError, ...] = ()


def header_check(header: list[str]) -> list[str]:
    """The column names of a header row, or ImportFileError naming every column at fault.

    Names are compared without surrounding spaces and case, since spreadsheets add both.
    """
    names = [cell.strip().lower() for cell in header]
    problems = []
    unnamed = [str(i) for i, name in enumerate(names, start=1) if not name]
    if unnamed:
        problems.append(f"column {', '.join(unnamed)} has no name")
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        problems.append(f"repeated column {_quoted(repeated)}")
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        problems.append(f"unknown column {_quoted(unknown)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(f"missing required column {_quoted(missing)}")
    if problems:
        raise ImportFileError(
            f"header: {'; '.join(problems)} (the columns are: {', '.join(COLUMNS)})"
        )
    return names


def _quoted(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names)


def csv_rows(raw_lines: Iterable[bytes]) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows of a CSV file, header first, each with the line it starts on.

    Lazy: reads one row at a time, so a file of any size is never held in memory. Raises
    ImportFileError for a file that is not UTF-8 or whose quoting is broken.
    """
    # strict: a stray character after a closing quote, or a quote left open at the end of the
    # file, would otherwise silently merge rows (and shift every line number after it).
    reader = csv.reader(text_lines(raw_lines), strict=True)
    start = 1
    try:
        for cells in reader:
            if cells:
                yield start, cells
            # line_num counts physical lines read so far, however many a quoted cell spans.
            start = reader.line_num + 1
    except csv.Error as e:
        raise ImportFileError(f"line {reader.line_num}: not valid CSV: {e}") from None


def rows_parse(raw_lines: Iterable[bytes]) -> Iterator[Row]:
    """Every data row of a file, parsed and validated, one at a time, after the header check.

    Raises ImportFileError as ``csv_rows`` does, and for an empty file or a bad header.
    """
    rows = csv_rows(raw_lines)
    columns = _columns(rows)
    for line, cells in rows:
        yield row_parse(columns, cells, line)


def row_parse(columns: list[str], cells: list[str], line: int) -> Row:
    """One CSV row as a validated contact, or the errors that reject it.

    An empty cell means "not given", exactly as a missing key does in the API; flags and the
    advice given are separated by ``;``.
    """
    if len(cells) != len(columns):
        message = f"has {len(cells)} cells but the header has {len(columns)}"
        return Row(line, None, (RowError(line, "row", message),))
    given = {name: cell.strip() for name, cell in zip(columns, cells, strict=True) if cell.strip()}
    body: dict[str, Any] = {c: given[c] for c in CONTACT_COLUMNS if c in given}
    body["person"] = {c: given[c] for c in PERSON_COLUMNS if c in given}
    for name in LIST_COLUMNS:
        if name in given:
            body[name] = [f.strip() for f in given[name].split(";") if f.strip()]
    try:
        return Row(line, ContactIn.model_validate(body, context=FROM_TEXT))
    except ValidationError as e:
        return Row(line, None, _row_errors(e, line))


def _row_errors(error: ValidationError, line: int) -> tuple[RowError, ...]:
    found = field_errors(error.errors(), missing="required, but the cell is empty")
    return tuple(RowError(line, name, message) for name, message in found.items())


def file_check(raw_lines: Iterable[bytes]) -> int:
    """Read a whole file once, storing nothing: raise ImportFileError if it cannot be imported
    as a whole, else return the number of data rows.

    Run before the import so that a file broken halfway (a non-UTF-8 name on line 9,000)
    imports nothing rather than its first 8,999 lines. Only the structure is checked here;
    rows are validated as they are imported.
    """
    rows = csv_rows(raw_lines)
    _columns(rows)
    return sum(1 for _ in rows)


def _columns(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    header = next(rows, None)
    if header is None:
        raise ImportFileError("the file is empty: it needs a header row")
    return header_check(header[1])


@dataclass
class ImportReport:
    """What an import, or one batch of it, did: contacts created (invited to a survey or
    excluded), already known, and rows rejected with their errors."""

    rows: int = 0
    created: int = 0
    invited: int = 0
    excluded: int = 0
    known: int = 0
    rejected: int = 0
    last_line: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add(self, batch: "ImportReport") -> None:
        """Add a batch's counts; its errors are left with the batch (see contacts_import)."""
        self.rows += batch.rows
        self.created += batch.created
        self.invited += batch.invited
        self.excluded += batch.excluded
        self.known += batch.known
        self.rejected += batch.rejected
        self.last_line = batch.last_line


def contacts_import(
    *,
    force: Force,
    rows: Iterable[Row],
    actor: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    history: bool = False,
    on_batch: Callable[[ImportReport], None] = lambda batch: None,
) -> ImportReport:
    """Store a file's good rows as contacts of the force, in batches; reject the bad rows.

    A batch is one transaction, written by ``contacts_ingest`` in a few statements: the same
    contacts, people, decisions (opt-outs, and the frequency cap, which sees the earlier rows
    of the file as if each had been sent to the API in turn), queued sends and audit records
    as ``contact_ingest`` would write row by row. Idempotent on the reference: a row whose
    reference is already known (from the API, an earlier import or an earlier row of this
    file) is counted as known and changes nothing. A rejected row writes nothing.

    Should a batch fail to store as a whole (the API stored one of its references a moment
    ago, a team was deleted, a row the database refuses), it is rolled back and stored again
    row by row, each row in its own savepoint through ``contact_ingest``, so that a bad row
    rejects only itself. A failing database stops the import; the batches before stand.

    ``history``: the contacts are history, never surveyed: each gets its first-contact
    invitation excluded as ``imported_history``, with no link and nothing queued.

    ``on_batch`` receives each batch's report, rejected rows' errors included, once the batch
    is committed, so that errors are written out as the import goes rather than held in
    memory. The total returned carries the counts only.
    """
    total = ImportReport()
    for rows_in_batch in itertools.batched(rows, batch_size):
        batch = _batch_store(force=force, rows=rows_in_batch, actor=actor, history=history)
        total.add(batch)
        on_batch(batch)
    return total


def _batch_store(*, force: Force, rows: tuple[Row, ...], actor: str, history: bool) -> ImportReport:
    batch = ImportReport(last_line=rows[-1].line)
    try:
        # One commit per batch rather than per contact saves a log flush per row, and a batch
        # cut short by a crash rolls back whole, so what is reported is exactly what is stored.
        with transaction.atomic():
            _batch_write(force=force, rows=rows, actor=actor, history=history, batch=batch)
        return batch
    except (OperationalError, InterfaceError):
        raise  # the database itself is failing: stop, rather than reject every row
    except Exception as e:
        # Only the kind of error is logged, as its message may quote the rows' cells.
        logger.warning(
            "import lines %d-%d stored row by row, the batch failed whole: %s",
            rows[0].line,
            rows[-1].line,
            type(e).__name__,
        )
    known_ids_clear()  # perhaps a cached team or call handler was deleted
    batch = ImportReport(last_line=rows[-1].line)
    with transaction.atomic():
        for row in rows:
            _row_store(force=force, row=row, actor=actor, history=history, batch=batch)
    return batch


def _batch_write(
    *, force: Force, rows: tuple[Row, ...], actor: str, history: bool, batch: ImportReport
) -> None:
    good: list[ContactIn] = []
    for row in rows:
        batch.rows += 1
        errors = row.errors
        if row.contact is not None:
            try:
                incident_type_get(row.contact.incident_type)
            except IntakeError as e:
                errors = (RowError(row.line, e.field, e.message),)
            else:
                good.append(row.contact)
                continue
        batch.rejected += 1
        batch.errors.extend(errors)
    for contact in contacts_ingest(force=force, items=good, actor=actor, history=history):
        _count(batch, contact)


def _count(batch: ImportReport, contact: Contact | None) -> None:
    if contact is None:
        batch.known += 1
        return
    batch.created += 1
    # The decision was made on this very object, so reading it costs no query.
    if contact.invitation.status == Invitation.Status.EXCLUDED:
        batch.excluded += 1
    else:
        batch.invited += 1


def _row_store(*, force: Force, row: Row, actor: str, history: bool, batch: ImportReport) -> None:
    batch.rows += 1
    errors = row.errors
    if row.contact is not None:
        try:
            with transaction.atomic():
                result = contact_ingest(force=force, data=row.contact, actor=actor, history=history)
        except IntakeError as e:
            errors = (RowError(row.line, e.field, e.message),)
        except (OperationalError, InterfaceError):
            raise  # the database itself is failing: stop, rather than reject every row
        except Exception as e:
            # A row the checks let through but the database refused: it alone is rejected.
            # Only the kind of error is logged, as its message may quote the row's cells.
            logger.error("import line %d not stored: %s", row.line, type(e).__name__)
            errors = (RowError(row.line, "row", f"could not be stored ({type(e).__name__})"),)
        else:
            _count(batch, result.contact if result.created else None)
            return
    batch.rejected += 1
    batch.errors.extend(errors)
