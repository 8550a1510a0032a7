import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from bluelamp.forces.models import Force
from bluelamp.intake.schemas import field_errors
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


class Command(BaseCommand):
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
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", required=True, help="The force's slug")
        parser.add_argument("--queue", required=True, help="Queue code, e.g. 101")
        parser.add_argument("--minutes", type=int, choices=[15, 30, 60], default=15)
        parser.add_argument(
            "--timezone", default=settings.TIME_ZONE, help="For times without an offset"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        code: str = options["queue"]
        force = Force.objects.filter(slug=options["force"]).first()
        if force is None:
            raise CommandError(f"--force: no force with slug {options['force']!r}")
        if not QUEUE_CODE.fullmatch(code):
            raise CommandError("--queue: letters, digits, - and _, at most 20")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
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
        try:
            for item in read_records(path, tz, not_after=not_after):
                (rejected if isinstance(item, Rejected) else records).append(item)  # type: ignore[arg-type]
        except RecordsFileError as e:
            raise CommandError(f"{path.name}: {e}. Nothing was imported.") from None
        except OSError as e:
            raise CommandError(f"{path}: cannot be read: {e.strerror}") from None
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
            raise CommandError(
                f"{len(rejected)} rows rejected (listed above); the others were imported.",
                returncode=2,
            )
