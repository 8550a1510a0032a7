"""Invitations sent by real workers to a fake GOV.UK Notify, with and without kill -9 (issue 3).

A fresh database gets N contacts (through the real intake), each with a scheduled invitation.
Two ``bluelamp worker`` processes send them through the real Notify client to the Notify fake,
which runs as its own process and writes every message it accepts to a file. With ``--kill``,
a random worker is killed with SIGKILL every 1 to 4 seconds, at whatever point it has
reached, and started again. At the end the fake's file is counted: every invitation must be
there exactly once.

Prints sends per second per worker (the target is 50: Notify's own limit of 3,000 a minute)
and the counts.

    .venv/bin/python bench/dispatch.py [--invitations 10000] [--workers 2] [--kill]
        [--database sqlite|postgres]
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_PER_WORKER = 50.0
PG = "postgres://postgres@127.0.0.1:5432"


@dataclass
class Result:
    invitations: int
    workers: int
    kills: int
    seconds: float
    accepted: int
    unique: int
    duplicates: int
    missing: int
    db_sent: int

    @property
    def per_worker(self) -> float:
        return self.accepted / self.seconds / self.workers


def _env(database_url: str, fake_url: str) -> dict[str, str]:
    from tests.fakes import notify as fake

    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "NOTIFY_API_KEY": fake.API_KEY,
        "NOTIFY_BASE_URL": fake_url,
        "NOTIFY_SMS_TEMPLATE_ID": fake.SMS_TEMPLATE_ID,
        "NOTIFY_EMAIL_TEMPLATE_ID": fake.EMAIL_TEMPLATE_ID,
        # A killed worker's jobs go to the other after this; sends take milliseconds here.
        "QUEUE_LEASE_SECONDS": "5",
        "WORKER_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
        # `bluelamp worker` refuses the built-in keys with DEBUG off.
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-dispatch-not-secret-" + "x" * 30),
        "PERSON_KEY_SECRET": os.environ.get("PERSON_KEY_SECRET", "bench-dispatch-person-key"),
    }


def seed(n: int) -> None:
    """(In a child process, on the bench database.) A force that sends by Notify at once,
    day or night, and N contacts, each from its own number."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluelamp.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bluelamp.forces.models import Force
    from bluelamp.intake.schemas import ContactIn
    from bluelamp.intake.services import contact_ingest
    from bluelamp.surveys.services import contact_rules_save

    force = Force.objects.create(slug="bench", name="Bench Constabulary", sms_provider="notify")
    contact_rules_save(
        force=force,
        definition={
            "stages": {"first_contact": {"delay_hours": 0}},
            "quiet_hours": None,
            "reminder_after_hours": None,
            "frequency_days": 0,
        },
        user=None,
    )
    from django.db import transaction

    for start in range(0, n, 1000):  # a thousand contacts a transaction: not what is measured
        with transaction.atomic():
            for i in range(start, min(n, start + 1000)):
                # Numbers never end 0000, which the fake treats as invalid.
                phone = f"+4477009{i // 9999 % 10}{i % 9999 + 1:04d}"
                data = ContactIn.model_validate(
                    {
                        "reference": f"B-{i:06d}",
                        "received_at": "2026-11-27T10:00:00Z",
                        "channel": "101",
                        "incident_type": "theft_other",
                        "person": {"phone": phone, "age": 40},
                    }
                )
                contact_ingest(force=force, data=data, actor="bench")


def check() -> None:
    """(In a child process.) What the database says: messages sent, jobs not finished."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluelamp.settings")
    django.setup()
    from bluelamp.delivery.models import Job, Message

    print(
        json.dumps(
            {
                "sent": Message.objects.filter(status="sent").count(),
                "messages": Message.objects.count(),
                "unfinished": Job.objects.exclude(status="SUCCESSFUL").count(),
            }
        )
    )


def _fake(state_file: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.notify", "--port", "0", "--state-file",
         str(state_file)],
        # A killed worker's half-sent request makes the fake print a traceback; not news.
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    return process, f"http://127.0.0.1:{int(process.stdout.readline())}"


def _fake_count(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_fake/count", timeout=10) as r:
        return int(json.load(r)["distinct_references"])


class _Worker:
    """A ``bluelamp worker`` process, and when it said it had started (Django loaded)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "bluelamp"), "worker", "--no-housekeeping"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        self.started = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "started" in line:
                self.started.set()


