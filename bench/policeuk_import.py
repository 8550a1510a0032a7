"""Rows per second of ``bluelamp import-policeuk`` on SQLite: the shared Hertfordshire files
(13 months: about 108 thousand street rows and 85 thousand outcome rows) into a fresh
database, then the same files again (nothing new). Each import runs as a child process and
is timed whole (start-up included). Fails (exit 1) if the first import takes over 30 s.

    .venv/bin/python bench/policeuk_import.py
    .venv/bin/python bench/policeuk_import.py --folder ../shared/data/policeuk-hertfordshire
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT.parent / "shared" / "data" / "policeuk-hertfordshire"
LIMIT_SECONDS = 30.0


def bluelamp(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "bluelamp"), *args],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode not in (0, 2):
        sys.exit(f"bluelamp {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, default=FOLDER)
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"police.uk files not found at {args.folder}")
    rows = sum(sum(1 for _ in path.open("rb")) - 1 for path in args.folder.rglob("*.csv"))
    with tempfile.TemporaryDirectory(prefix="bench-policeuk-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        bluelamp(env, "migrate", "-v0")
        bluelamp(env, "create-force", "bench", "--name", "Bench Constabulary")
        first = 0.0
        for run in ("first", "again"):
            start = time.perf_counter()
            out = bluelamp(env, "import-policeuk", str(args.folder), "--force", "bench")
            seconds = time.perf_counter() - start
            first = first or seconds
            totals = [line for line in out.splitlines() if " files: read " in line]
            print(f"{run}: {rows} rows in {seconds:.1f} s, {rows / seconds:,.0f} rows/s")
            for line in totals:
                print(f"  {line}")
    if first > LIMIT_SECONDS:
        sys.exit(f"the first import took {first:.1f} s, over {LIMIT_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
