"""Contacts imported per second by ``bluelamp import-contacts``, on SQLite and PostgreSQL.

Writes an N-row CSV of invented contacts (emails at example.com, mobiles only in the
07700 900000-900999 drama range, so the same people call again and the frequency cap works;
incident types mixed as in bench/intake.py; received over the past three years), creates a
fresh database, runs the import as a child process and prints its rows per second and peak
memory. Fails (exit 1) if an import takes over 10 minutes a million rows (scaled to N) or
its peak memory is over 300 MB.

    .venv/bin/python bench/import.py --rows 100000             # both databases
    .venv/bin/python bench/import.py --db sqlite --rows 1000000 --no-invitations
"""

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import (
    CHANNELS,
    FORCE_SLUG,
    INCIDENT_MIX,
    ROOT,
    TEAMS,
    Database,
    prepare,
)

SECONDS_PER_MILLION = 600.0
MEMORY_LIMIT_MB = 300.0
POSTGRES_DB = "bluelamp_bench_import"  # not bench/intake.py's, which may run beside it
COLUMNS = ["reference", "received_at", "channel", "incident_type", "call_handler", "team"]
COLUMNS += ["answer_seconds", "name", "phone", "email", "age", "flags"]


def write_file(path: Path, rows: int, seed: int = 1) -> None:
    """An import file of invented contacts, one person in four by email only."""
    rng = random.Random(seed)
    types = [t for t, _ in INCIDENT_MIX]
    weights = [w for _, w in INCIDENT_MIX]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    span = int((dt.datetime(2026, 11, 30, tzinfo=dt.UTC) - start).total_seconds())
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for i in range(rows):
            number = rng.randrange(1000)
            by_email = rng.random() < 0.25
            received = start + dt.timedelta(seconds=rng.randrange(span))
            writer.writerow(
                [
                    f"IMP-{i:08d}",
                    received.isoformat(timespec="seconds"),
                    rng.choice(CHANNELS),
                    rng.choices(types, weights)[0],
                    f"CH{rng.randrange(200):03d}",
                    rng.choice(TEAMS),
                    rng.randrange(1, 60),
                    "Test Caller",
                    "" if by_email else f"07700 900{number:03d}",
                    f"caller{number}@example.com" if by_email else "",
                    rng.randrange(12, 90),
                    "repeat_victim" if rng.random() < 0.05 else "",
                ]
            )


def bench_database(kind: str, rows: int, history: bool, batch_size: int | None) -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        workdir = Path(tmp)
        db = Database(kind, workdir, name=POSTGRES_DB)
        db.create()
        try:
            prepare(db)
            path = workdir / "contacts.csv"
            write_file(path, rows)
            args = [sys.executable, "-m", "bluelamp.cli", "import-contacts", str(path)]
            args += ["--force", FORCE_SLUG]
            if history:
                args.append("--no-invitations")
            if batch_size:
                args += ["--batch-size", str(batch_size)]
            out = (workdir / "stdout").open("w+")
            started = time.perf_counter()
            child = subprocess.Popen(args, cwd=ROOT, env=db.env(), stdout=out, stderr=out)
            # wait4: this child's own peak, not that of the migrate run before it.
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss / 1024  # kilobytes on Linux
            cpu = usage.ru_utime + usage.ru_stime
            out.seek(0)
            output = out.read()
        finally:
            db.drop()
    if child.returncode != 0:
        print(output[-3000:])
        print(f"{kind}: the import failed (exit {child.returncode})")
        return False
    print(output.strip())
    limit = SECONDS_PER_MILLION * rows / 1_000_000
    label = f"{kind}{' --no-invitations' if history else ''}"
    print(
        f"{label}: {rows} rows in {seconds:.1f} s, {rows / seconds:.0f} rows/s, "
        f"peak memory {peak:.0f} MB, the import's own CPU {cpu / rows * 1e6:.0f} µs a row"
    )
    ok = True
    if seconds > limit:
        print(f"{label}: FAIL, over {limit:.0f} s ({SECONDS_PER_MILLION:.0f} s a million rows)")
        ok = False
    if peak > MEMORY_LIMIT_MB:
        print(f"{label}: FAIL, peak memory over {MEMORY_LIMIT_MB:.0f} MB")
        ok = False
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-invitations", action="store_true", help="passed to the import")
    parser.add_argument("--batch-size", type=int, help="passed to the import")
    options = parser.parse_args()
    kinds = ["sqlite", "postgres"] if options.db == "both" else [options.db]
    ok = [
        bench_database(kind, options.rows, options.no_invitations, options.batch_size)
        for kind in kinds
    ]
    sys.exit(0 if all(ok) else 1)


if __name__ == "__main__":
    main()
