"""Interval figures from files: interval CSVs and per-call records."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bluelamp.staffing.models import CallInterval

OWN_RECORDS = """queue_entry,queue_exit,outcome,handle_seconds,handler
2026-11-02T18:01:00,2026-11-02T18:01:05,answered,300,H1
2026-11-02T18:03:00,2026-11-02T18:05:00,answered,200,H2
2026-11-02T18:07:00,2026-11-02T18:08:30,abandoned,,
2026-11-02T18:16:00,2026-11-02T18:16:20,answered,100,H1
2026-11-02T18:20:00,yesterday,answered,100,H1
"""


def test_call_records_become_intervals(force, tmp_path: Path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text(OWN_RECORDS)
    with pytest.raises(CommandError) as failed:
        call_command("import_call_records", path, force=force.slug, queue="101", minutes=15)
    assert failed.value.returncode == 2
    assert "line 6: queue_exit: not an ISO 8601 date and time" in capsys.readouterr().out
    first, second = CallInterval.objects.filter(force=force).order_by("start")
    assert first.start == dt.datetime(2026, 11, 2, 18, 0, tzinfo=dt.UTC)  # GMT in November
    assert (first.offered, first.answered, first.abandoned) == (3, 2, 1)
    # 101's target is 90 seconds: 5 s yes, 120 s no.
    assert first.answered_within_target == 1
    assert first.handle_seconds == 250
    assert first.answer_seconds == 62.5
    assert first.abandon_seconds == 90
    # At work, time-weighted: H1 18:01:05 to 18:06:05 (the next call is over ten minutes
    # later, so H1 was away in between) and H2 18:05:00 to 18:08:20: 8 min 20 s of 15 min.
    assert first.logged_in == pytest.approx(500 / 900, abs=1e-3)
    assert (second.offered, second.answered_within_target) == (1, 1)


def test_interval_file_imports_good_rows_and_names_bad_ones(force, tmp_path: Path, capsys):
    path = tmp_path / "intervals.csv"
    path.write_text(
        "queue,start,offered,answered,abandoned,answered_within_target,average_handle_seconds\n"
        "999,2026-11-01T10:00:00,10,9,1,8,200\n"
        "999,2026-11-01T10:15:00,10,11,1,8,200\n"
        "999,2026-11-01T10:00:00,10,9,1,8,210\n"
        "999,2026-11-01T10:30:00,,9,1,8,200\n"
    )
    with pytest.raises(CommandError) as failed:
        call_command("import_call_intervals", path, force=force.slug)
    assert failed.value.returncode == 2
    out = capsys.readouterr().out
    assert "line 3: answered: answered plus abandoned is more than offered" in out
    assert "line 4: start: the same queue and start as line 2" in out
    assert "line 5: offered: required, but empty" in out
    assert CallInterval.objects.filter(force=force).count() == 1


def test_interval_file_with_an_unknown_column_imports_nothing(force, tmp_path: Path):
    path = tmp_path / "intervals.csv"
    path.write_text("queue,start,offered,answered,abandoned,answered_within_target,colour\n")
    with pytest.raises(CommandError, match="unknown column"):
        call_command("import_call_intervals", path, force=force.slug)
    assert CallInterval.objects.count() == 0
