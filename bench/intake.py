"""Contacts accepted per second through the HTTP API, on SQLite and PostgreSQL.

Sets up a fresh database, a force and an API token, starts gunicorn with two worker processes
on loopback, then posts distinct valid contacts from several client threads and prints the
rate of each run, the median rate and the latency percentiles. Any answer other than the one
expected (201 for a new contact, 200 for a repeated one) fails the benchmark.

    .venv/bin/python bench/intake.py                  # both databases
    .venv/bin/python bench/intake.py --db sqlite --contacts 1000 --runs 5 --concurrency 12
    .venv/bin/python bench/intake.py --check --db sqlite   # the CI guard (bench/baseline.json)

Every run is measured against a peer on the same server in the same run: a plain Django view
that inserts one row per request (``bench/peer``), posted the same bodies, the two taken in
turns. Each run's people are new (a fresh email each), so runs do the same work; a separate
run posts the first run's people again under new references (the excluded path). The last
lines say ``sqlite ratio to bare insert: 0.83`` per database.

``bench/respond.py`` reuses the server harness below (Database, Server, bluelamp_command).
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH_DB = "bluelamp_bench"
FORCE_SLUG = "bench"

# Incident types weighted roughly like a force's demand; the sensitive ones are excluded.
INCIDENT_MIX = [
    ("burglary_residential", 10),
    ("burglary_other", 3),
    ("robbery_personal", 2),
    ("theft_from_person", 3),
    ("theft_other", 10),
    ("shoplifting", 6),
    ("vehicle_crime", 8),
    ("criminal_damage", 6),
    ("antisocial_behaviour", 12),
    ("violence", 8),
    ("domestic_abuse", 2),
]
CHANNELS = ["999", "101", "101", "online", "front_counter"]
TEAMS = ["team-a", "team-b", "team-c", "team-d"]


# --- Databases and the server --------------------------------------------------------------


@dataclass
class Database:
    """A throwaway database for one benchmark: a SQLite file or the bluelamp_bench database."""

    kind: str  # "sqlite" or "postgres"
    workdir: Path
    url: str = ""
    # The settings the server and commands run with; a DJANGO_SETTINGS_MODULE in the
    # environment is the default, to measure a candidate configuration.
    settings: str = field(
        default_factory=lambda: os.environ.get("DJANGO_SETTINGS_MODULE", "bluelamp.settings")
    )
    name: str = POSTGRES_BENCH_DB  # another benchmark may use its own, alongside

    def create(self) -> None:
        if self.kind == "sqlite":
            self.url = f"sqlite:///{self.workdir / 'bench.sqlite3'}"
            return
        _postgres_admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        _postgres_admin(f"CREATE DATABASE {self.name}")
        self.url = f"postgresql://postgres@127.0.0.1:5432/{self.name}"

    def drop(self) -> None:
        if self.kind == "postgres":
            _postgres_admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = self.settings
        env.update(
            DATABASE_URL=self.url,
            DATA_DIR=str(self.workdir),
            DEBUG="false",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        # `bluelamp serve` refuses the built-in keys with DEBUG off.
        env.setdefault("SECRET_KEY", "bench-intake-not-secret-" + "x" * 30)
        env.setdefault("PERSON_KEY_SECRET", "bench-intake-person-key")
        return env


def _postgres_admin(sql: str) -> None:
    """Create or drop the benchmark database (autocommit: neither runs in a transaction)."""
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.encode())


def bluelamp_command(db: Database, *args: str) -> str:
    """Run a ``bluelamp`` management command against the database; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "bluelamp.cli", *args],
        cwd=ROOT,
        env=db.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bluelamp {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare(db: Database) -> str:
    """Migrate, create the benchmark force and return a fresh API token for it."""
    bluelamp_command(db, "migrate", "--no-input", "-v", "0")
    bluelamp_command(db, "create-force", FORCE_SLUG, "--name", "Benchmark Constabulary")
    return bluelamp_command(
        db, "create-api-token", "--force", FORCE_SLUG, "--name", "bench"
    ).strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """gunicorn with exactly two worker processes, on a free loopback port."""

    db: Database
    workers: int = 2
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    # "sync": plain gunicorn, sync workers, no access log (the harness of every earlier
    # figure); "serve": `bluelamp serve` as production runs it (threads, access log, metrics).
    kind: str = "sync"

    def start(self) -> None:
        self.port = free_port()
        log = (self.db.workdir / "gunicorn.log").open("wb")
        env = self.db.env()
        env["SITE_URL"] = f"http://127.0.0.1:{self.port}"
        command = [
            *("-m", "gunicorn", "bluelamp.wsgi:application", "-w", str(self.workers)),
            *("-b", f"127.0.0.1:{self.port}", "--backlog", "256", *self._own_control_socket()),
        ]
        if self.kind == "serve":
            command = ["-m", "bluelamp.cli", "serve", "--port", str(self.port)]
            command += ["--workers", str(self.workers)]
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.db.workdir / "metrics")
        self.process = subprocess.Popen(
            [sys.executable, *command],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log()}")
            try:
                status, _, _ = request(self.port, "GET", "/s/not-a-token")
            except OSError:
                time.sleep(0.1)
                continue
            if status == 404:
                return
            raise SystemExit(f"gunicorn answered {status} to an unknown link:\n{self.log()}")
        raise SystemExit(f"gunicorn did not answer within 30 s:\n{self.log()}")

    def _own_control_socket(self) -> list[str]:
        """Newer gunicorn opens a control socket in ~/.gunicorn; keep ours apart from others'."""
        from gunicorn import config

        if any(s.name == "control_socket" for s in config.KNOWN_SETTINGS):
            return ["--control-socket", str(self.db.workdir / "gunicorn.ctl")]
        return []

    def cpu_seconds(self) -> float:
        """CPU time used so far by the workers (Linux /proc; NaN elsewhere)."""
        if self.process is None:
            return math.nan
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            pids = children.read_text().split()
            total = 0
            for pid in pids:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            return math.nan
        return total / os.sysconf("SC_CLK_TCK")

    def log(self) -> str:
        return (self.db.workdir / "gunicorn.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@contextmanager
def running(
    kind: str, settings: str | None = None, server_kind: str = "sync"
) -> Iterator[tuple[Server, str]]:
    """A fresh database with the benchmark force, served by gunicorn; yields (server, token)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bluelamp-bench-{kind}-"))
    db = Database(kind, workdir) if settings is None else Database(kind, workdir, settings=settings)
    server = Server(db, kind=server_kind)
    try:
        db.create()
        token = prepare(db)
        server.start()
        yield server, token
    except BaseException:
        if server.process is not None:
            print(f"--- gunicorn log (last lines) ---\n{server.log()}", file=sys.stderr)
        raise
    finally:
        server.stop()
        db.drop()
        shutil.rmtree(workdir, ignore_errors=True)


# --- A small HTTP client ---------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a new loopback connection: (status, headers, body).

    Written on a bare socket because gunicorn's sync workers close every connection anyway,
    and http.client's header parsing would take CPU from the two workers on a two-core box.
    Header names come back in lower case; a repeated header keeps its last value, except
    ``set-cookie`` whose values are joined with newlines.
    """
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, content = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie" and name in found:
            value = found[name] + "\n" + value
        found[name] = value
    if found.get("transfer-encoding", "").lower() == "chunked":
        content = _unchunk(content)
    return int(status_line.split()[1]), found, content


def _unchunk(data: bytes) -> bytes:
    out: list[bytes] = []
    pos = 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        pos = end + 2 + size + 2


# --- Contacts --------------------------------------------------------------------------------


def contact_bodies(
    prefix: str, count: int, seed: int, exclusions: bool = True, fresh: str | None = None
) -> list[dict[str, object]]:
    """Distinct valid contacts: a realistic mix, about one in twelve of them excluded.

    Adults with UK mobiles in the 07700 900xxx drama range; a few domestic-abuse flags and
    under-16s among the rest, besides the sensitive incident type in the mix. Without
    ``exclusions`` every contact is one that gets a survey link.

    The drama range has only 1,000 mobile numbers, so a second batch meets the same people
    again and the frequency cap excludes most of it. With ``fresh`` (a label unique to the
    batch) every person is new: an email address of their own (example.com) and no phone, so
    every batch does the same work.
    """
    rng = random.Random(seed)
    mix = [(code, w) for code, w in INCIDENT_MIX if exclusions or code != "domestic_abuse"]
    codes = [code for code, _ in mix]
    weights = [w for _, w in mix]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    bodies: list[dict[str, object]] = []
    for i in range(count):
        age = rng.randint(18, 90)
        flags: list[str] = []
        roll = rng.random() if exclusions else 1.0
        if roll < 0.02:
            flags = ["domestic_abuse"]
        elif roll < 0.04:
            age = 15
        elif roll < 0.06:
            flags = ["repeat_victim"]
        received = now - dt.timedelta(minutes=rng.randint(1, 600))
        bodies.append(
            {
                "reference": f"{prefix}-{i:06d}",
                "received_at": received.isoformat().replace("+00:00", "Z"),
                "channel": rng.choice(CHANNELS),
                "incident_type": rng.choices(codes, weights)[0],
                "call_handler": f"CH{rng.randint(100, 139)}",
                "team": rng.choice(TEAMS),
                "answer_seconds": rng.randint(1, 120),
                "person": {
                    "name": f"Bench Caller {i}",
                    "age": age,
                    "postcode": "AL1 3JS",
                    **(
                        {"email": f"bench-{fresh}-{i}@example.com"}
                        if fresh is not None
                        else {"phone": f"07700 900{rng.randint(0, 999):03d}"}
                    ),
                },
                "flags": flags,
            }
        )
    return bodies


@dataclass
class RunResult:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    invitations: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    answers: list[bytes] = field(default_factory=list)
    server_cpu: float = math.nan
    client_cpu: float = math.nan

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


def post_all(
    server: "Server",
    token: str,
    bodies: list[bytes],
    concurrency: int,
    expect: int,
    keep: bool = False,
    path: str = "/api/v1/contacts",
) -> RunResult:
    """Post every body once from ``concurrency`` threads; time the whole batch.

    With ``keep`` the answers' bodies are kept (in no particular order). To ``PEER_PATH``
    any answer with the expected status counts; to the API, one that is a contact.
    """
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    lock = threading.Lock()
    pending = iter(bodies)
    result = RunResult(seconds=0.0)

    def worker() -> None:
        while True:
            with lock:
                body = next(pending, None)
            if body is None:
                return
            started = time.perf_counter()
            try:
                status, _, content = request(server.port, "POST", path, body, headers)
            except (OSError, ValueError, IndexError) as e:
                status, content = 0, f"{type(e).__name__}: {e}".encode()
            elapsed = time.perf_counter() - started
            invitation = None
            if status == expect:
                invitation = "stored" if path == PEER_PATH else _invitation_status(content)
            with lock:
                result.latencies.append(elapsed)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if invitation is None:
                    result.failures.append(f"{status}: {content[:300]!r}")
                else:
                    result.invitations[invitation] = result.invitations.get(invitation, 0) + 1
                if keep:
                    result.answers.append(content)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    result.server_cpu = server.cpu_seconds() - server_cpu
    result.client_cpu = time.process_time() - client_cpu
    return result


def _invitation_status(content: bytes) -> str | None:
    """The decision in a contact answer, or None when the answer is not a contact."""
    try:
        return str(json.loads(content)["invitation"]["status"])
    except (ValueError, KeyError, TypeError):
        return None


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def encode(bodies: list[dict[str, object]]) -> list[bytes]:
    return [json.dumps(b).encode() for b in bodies]


PEER_PATH = "/bench/bare-insert"  # bench/peer: a plain Django view inserting one row
PEER_SETTINGS = "bench.peer.settings"
BASELINE = Path(__file__).with_name("baseline.json")
GUARD_TOLERANCE = 0.30  # --check fails when the ratio is more than this far below the baseline


def bench_database(
    kind: str,
    contacts: int,
    runs: int,
    concurrency: int,
    settings: str = PEER_SETTINGS,
    server_kind: str = "sync",
) -> dict[str, float]:
    """Runs of our intake and of the bare-insert peer, taken in turns on one server."""
    print(f"\n== {kind}: {runs} runs of {contacts} contacts, {concurrency} client threads ==")
    with running(kind, settings=settings, server_kind=server_kind) as (server, token):
        how = "bluelamp serve (threads, access log)" if server_kind == "serve" else "sync"
        print(f"gunicorn ({how}): {server.workers} worker processes on 127.0.0.1:{server.port}")
        # Warm-up: both workers import the URL conf and views and open their connections.
        warm = encode(contact_bodies("WARM", 200, 0, fresh="warm"))
        check(post_all(server, token, warm, 8, 201), "warm-up")
        check(post_all(server, token, warm, 8, 201, path=PEER_PATH), "peer warm-up")
        rates: list[float] = []
        peer_rates: list[float] = []
        pair_ratios: list[float] = []
        all_latencies: list[float] = []
        server_cpus: list[float] = []
        stored: list[bytes] = []
        for run in range(1, runs + 1):
            # Fresh people every run, so that each run does the same work: all new people,
            # about one in twelve excluded by flags, age or a sensitive type.
            bodies = encode(contact_bodies(f"R{run}", contacts, seed=run, fresh=f"r{run}"))
            # The peer and our intake in turns, the first of the pair alternating.
            order = ["peer", "ours"] if run % 2 else ["ours", "peer"]
            for who in order:
                if who == "peer":
                    peer = post_all(server, token, bodies, concurrency, 201, path=PEER_PATH)
                    check(peer, f"run {run} (peer)")
                    peer_rates.append(peer.rate)
                    continue
                result = post_all(server, token, bodies, concurrency, 201)
                check(result, f"run {run}")
            stored += bodies
            rates.append(result.rate)
            pair_ratios.append(result.rate / peer.rate)
            all_latencies += result.latencies
            invites = ", ".join(f"{k} {v}" for k, v in sorted(result.invitations.items()))
            server_ms = result.server_cpu / contacts * 1000
            client_ms = result.client_cpu / contacts * 1000
            server_cpus.append(server_ms)
            print(
                f"run {run}: {result.rate:7.1f} contacts/s  "
                f"p50 {percentile(result.latencies, 50) * 1000:6.1f} ms  "
                f"p95 {percentile(result.latencies, 95) * 1000:6.1f} ms  "
                f"CPU per contact: workers {server_ms:4.1f} ms, client {client_ms:3.1f} ms  "
                f"({invites});  bare insert {peer.rate:7.1f}/s "
                f"p95 {percentile(peer.latencies, 95) * 1000:5.1f} ms "
                f"workers {peer.server_cpu / contacts * 1000:4.1f} ms"
            )
        # The excluded path: the first run's people again under new references, so the
        # frequency cap (or an earlier exclusion) turns every one of them away.
        again_people = [
            json.dumps({**json.loads(b), "reference": f"X-{i:06d}"}).encode()
            for i, b in enumerate(stored[:contacts])
        ]
        excluded = post_all(server, token, again_people, concurrency, 201)
        check(excluded, "excluded path")
        excluded_invites = ", ".join(f"{k} {v}" for k, v in sorted(excluded.invitations.items()))
        again = random.Random(99).sample(stored, min(len(stored), contacts))
        repost = post_all(server, token, again, concurrency, 200)
        check(repost, "re-post")
    figures = {
        "median_rate": statistics.median(rates),
        "peer_rate": statistics.median(peer_rates),
        "p50_ms": percentile(all_latencies, 50) * 1000,
        "p95_ms": percentile(all_latencies, 95) * 1000,
        "repost_rate": repost.rate,
        "repost_p95_ms": percentile(repost.latencies, 95) * 1000,
        "server_cpu_ms": statistics.median(server_cpus),
        "repost_cpu_ms": repost.server_cpu / len(again) * 1000,
        "excluded_rate": excluded.rate,
    }
    # The ratio is the median of each run's own ratio (ours over the peer taken next to it),
    # not a ratio of medians: a neighbour's load that comes and goes then slows both sides of
    # a pair alike instead of one side of the medians.
    figures["ratio"] = statistics.median(pair_ratios)
    print(
        f"{kind}: median {figures['median_rate']:.1f} contacts/s over {runs} runs; "
        f"latency p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms; "
        f"worker CPU {figures['server_cpu_ms']:.1f} ms per contact; "
        f"bare insert median {figures['peer_rate']:.1f}/s"
    )
    print(
        f"{kind}: excluded path (the same people again): {excluded.rate:.1f} contacts/s, "
        f"p95 {percentile(excluded.latencies, 95) * 1000:.1f} ms ({excluded_invites})"
    )
    print(
        f"{kind}: idempotent re-post of {len(again)} known references: "
        f"{repost.rate:.1f}/s, all 200, p95 {figures['repost_p95_ms']:.1f} ms, "
        f"worker CPU {figures['repost_cpu_ms']:.1f} ms each"
    )
    return figures


def check(result: RunResult, label: str) -> None:
    if result.failures:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(result.statuses.items()))
        sample = "\n".join(result.failures[:5])
        raise SystemExit(f"{label}: {len(result.failures)} failed requests ({counts})\n{sample}")


