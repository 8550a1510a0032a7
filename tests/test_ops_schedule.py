"""The worker runs every scheduled duty itself: the daily personal-data purge once a day,
from DAILY_DUTIES_HOUR London time, by one worker however many run, taken over when the worker
that took it dies, and tried again later (not every minute) when it fails."""

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from bluelamp.audit.models import AuditEvent
from bluelamp.intake.models import Person
from bluelamp.ops.models import DailyDuty
from bluelamp.ops.schedule import daily_duty_run, duties_run, personal_data_purge_daily
from tests.helpers import answer
from tests.processes import child_env

PURGE = "purge-personal-data"
LONDON = dt.timezone(dt.timedelta(0))  # November: London is on GMT


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def old_caller(force: Any, reference: str) -> Person:
    answer(force, reference, 2, received_at="2025-01-10T10:00:00Z")
    return Person.objects.get(contacts__reference=reference)


def erased(person: Person) -> bool:
    person.refresh_from_db()
    return person.purged_at is not None and person.name == ""


def test_the_purge_runs_once_a_day_from_its_hour_by_one_worker(force: Any) -> None:
    first = old_caller(force, "OLD-1")
    duties_run(at(27, 1, 59), worker="a")
    assert not erased(first)  # before 02:00 London
    duties_run(at(27, 2, 0), worker="a")
    assert erased(first)
    duty = DailyDuty.objects.get(name=PURGE)
    assert duty.last_day == dt.date(2026, 11, 27) and duty.worker_id == "a"
    assert duty.lease_until is None and duty.finished_at is not None

    # Later the same day, on any worker: not again.
    second = old_caller(force, "OLD-2")
    for worker, hour in (("b", 2), ("a", 9), ("c", 23)):
        duties_run(at(27, hour, 30), worker=worker)
    assert not erased(second)
    assert AuditEvent.objects.filter(actor="system:retention").count() == 1
    # The next day it runs again, once.
    duties_run(at(28, 2, 1), worker="b")
    duties_run(at(28, 2, 2), worker="c")
    assert erased(second)
    assert DailyDuty.objects.get(name=PURGE).worker_id == "b"
    assert AuditEvent.objects.filter(actor="system:retention").count() == 2


def test_a_dead_workers_run_is_taken_over_when_its_lease_ends(force: Any, settings: Any) -> None:
    person = old_caller(force, "OLD-1")
    # Worker "a" took today's run and was killed: the lease is left as it was.
    DailyDuty.objects.create(
        name=PURGE, lease_until=at(27, 2, 0) + dt.timedelta(hours=1), worker_id="a"
    )
    assert not daily_duty_run(
        name=PURGE, duty=personal_data_purge_daily, now=at(27, 2, 30), worker="b"
    )
    assert not erased(person)
    assert daily_duty_run(name=PURGE, duty=personal_data_purge_daily, now=at(27, 3, 1), worker="b")
    assert erased(person)
    assert DailyDuty.objects.get(name=PURGE).last_day == dt.date(2026, 11, 27)


def test_a_failed_duty_is_tried_again_after_a_quarter_of_an_hour(db: Any) -> None:
    runs: list[dt.datetime] = []

    def flaky(now: dt.datetime) -> str:
        runs.append(now)
        if len(runs) == 1:
            raise RuntimeError("the database went away")
        return "done"

    assert not daily_duty_run(name="flaky", duty=flaky, now=at(27, 2, 0), worker="a")
    failed = DailyDuty.objects.get(name="flaky")
    assert failed.last_error == "RuntimeError" and failed.last_day is None
    # The worker's housekeeping comes round every minute; the duty waits its 15 minutes.
    for minute in range(1, 15):
        assert not daily_duty_run(name="flaky", duty=flaky, now=at(27, 2, minute), worker="a")
    assert len(runs) == 1
    assert daily_duty_run(name="flaky", duty=flaky, now=at(27, 2, 16), worker="b")
    assert len(runs) == 2 and DailyDuty.objects.get(name="flaky").last_error == ""


@pytest.mark.usefixtures("own_keys")
def test_the_worker_command_runs_the_purge_itself(force: Any, settings: Any) -> None:
    settings.DAILY_DUTIES_HOUR = 0  # whatever the hour the test runs at
    person = old_caller(force, "OLD-1")
    call_command("worker", "--once")
    assert erased(person)
    assert DailyDuty.objects.get(name=PURGE).finished_at is not None
    again = old_caller(force, "OLD-2")
    call_command("worker", "--once")  # a second worker the same day
    assert not erased(again)
    call_command("worker", "--once", "--no-housekeeping")
    assert not erased(again)


@pytest.mark.slow(reason="about 17 s: three real worker processes")
def test_three_workers_started_together_purge_once(tmp_path: Any) -> None:
    """Real processes on one database file: each runs its turn of duties at the same moment;
    one of them takes the day's purge, the others find it taken."""
    import subprocess

    from tests.test_ops_restore import BIN, ROOT

    env = {**child_env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'workers.sqlite3'}",
           "DATA_DIR": str(tmp_path), "DAILY_DUTIES_HOUR": "0", "LOG_FORMAT": "text",
           "PERSONAL_DATA_RETENTION_DAYS": "1"}  # fmt: skip
    env.pop("SENTRY_DSN", None)

    def run(*args: Any) -> None:
        subprocess.run([BIN, *args], env=env, check=True, timeout=300, capture_output=True)  # noqa: S603

    run("migrate", "-v0")
    run("create-force", "drill", "--name", "Drill Constabulary")
    run("import-contacts", ROOT / "docs" / "examples" / "contacts.csv", "--force", "drill")
    command = [BIN, "worker", "--once"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    workers = [subprocess.Popen(command, env=env, **pipes) for _ in range(3)]  # noqa: S603
    logs = [w.communicate(timeout=300)[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], logs
    done = [log for log in logs if "daily duty purge-personal-data done" in log]
    assert len(done) == 1, logs
    assert "people" in done[0] and " 0 people" not in done[0]  # it erased the callers
