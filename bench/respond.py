"""The respondent page's server time and weight, and the time from submission to case.

For each database: a fresh database and force, gunicorn with two workers on loopback (the
harness of ``bench/intake.py``), and scheduled invitations pushed through the API. Then:

1. Server time of ``GET /s/<token>``, each on a link never opened before (so the first-open
   write is included): the WSGI application called in a separate process exactly as
   gunicorn calls it, from the request environ to the last byte of the response and its
   ``close()``; and, for comparison, the whole round trip over loopback through gunicorn.
2. The page's weight: the HTML body and the response headers (the page loads nothing else).
3. Submission to case: the survey posted with ``whole_experience=1`` through gunicorn, then
   ``GET /api/v1/recovery-cases?status=open`` polled until the contact's reference is listed.

    .venv/bin/python bench/respond.py                 # both databases
    .venv/bin/python bench/respond.py --db sqlite --pages 500 --submissions 50
"""

import argparse
import io
import json
import math
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import TypedDict, cast

from intake import (
    ROOT,
    Server,
    check,
    contact_bodies,
    encode,
    machine_load,
    percentile,
    post_all,
    request,
    running,
)

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;\s]+)")
WARM_UP = 20


class Timing(TypedDict):
    wall: list[float]  # milliseconds per page view
    cpu: list[float]
    bytes: int


class Failed(Exception):
    """A request in the benchmark did not get the answer it should have."""


def invitations(server: Server, api_token: str, count: int) -> list[tuple[str, str]]:
    """Push ``count`` contacts that all get a survey link; their (reference, link token)."""
    people = contact_bodies("RESP", count, seed=7, exclusions=False)
    for i, body in enumerate(people):
        # A person each: the drama range has only 1,000 mobile numbers, and the frequency cap
        # would exclude the same person invited twice. Email reaches the same page.
        person = cast(dict[str, object], body["person"])
        del person["phone"]
        person["email"] = f"respond-{i}@example.com"
    bodies = encode(people)
    result = post_all(server, api_token, bodies, 8, 201, keep=True)
    check(result, "creating invitations")
    found = []
    for answer in result.answers:
        data = json.loads(answer)
        url = data["invitation"]["url"]
        if data["invitation"]["status"] != "scheduled" or not url:
            raise SystemExit(f"contact {data['reference']} was not scheduled: {data}")
        found.append((str(data["reference"]), str(url).rsplit("/s/", 1)[1]))
    found.sort()
    return found


def summary(label: str, millis: list[float]) -> str:
    return (
        f"{label}: p50 {percentile(millis, 50):6.2f} ms  p95 {percentile(millis, 95):6.2f} ms  "
        f"p99 {percentile(millis, 99):6.2f} ms  max {max(millis):6.2f} ms  (n={len(millis)})"
    )


# --- 1. Server time, in a process of its own ---------------------------------------------


def wsgi_timing(tokens: list[str]) -> Timing:
    """Call the WSGI application for each link, as gunicorn would; milliseconds per call.

    Runs in a child process whose environment carries the database's settings. The first
    WARM_UP links load the URL conf and templates and are not counted.
    """
    from bluelamp.wsgi import application

    wall: list[float] = []
    cpu: list[float] = []
    size = 0
    statuses: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return len

    for i, token in enumerate(tokens):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/s/{token}",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        statuses.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        out: Iterable[bytes] = application(environ, start_response)
        body = b"".join(out)
        close: Callable[[], None] | None = getattr(out, "close", None)
        if close is not None:
            close()  # sends request_finished, which closes the database connection if due
        elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if not statuses or not statuses[0].startswith("200"):
            raise SystemExit(f"/s/{token}: {statuses} {body[:300]!r}")
        if i >= WARM_UP:
            wall.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
            size = len(body)
    return {"wall": wall, "cpu": cpu, "bytes": size}


def server_time(server: Server, tokens: list[str]) -> Timing:
    done = subprocess.run(
        [sys.executable, __file__, "--wsgi-timing"],
        cwd=ROOT,
        env=server.db.env() | {"SITE_URL": f"http://127.0.0.1:{server.port}"},
        input=json.dumps(tokens),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"WSGI timing failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return cast(Timing, json.loads(done.stdout))


# --- 1b and 2. Over loopback ---------------------------------------------------------------


def loopback_time(port: int, tokens: list[str]) -> tuple[list[float], int, int]:
    """Round trips of ``GET /s/<token>`` through gunicorn, one at a time: (ms, body, headers)."""
    millis: list[float] = []
    body_bytes = header_bytes = 0
    for i, token in enumerate(tokens):
        started = time.perf_counter()
        status, headers, body = request(port, "GET", f"/s/{token}")
        elapsed = time.perf_counter() - started
        if status != 200 or b'name="whole_experience"' not in body:
            raise Failed(f"GET /s/{token}: {status} {body[:300]!r}")
        if i >= WARM_UP:
            millis.append(elapsed * 1000)
        body_bytes = len(body)
        header_bytes = sum(len(k) + len(v) + 4 for k, v in headers.items()) + 17
    return millis, body_bytes, header_bytes


# --- 3. Submission to case ---------------------------------------------------------------


def submit_and_wait(port: int, api_token: str, reference: str, token: str) -> tuple[float, float]:
    """Post a "completely dissatisfied" answer; (ms to the thanks page, ms until listed)."""
    status, headers, page = request(port, "GET", f"/s/{token}")
    field = CSRF_INPUT.search(page)
    cookie = CSRF_COOKIE.search(headers.get("set-cookie", ""))
    if status != 200 or field is None or cookie is None:
        raise Failed(f"GET /s/{token}: {status}, no CSRF token or cookie")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": field.group(1).decode(), "lang": "en", "whole_experience": "1"}
    ).encode()
    form_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie.group(1)}",
    }
    api_headers = {"Authorization": f"Bearer {api_token}"}
    submitted = time.perf_counter()
    status, _, page = request(port, "POST", f"/s/{token}", form, form_headers)
    answered = time.perf_counter()
    if status != 200 or b"Thank you" not in page:
        raise Failed(f"POST /s/{token}: {status} {page[:500]!r}")
    deadline = submitted + 10
    polls = 0
    while time.perf_counter() < deadline and polls < 10_000:
        polls += 1
        status, _, body = request(
            port, "GET", "/api/v1/recovery-cases?status=open&limit=500", headers=api_headers
        )
        if status != 200:
            raise Failed(f"GET /api/v1/recovery-cases: {status} {body[:300]!r}")
        if any(case["contact_reference"] == reference for case in json.loads(body)):
            listed = time.perf_counter()
            return (answered - submitted) * 1000, (listed - submitted) * 1000
    raise Failed(f"no open case listed for {reference} within 10 s of submission")


