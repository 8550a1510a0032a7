import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from pydantic import ValidationError

from bluelamp.forces.importing import ImportCommand, file_missing, file_reading, rows_rejected
from bluelamp.forces.models import Force
from bluelamp.lib.errors import field_errors
from bluelamp.staffing.imports import QUEUE_CODE, figures_to_intervals
from bluelamp.staffing.models import QUEUE_DEFAULT, QUEUE_DEFAULTS, Queue
from bluelamp.staffing.records import (
    CallRecord,
    RecordsFileError,
    Rejected,
    aggregate,
    read_records,
)
from bluelamp.staffing.services import call_intervals_store


class Command(ImportCommand):
    help = (
        "Aggregate per-call records (one row per call, as telephony systems export them) "
        "into interval figures for one queue and store them. Layouts: Bluelamp's own "
        "(queue_entry, queue_exit, outcome answered|abandoned, handle_seconds, handler) or the "
        "Anonymous Bank call-centre layout. The whole file is checked before anything is "
        "written: every rejected row is reported by line number and field, then the good rows' "
        "intervals are stored in one transaction. Exit status: 0 all read; 1 nothing imported; "
        "2 some rows rejected, the others imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--queue", required=True, help="Queue code, e.g. 101")
        parser.add_argument("--minutes", type=int, choices=[15, 30, 60], default=15)
        parser.add_argument(
            "--timezone", default=settings.TIME_ZONE, help="For times without an offset"
        )

    def import_file(self, *, path: Path, force: Force, options: dict[str, Any]) -> None:
        code: str = options["queue"]
        if not QUEUE_CODE.fullmatch(code):
            raise CommandError("--queue: letters, digits, - and _, at most 20")
        if not path.is_file():
            raise file_missing(path)
        try:
            tz = ZoneInfo(options["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"--timezone: unknown time zone {options['timezone']!r}") from None
        # Nothing is written, not even a new queue, until the whole file has been read.
        queue = Queue.objects.filter(force=force, code=code).first()
        target = (
            queue.target_seconds
            if queue
            else float(QUEUE_DEFAULTS.get(code, QUEUE_DEFAULT)["target_seconds"])
        )
        records: list[CallRecord] = []
        rejected: list[Rejected] = []
        not_after = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
        with file_reading(path, refused=RecordsFileError):
            for item in read_records(path, tz, not_after=not_after):
                (rejected if isinstance(item, Rejected) else records).append(item)  # type: ignore[arg-type]
        for r in rejected:
            self.stdout.write(f"line {r.line}: {r.message}")
        if not records:
            raise CommandError(f"{path.name}: no calls could be read. Nothing was imported.")
        figures = aggregate(records, minutes=options["minutes"], target_seconds=target)
        try:
            intervals = figures_to_intervals(code, figures)
        except ValidationError as e:
            # The rows' own checks should make this impossible; if not, store nothing.
            problems = "; ".join(f"{k}: {v}" for k, v in field_errors(e.errors()).items())
            raise CommandError(
                f"{path.name}: an interval's figures are not valid ({problems}). "
                "Nothing was imported."
            ) from None
        stored = call_intervals_store(force=force, intervals=intervals)
        self.stdout.write(
            f"{path.name} into {force.slug}/{code}: {len(records)} calls in "
            f"{len(figures)} intervals of {options['minutes']} minutes; created "
            f"{stored.created}, updated {stored.updated}, unchanged {stored.unchanged}; "
            f"rejected rows {len(rejected)}"
        )
        if rejected:
            raise rows_rejected(f"{len(rejected)} rows rejected", stored=True, others="the others")
