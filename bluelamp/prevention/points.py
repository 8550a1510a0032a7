"""Crimes for the Knox test from files: places in metres and a date each.

Two formats. A CSV of ``x,y,date`` (metres on a projected grid, an ISO date), the header line
optional. Or police.uk street files, whose ``Longitude`` and ``Latitude`` are projected to
the British National Grid (EPSG:27700) and whose ``Month`` stands for its first day. A row
with a coordinate or its date missing (empty, ``NA``, ``NaN``, ``null``) is left out and
counted: police.uk publishes crimes with no location, and R's exports write ``NA``. Any other
bad row stops the reading with an error naming its file, line and field.
"""

import csv
import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray
from pyproj import Transformer

from bluelamp.lib.files import ImportFileError, text_lines

MISSING: Final = frozenset({"", "na", "n/a", "nan", "null"})
POLICEUK_FIELDS: Final = ("Month", "Longitude", "Latitude")
CRIME_TYPE: Final = "Crime type"


class PointsFileError(ValueError):
    """The file cannot be read as crimes; the message names the file, the line and the field."""


@dataclass(frozen=True)
class Points:
    """Crimes at ``x``, ``y`` (metres) on ``days`` (proleptic ordinals, 1 for 1 January of
    year 1); ``skipped`` rows had a coordinate or the date missing."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    days: NDArray[np.int64]
    skipped: int

    @property
    def first(self) -> dt.date:
        return dt.date.fromordinal(int(self.days.min()))

    @property
    def last(self) -> dt.date:
        return dt.date.fromordinal(int(self.days.max()))


def read_points(paths: list[Path]) -> Points:
    """Crimes from CSV files of ``x,y,date``, in the order of the files and their lines."""
    x: list[float] = []
    y: list[float] = []
    days: list[int] = []
    skipped = 0
    for path in paths:
        for index, (line, row) in enumerate(_rows(path)):
            if len(row) != 3:
                raise PointsFileError(
                    f"{path.name}, line {line}: {len(row)} fields, expected 3 (x, y, date)"
                )
            if index == 0 and not _missing(row[0]) and not _is_number(row[0]):
                continue  # the header
            if any(_missing(value) for value in row):
                skipped += 1
                continue
            x.append(_number(row[0], "x", path, line))
            y.append(_number(row[1], "y", path, line))
            days.append(_date(row[2], path, line).toordinal())
    return _points(x, y, days, skipped)


def read_policeuk_points(paths: list[Path], crime_types: frozenset[str] = frozenset()) -> Points:
    """Crimes from police.uk street files (or the ``*-street.csv`` files under a folder),
    projected from longitude and latitude (WGS84) to British National Grid metres; only those
    of ``crime_types`` (police.uk's own names, such as "Burglary") when any are given."""
    longitude: list[float] = []
    latitude: list[float] = []
    days: list[int] = []
    skipped = 0
    months: dict[str, int] = {}
    for path in policeuk_street_files(paths):
        columns: dict[str, int] = {}
        for index, (line, row) in enumerate(_rows(path)):
            if index == 0:
                columns = {name.strip(): i for i, name in enumerate(row)}
                wanted = [*POLICEUK_FIELDS, CRIME_TYPE] if crime_types else POLICEUK_FIELDS
                absent = [name for name in wanted if name not in columns]
                if absent:
                    raise PointsFileError(
                        f"{path.name}, line {line}: not a police.uk street file (no "
                        f"{', '.join(absent)} column)"
                    )
                continue
            if len(row) != len(columns):
                raise PointsFileError(
                    f"{path.name}, line {line}: {len(row)} fields, expected {len(columns)} "
                    "as in the header"
                )
            month, lon, lat = (row[columns[name]] for name in POLICEUK_FIELDS)
            if crime_types and row[columns[CRIME_TYPE]].strip() not in crime_types:
                continue
            if _missing(lon) or _missing(lat) or _missing(month):
                skipped += 1
                continue
            lon_value = _number(lon, "Longitude", path, line)
            lat_value = _number(lat, "Latitude", path, line)
            if not (-180 <= lon_value <= 180 and -90 <= lat_value <= 90):
                raise PointsFileError(
                    f"{path.name}, line {line}: Longitude, Latitude: {lon!r}, {lat!r} are not "
                    "on the Earth"
                )
            day = months.get(month)
            if day is None:
                day = months[month] = _month(month, path, line).toordinal()
            longitude.append(lon_value)
            latitude.append(lat_value)
            days.append(day)
    x, y = to_british_national_grid(np.asarray(longitude), np.asarray(latitude))
    return _points(list(x), list(y), days, skipped)


def policeuk_street_files(paths: list[Path]) -> list[Path]:
    """Each file as given; for a folder, the ``*-street.csv`` files under it in name order
    (the months in order)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*-street.csv"))
            if not found:
                raise PointsFileError(f"{path}: no police.uk street file (*-street.csv) in it")
            files.extend(found)
        else:
            files.append(path)
    return files


@cache
def _transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def to_british_national_grid(
    longitude: NDArray[np.float64], latitude: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Easting and northing in metres (EPSG:27700) of WGS84 longitudes and latitudes."""
    if longitude.size == 0:
        return longitude, latitude
    # PROJ's own Helmert transformation from WGS84 (metres off OSTN15 at most, with no grid
    # file downloaded), far inside police.uk's anonymised snap points and NRC's bands.
    easting, northing = _transformer().transform(longitude, latitude)
    return np.asarray(easting, dtype=np.float64), np.asarray(northing, dtype=np.float64)


def _points(x: list[float], y: list[float], days: list[int], skipped: int) -> Points:
    return Points(
        x=np.asarray(x, dtype=np.float64),
        y=np.asarray(y, dtype=np.float64),
        days=np.asarray(days, dtype=np.int64),
        skipped=skipped,
    )


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The file's rows with their line numbers; blank lines are passed over."""
    try:
        with path.open("rb") as f:
            reader = csv.reader(text_lines(f))
            for row in reader:
                if row and any(value.strip() for value in row):
                    yield reader.line_num, row
    except ImportFileError as e:
        raise PointsFileError(f"{path.name}, {e}") from None
    except csv.Error as e:
        raise PointsFileError(f"{path.name}: not CSV ({e})") from None


def _missing(value: str) -> bool:
    return value.strip().lower() in MISSING


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _number(value: str, field: str, path: Path, line: int) -> float:
    try:
        number = float(value)
    except ValueError:
        raise PointsFileError(
            f"{path.name}, line {line}: {field}: {value!r} is not a number"
        ) from None
    if not math.isfinite(number):
        raise PointsFileError(f"{path.name}, line {line}: {field}: {value!r} is not finite")
    return number


def _date(value: str, path: Path, line: int) -> dt.date:
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PointsFileError(
            f"{path.name}, line {line}: date: {value!r} is not a date (YYYY-MM-DD)"
        ) from None


def _month(value: str, path: Path, line: int) -> dt.date:
    try:
        year, number = value.strip().split("-")
        if len(year) != 4 or len(number) != 2:
            raise ValueError
        return dt.date(int(year), int(number), 1)
    except ValueError:
        raise PointsFileError(
            f"{path.name}, line {line}: Month: {value!r} is not a month (YYYY-MM)"
        ) from None
