"""From a crime pushed to its victim in the older person liaison queue, over HTTP.

For each database: a fresh database and force, gunicorn with two workers on loopback (the
harness of ``bench/intake.py``). Each round pushes one residential burglary with an elderly
victim approached by distraction (``POST /api/v1/crimes``) and then polls
``GET /api/v1/referrals?service=older_person_liaison&status=open`` until the crime's
reference is listed; the time from sending the crime to seeing it listed is recorded. The
target (issue 6) is within a second.

    .venv/bin/python bench/care.py                 # both databases, 100 crimes each
    .venv/bin/python bench/care.py --db sqlite --crimes 200
"""

import argparse
import datetime as dt
import json
import statistics
import time

from intake import machine_load, percentile, request, running

SERVICE_PATH = "/api/v1/referrals?service=older_person_liaison&status=open"


def crime(i: int) -> bytes:
    recorded = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    return json.dumps(
        {
            "reference": f"BENCH-CR-{i:05d}",
            "offence": "burglary_residential",
            "recorded_at": recorded.isoformat(),
            "location": {"postcode": "AL1 3JS", "address_key": f"BENCH-UPRN-{i % 50}"},
            "officer_in_charge": f"PC{2000 + i % 20}",
            "team": "burglary-north",
            "modus_operandi": ["distraction"],
            "financial_loss": 2500,
            "victims": [{"name": f"Bench Victim {i}", "age": 84, "phone": "07700 900123"}],
        }
    ).encode()


def bench_database(kind: str, crimes: int) -> list[float]:
    timings: list[float] = []
    with running(kind) as (server, token):
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for i in range(crimes):
            reference = f"BENCH-CR-{i:05d}"
            started = time.perf_counter()
            status, _, body = request(server.port, "POST", "/api/v1/crimes", crime(i), headers)
            if status != 201:
                raise SystemExit(f"{kind}: POST /api/v1/crimes answered {status}: {body[:300]!r}")
            while True:
                status, _, body = request(server.port, "GET", SERVICE_PATH, b"", headers)
                if status != 200:
                    raise SystemExit(f"{kind}: GET referrals answered {status}")
                if reference.encode() in body:
                    break
                if time.perf_counter() - started > 10:
                    raise SystemExit(f"{kind}: {reference} not listed after 10 s")
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--crimes", type=int, default=100)
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"before: {machine_load()}")
    for kind in kinds:
        ms = bench_database(kind, args.crimes)
        print(
            f"{kind:<9} crime pushed to listed in the older person liaison queue: "
            f"p50 {statistics.median(ms):6.1f} ms  p95 {percentile(ms, 95):6.1f} ms  "
            f"max {max(ms):6.1f} ms  (n={len(ms)}; the queue grows to {len(ms)} referrals)"
        )
        if max(ms) >= 1000:
            print(f"target missed: {kind}: max {max(ms):.0f} ms (target within a second)")
    print(f"after: {machine_load()}")


if __name__ == "__main__":
    main()
