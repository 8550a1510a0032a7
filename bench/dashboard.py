"""Server time of the live view and drill-down with 500 thousand and 5 million responses.

For each database (SQLite and PostgreSQL) and each size, a benchmark database is filled with
one force's year of responses: persons, contacts, invitations (sent, most answered),
responses with scores, comments and their themes, recovery cases for the dissatisfied, a few
alerts, eight weeks of call figures for the 999 and 101 queues; then the rollups are rebuilt
from those rows (``rollups_rebuild``, the code ``bluelamp rebuild-rollups`` runs) and
checked against them. Rows are built from the models' ``_meta`` (a field not given takes its
default), written with ``executemany`` on SQLite and ``COPY`` on PostgreSQL.

Then every live-view page is requested in-process through Django's test client, signed in
as a team supervisor (two of the twelve teams) and as a force-wide analyst: the board
``/live/``, its poll ``/live/board`` (full and unchanged, 204), ``/live/drill/`` for each
dimension and period and as CSV, and ``/api/v1/satisfaction`` and ``/api/v1/alerts`` with an
API token. The time is from the request entering Django to the last byte of the answer.

    .venv/bin/python bench/dashboard.py                        # 500k and 5M, both databases
    .venv/bin/python bench/dashboard.py --sizes 50000 --db sqlite --repeat 5
    .venv/bin/python bench/dashboard.py --reuse                # keep generated databases

Databases: ``var/bench/dashboard-<size>.sqlite3`` and PostgreSQL ``bl_bench_dash_<size>`` at
127.0.0.1:5432 (user postgres, trust auth). With ``--reuse`` a database that already holds
the asked number of responses is migrated (a migration may rebuild the rollups) and reused;
otherwise it is made anew. ``--drop`` removes them at the end.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_MS = 100.0
PASSWORD = "bench-password-1"  # noqa: S105 (benchmark users, in a throwaway database)


# --------------------------------------------------------------------------------------------
# The parent: one child process per database and size (Django's settings are per process).


def database_url(kind: str, size: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{VAR / f'dashboard-{size}.sqlite3'}"
    return f"postgres://postgres@127.0.0.1:5432/bl_bench_dash_{size}"


def drop(kind: str, size: int) -> None:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm", ".writer-lock"):
            Path(f"{VAR / f'dashboard-{size}.sqlite3'}{suffix}").unlink(missing_ok=True)
        return
    subprocess.run(
        [
            "psql",
            "-q",
            PG_ADMIN,
            "-c",
            f"DROP DATABASE IF EXISTS bl_bench_dash_{size} WITH (FORCE)",
        ],
        check=True,
    )


def create(kind: str, size: int) -> None:
    drop(kind, size)
    if kind == "sqlite":
        VAR.mkdir(parents=True, exist_ok=True)
        return
    subprocess.run(
        ["psql", "-q", PG_ADMIN, "-c", f"CREATE DATABASE bl_bench_dash_{size}"], check=True
    )


def child(url: str, *args: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bluelamp.settings"}
    env.setdefault("SECRET_KEY", "bench-dashboard-not-secret")
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def machine_load() -> str:
    with open("/proc/loadavg") as f:
        return "load average " + " ".join(f.read().split()[:3])


def table(results: dict[tuple[str, int], dict[str, Any]], sizes: Sequence[int]) -> str:
    """Pages as rows; p50 and p95 (ms) per database and size as columns."""
    kinds = sorted({k for k, _ in results}, key=["sqlite", "postgres"].index)
    columns = [(k, s) for k in kinds for s in sizes if (k, s) in results]
    pages: list[str] = []
    for key in columns:
        for page in results[key]["pages"]:
            if page not in pages:
                pages.append(page)
    width = max(len(p) for p in pages) + 2
    head = "page".ljust(width) + "".join(
        f"{k} {s // 1000}k".rjust(18) if s < 1_000_000 else f"{k} {s / 1e6:g}M".rjust(18)
        for k, s in columns
    )
    lines = [head, " " * width + "     p50     p95  " * len(columns)]
    for page in pages:
        cells = []
        for key in columns:
            t = results[key]["pages"].get(page)
            flag = "*" if t and t["p95"] > TARGET_MS else " "
            cells.append(f"{t['p50']:8.1f}{t['p95']:8.1f}{flag} " if t else " " * 18)
        lines.append(page.ljust(width) + "".join(cells))
    worst = "".join(
        f"{max(t['p95'] for t in results[key]['pages'].values()):16.1f}  " for key in columns
    )
    lines.append("worst p95".ljust(width) + worst)
    maxima = "".join(
        f"{max(t['max'] for t in results[key]['pages'].values()):16.1f}  " for key in columns
    )
    lines.append("slowest single request".ljust(width) + maxima)
    return "\n".join(lines)


def group_of(page: str) -> str:
    """Pages summed up for the summary table: each drill-down, CSV and API period over its
    six dimensions."""
    import re

    found = re.match(
        r"(\w+) (/live/drill/|/api/v1/satisfaction)\?by=\w+&days=(\d+)(&format=csv)?", page
    )
    if not found:
        return page.replace("?status=all", "")
    who, path, days, csv = found.groups()
    what = "satisfaction" if "api" in path else ("drill-down CSV" if csv else "drill-down")
    return f"{who} {what}, {days} day{'s' if days != '1' else ''} (6 dimensions)"


def summary(results: dict[tuple[str, int], dict[str, Any]]) -> dict[tuple[str, int], Any]:
    """Per group of pages: the median of their p50s, the largest p95 and the largest time."""
    import statistics

    out: dict[tuple[str, int], Any] = {}
    for key, result in results.items():
        groups: dict[str, list[dict[str, float]]] = {}
        for page, t in result["pages"].items():
            groups.setdefault(group_of(page), []).append(t)
        out[key] = {
            "pages": {
                g: {
                    "p50": statistics.median(t["p50"] for t in ts),
                    "p95": max(t["p95"] for t in ts),
                    "max": max(t["max"] for t in ts),
                }
                for g, ts in groups.items()
            }
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--sizes", default="500000,5000000", help="Responses, comma-separated")
    parser.add_argument("--repeat", type=int, default=15, help="Requests per page and user")
    parser.add_argument("--reuse", action="store_true", help="Keep a database of the right size")
    parser.add_argument("--rebuild", action="store_true", help="Rebuild rollups on --reuse")
    parser.add_argument("--generate-only", action="store_true", help="Fill, do not time")
    parser.add_argument("--check-all", action="store_true", help="Check rollups at any size")
    parser.add_argument("--explain", action="store_true", help="Print each query's plan too")
    parser.add_argument("--drop", action="store_true", help="Drop the databases at the end")
    parser.add_argument("--response-rate", type=float, default=0.8)
    parser.add_argument("--json", help="Write the results to this file too")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child is not None:
        return child_main(options.child)
    sizes = [int(s) for s in options.sizes.split(",")]
    kinds = ["sqlite", "postgres"] if options.db == "both" else [options.db]
    results: dict[tuple[str, int], dict[str, Any]] = {}
    print(f"before: {machine_load()}", flush=True)
    for kind in kinds:
        for size in sizes:
            url = database_url(kind, size)
            generated: dict[str, Any] = {}
            held = child(url, "count") if options.reuse else {"responses": -1}
            if held["responses"] != size:
                create(kind, size)
                generated = child(url, "generate", str(size), str(options.response_rate))
                print(f"{kind} {size}: generated {json.dumps(generated)}", flush=True)
            if (generated or options.rebuild) and not options.generate_only:
                # Checking every count against the raw rows takes as long again as the
                # rebuild: done up to a million responses unless asked.
                check = "check" if size <= 1_000_000 or options.check_all else "no-check"
                generated |= child(url, "rollups", check)
                print(f"{kind} {size}: rollups {json.dumps(generated)}", flush=True)
            if options.generate_only:
                continue
            if options.explain:
                print(f"== {kind} {size}: query plans", flush=True)
                print(child(url, "explain")["plans"], flush=True)
            result = child(url, "time", str(options.repeat))
            result["generated"] = generated
            results[(kind, size)] = result
            print(
                f"{kind} {size}: {result['responses']} responses, {result['rollups']} rollup "
                f"rows, timed in {result['seconds']:.0f} s ({machine_load()})",
                flush=True,
            )
            if options.drop:
                drop(kind, size)
    if not results:
        return
    print()
    print("Server time per page, milliseconds (in-process test client; * p95 over 100 ms)")
    print(table(results, sizes))
    print()
    print("Summary: drill-down, CSV and API rows are the median p50 and the largest p95 of")
    print("the six dimensions; /api/v1/alerts is the open and the all alerts together")
    print(table(summary(results), sizes))
    print(f"after: {machine_load()}")
    if options.json:
        Path(options.json).write_text(
            json.dumps({f"{k} {s}": v for (k, s), v in results.items()}, indent=1)
        )


# --------------------------------------------------------------------------------------------
# The child: Django set up on the benchmark database.


def child_main(args: list[str]) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    what = args[0]
    if what == "count":
        try:
            from bluelamp.surveys.models import Response

            print(json.dumps({"responses": Response.objects.count()}))
        except Exception:  # no database or no tables yet: make it anew
            print(json.dumps({"responses": -1}))
        return
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    if what == "generate":
        out = generate(int(args[1]), float(args[2]))
        out["migrate_s"] = round(migrated, 1)
        print(json.dumps(out))
    elif what == "rollups":
        print(json.dumps(rollups(check=args[1] == "check")))
    elif what == "time":
        print(json.dumps(time_pages(int(args[1]))))
    elif what == "explain":
        print(json.dumps({"plans": explain_pages()}))


class Loader:
    """Rows written fast, their columns taken from the model's ``_meta``."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        connection.ensure_connection()
        if self.vendor == "sqlite":
            raw = connection.connection
            raw.execute("PRAGMA synchronous=OFF")
            raw.execute("PRAGMA cache_size=-1000000")

    def indexes_drop(self, models: Sequence[Any]) -> list[str]:
        """Drop the tables' plain indexes (not those behind constraints) for the load; the
        statements that make them again."""
        tables = [m._meta.db_table for m in models]
        with self.connection.cursor() as cursor:
            if self.vendor == "sqlite":
                marks = ", ".join(["%s"] * len(tables))
                sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                cursor.execute(f"{sql} AND tbl_name IN ({marks})", tables)
            else:
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                    "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                    [tables],
                )
            found = cursor.fetchall()
            for name, _ in found:
                cursor.execute(f'DROP INDEX "{name}"')
            if self.vendor == "postgresql":
                # Rows are consistent by construction: no foreign-key check per row while
                # loading (the triggers come back in indexes_make).
                for table in tables:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        self.tables = tables
        return [sql for _, sql in found]

    def indexes_make(self, statements: Sequence[str]) -> None:
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
            if self.vendor == "postgresql":
                for table in self.tables:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")

    def next_id(self, model: Any) -> int:
        from django.db.models import Max

        return int(model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def write(self, model: Any, rows: Iterable[dict[str, Any]]) -> int:
        import datetime as dt

        fields = [f for f in model._meta.concrete_fields]
        columns = [f.column for f in fields]
        names = [f.attname for f in fields]
        # A field not given takes its default ("" for text, None where there is none).
        defaults = {f.attname: f.get_default() for f in fields}
        kinds = [f.get_internal_type() for f in fields]
        table = model._meta.db_table
        sqlite = self.vendor == "sqlite"

        def convert(kind: str, value: Any) -> Any:
            if value is None:
                return None
            if kind == "JSONField":
                return json.dumps(value)
            if sqlite and kind == "DateTimeField":
                return str(value.astimezone(dt.UTC).replace(tzinfo=None))
            if sqlite and kind == "DateField":
                return value.isoformat()
            return value

        plain = {"JSONField", "DateTimeField", "DateField"}

        def tuples() -> Iterator[tuple[Any, ...]]:
            for row in rows:
                merged = {**defaults, **row}
                yield tuple(
                    convert(k, merged[n]) if k in plain else merged[n]
                    for n, k in zip(names, kinds, strict=True)
                )

        count = 0
        if sqlite:
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
            raw = self.connection.connection
            batch: list[tuple[Any, ...]] = []
            for t in tuples():
                batch.append(t)
                if len(batch) == 20000:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            raw.executemany(sql, batch)
            raw.commit()
            return count + len(batch)
        raw_cursor = self.connection.connection.cursor()
        with raw_cursor, raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for t in tuples():
                copy.write_row(t)
                count += 1
        self.connection.connection.commit()
        return count

    def finish(self, models: Sequence[Any]) -> None:
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            cursor.execute("ANALYZE")


COMMENTS = [
    # (text, share of the comments on a satisfied answer, share on a dissatisfied one)
    ("The call handler was brilliant and kind, thank you.", 5, 0),
    ("Officers came quickly and kept me updated.", 4, 0),
    ("Very professional, I felt listened to.", 4, 1),
    ("Thank you to the officer who came out, really reassuring.", 3, 0),
    ("It took ages to get through on 101.", 1, 4),
    ("Nobody came and I never heard back.", 0, 5),
    ("I was not kept informed about my case.", 0, 4),
    ("The person on the phone was rude and dismissive.", 0, 3),
    ("Waited on hold for forty minutes.", 0, 3),
    ("Fine.", 2, 1),
    ("Nothing was done about it in the end.", 0, 3),
    ("Good service overall but slow to attend.", 2, 1),
]
STAGES = [
    ("first_contact", 0.70),
    ("attendance", 0.15),
    ("investigation", 0.10),
    ("outcome", 0.05),
]
CHANNELS = [
    ("999", 0.35),
    ("101", 0.45),
    ("online", 0.15),
    ("front_counter", 0.04),
    ("other", 0.01),
]
TEAMS = 12
HANDLERS = 144
DAYS = 365


def generate(size: int, response_rate: float) -> dict[str, Any]:
    """One force's year: ``size`` responses and the contacts, invitations and cases behind
    them, then the rollups rebuilt from those rows."""
    import datetime as dt
    import random

    import numpy as np
    from django.conf import settings
    from django.utils import timezone

    from bluelamp.flows.responses import text_insight as _text_insight
    from bluelamp.forces.models import Force, Role, StaffMember, Team, User
    from bluelamp.insights.models import Alert
    from bluelamp.intake.models import Contact, Person
    from bluelamp.ops.demo_calls import demo_calls_seed
    from bluelamp.recovery.models import RecoveryCase
    from bluelamp.surveys import logic
    from bluelamp.surveys.models import IncidentType, Invitation, Response, SurveyTemplate

    started = time.perf_counter()
    rng = np.random.default_rng(4)
    now = timezone.now()
    force = Force.objects.create(slug="bench", name="Benchmark Constabulary")
    teams = [
        Team.objects.create(force=force, code=f"team-{i:02d}", name=f"Team {i:02d}")
        for i in range(1, TEAMS + 1)
    ]
    handlers = StaffMember.objects.bulk_create(
        StaffMember(force=force, number=f"CH{i:04d}", name=f"Handler {i}", team=teams[i % TEAMS])
        for i in range(HANDLERS)
    )
    handler_ids = np.array([h.pk for h in handlers])
    handler_team = np.array([h.team_id for h in handlers])
    supervisor = User.objects.create_user(
        username="bench-supervisor", password=PASSWORD, force=force, role=Role.SUPERVISOR
    )
    supervisor.teams.set(teams[:2])
    User.objects.create_user(
        username="bench-analyst", password=PASSWORD, force=force, role=Role.ANALYST
    )
    demo_calls_seed(force, now, random.Random(4))
    # Surveys at each stage: the shipped templates, copied to the other stages.
    templates: dict[tuple[str, str], int] = {}
    for t in SurveyTemplate.objects.filter(force=None, active=True):
        templates.setdefault((t.key, t.stage), t.pk)
        for stage, _ in STAGES:
            if (t.key, stage) not in templates and not SurveyTemplate.objects.filter(
                force=None, key=t.key, stage=stage
            ).exists():
                copy = SurveyTemplate.objects.create(
                    key=t.key, stage=stage, definition=t.definition, version=1
                )
                templates[(t.key, stage)] = copy.pk
    types = [
        t
        for t in IncidentType.objects.filter(sensitive=False)
        if (t.template_key, "first_contact") in templates
    ]
    type_weights = 1.0 / np.arange(1, len(types) + 1) ** 0.8  # a few common types, a long tail
    type_weights /= type_weights.sum()
    # Each team and handler has its own satisfaction: a shift in the score distribution.
    team_shift = rng.normal(0, 0.4, TEAMS + 1)
    handler_shift = rng.normal(0, 0.5, HANDLERS)
    # The lexicon's themes: the benchmark force has no theme model of its own.
    insights = {text: _text_insight(text, force.pk, "en") for text, _, _ in COMMENTS}
    satisfied_pick = np.array([s for _, s, _ in COMMENTS], float)
    dissatisfied_pick = np.array([d for _, _, d in COMMENTS], float)
    stage_names = [s for s, _ in STAGES]
    phoned = ("999", "101")  # the queues whose answer times are known
    channel_names = [c for c, _ in CHANNELS]
    hour_profile = np.array(
        [2, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 5, 4, 3, 3.0]
    )  # contacts by local hour
    hour_profile /= hour_profile.sum()
    loader = Loader()
    loaded = (Person, Contact, Invitation, Response, RecoveryCase)
    dropped = loader.indexes_drop(loaded)
    ids = {m: loader.next_id(m) for m in (Person, Contact, Invitation, Response, RecoveryCase)}
    contacts_total = round(size / response_rate)
    per_day = np.full(DAYS, contacts_total // DAYS)
    per_day[: contacts_total % DAYS] += 1
    start_day = timezone.localtime(now).date() - dt.timedelta(days=DAYS - 1)
    counts = dict.fromkeys(("persons", "contacts", "invitations", "responses", "cases"), 0)
    answered_left = size
    latest = now - dt.timedelta(hours=1)
    written_s = 0.0
    for day_index in range(DAYS):
        n = int(per_day[day_index])
        day = start_day + dt.timedelta(days=day_index)
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())
        seconds = (rng.choice(24, n, p=hour_profile) * 3600 + rng.integers(0, 3600, n)).tolist()
        received = [midnight + dt.timedelta(seconds=s) for s in seconds]
        # Answered: this day's share of the responses still to make (so the total is exact).
        remaining_contacts = int(per_day[day_index:].sum())
        answers = min(n, round(answered_left * n / remaining_contacts))
        answered = np.zeros(n, bool)
        answered[rng.choice(n, answers, replace=False)] = True
        answered_left -= answers
        type_ix = rng.choice(len(types), n, p=type_weights).tolist()
        channel_ix = rng.choice(len(CHANNELS), n, p=[w for _, w in CHANNELS]).tolist()
        stage_ix = rng.choice(len(STAGES), n, p=[w for _, w in STAGES]).tolist()
        handler_ix = rng.integers(0, HANDLERS, n)
        has_handler = rng.random(n) < 0.97
        wait = np.round(rng.lognormal(2.6, 1.1, n)).astype(int).tolist()
        delay = (rng.integers(30, 48 * 60, n) * 60).tolist()  # sent 30 minutes to 2 days on
        reply = rng.exponential(3 * 3600, n).astype(int).tolist()
        latent = (
            rng.normal(4.9, 1.6, n)
            + team_shift[np.where(has_handler, handler_team[handler_ix] % (TEAMS + 1), TEAMS)]
            + np.where(has_handler, handler_shift[handler_ix], 0)
        )
        scores = np.clip(np.round(latent), 1, 7).astype(int).tolist()
        skipped = (rng.random(n) < 0.03).tolist()  # whole experience left unanswered
        wrote = (rng.random(n) < 0.3).tolist()
        persons, contacts, invitations, responses, cases = [], [], [], [], []
        for i in range(n):
            pid, cid, iid = ids[Person], ids[Contact], ids[Invitation]
            ids[Person] += 1
            ids[Contact] += 1
            ids[Invitation] += 1
            incident = types[type_ix[i]]
            channel = channel_names[channel_ix[i]]
            stage = stage_names[stage_ix[i]]
            template = (
                templates.get((incident.template_key, stage))
                or templates[(incident.template_key, "first_contact")]
            )
            handler = int(handler_ids[handler_ix[i]]) if has_handler[i] else None
            team = int(handler_team[handler_ix[i]]) if has_handler[i] else None
            # Nothing after now: the last hours' contacts are squeezed in before it.
            received_at = min(received[i], latest - dt.timedelta(seconds=wait[i]))
            sent_at = min(
                received_at + dt.timedelta(seconds=delay[i]), now - (now - received_at) / 2
            )
            answered_at = min(
                sent_at + dt.timedelta(seconds=reply[i] + 60), now - (now - sent_at) / 2
            )
            is_answer = bool(answered[i])
            persons.append({"id": pid, "force_id": force.pk, "phone": f"+4477009{cid % 100000:05d}",
                            "phone_key": f"{cid:064x}", "age": 18 + cid % 70})  # fmt: skip
            contacts.append({"id": cid, "force_id": force.pk, "reference": f"B{cid:09d}",
                             "received_at": received_at, "channel": channel,
                             "incident_type_id": incident.pk, "call_handler_id": handler,
                             "team_id": team, "person_id": pid, "created_at": received_at,
                             "answer_seconds": wait[i] if channel in phoned else None})  # fmt: skip
            invitations.append({"id": iid, "force_id": force.pk, "contact_id": cid,
                                "status": "answered" if is_answer else "sent",
                                "token": f"{iid:022x}", "template_id": template, "via": "sms",
                                "created_at": received_at, "send_at": sent_at, "sent_at": sent_at,
                                "expires_at": sent_at + dt.timedelta(days=14),
                                "opened_at": answered_at if is_answer else None,
                                "answered_at": answered_at if is_answer else None})  # fmt: skip
            if not is_answer:
                continue
            score = None if skipped[i] else scores[i]
            outcome = logic.classify(score, settings.SATISFIED_FROM, settings.DISSATISFIED_TO)
            comment = ""
            if wrote[i]:
                pick = dissatisfied_pick if outcome == "dissatisfied" else satisfied_pick
                comment = COMMENTS[int(rng.choice(len(COMMENTS), p=pick / pick.sum()))][0]
            rid = ids[Response]
            ids[Response] += 1
            answer_values: dict[str, Any] = {"comment": comment} if comment else {}
            if score is not None:
                answer_values[logic.WHOLE_EXPERIENCE] = score
            responses.append({"id": rid, "force_id": force.pk, "invitation_id": iid,
                              "contact_id": cid, "template_id": template,
                              "answers": answer_values, "whole_experience": score,
                              "outcome": outcome, "comment": comment,
                              "submitted_at": answered_at, "incident_type_id": incident.pk,
                              "team_id": team, "call_handler_id": handler, "channel": channel,
                              **insights.get(comment, {})})  # fmt: skip
            if outcome == "dissatisfied":
                recent = now - answered_at < dt.timedelta(days=3)
                cases.append({"id": ids[RecoveryCase], "force_id": force.pk, "contact_id": cid,
                              "response_id": rid, "team_id": team, "reasons": ["dissatisfied"],
                              "status": "open" if recent else "closed",
                              "opened_at": answered_at,
                              "deadline": answered_at + dt.timedelta(hours=24),
                              "closed_at": None if recent else answered_at + dt.timedelta(hours=20),
                              "outcome": "" if recent else "resolved"})  # fmt: skip
                ids[RecoveryCase] += 1
        t0 = time.perf_counter()
        counts["persons"] += loader.write(Person, persons)
        counts["contacts"] += loader.write(Contact, contacts)
        counts["invitations"] += loader.write(Invitation, invitations)
        counts["responses"] += loader.write(Response, responses)
        counts["cases"] += loader.write(RecoveryCase, cases)
        written_s += time.perf_counter() - t0
    t0 = time.perf_counter()
    loader.indexes_make(dropped)
    indexing_s = time.perf_counter() - t0
    loader.finish(loaded)
    for i, team in enumerate(teams[:4]):
        Alert.objects.create(
            force=force, dimension="team", key=str(team.pk), label=team.name,
            text=f"{team.name}: 9 of 14 dissatisfied", run_n=14, run_x=9, expected_share=0.2,
            chance=0.0008, opened_at=now - dt.timedelta(hours=i),
            cleared_at=None if i < 2 else now - dt.timedelta(minutes=10),
        )  # fmt: skip
    return {**counts, "rows_s": round(time.perf_counter() - started, 1),
            "writing_s": round(written_s, 1),
            "indexing_s": round(indexing_s, 1)}  # fmt: skip


def rollups(check: bool) -> dict[str, Any]:
    """The rollups rebuilt from the raw rows by the code ``bluelamp rebuild-rollups`` runs,
    and checked against them as ``--check`` does."""
    from django.db import connection

    from bluelamp.insights.rollups import rollups_check, rollups_rebuild

    t0 = time.perf_counter()
    rollup_rows = rollups_rebuild()
    out: dict[str, Any] = {
        "rollup_rows": rollup_rows,
        "rebuild_s": round(time.perf_counter() - t0, 1),
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if check:
        t0 = time.perf_counter()
        differences = len(rollups_check())
        out["check_s"] = round(time.perf_counter() - t0, 1)
        assert differences == 0, f"{differences} rollup counts differ from the raw rows"
    return out


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def explain_pages() -> str:
    """Every distinct query the pages make (as the supervisor, the analyst and the API, over
    the longest period) with its plan: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
    PostgreSQL."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bluelamp.forces.models import ApiToken, Force, User, hash_token
    from bluelamp.insights import drill

    force = Force.objects.get(slug="bench")
    token = ApiToken.generate()
    ApiToken.objects.create(force=force, name="plans", digest=hash_token(token), prefix=token[:8])
    api = Client(headers={"authorization": f"Bearer {token}"})
    seen: dict[str, str] = {}
    out = []
    for username in ("bench-supervisor", "bench-analyst"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        paths = ["/live/", *(f"/live/drill/?by={by}&days=90" for by in drill.DIMENSIONS)]
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            for q in queries.captured_queries:
                seen.setdefault(q["sql"], f"{username} {path}")
    for by in drill.DIMENSIONS:
        with CaptureQueriesContext(connection) as queries:
            api.get(f"/api/v1/satisfaction?by={by}&days=90")
            api.get("/api/v1/alerts")
        for q in queries.captured_queries:
            seen.setdefault(q["sql"], f"api {by}")
    with connection.cursor() as cursor:
        for sql, where in seen.items():
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            if connection.vendor == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                plan = "\n".join(f"    {row[-1]}" for row in cursor.fetchall())
            else:
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")
                plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
            out.append(f"-- {where}\n{sql[:400]}\n{plan}")
    return "\n\n".join(out)


def time_pages(repeat: int) -> dict[str, Any]:
    import gc

    from django.test import Client

    from bluelamp.forces.models import ApiToken, Force, User, hash_token
    from bluelamp.insights import drill
    from bluelamp.insights.models import Rollup
    from bluelamp.lib.warm import worker_ready
    from bluelamp.surveys.models import Response

    started = time.perf_counter()
    force = Force.objects.get(slug="bench")
    token = ApiToken.generate()
    ApiToken.objects.create(force=force, name="bench", digest=hash_token(token), prefix=token[:8])
    api = Client(headers={"authorization": f"Bearer {token}"})
    users = {"supervisor": "bench-supervisor", "analyst": "bench-analyst"}
    clients = {}
    for label, username in users.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[label] = client
    pages: list[tuple[str, Any, str, int]] = []
    for label, client in clients.items():
        pages.append((f"{label} /live/", client, "/live/", 200))
        pages.append((f"{label} /live/board", client, "/live/board", 200))
        pages.append((f"{label} /live/board (unchanged)", client, "POLL", 204))
        for by in drill.DIMENSIONS:
            for days in drill.PERIODS:
                q = f"by={by}&days={days}"
                pages.append((f"{label} /live/drill/?{q}", client, f"/live/drill/?{q}", 200))
                csv = f"/live/drill/?{q}&format=csv"
                pages.append((f"{label} {csv}", client, csv, 200))
    for by in drill.DIMENSIONS:
        for days in drill.PERIODS:
            q = f"by={by}&days={days}"
            pages.append((f"api /api/v1/satisfaction?{q}", api, f"/api/v1/satisfaction?{q}", 200))
    pages.append(("api /api/v1/alerts", api, "/api/v1/alerts", 200))
    pages.append(("api /api/v1/alerts?status=all", api, "/api/v1/alerts?status=all", 200))

    def get(client: Any, path: str) -> Any:
        for _ in range(3):  # the version carries the minute: try again if it just turned
            poll = path
            if path == "POLL":
                first = client.get("/live/board")
                version = first.content.decode().split('data-version="')[1].split('"')[0]
                poll = f"/live/board?v={version}"
            t0 = time.perf_counter()
            response = client.get(poll)
            if path != "POLL" or response.status_code == 204:
                break
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return response, (time.perf_counter() - t0) * 1000

    timings: dict[str, list[float]] = {name: [] for name, *_ in pages}
    worker_ready()  # what `bluelamp serve` does in each worker before its first request
    for name, client, path, status in pages:  # warm up: caches, connections, plans
        response, _ = get(client, path)
        assert response.status_code == status, (name, response.status_code)
    gc.collect()
    # Interleaved rounds, so a burst of load from elsewhere spreads over every page.
    for _ in range(repeat):
        for name, client, path, status in pages:
            response, ms = get(client, path)
            assert response.status_code == status, (name, response.status_code)
            timings[name].append(ms)
    return {
        "responses": Response.objects.count(),
        "rollups": Rollup.objects.count(),
        "seconds": time.perf_counter() - started,
        "pages": {
            name: {
                "p50": round(percentile(ms, 50), 2),
                "p95": round(percentile(ms, 95), 2),
                "max": round(max(ms), 2),
                "n": len(ms),
            }
            for name, ms in timings.items()
        },
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
