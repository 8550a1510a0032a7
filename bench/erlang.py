"""Staffing a day with Erlang C and A: our vectorised numpy code against pyworkforce.

Builds seeded daily demand curves (96 intervals of 15 minutes, two peaks, Poisson noise) for
a number of scenarios, then in the same run, several times over:

* ours: ``erlang_c_required`` on every interval of every scenario in one call;
* pyworkforce 0.5.4: ``ErlangC.required_positions`` looped over the same intervals.

Both answers are compared (they must agree, apart from pyworkforce's search starting one
above the minimum where floor(A) + 1 already meets the target) and the medians and their
ratio are printed (target: ours at least 50 times faster). Also timed: 20,000 calls in 15
minutes (180 s and 300 s handle time), and an Erlang A day (requirement and the share
answered within 10/30/60/120/300 s), with pyworkforce's ErlangA on a sample of its intervals.

    .venv/bin/python bench/erlang.py
    .venv/bin/python bench/erlang.py --scenarios 20 --runs 3 --seed 7
"""

import argparse
import gc
import importlib.metadata
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from pyworkforce.queuing import ErlangA as PwErlangA
from pyworkforce.queuing import ErlangC as PwErlangC

from bluelamp.staffing.erlang import (
    Requirement,
    erlang_a,
    erlang_a_required,
    erlang_c_required,
)

INTERVAL_SECONDS = 900.0
INTERVALS = 96
MAX_OCCUPANCY = 0.85
SHRINKAGE = 0.35
PATIENCE_SECONDS = 90.0
WAIT_CURVE_SECONDS = np.array([10.0, 30.0, 60.0, 120.0, 300.0])


def scenarios(count: int, seed: int) -> dict[str, np.ndarray]:
    """Seeded daily curves: (count, 96) calls, per-scenario handle time and service target.

    Between 1,500 and 15,000 calls a day with a late-morning and an evening peak of random
    size and timing, a quiet night and Poisson noise; handle times of 3 to 7 minutes; 80% or
    90% of calls answered within 10, 20 or 30 seconds.
    """
    rng = np.random.default_rng(seed)
    hours = (np.arange(INTERVALS) + 0.5) / 4
    morning = rng.uniform(9.5, 12.0, (count, 1))
    evening = rng.uniform(16.5, 20.0, (count, 1))
    shape = (
        np.exp(-(((hours - morning) / rng.uniform(2.0, 3.5, (count, 1))) ** 2))
        + rng.uniform(0.5, 1.1, (count, 1))
        * np.exp(-(((hours - evening) / rng.uniform(2.0, 4.0, (count, 1))) ** 2))
        + 0.06
    )
    shape /= shape.sum(axis=1, keepdims=True)
    daily = rng.uniform(1500.0, 15000.0, (count, 1))
    return {
        "calls": rng.poisson(daily * shape).astype(np.float64),
        "aht": np.broadcast_to(rng.uniform(180.0, 420.0, (count, 1)), (count, INTERVALS)),
        "share": np.broadcast_to(rng.choice([0.8, 0.9], (count, 1)), (count, INTERVALS)),
        "target": np.broadcast_to(rng.choice([10.0, 20.0, 30.0], (count, 1)), (count, INTERVALS)),
    }


def ours_c(day: dict[str, np.ndarray]) -> Requirement:
    return erlang_c_required(
        day["calls"],
        day["aht"],
        INTERVAL_SECONDS,
        day["share"],
        day["target"],
        max_occupancy=MAX_OCCUPANCY,
        shrinkage=SHRINKAGE,
    )


def pyworkforce_c(day: dict[str, np.ndarray]) -> np.ndarray:
    """pyworkforce's raw positions per interval (0 where no calls: it refuses zero calls)."""
    calls, aht, share, target = (day[k].ravel() for k in ("calls", "aht", "share", "target"))
    raw = np.zeros(calls.size, dtype=np.int64)
    for i in range(calls.size):
        if calls[i] == 0:
            continue
        model = PwErlangC(
            transactions=float(calls[i]),
            aht=float(aht[i]) / 60,
            asa=float(target[i]) / 60,
            interval=INTERVAL_SECONDS / 60,
            shrinkage=SHRINKAGE,
        )
        result = model.required_positions(
            service_level=float(share[i]), max_occupancy=MAX_OCCUPANCY
        )
        raw[i] = result["raw_positions"]
    return raw.reshape(day["calls"].shape)


