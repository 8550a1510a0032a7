"""The Knox test for near repeats: our numpy and scipy code, the whole command, and pysal's
pointpats as the peer, each run in a child process so its time and peak memory are its own.

Three measurements, each the median of several runs (three by default):

* synthetic: 20,000 burglaries over a year in a 20 km square (four in five anywhere, one in
  five a near repeat of an earlier one), 999 permutations, 6 bands of 100 m by 5 of 7 days,
  Manhattan distance: ``knox_test`` timed in the child (target under 5 s, peak RSS of the
  child under 300 MB);
* chicago: ``bluelamp near-repeat`` on ``../shared/data/chicago-burglary/chicago_be_2016.csv``
  (11,701 rows, one without a date) with 999 permutations and NRC's 3 bands of 100 m by 3 of
  7 days, timed from start to exit (target under 10 s);
* peer: pointpats 2.6.0's ``spacetime.Knox`` on the same Chicago crimes with its one cell
  (within 200 m, Euclidean, and 6 days) against ``knox_test`` with the same single cell,
  both with 999 permutations; the two must count the same close pairs, and the ratio of
  their medians is printed.

    .venv/bin/python bench/knox.py
    .venv/bin/python bench/knox.py --runs 1 --peer-permutations 99
"""

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CHICAGO = ROOT.parent / "shared" / "data" / "chicago-burglary" / "chicago_be_2016.csv"
BLUELAMP = Path(sys.executable).parent / "bluelamp"
SYNTHETIC = 20_000
SQUARE_METRES = 20_000.0
YEAR_DAYS = 365
# The peer's one cell: pairs within 200 m (it counts distance <= delta, Euclidean) and 6 days
# (gap <= tau), which is our band (0, 200] m with same location, and [0, 7) days.
PEER_DELTA, PEER_TAU = 200.0, 6


