"""police.uk's monthly files into a force's police.uk tables, as published.

The standard street (``*-street.csv``) and outcome (``*-outcomes.csv``) files anywhere under
a folder, any number of months, read a line at a time and stored in batches. A crime is
kept once per Crime ID (its first published row: later news of it comes in the outcome
files); an outcome once per Crime ID, month and type. So importing the same files again
changes nothing. A street row with no Crime ID (anti-social behaviour) is counted, not
stored. A bad line (wrong number of columns, a bad month or coordinates, a value too long)
is reported by file and line and the rest imported; a file whose header is not police.uk's
imports nothing.
"""

import csv
import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from django.db import transaction
from django.db.models import Model

from bluelamp.audit.services import audit_record
from bluelamp.forces.models import Force
from bluelamp.lib.files import ImportFileError, text_lines
from bluelamp.lib.rows import row_new, rows_insert
from bluelamp.outcomes.models import PoliceUkCrime, PoliceUkOutcome

STREET_COLUMNS: Final = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)  # fmt: skip
OUTCOME_COLUMNS: Final = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
)  # fmt: skip
BATCH: Final = 5000  # rows a transaction; SQLite takes up to 32766 parameters


@dataclass
class FileImport:
    name: str
    kind: str  # "street" or "outcomes"
    read: int = 0
    new: int = 0
    known: int = 0
    no_crime_id: int = 0
    rejected: list[str] = field(default_factory=list)
    refused: str = ""  # why nothing (more) of the file was imported


@dataclass
class PoliceUkImport:
    files: list[FileImport] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(len(f.rejected) for f in self.files)


class _Bad(ValueError):
    pass


def policeuk_files(folder: Path) -> list[tuple[Path, str]]:
    """The street files then the outcome files under ``folder`` (or the one file it is),
    each in name order: the months in order."""
    if folder.is_file():
        kind = "street" if folder.name.endswith("-street.csv") else "outcomes"
        return [(folder, kind)]
    street = sorted(folder.rglob("*-street.csv"))
    outcomes = sorted(folder.rglob("*-outcomes.csv"))
    return [(p, "street") for p in street] + [(p, "outcomes") for p in outcomes]


def policeuk_import(*, force: Force, folder: Path, actor: str) -> PoliceUkImport:
    """Import every police.uk file under ``folder`` into ``force``'s police.uk tables, each
    file audited once with its counts. Raises OSError for a file that cannot be opened."""
    report = PoliceUkImport()
    for path, kind in policeuk_files(folder):
        found = FileImport(name=str(path.relative_to(folder)) if path != folder else path.name,
                           kind=kind)  # fmt: skip
        report.files.append(found)
        if kind == "street":
            _import(force, path, found, STREET_COLUMNS, _street_row, _crimes_store)
        else:
            _import(force, path, found, OUTCOME_COLUMNS, _outcome_row, _outcomes_store)
        with transaction.atomic():
            audit_record(
                force=force, action="create", obj=force, actor=actor,
                summary=f"police.uk {kind} file {found.name}: read {found.read}, new "
                f"{found.new}, already known {found.known}, rejected {len(found.rejected)}",
            )  # fmt: skip
    return report


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open("rb") as f:
        reader = csv.reader(text_lines(f))
        for row in reader:
            yield reader.line_num, row


def _import[M: Model](
    force: Force,
    path: Path,
    found: FileImport,
    columns: tuple[str, ...],
    parse: Callable[[Force, list[str], int], M | None],
    store: Callable[[Force, list[M], FileImport], None],
) -> None:
    batch: list[M] = []
    rows = _rows(path)
    try:
        for number, row in rows:
            if number == 1:
                if tuple(c.strip() for c in row) != columns:
                    found.refused = (
                        f"{found.name}: line 1: not a police.uk {found.kind} file (the header "
                        f"should be {', '.join(columns)}); nothing from it was imported"
                    )
                    return
                continue
            if not row:
                continue
            found.read += 1
            try:
                obj = parse(force, row, len(columns))
            except _Bad as e:
                found.rejected.append(f"{found.name}: line {number}: {e}")
                continue
            if obj is None:
                found.no_crime_id += 1
                continue
            batch.append(obj)
            if len(batch) >= BATCH:
                store(force, batch, found)
                batch = []
    except (ImportFileError, csv.Error) as e:
        found.refused = f"{found.name}: {e}; the lines after it were not imported"
    if batch:
        store(force, batch, found)