def machine_load() -> str:
    """The load average, printed with the figures: other work on the box skews them."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def guard(summary: dict[str, dict[str, float]]) -> bool:
    """Each ratio against ``bench/baseline.json``: True when none is more than
    GUARD_TOLERANCE below its recorded value."""
    baseline = json.loads(BASELINE.read_text())
    passed = True
    for kind, figures in summary.items():
        recorded = float(baseline[kind]["ratio_to_bare_insert"])
        floor = recorded * (1 - GUARD_TOLERANCE)
        ok = figures["ratio"] >= floor
        passed &= ok
        print(
            f"guard: {kind} ratio to bare insert {figures['ratio']:.2f}, baseline {recorded:.2f}, "
            f"fails below {floor:.2f}: {'pass' if ok else 'FAIL'}"
        )
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--contacts", type=int, default=1000, help="contacts per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=12, help="client threads")
    parser.add_argument(
        "--settings",
        default=PEER_SETTINGS,
        help=f"the server's settings module; it must serve {PEER_PATH} (default {PEER_SETTINGS})",
    )
    parser.add_argument(
        "--server",
        choices=["sync", "serve"],
        default="sync",
        help="sync: plain gunicorn with sync workers (every earlier figure); serve: "
        "`bluelamp serve` as production runs it (4 threads a worker, access log, metrics)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="the CI guard: a short measurement (5 runs of 300 unless given), exit 1 when the "
        f"ratio to the bare insert is more than {GUARD_TOLERANCE:.0%} below bench/baseline.json",
    )
    args = parser.parse_args()
    if args.check:
        given = {a.split("=")[0] for a in sys.argv[1:]}
        args.contacts = args.contacts if "--contacts" in given else 300
        args.runs = args.runs if "--runs" in given else 5
    if not (1 <= args.contacts <= 100_000 and 1 <= args.runs <= 50 and 1 <= args.concurrency <= 64):
        parser.error("--contacts must be 1 to 100000, --runs 1 to 50, --concurrency 1 to 64")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"before: {machine_load()}")
    summary = {
        k: bench_database(k, args.contacts, args.runs, args.concurrency, args.settings, args.server)
        for k in kinds
    }
    print(f"after: {machine_load()}")
    print(
        "\ndatabase   contacts/s (median)   p50 ms   p95 ms   worker CPU ms/contact   re-post/s"
        "   excluded/s   bare insert/s"
    )
    for kind, f in summary.items():
        print(
            f"{kind:<10} {f['median_rate']:>19.1f} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f} "
            f"{f['server_cpu_ms']:>23.1f} {f['repost_rate']:>11.1f} {f['excluded_rate']:>12.1f} "
            f"{f['peer_rate']:>15.1f}"
        )
    for kind, f in summary.items():
        print(f"{kind} ratio to bare insert: {f['ratio']:.2f}")
    if "sqlite" in summary and summary["sqlite"]["median_rate"] < 514:
        rate = summary["sqlite"]["median_rate"]
        print(f"target missed: sqlite {rate:.0f} contacts/s (target at least 514)")
    if args.check and not guard(summary):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