# --- Putting it together -----------------------------------------------------------------


def bench_database(kind: str, pages: int, submissions: int) -> dict[str, float]:
    print(f"\n== {kind}: {pages} page views, {submissions} submissions ==")
    with running(kind) as (server, api_token):
        per_part = pages + WARM_UP
        links = invitations(server, api_token, 2 * per_part + submissions)
        in_process = [t for _, t in links[:per_part]]
        over_http = [t for _, t in links[per_part : 2 * per_part]]
        to_submit = links[2 * per_part :]

        timing = server_time(server, in_process)
        wall, cpu = timing["wall"], timing["cpu"]
        print(summary("respondent page, server time (WSGI call)", wall))
        print(summary("respondent page, server CPU time        ", cpu))
        http, body_bytes, header_bytes = loopback_time(server.port, over_http)
        print(summary("respondent page, loopback round trip    ", http))
        print(
            f"respondent page weight: {body_bytes} bytes of HTML + about {header_bytes} bytes "
            f"of headers = {(body_bytes + header_bytes) / 1024:.1f} KiB, nothing else to load"
        )

        posted, listed = [], []
        try:
            for reference, token in to_submit:
                post_ms, listed_ms = submit_and_wait(server.port, api_token, reference, token)
                posted.append(post_ms)
                listed.append(listed_ms)
        except Failed as e:
            print(f"FAILED: {e}\n--- gunicorn log (last lines) ---\n{server.log()}")
            listed = [math.nan]
        else:
            print(summary("submission answered (POST round trip)   ", posted))
            print(summary("submission to case listed by the API    ", listed))
    return {
        "server_p50": percentile(wall, 50),
        "server_p95": percentile(wall, 95),
        "server_p99": percentile(wall, 99),
        "http_p95": percentile(http, 95),
        "kib": (body_bytes + header_bytes) / 1024,
        "case_p50": percentile(listed, 50),
        "case_p95": percentile(listed, 95),
        "case_max": max(listed),
    }


def main() -> None:
    if sys.argv[1:] == ["--wsgi-timing"]:
        json.dump(wsgi_timing(json.load(sys.stdin)), sys.stdout)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pages", type=int, default=500, help="page views timed, each way")
    parser.add_argument("--submissions", type=int, default=50)
    args = parser.parse_args()
    if not 1 <= args.pages <= 10_000 or not 1 <= args.submissions <= 1000:
        parser.error("--pages must be 1 to 10000 and --submissions 1 to 1000")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"before: {machine_load()}")
    try:
        results = {kind: bench_database(kind, args.pages, args.submissions) for kind in kinds}
    except Failed as e:
        raise SystemExit(f"failed: {e}") from None
    print(f"after: {machine_load()}")
    print(
        "\ndatabase   page p50/p95/p99 ms (server)   page p95 ms (HTTP)   KiB   case p50/p95/max ms"
    )
    missed = []
    for kind, r in results.items():
        case = (
            "FAILED"
            if math.isnan(r["case_max"])
            else f"{r['case_p50']:6.1f} {r['case_p95']:6.1f} {r['case_max']:6.1f}"
        )
        print(
            f"{kind:<10} {r['server_p50']:6.2f} {r['server_p95']:6.2f} {r['server_p99']:6.2f}"
            f"{r['http_p95']:22.2f} {r['kib']:6.1f}   {case}"
        )
        if r["server_p95"] >= 20:
            missed.append(f"{kind}: respondent page p95 {r['server_p95']:.1f} ms (target < 20)")
        if r["case_max"] >= 1000:
            missed.append(f"{kind}: submission to case max {r['case_max']:.0f} ms (target < 1 s)")
    for line in missed:
        print(f"target missed: {line}")
    if any(math.isnan(r["case_max"]) for r in results.values()):
        raise SystemExit("failed: a submission did not get its answer (see above)")


if __name__ == "__main__":
    main()
