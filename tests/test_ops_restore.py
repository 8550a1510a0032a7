"""The restore drill of docs/operations.md, performed: a scratch PostgreSQL database is
migrated and given data through the real commands, dumped with ``pg_dump -Fc``, restored with
``pg_restore`` into a fresh database, and every table's count compared; both are dropped.

It runs whatever database the rest of the suite uses: its own scratch databases on the local
PostgreSQL at 127.0.0.1:5432 (user postgres, trust authentication, as CI starts it). Without
pg_dump or the server it is skipped, saying which is missing."""

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests import needs
from tests.processes import child_env
from tests.test_care import crime_body
from tests.test_ops_logs import ROOT

BIN = Path(ROOT) / ".venv" / "bin" / "bluelamp"
SERVER = "postgresql://postgres@127.0.0.1:5432"


def run(*args: str | Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603 (our own command and PostgreSQL's tools)
        [str(a) for a in args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args[0]} {args[1]}: {done.stderr[-3000:]}"
    return done.stdout


def counts(name: str) -> dict[str, int]:
    with psycopg.connect(f"{SERVER}/{name}") as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]  # type: ignore[index]
            for table in tables
        }


@pytest.fixture
def scratch() -> Iterator[tuple[str, str]]:
    """Two database names on the local server, dropped afterwards."""
    for tool in ("pg_dump", "pg_restore"):
        needs.tool(tool, "Debian: apt-get install postgresql-client")
    try:
        admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        needs.missing(f"no PostgreSQL server at 127.0.0.1:5432 ({type(e).__name__})")
    stem = f"bluelamp_drill_{uuid.uuid4().hex[:8]}"
    names = (stem, f"{stem}_restored")
    try:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(names[0])))
        yield names
    finally:
        for name in names:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()


@pytest.mark.slow(
    reason="about 20 s: the restore drill, pg_dump and pg_restore of a seeded database"
)
def test_a_dump_restores_into_a_fresh_database_with_every_count_equal(
    scratch: tuple[str, str], tmp_path: Path
) -> None:
    source, restored = scratch
    env = {**child_env(), "DATABASE_URL": f"{SERVER}/{source}", "DATA_DIR": str(tmp_path)}
    env.pop("SENTRY_DSN", None)
    run(BIN, "migrate", "-v0", env=env)
    run(BIN, "create-force", "drill", "--name", "Drill Constabulary", env=env)
    run(BIN, "import-contacts", ROOT / "docs" / "examples" / "contacts.csv", "--force", "drill",
        env=env)  # fmt: skip
    crimes = tmp_path / "crimes.jsonl"
    crimes.write_text(json.dumps(crime_body("41/99999/26")) + "\n")
    run(BIN, "import-crimes", crimes, "--force", "drill", env=env)
    run(BIN, "create-api-token", "--force", "drill", "--name", "drill", env=env)
    run(BIN, "worker", "--once", env=env)
    before = counts(source)
    for table in ("intake_contact", "surveys_invitation", "care_crime", "care_duty",
                  "forces_apitoken", "delivery_job", "django_migrations"):  # fmt: skip
        assert before[table] > 0, table

    dump = tmp_path / "bluelamp.dump"
    host = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
    run("pg_dump", "-Fc", *host, "-d", source, "-f", dump)
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(restored)))
    run("pg_restore", *host, "-d", restored, "--no-owner", "--exit-on-error", dump)

    after = counts(restored)
    assert after == before
    # The restored database is one this version runs on: nothing left to migrate.
    run(BIN, "migrate", "--check", env={**env, "DATABASE_URL": f"{SERVER}/{restored}"})