def synthetic_burglaries(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Four in five burglaries anywhere in the square on any day; the rest near repeats, each
    about 100 m (normal in x and y) and a week or two (exponential, mean 10 days) after an
    earlier one, one in ten of them at the very same place."""
    rng = np.random.default_rng(seed)
    background = SYNTHETIC * 4 // 5
    x = rng.uniform(0, SQUARE_METRES, SYNTHETIC)
    y = rng.uniform(0, SQUARE_METRES, SYNTHETIC)
    days = rng.integers(0, YEAR_DAYS, SYNTHETIC)
    for i in range(background, SYNTHETIC):
        source = rng.integers(0, i)
        same = rng.random() < 0.1
        x[i] = x[source] + (0 if same else rng.normal(0, 100))
        y[i] = y[source] + (0 if same else rng.normal(0, 100))
        days[i] = days[source] + int(rng.exponential(10))
    keep = days < YEAR_DAYS
    return x[keep], y[keep], days[keep]


def child(kind: str, permutations: int, seed: int) -> None:
    """One measurement, printed as a JSON line for the parent."""
    from bluelamp.prevention.knox import Bands, knox_test

    if kind == "synthetic":
        x, y, days = synthetic_burglaries(seed)
        bands = Bands(
            spatial_bandwidth=100, spatial_bands=6, temporal_bandwidth=7, temporal_bands=5
        )
        started = time.perf_counter()
        result = knox_test(x, y, days, bands=bands, permutations=permutations, seed=seed)
        seconds = time.perf_counter() - started
        found = {"crimes": result.crimes, "near": int(result.observed[:-1, :-1].sum())}
    else:
        from bluelamp.prevention.points import read_points

        points = read_points([CHICAGO])
        if kind == "ours-cell":
            bands = Bands(
                spatial_bandwidth=PEER_DELTA,
                spatial_bands=1,
                temporal_bandwidth=PEER_TAU + 1,
                temporal_bands=1,
            )
            started = time.perf_counter()
            result = knox_test(
                points.x,
                points.y,
                points.days,
                bands=bands,
                distance="euclidean",
                permutations=permutations,
                seed=seed,
            )
            seconds = time.perf_counter() - started
            found = {
                "pairs": int(result.observed[:2, 0].sum()),
                "p_value": float(result.p_value[:2, 0].max()),
            }
        else:
            from pointpats.spacetime import Knox

            np.random.seed(seed)  # pointpats permutes with numpy's global generator
            s_coords = np.column_stack([points.x, points.y])
            t_coords = points.days.astype(np.float64)[:, None]
            started = time.perf_counter()
            peer = Knox(
                s_coords, t_coords, delta=PEER_DELTA, tau=PEER_TAU, permutations=permutations
            )
            seconds = time.perf_counter() - started
            found = {"pairs": int(peer.nst), "p_value": float(peer.p_sim)}
    print(json.dumps({"seconds": seconds, **found}))


def measured(command: list[str]) -> dict[str, Any]:
    """Run ``command``; its own wall time, peak RSS (MB, from wait4: this child's alone) and
    the JSON object of its last line."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, cwd=ROOT)
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            sys.stderr.write(errors.read().decode(errors="replace"))
            raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    lines = out.decode().strip().splitlines()
    return {"wall": wall, "rss_mb": usage.ru_maxrss / 1024, **json.loads(lines[-1])}


def runs_of(command: list[str], runs: int, label: str) -> list[dict[str, Any]]:
    found = []
    for run in range(1, runs + 1):
        one = measured(command)
        found.append(one)
        shown = {
            k: round(v, 3) if isinstance(v, float) else v
            for k, v in one.items()
            if isinstance(v, int | float)
        }
        print(f"  {label} run {run}: {shown}", flush=True)
    return found


def median(found: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(f[key]) for f in found)


def machine() -> str:
    one, five, _ = os.getloadavg()
    return (
        f"nproc {os.cpu_count()}; Python {platform.python_version()}; numpy {np.__version__}; "
        f"scipy {importlib.metadata.version('scipy')}; "
        f"pointpats {importlib.metadata.version('pointpats')}; "
        f"load average {one:.2f} (1 min), {five:.2f} (5 min)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--peer-permutations", type=int, default=999)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--skip-peer", action="store_true", help="leave pointpats out")
    parser.add_argument(
        "--child", choices=["synthetic", "ours-cell", "peer-cell"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.permutations, args.seed)
        return
    if not (1 <= args.runs <= 20 and min(args.permutations, args.peer_permutations) >= 1):
        parser.error("--runs must be 1 to 20 and the permutations at least 1")
    me = [sys.executable, str(Path(__file__).resolve())]
    print(f"before: {machine()}")

    print(
        f"\n== synthetic: {SYNTHETIC:,} burglaries, a year, a 20 km square; "
        f"{args.permutations} permutations, 6 x 100 m by 5 x 7 days, Manhattan =="
    )
    found = runs_of(
        [
            *me,
            "--child",
            "synthetic",
            "--permutations",
            str(args.permutations),
            "--seed",
            str(args.seed),
        ],
        args.runs,
        "synthetic",
    )
    seconds, rss = median(found, "seconds"), median(found, "rss_mb")
    print(
        f"synthetic: {found[0]['crimes']:,} crimes, {found[0]['near']:,} pairs in the near "
        f"cells; knox_test median {seconds:.2f} s, child peak RSS median {rss:.0f} MB "
        f"(targets 5 s, 300 MB)"
    )
    if seconds >= 5 or rss >= 300:
        print("target missed: synthetic")

    if not CHICAGO.exists():
        print(f"\n{CHICAGO} not found: Chicago and the peer left out")
        print(f"\nafter: {machine()}")
        return
    print(
        f"\n== chicago: bluelamp near-repeat {CHICAGO.name}, {args.permutations} "
        "permutations, 3 x 100 m by 3 x 7 days, the whole command =="
    )
    command = [
        str(BLUELAMP),
        "near-repeat",
        str(CHICAGO),
        "--spatial-bandwidth",
        "100",
        "--spatial-bands",
        "3",
        "--temporal-bandwidth",
        "7",
        "--temporal-bands",
        "3",
        "--permutations",
        str(args.permutations),
        "--seed",
        str(args.seed),
        "--json",
    ]
    found = runs_of(command, args.runs, "chicago")
    wall, rss = median(found, "wall"), median(found, "rss_mb")
    print(
        f"chicago: {found[0]['crimes']:,} crimes ({found[0]['skipped']} skipped); whole "
        f"command median {wall:.2f} s, peak RSS median {rss:.0f} MB (target 10 s)"
    )
    if wall >= 10:
        print("target missed: chicago")
    if args.skip_peer:
        print(f"\nafter: {machine()}")
        return

    print(
        f"\n== peer: pointpats spacetime.Knox against knox_test, one cell (within "
        f"{PEER_DELTA:g} m Euclidean and {PEER_TAU} days), Chicago 2016 =="
    )
    ours = runs_of(
        [
            *me,
            "--child",
            "ours-cell",
            "--permutations",
            str(args.peer_permutations),
            "--seed",
            str(args.seed),
        ],
        args.runs,
        "ours",
    )
    peer = runs_of(
        [
            *me,
            "--child",
            "peer-cell",
            "--permutations",
            str(args.peer_permutations),
            "--seed",
            str(args.seed),
        ],
        args.runs,
        "pointpats",
    )
    if ours[0]["pairs"] != peer[0]["pairs"]:
        raise SystemExit(
            f"ours counts {ours[0]['pairs']} close pairs, pointpats {peer[0]['pairs']}"
        )
    ours_s, peer_s = median(ours, "seconds"), median(peer, "seconds")
    print(
        f"peer: both count {ours[0]['pairs']:,} pairs close in space and time; "
        f"{args.peer_permutations} permutations: pointpats median {peer_s:.2f} s "
        f"({median(peer, 'rss_mb'):.0f} MB), ours {ours_s:.2f} s "
        f"({median(ours, 'rss_mb'):.0f} MB): ours {peer_s / ours_s:.0f}x faster"
    )
    print(f"\nafter: {machine()}")


if __name__ == "__main__":
    main()
