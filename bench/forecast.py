"""The call-demand forecast against seasonal naive on real call-centre arrivals.

Reads the bank call-arrivals data set (164 weekdays, 07:00 to 21:05 in 5-minute slots) from
the shared data directory, which is not part of the repository, and backtests
``bluelamp.staffing.forecast`` at 5-minute slots and at the 15-minute slots control rooms
use: each of the last held-out days is forecast from the days strictly before it, by the
method and by seasonal naive, and both are scored on the same slots. Prints MASE (scaled by
seasonal naive's in-sample error on the training days), MAPE over slots with calls, their
ratio and the time taken.

    .venv/bin/python bench/forecast.py                       # last 20 weekdays held out
    .venv/bin/python bench/forecast.py --holdout 40 --weeks 6 --data /path/to/calls_5min.csv

The file's dates (``date_assumed``) assume consecutive weekdays and are not British dates;
they are passed as given, so a date that happens to be an English bank holiday is treated as
one (the script lists them).
"""

import argparse
import csv
import time
from datetime import date
from pathlib import Path

import numpy as np

from bluelamp.staffing.forecast import BANK_HOLIDAY, Backtest, backtest, coarsen_slots, day_type

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared/data/bank-call-arrivals/calls_5min.csv"


def load(path: Path) -> tuple[np.ndarray, list[date]]:
    """Calls per day (rows, ascending) and 5-minute slot (columns), NaN where absent."""
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    days = sorted({row["date_assumed"] for row in rows})
    index = {day: i for i, day in enumerate(days)}
    slots = max(int(row["slot_index"]) for row in rows)
    counts = np.full((len(days), slots), np.nan)
    for row in rows:
        counts[index[row["date_assumed"]], int(row["slot_index"]) - 1] = float(row["calls"])
    return counts, [date.fromisoformat(day) for day in days]


def run(label: str, counts: np.ndarray, days: list[date], holdout: int, weeks: int) -> Backtest:
    started = time.perf_counter()
    result = backtest(counts, days, holdout_days=holdout, weeks=weeks)
    seconds = time.perf_counter() - started
    print(
        f"{label:<8} {counts.shape[1]:>9} {result.days:>9} {result.slots:>7} "
        f"{result.method_mase:>11.3f} {result.naive_mase:>10.3f} {result.ratio:>7.3f} "
        f"{result.method_mape:>10.1f}% {result.naive_mape:>9.1f}% {seconds:>7.2f} s"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="calls_5min.csv")
    parser.add_argument("--holdout", type=int, default=20, help="held-out days (weekdays here)")
    parser.add_argument("--weeks", type=int, default=8, help="weeks of history the method uses")
    args = parser.parse_args()
    if not args.data.exists():
        parser.error(f"no data at {args.data} (the shared data directory is not in the repo)")
    counts, days = load(args.data)
    if not (20 <= args.holdout < len(days) - 7 and 1 <= args.weeks <= 52):
        parser.error(f"--holdout must be 20 to {len(days) - 8}, --weeks 1 to 52")
    missing = int(np.isnan(counts).sum())
    print(
        f"{args.data.name}: {len(days)} days from {days[0]} to {days[-1]}, "
        f"{counts.shape[1]} five-minute slots a day, {int(np.nansum(counts))} calls, "
        f"{missing} slots missing"
    )
    holidays = [d for d in days if day_type(d) == BANK_HOLIDAY]
    held_out = days[-args.holdout :]
    print(
        "dates are the file's assumed consecutive weekdays, not British dates; passed as given, "
        f"{len(holidays)} fall on English bank holidays and are treated as such: "
        f"{', '.join(str(d) for d in holidays) or 'none'} "
        f"({sum(d in holidays for d in held_out)} of them held out)"
    )
    print(f"held out: {held_out[0]} to {held_out[-1]}; each forecast from the days before it")
    print(
        "\nslots    slots/day  held-out  scored  method MASE  naive MASE   ratio"
        "  method MAPE  naive MAPE     time"
    )
    run("5 min", counts, days, args.holdout, args.weeks)
    # 15-minute slots from 07:00 to 21:00; the lone 5-minute slot at 21:00 is dropped.
    run("15 min", coarsen_slots(counts, 3), days, args.holdout, args.weeks)
    print(
        "\nMASE: mean absolute error over seasonal naive's in-sample error on the training days;"
        " ratio = method / naive (below 1 beats the baseline). MAPE over slots with calls."
    )


if __name__ == "__main__":
    main()