_months: dict[str, dt.date] = {}


def _month(value: str) -> dt.date:
    month = _months.get(value)
    if month is None:
        try:
            year, number = value.split("-")
            if len(year) != 4 or len(number) != 2:
                raise ValueError
            month = dt.date(int(year), int(number), 1)
        except ValueError:
            raise _Bad(f"Month: {value!r} is not a month (YYYY-MM)") from None
        if not 1990 <= month.year <= 2100:
            raise _Bad(f"Month: {value!r} is outside 1990 to 2100")
        _months[value] = month
    return month


def _coordinates(longitude: str, latitude: str) -> tuple[float | None, float | None]:
    if not longitude and not latitude:
        return None, None
    try:
        lon, lat = float(longitude), float(latitude)
    except ValueError:
        raise _Bad(f"Longitude, Latitude: {longitude!r}, {latitude!r} are not numbers") from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise _Bad(f"Longitude, Latitude: {longitude!r}, {latitude!r} are not on the Earth")
    return lon, lat


def _text(value: str, name: str, limit: int) -> str:
    if len(value) > limit:
        raise _Bad(f"{name}: longer than {limit} characters")
    return value


def _street_row(force: Force, row: list[str], width: int) -> PoliceUkCrime | None:
    if len(row) != width:
        raise _Bad(f"{len(row)} columns, a street file has {width}")
    crime_id, month, _, _, lon, lat, location, lsoa, lsoa_name, crime_type, category, _ = row
    when = _month(month)
    longitude, latitude = _coordinates(lon, lat)
    if not crime_id:
        return None
    if not crime_type:
        raise _Bad("Crime type: blank")
    return row_new(
        PoliceUkCrime,
        force_id=force.pk,
        crime_id=_text(crime_id, "Crime ID", 64),
        month=when,
        crime_type=_text(crime_type, "Crime type", 60),
        last_outcome_category=_text(category, "Last outcome category", 80),
        lsoa_code=_text(lsoa, "LSOA code", 9),
        lsoa_name=_text(lsoa_name, "LSOA name", 80),
        longitude=longitude,
        latitude=latitude,
        location=_text(location, "Location", 120),
    )


def _outcome_row(force: Force, row: list[str], width: int) -> PoliceUkOutcome:
    if len(row) != width:
        raise _Bad(f"{len(row)} columns, an outcomes file has {width}")
    crime_id, month, _, _, lon, lat, location, lsoa, _, outcome_type = row
    when = _month(month)
    longitude, latitude = _coordinates(lon, lat)
    if not crime_id:
        raise _Bad("Crime ID: blank")
    if not outcome_type:
        raise _Bad("Outcome type: blank")
    return row_new(
        PoliceUkOutcome,
        force_id=force.pk,
        crime_id=_text(crime_id, "Crime ID", 64),
        month=when,
        outcome_type=_text(outcome_type, "Outcome type", 80),
        lsoa_code=_text(lsoa, "LSOA code", 9),
        longitude=longitude,
        latitude=latitude,
        location=_text(location, "Location", 120),
    )


def _crimes_store(force: Force, batch: list[PoliceUkCrime], found: FileImport) -> None:
    ids = {c.crime_id for c in batch}
    with transaction.atomic():
        seen = set(
            PoliceUkCrime.objects.filter(force=force, crime_id__in=ids).values_list(
                "crime_id", flat=True
            )
        )
        new = []
        for crime in batch:
            if crime.crime_id in seen:
                found.known += 1
            else:
                seen.add(crime.crime_id)
                new.append(crime)
        rows_insert(new)
    found.new += len(new)


def _outcomes_store(force: Force, batch: list[PoliceUkOutcome], found: FileImport) -> None:
    ids = {o.crime_id for o in batch}
    with transaction.atomic():
        seen = set(
            PoliceUkOutcome.objects.filter(force=force, crime_id__in=ids).values_list(
                "crime_id", "month", "outcome_type"
            )
        )
        new = []
        for outcome in batch:
            key = (outcome.crime_id, outcome.month, outcome.outcome_type)
            if key in seen:
                found.known += 1
            else:
                seen.add(key)
                new.append(outcome)
        rows_insert(new)
    found.new += len(new)
