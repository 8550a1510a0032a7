"""Where one contact's request spends its time: a cProfile of the whole WSGI call and the SQL
it runs (count and time per statement), in this process, on a fresh database.

    .venv/bin/python bench/profile_intake.py                  # SQLite, 2,000 contacts
    .venv/bin/python bench/profile_intake.py --db postgres --contacts 500 --top 30

The requests go through ``bluelamp.wsgi.application`` with every middleware, as gunicorn
calls it, but without the socket: what is left is the application's own cost. Fresh people
each (``bench/intake.py``'s ``contact_bodies`` with fresh emails), so none is capped.
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # bench.peer

from intake import PEER_PATH, PEER_SETTINGS, Database, contact_bodies, encode, prepare

_NUMBERS = re.compile(r"\b\d+\b|'[^']*'")


def shape(sql: str) -> str:
    """A statement with its literals folded, so that the same statement counts once."""
    return _NUMBERS.sub("?", " ".join(sql.split()))[:160]


class SqlTally:
    def __init__(self) -> None:
        self.count: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = shape(sql)
            self.count[key] += 1
            self.seconds[key] += time.perf_counter() - started


def environ(body: bytes, token: str, path: str = "/api/v1/contacts") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bluelamp-profile-"))
    db = Database(args.db, workdir, settings=PEER_SETTINGS)
    db.create()
    try:
        token = prepare(db)
        os.environ.update(db.env())
        import django

        django.setup()
        from django.db import connection

        from bluelamp.wsgi import application

        def post(body: bytes, path: str = "/api/v1/contacts") -> int:
            status: list[str] = []
            result = application(environ(body, token, path), lambda s, h: status.append(s))
            b"".join(result)
            getattr(result, "close", lambda: None)()
            return int(status[0].split()[0])

        for body in encode(contact_bodies("WARM", 100, 0, fresh="warm")):
            assert post(body) == 201
        plain = encode(contact_bodies("Q", args.contacts, 2, fresh="plain"))
        for body in plain[:100]:
            post(body, PEER_PATH)
        for label, path in (("bare insert", PEER_PATH), ("contact", "/api/v1/contacts")):
            started, cpu = time.perf_counter(), time.process_time()
            for body in plain:
                if post(body, path) != 201:
                    raise SystemExit(f"{path}: a plain contact was not created")
            each = (time.perf_counter() - started) / len(plain) * 1000
            cpu_each = (time.process_time() - cpu) / len(plain) * 1000
            print(f"{args.db}: {label}: {each:.2f} ms per request without the profiler "
                  f"({cpu_each:.2f} ms CPU)")  # fmt: skip
        bodies = encode(contact_bodies("P", args.contacts, 1, fresh="profile"))
        tally = SqlTally()
        profile = cProfile.Profile()
        started = time.perf_counter()
        with connection.execute_wrapper(tally):
            profile.enable()
            for body in bodies:
                status = post(body)
                if status != 201:
                    raise SystemExit(f"answer {status}")
            profile.disable()
        elapsed = time.perf_counter() - started
        n = len(bodies)
        print(f"{args.db}: {n} contacts in {elapsed:.2f} s under the profiler, "
              f"{elapsed / n * 1000:.2f} ms each")  # fmt: skip
        statements = sum(tally.count.values())
        sql_ms = sum(tally.seconds.values()) / n * 1000
        print(f"SQL: {statements / n:.1f} statements per contact, {sql_ms:.2f} ms per contact")
        print(f"{'per contact':>11} {'ms each':>8}  statement")
        for key in sorted(tally.seconds, key=tally.seconds.__getitem__, reverse=True):
            per = tally.count[key] / n
            ms = tally.seconds[key] / tally.count[key] * 1000
            print(f"{per:>11.2f} {ms:>8.3f}  {key}")
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
    finally:
        db.drop()


if __name__ == "__main__":
    main()
