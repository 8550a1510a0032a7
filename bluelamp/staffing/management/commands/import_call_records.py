from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.forces.models import Force
from bluelamp.staffing.imports import figures_to_intervals
from bluelamp.staffing.records import CallRecord, Rejected, aggregate, read_records
from bluelamp.staffing.services import call_intervals_store, queue_get_or_create


class Command(BaseCommand):
    help = (
        "Aggregate per-call records (one row per call, as telephony systems export them) "
        "into interval figures for one queue and store them. Layouts: Bluelamp's own "
        "(queue_entry, queue_exit, outcome answered|abandoned, handle_seconds, handler) or the "
        "Anonymous Bank call-centre layout. Exit status: 0 all read; 1 nothing imported; "
        "2 some rows rejected."
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
        force = Force.objects.filter(slug=options["force"]).first()
        if force is None:
            raise CommandError(f"--force: no force with slug {options['force']!r}")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            tz = ZoneInfo(options["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"--timezone: unknown time zone {options['timezone']!r}") from None
        queue = queue_get_or_create(force, options["queue"])
        records: list[CallRecord] = []
        rejected: list[Rejected] = []
        for item in read_records(path, tz):
            (rejected if isinstance(item, Rejected) else records).append(item)  # type: ignore[arg-type]
        for r in rejected:
            self.stdout.write(f"line {r.line}: {r.message}")
        if not records:
            raise CommandError(f"{path.name}: no calls could be read. Nothing was imported.")
        figures = aggregate(
            records, minutes=options["minutes"], target_seconds=queue.target_seconds
        )
        stored = call_intervals_store(
            force=force, intervals=figures_to_intervals(queue.code, figures)
        )
        self.stdout.write(
            f"{path.name} into {force.slug}/{queue.code}: {len(records)} calls in "
            f"{len(figures)} intervals of {options['minutes']} minutes; created "
            f"{stored.created}, updated {stored.updated}, unchanged {stored.unchanged}; "
            f"rejected rows {len(rejected)}"
        )
        if rejected:
            raise CommandError(f"{len(rejected)} rows rejected (listed above).", returncode=2)