def compare(day: dict[str, np.ndarray], ours: Requirement, theirs: np.ndarray) -> str:
    """Agreement of the two answers; any difference other than the known one stops the run."""
    load = day["calls"] / INTERVAL_SECONDS * day["aht"]
    differ = ours.raw != theirs
    # pyworkforce starts at round(A + 1); where floor(A) + 1 already meets the target and its
    # start is above that, it answers one more than needed.
    known = differ & (ours.raw == theirs - 1) & (np.round(load + 1) > ours.raw)
    known &= ours.service_level >= day["share"]
    if np.any(differ & ~known):
        bad = np.argwhere(differ & ~known)[0]
        raise SystemExit(
            f"ours and pyworkforce disagree at scenario {bad[0]}, interval {bad[1]}: "
            f"{ours.raw[tuple(bad)]} against {theirs[tuple(bad)]}"
        )
    return (
        f"agree on {np.count_nonzero(~differ)} of {differ.size} intervals; on "
        f"{np.count_nonzero(known)} pyworkforce answers one more (its search starts at "
        "round(A + 1), above the minimum)"
    )


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call, the way ``timeit`` measures: garbage collected beforehand and
    the collector paused during the call, for both implementations alike (pyworkforce's loop
    leaves many objects behind, and a collection they trigger would land in the next timing)."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        result = function()
        return time.perf_counter() - started, result
    finally:
        gc.enable()


def bench_day(count: int, runs: int, seed: int) -> None:
    day = scenarios(count, seed)
    load = day["calls"] / INTERVAL_SECONDS * day["aht"]
    print(
        f"\n== Erlang C: {count} scenarios x {INTERVALS} intervals of 15 min "
        f"({day['calls'].size} intervals) =="
    )
    print(
        f"calls per interval {day['calls'].min():.0f} to {day['calls'].max():.0f} "
        f"(median {np.median(day['calls']):.0f}); load up to {load.max():.1f} erlangs; "
        f"max occupancy {MAX_OCCUPANCY}, shrinkage {SHRINKAGE}"
    )
    ours_c(day)  # warm-up
    ours_times: list[float] = []
    theirs_times: list[float] = []
    for run in range(1, runs + 1):
        ours_s, ours = timed(lambda: ours_c(day))
        theirs_s, theirs = timed(lambda: pyworkforce_c(day))
        ours_times.append(ours_s)
        theirs_times.append(theirs_s)
        print(f"run {run}: ours {ours_s * 1000:8.2f} ms   pyworkforce {theirs_s * 1000:9.1f} ms")
    print(compare(day, ours, theirs))
    print(
        f"rostered handler-intervals: {int(ours.staffed.sum())}; "
        f"raw {int(ours.raw.sum())}; peak raw {int(ours.raw.max())}"
    )
    ours_median, theirs_median = statistics.median(ours_times), statistics.median(theirs_times)
    ratio = theirs_median / ours_median
    print(
        f"median: ours {ours_median * 1000:.2f} ms, pyworkforce {theirs_median * 1000:.1f} ms "
        f"({theirs_median / day['calls'].size * 1e6:.0f} us an interval): ours {ratio:.0f}x faster"
    )
    if ratio < 50:
        print(f"target missed: ours {ratio:.0f}x faster (target at least 50x)")


def bench_big(runs: int) -> None:
    print("\n== Erlang C: 20,000 calls in 15 minutes, 80% within 20 s, no occupancy cap ==")
    for aht in [180.0, 300.0]:
        ours_times: list[float] = []
        theirs_times: list[float] = []
        for _ in range(runs):
            ours_s, ours = timed(lambda aht=aht: erlang_c_required(20_000, aht, 900, 0.8, 20))
            model = PwErlangC(transactions=20_000, aht=aht / 60, asa=20 / 60, interval=15)
            theirs_s, theirs = timed(lambda model=model: model.required_positions(0.8))
            ours_times.append(ours_s)
            theirs_times.append(theirs_s)
        ours_median, theirs_median = statistics.median(ours_times), statistics.median(theirs_times)
        print(
            f"aht {aht:.0f} s ({20_000 / 900 * aht:.0f} erlangs): ours {int(ours.raw)} handlers, "
            f"service level {float(ours.service_level):.4f}, in {ours_median * 1000:.1f} ms; "
            f"pyworkforce {theirs['raw_positions']} in {theirs_median * 1000:.1f} ms "
            f"({theirs_median / ours_median:.0f}x)"
        )
        a_s, a = timed(
            lambda aht=aht: erlang_a_required(20_000, aht, PATIENCE_SECONDS, 900, 0.8, 20)
        )
        print(
            f"  Erlang A, patience {PATIENCE_SECONDS:.0f} s: {int(a.raw)} handlers, "
            f"answered within 20 s {float(a.service_level):.4f}, "
            f"abandoned {float(a.abandon_probability):.2e}, in {a_s * 1000:.1f} ms"
        )


