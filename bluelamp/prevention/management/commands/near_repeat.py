import json
from argparse import ArgumentTypeError
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.prevention.knox import DISTANCES, Bands, knox_test
from bluelamp.prevention.points import PointsFileError, read_points, read_policeuk_points
from bluelamp.prevention.report import knox_as_dict, knox_tables, knox_words


def _more_than_zero(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a number") from None
    if not (number > 0 and number != float("inf")):
        raise ArgumentTypeError(f"{value!r}: must be a number more than 0")
    return number


def _counting(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise ArgumentTypeError(f"{value!r}: must be {low} to {high:,}")
        return number

    return parse


class Command(BaseCommand):
    help = (
        "The Knox test for near repeats over crimes in a file: pairs counted by distance and "
        "days apart against permutations of the dates over the places, with NRC 1.3's bands "
        "(Manhattan distance; same location is distance 0; spatial band k is (B(k-1), Bk] "
        "metres; temporal band k is [T(k-1), Tk) days). Reads no database."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            type=Path,
            metavar="FILE",
            help="CSV of x,y,date (metres, YYYY-MM-DD; header optional), or with --policeuk "
            "police.uk street files or folders of them",
        )
        parser.add_argument("--spatial-bandwidth", type=_more_than_zero, required=True,
                            metavar="METRES")  # fmt: skip
        parser.add_argument("--spatial-bands", type=_counting(1, 100), required=True)
        parser.add_argument("--temporal-bandwidth", type=_more_than_zero, required=True,
                            metavar="DAYS")  # fmt: skip
        parser.add_argument("--temporal-bands", type=_counting(1, 100), required=True)
        parser.add_argument("--distance", choices=DISTANCES, default="manhattan")
        parser.add_argument("--permutations", type=_counting(1, 99_999), default=999)
        parser.add_argument(
            "--seed", type=_counting(0, 2**63 - 1), help="Repeat a run (its seed is printed)"
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object")
        parser.add_argument(
            "--policeuk",
            action="store_true",
            help="police.uk street files: Longitude, Latitude to British National Grid, the "
            "Month as its first day",
        )
        parser.add_argument(
            "--crime-type",
            action="append",
            default=[],
            metavar="TYPE",
            help='With --policeuk, only crimes of this police.uk type ("Burglary"); repeat for '
            "more. Without it every type is read",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["files"]
        for path in paths:
            if not (path.is_file() or (options["policeuk"] and path.is_dir())):
                raise CommandError(f"{path}: no such file")
        types = frozenset(t.strip() for t in options["crime_type"])
        if types and not options["policeuk"]:
            raise CommandError("--crime-type: only with --policeuk (a CSV of x,y,date has no type)")
        try:
            points = (
                read_policeuk_points(paths, types) if options["policeuk"] else read_points(paths)
            )
        except PointsFileError as e:
            raise CommandError(str(e)) from None
        if points.days.size < 2:
            raise CommandError(
                f"too few crimes to test: {points.days.size} read ({points.skipped} rows "
                "skipped for a missing coordinate or date); the Knox test needs at least 2"
            )
        bands = Bands(
            spatial_bandwidth=options["spatial_bandwidth"],
            spatial_bands=options["spatial_bands"],
            temporal_bandwidth=options["temporal_bandwidth"],
            temporal_bands=options["temporal_bands"],
        )
        try:
            result = knox_test(
                points.x,
                points.y,
                points.days,
                bands=bands,
                distance=options["distance"],
                permutations=options["permutations"],
                seed=options["seed"],
            )
        except ValueError as e:
            raise CommandError(str(e)) from None
        skipped = (
            f"{points.skipped} rows skipped (a coordinate or the date missing)"
            if points.skipped != 1
            else "1 row skipped (a coordinate or the date missing)"
        )
        if options["json"]:
            found = knox_as_dict(result)
            self.stdout.write(json.dumps({
                "files": [str(p) for p in paths],
                "skipped": points.skipped,
                "first_date": points.first.isoformat(),
                "last_date": points.last.isoformat(),
                **found,
            }, allow_nan=False))  # fmt: skip
            if points.skipped:
                self.stderr.write(skipped)
            return
        names = ", ".join(p.name for p in paths)
        self.stdout.write(
            f"# {names}: {result.crimes} crimes from {points.first} to {points.last}; {skipped}"
        )
        self.stdout.write(
            f"# {result.distance.capitalize()} distance; {bands.spatial_bands} bands of "
            f"{bands.spatial_bandwidth:g} m and {bands.temporal_bands} of "
            f"{bands.temporal_bandwidth:g} days; {result.permutations} permutations, seed "
            f"{result.seed}"
        )
        self.stdout.write(
            "# NRC 1.3's bands: same location is distance 0, a spatial band (B(k-1), Bk] "
            "metres, a temporal band [T(k-1), Tk) days between the two dates"
        )
        for line in knox_tables(result):
            self.stdout.write(line)
        self.stdout.write("")
        for line in knox_words(result):
            self.stdout.write(line)
