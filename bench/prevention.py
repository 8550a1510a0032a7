"""The on-demand near-repeat run, as a supervisor's POST /prevention/run/ makes it: a
force's year of stored residential burglaries read, projected to British National Grid and
tested with 999 permutations in the request.

A fresh SQLite file in a temporary directory (migrated), one force, ``--crimes`` burglaries
over a year in a 20 km square near St Albans (four in five anywhere, one in five a near
repeat of an earlier one: within 100 m and 7 days), as ``bench/knox.py`` makes them. Times,
each the median of ``--runs``: ``near_repeat_run`` alone, and the whole POST through
Django's test client (sign-in by session, the run, the redirect). Exits 1 if a result is
wrong (no window found in crimes built with near repeats).

With ``--ingest N``: what opening zones costs each pushed burglary instead. N residential
burglaries with places over a year in the same square go through ``care.services.
crime_ingest`` in time order, once without prevention's listener (another force) and once
with it; the time per crime of each is printed.

    .venv/bin/python bench/prevention.py
    .venv/bin/python bench/prevention.py --crimes 5000 --runs 3
    .venv/bin/python bench/prevention.py --ingest 2000
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
    parser.add_argument("--ingest", type=int, default=0, help="time N pushed burglaries")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluelamp.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if args.ingest:
            ingest(args.ingest)
        else:
            run(args.crimes, args.runs)


def ingest(count: int) -> None:
    from bluelamp.care import services
    from bluelamp.care.schemas import CrimeIn
    from bluelamp.flows import wiring
    from bluelamp.forces.models import Force
    from bluelamp.prevention.models import PreventionZone, ZoneLink
    from bluelamp.prevention.services import crime_zone_open

    wiring.connect()
    rng = np.random.default_rng(3)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    bodies = []
    for i in range(count):
        at = start + dt.timedelta(hours=i * 365 * 24 / count)
        place = {
            "latitude": 51.70 + float(rng.uniform(0, 0.18)),
            "longitude": -0.45 + float(rng.uniform(0, 0.29)),
        }
        bodies.append(
            {
                "reference": f"BENCH-{i}", "offence": "burglary_residential", "occurred_at": at,
                "recorded_at": at + dt.timedelta(hours=1), "team": "bench",
                "location": {**place, "postcode": "AL1 3JS"},
                "victims": [{"name": "Bench Victim", "age": 40}],
            }
        )  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f}; {count:,} burglaries pushed in time order")
    for label, listening in (("without prevention", False), ("with prevention", True)):
        if listening and crime_zone_open not in services.CRIME_LISTENERS:
            services.CRIME_LISTENERS.append(crime_zone_open)
        if not listening and crime_zone_open in services.CRIME_LISTENERS:
            services.CRIME_LISTENERS.remove(crime_zone_open)
        force = Force.objects.create(slug=label.replace(" ", "-"), name=label)
        data = [CrimeIn.model_validate(b) for b in bodies]
        started = time.perf_counter()
        for crime in data:
            services.crime_ingest(force=force, data=crime, actor="bench")
        seconds = time.perf_counter() - started
        print(f"{label}: {seconds:.1f} s, {seconds / count * 1000:.1f} ms a burglary")
    zones, links = PreventionZone.objects.count(), ZoneLink.objects.count()
    if zones != count:
        raise SystemExit(f"wrong: {zones} zones for {count} burglaries")
    print(f"{zones:,} zones opened, {links:,} later burglaries linked")


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
