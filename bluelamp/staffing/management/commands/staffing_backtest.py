from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.staffing.backtest import run_backtest
from bluelamp.staffing.records import (
    IDLE_GAP_SECONDS,
    CallRecord,
    RecordsFileError,
    Rejected,
    read_records,
)


class Command(BaseCommand):
    help = (
        "Check Erlang A (and Erlang C) against reality from a file of per-call records: one "
        "row per hour with the predicted and actual share answered within the target and "
        "share abandoned, then the mean absolute errors. Reads no database."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--records", type=Path, required=True, help="Per-call records CSV")
        parser.add_argument("--target-seconds", type=float, default=20.0)
        parser.add_argument(
            "--min-calls", type=int, default=10, help="Leave out hours with fewer calls"
        )
        parser.add_argument(
            "--idle-gap",
            type=float,
            default=IDLE_GAP_SECONDS,
            help="Seconds between two calls after which a handler counts as away "
            f"(default {IDLE_GAP_SECONDS:g})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["records"]
        if not path.is_file():
            raise CommandError(f"--records: {path}: no such file")
        target = options["target_seconds"]
        if target <= 0:
            raise CommandError("--target-seconds: must be more than 0")
        records: list[CallRecord] = []
        rejected = 0
        # Times are taken as written: the hours are the file's own.
        try:
            for item in read_records(path, ZoneInfo("UTC")):
                if isinstance(item, Rejected):
                    rejected += 1
                    self.stderr.write(f"line {item.line}: {item.message}")
                else:
                    records.append(item)
        except RecordsFileError as e:
            raise CommandError(f"{path.name}: {e}") from None
        if not records:
            raise CommandError(f"{path.name}: no calls could be read")
        result = run_backtest(
            records,
            target_seconds=target,
            min_calls=options["min_calls"],
            idle_gap_seconds=options["idle_gap"],
        )
        t = f"{target:g}s"
        self.stdout.write(
            f"# {path.name}: {len(records)} calls that joined the queue, {rejected} rows "
            f"rejected; {len(result.hours)} hours checked, {result.skipped} left out (fewer "
            f"than {options['min_calls']} calls or no handler at work)"
        )
        patience = result.patience_seconds
        self.stdout.write(
            "# patience (mean time before hanging up, from all abandoned calls): "
            + (f"{patience:.0f} s" if patience else "none abandoned: Erlang A is Erlang C")
        )
        self.stdout.write(
            f"{'hour':<16} {'calls':>5} {'handlers':>8} {'aht_s':>6} "
            f"{'pred_answered_' + t:>20} {'actual_answered_' + t:>22} "
            f"{'pred_abandoned':>14} {'actual_abandoned':>16} {'erlang_c_answered_' + t:>24}"
        )
        for h in result.hours:
            f = h.figures
            self.stdout.write(
                f"{f.start:%Y-%m-%d %H:00} {f.offered:>5} {h.handlers:>8.1f} "
                f"{f.average_handle_seconds or 0:>6.0f} {h.a_within:>20.3f} "
                f"{h.actual_within:>22.3f} {h.a_abandoned:>14.3f} {h.actual_abandoned:>16.3f} "
                f"{h.c_within:>24.3f}"
            )
        c_within, c_abandoned = result.mae("C")
        a_within, a_abandoned = result.mae("A")
        self.stdout.write(
            f"# Erlang C: MAE answered_{target:g}s={c_within:.3f} abandoned={c_abandoned:.3f}"
        )
        name = "answered_20s" if target == 20 else f"answered_{target:g}s"
        self.stdout.write(f"MAE {name}={a_within:.3f} abandoned={a_abandoned:.3f}")
