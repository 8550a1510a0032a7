"""The frequency cap's queries search the partial indexes of live invitations, so a frequent
caller's many excluded contacts are never read (a million-row import slowed as they grew)."""

import datetime as dt
import re
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bluelamp.forces.models import Force
from bluelamp.intake.models import Person
from bluelamp.surveys.models import Invitation
from bluelamp.surveys.selectors import surveyed_index, surveyed_within
from tests.test_import_contacts import row, run, write_csv

AROUND = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def plan(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(line) for line in cursor.fetchall())


def statements(call) -> list[tuple[str, tuple]]:
    """The SQL a call runs, with its parameters, as the database received it."""
    seen: list[tuple[str, tuple]] = []

    def keep(execute, sql, params, many, context):
        seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep), CaptureQueriesContext(connection):
        call()
    return seen


def test_the_cap_reads_only_live_invitations(force: Force, tmp_path: Path) -> None:
    # 300 past contacts of one caller, imported as history: 300 excluded invitations.
    rows = [
        row(f"HIST-{i:04d}", received_at=f"2025-0{1 + i % 9}-1{i % 10} 10:00") for i in range(300)
    ]
    out, error = run(write_csv(tmp_path / "history.csv", rows), "--no-invitations")
    assert error is None, out
    assert Invitation.objects.filter(status=Invitation.Status.EXCLUDED).count() == 300
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    person = Person.objects.filter(force=force).first()
    assert person is not None and person.phone_key
    keys = [person.phone_key]

    def within() -> None:
        surveyed_within(force_id=force.pk, keys=keys, around=AROUND, days=30)

    def index() -> None:
        surveyed_index(force_id=force.pk, keys=set(keys), window=(AROUND, AROUND), days=30)

    for call in (within, index):
        (sql, params), *_ = [s for s in statements(call) if "surveys_invitation" in s[0]]
        shown = plan(sql, params)
        # Each read of surveys_invitation is a search of a live index (on PostgreSQL, either:
        # both are empty here, so the planner may search one for the other's column).
        used = re.findall(r"using (?:covering )?(?:index )?(\w+)", shown, re.IGNORECASE)
        assert used and all(name.startswith("invitation_live_") for name in used), shown
        assert "Seq Scan" not in shown and "SCAN surveys_invitation" not in shown, shown