def bench_erlang_a(count: int, runs: int, seed: int, sample: int) -> None:
    day = scenarios(count, seed)
    calls, aht = day["calls"][0], day["aht"][0]
    share, target = float(day["share"][0, 0]), float(day["target"][0, 0])
    print(
        f"\n== Erlang A: one day of {INTERVALS} intervals, patience {PATIENCE_SECONDS:.0f} s, "
        f"{share:.0%} answered within {target:.0f} s =="
    )

    def one_day() -> tuple[Requirement, np.ndarray]:
        needed = erlang_a_required(
            calls, aht, PATIENCE_SECONDS, INTERVAL_SECONDS, share, target, MAX_OCCUPANCY
        )
        curve = erlang_a(
            needed.raw, calls, aht, PATIENCE_SECONDS, INTERVAL_SECONDS, WAIT_CURVE_SECONDS[:, None]
        ).answered_within
        return needed, curve

    one_day()  # warm-up
    day_times: list[float] = []
    all_times: list[float] = []
    for _ in range(runs):
        day_s, (needed, curve) = timed(one_day)
        all_s, _ = timed(
            lambda: erlang_a_required(
                day["calls"],
                day["aht"],
                PATIENCE_SECONDS,
                INTERVAL_SECONDS,
                day["share"],
                day["target"],
                MAX_OCCUPANCY,
            )
        )
        day_times.append(day_s)
        all_times.append(all_s)
    busiest = int(np.argmax(calls))
    points = ", ".join(
        f"{t:.0f} s {v:.3f}" for t, v in zip(WAIT_CURVE_SECONDS, curve[:, busiest], strict=True)
    )
    print(
        "ours: requirement and wait curve for the day, "
        f"median {statistics.median(day_times) * 1000:.1f} ms; "
        f"all {count} scenarios' requirements at once ({day['calls'].size} intervals), "
        f"median {statistics.median(all_times) * 1000:.1f} ms"
    )
    print(
        f"busiest interval ({calls[busiest]:.0f} calls): {int(needed.raw[busiest])} handlers, "
        f"abandoned {float(needed.abandon_probability[busiest]):.3f}; answered within {points}"
    )
    picks = np.linspace(0, INTERVALS - 1, sample).round().astype(int)
    picks = picks[calls[picks] > 0]
    seconds = 0.0
    agree = 0
    for i in picks:
        model = PwErlangA(
            transactions=float(calls[i]),
            aht=float(aht[i]) / 60,
            asa=target / 60,
            interval=INTERVAL_SECONDS / 60,
            patience=PATIENCE_SECONDS / 60,
        )
        took, theirs = timed(
            lambda model=model: model.required_positions(share, max_occupancy=MAX_OCCUPANCY)
        )
        seconds += took
        agree += int(theirs["raw_positions"] == needed.raw[i])
    print(
        f"pyworkforce ErlangA.required_positions on {picks.size} of the day's intervals: "
        f"{seconds:.2f} s ({seconds / picks.size * 1000:.0f} ms an interval, so about "
        f"{seconds / picks.size * INTERVALS:.0f} s for the day); same answer on {agree} of "
        f"{picks.size} (pyworkforce starts its search at ceil(A))"
    )


def machine() -> str:
    cpus = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    one, five, _ = os.getloadavg()
    return (
        f"nproc {cpus}; Python {platform.python_version()}; "
        f"numpy {np.__version__}; pyworkforce {importlib.metadata.version('pyworkforce')}; "
        f"load average {one:.2f} (1 min), {five:.2f} (5 min)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", type=int, default=100, help="daily curves")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--sample", type=int, default=8, help="intervals of the Erlang A day for pyworkforce"
    )
    args = parser.parse_args()
    if not (1 <= args.scenarios <= 1000 and 1 <= args.runs <= 50 and 1 <= args.sample <= 96):
        parser.error("--scenarios must be 1 to 1000, --runs 1 to 50, --sample 1 to 96")
    print(f"before: {machine()}")
    bench_day(args.scenarios, args.runs, args.seed)
    bench_big(args.runs)
    bench_erlang_a(args.scenarios, args.runs, args.seed, args.sample)
    print(f"\nafter: {machine()}")


if __name__ == "__main__":
    main()
