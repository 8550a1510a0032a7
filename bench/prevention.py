"""The on-demand near-repeat run, as a supervisor's POST /prevention/run/ makes it: a
force's year of stored residential burglaries read, projected to British National Grid and
tested with 999 permutations in the request.

A fresh SQLite file in a temporary directory (migrated), one force, ``--crimes`` burglaries
over a year in a 20 km square near St Albans (four in five anywhere, one in five a near
repeat of an earlier one: within 100 m and 7 days), as ``bench/knox.py`` makes them. Times,
each the median of ``--runs``: ``near_repeat_run`` alone, and the whole POST through
Django's test client (sign-in by session, the run, the redirect). Exits 1 if a result is
wrong (no window found in crimes built with near repeats).

    .venv/bin/python bench/prevention.py
    .venv/bin/python bench/prevention.py --crimes 5000 --runs 3
"""

import argparse
import datetime as dt
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crimes", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluelamp.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        run(args.crimes, args.runs)


def run(count: int, runs: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from bluelamp.care.models import Crime
    from bluelamp.forces.models import Force, Role, User
    from bluelamp.prevention.models import NearRepeatRun
    from bluelamp.prevention.services import near_repeat_run

    force = Force.objects.create(slug="bench", name="Bench Constabulary")
    admin = User.objects.create_user(username="bench-admin", force=force, role=Role.ADMINISTRATOR)
    rng = np.random.default_rng(1)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    first = yesterday - dt.timedelta(days=364)
    start = dt.datetime.combine(first, dt.time(), tzinfo=timezone.get_current_timezone())
    east, north, day = np.zeros(count), np.zeros(count), np.zeros(count, dtype=np.int64)
    for i in range(count):
        if i and rng.random() < 0.2:
            j = int(rng.integers(0, i))
            east[i] = east[j] + rng.uniform(-100, 100)
            north[i] = north[j] + rng.uniform(-100, 100)
            day[i] = min(day[j] + int(rng.integers(0, 7)), 364)
        else:
            east[i], north[i] = rng.uniform(0, 20_000, 2)
            day[i] = int(rng.integers(0, 365))
    latitude = 51.70 + north / 111_250
    longitude = -0.45 + east / (111_320 * math.cos(math.radians(51.75)))
    Crime.objects.bulk_create(
        (
            Crime(
                force=force, reference=f"BENCH-{i}", offence_id="burglary_residential",
                occurred_at=start + dt.timedelta(days=int(day[i]), hours=12),
                reported_at=start + dt.timedelta(days=int(day[i]), hours=13),
                recorded_at=start + dt.timedelta(days=int(day[i]), hours=14),
                latitude=float(latitude[i]), longitude=float(longitude[i]),
            )
            for i in range(count)
        ),
        batch_size=2000,
    )  # fmt: skip

    service = []
    for _ in range(runs):
        started = time.perf_counter()
        done = near_repeat_run(
            force=force, family="residential_burglary", first_day=first, last_day=yesterday,
            by="bench",
        )  # fmt: skip
        service.append(time.perf_counter() - started)
        if done.crimes != count or done.window_metres is None:
            raise SystemExit(f"wrong: {done.crimes} crimes tested, window {done.window_metres}")
    client = Client()
    client.force_login(admin)
    request = []
    body = {"family": "residential_burglary", "days": "365", "team": "", "area": ""}
    for _ in range(runs):
        started = time.perf_counter()
        r = client.post("/prevention/run/", body)
        request.append(time.perf_counter() - started)
        if r.status_code != 302:
            raise SystemExit(f"wrong: POST /prevention/run/ answered {r.status_code}")
    latest = NearRepeatRun.objects.order_by("-pk").first()
    assert latest is not None
    print(f"load average {os.getloadavg()[0]:.2f}; {count:,} stored burglaries, 999 permutations")
    print(f"knox_test inside the run: {latest.seconds:.2f} s (the last run)")
    print(f"near_repeat_run: median {statistics.median(service):.2f} s of {runs}")
    print(f"POST /prevention/run/: median {statistics.median(request):.2f} s of {runs}")
    print(f"window found: {latest.window_metres:g} m, {latest.window_days} days")


if __name__ == "__main__":
    main()