def run(
    *,
    database_url: str,
    invitations: int,
    workers: int = 2,
    kill: bool = False,
    timeout: float = 900.0,
    kill_every: tuple[float, float] = (1.0, 4.0),
    rng: random.Random | None = None,
    log=print,
) -> Result:
    """Seed, send with ``workers`` workers (killing them now and then), and count."""
    rng = rng or random.Random()
    folder = Path(tempfile.mkdtemp(prefix="bluelamp-dispatch-"))
    state = folder / "notify.jsonl"
    fake, fake_url = _fake(state)
    env = _env(database_url, fake_url)
    try:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--child", "seed", str(invitations)],
            cwd=REPO, env=env, check=True,
        )  # fmt: skip
        log(f"seeded {invitations} invitations in {time.perf_counter() - started:.0f} s")
        procs = [_Worker(env) for _ in range(workers)]
        kills = 0
        started = time.perf_counter()
        next_kill = started + rng.uniform(*kill_every)
        done_at = None
        while time.perf_counter() - started < timeout:
            time.sleep(0.05)
            count = _fake_count(fake_url)
            if count >= invitations and done_at is None:
                done_at = time.perf_counter()
                break
            if kill and time.perf_counter() >= next_kill:
                # Only a worker at work is killed (one still starting has nothing to lose),
                # at a random moment of its working life, whatever it is doing.
                working = [i for i, w in enumerate(procs) if w.started.is_set()]
                if working:
                    i = rng.choice(working)
                    procs[i].process.send_signal(signal.SIGKILL)
                    procs[i].process.wait()
                    procs[i] = _Worker(env)
                    kills += 1
                next_kill = time.perf_counter() + rng.uniform(*kill_every)
        seconds = (done_at or time.perf_counter()) - started
        # Let the workers finish recording what they sent (and send anything more they
        # would, wrongly, send), then stop them.
        time.sleep(3.0)
        for w in procs:
            w.process.send_signal(signal.SIGTERM)
        for w in procs:
            try:
                w.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.process.kill()
        checked = json.loads(
            subprocess.run(
                [sys.executable, __file__, "--child", "check"],
                cwd=REPO, env=env, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
        )  # fmt: skip
    finally:
        fake.send_signal(signal.SIGTERM)
        fake.wait(timeout=10)
    from tests.fakes import read_state_file

    records = read_state_file(state)
    references = Counter(r["reference"] for r in records)
    shutil.rmtree(folder, ignore_errors=True)
    return Result(
        invitations=invitations,
        workers=workers,
        kills=kills,
        seconds=seconds,
        accepted=len(records),
        unique=len(references),
        duplicates=sum(c - 1 for c in references.values()),
        missing=invitations - len(references),
        db_sent=int(checked["sent"]),
    )


def database(kind: str) -> tuple[str, callable]:
    """A fresh database for one run, and how to drop it."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="bluelamp-dispatch-db-"))
        return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, True)
    name = f"bl_dispatch_{os.getpid()}"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name],
                   check=True)  # fmt: skip
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return f"{PG}/{name}", lambda: subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill", action="store_true", help="kill -9 workers at random")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        sys.path.insert(0, str(REPO))
        if options.child[0] == "seed":
            seed(int(options.child[1]))
        else:
            check()
        return
    sys.path.insert(0, str(REPO))
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    url, drop = database(options.database)
    try:
        r = run(
            database_url=url,
            invitations=options.invitations,
            workers=options.workers,
            kill=options.kill,
            rng=random.Random(options.seed),
        )
    finally:
        drop()
    print(
        f"{options.database}: {r.invitations} invitations, {r.workers} workers, "
        f"{r.kills} kill -9, {r.seconds:.1f} s"
    )
    print(
        f"  {r.per_worker:.1f} messages/s per worker (target {TARGET_PER_WORKER:.0f}); "
        f"at the fake: {r.accepted} accepted, {r.unique} unique, {r.duplicates} duplicated, "
        f"{r.missing} missing; database: {r.db_sent} sent"
    )
    if r.duplicates or r.missing or r.db_sent != r.invitations:
        sys.exit(1)


if __name__ == "__main__":
    main()
