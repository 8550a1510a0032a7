"""Each import fed bad lines: dates outside 1990 to 2100, deeply nested JSON, NULs, bad text,
a bad line in the middle. Every rejected line is reported with its number and field; no line
stops an import; exit 0 all imported, 2 some rejected (the rest stored), 1 nothing imported;
and nothing already stored is lost or half-written."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from bluelamp.audit.models import AuditEvent
from bluelamp.care.models import Crime, Victim
from bluelamp.forces.models import Force
from bluelamp.intake.imports import COLUMNS
from bluelamp.intake.models import Contact, Person
from bluelamp.staffing.models import CallInterval, Queue
from tests.test_care import crime_body
from tests.test_import_contacts import row, write_csv

ANCIENT = "0001-01-01T00:00:00+01:00"


def run(command: str, path: Path, **options: Any) -> tuple[str, int]:
    """The command's output (stdout) and its exit status."""
    out = io.StringIO()
    try:
        call_command(command, str(path), stdout=out, **options)
    except CommandError as e:
        return out.getvalue() + f"\n{e}", e.returncode
    return out.getvalue(), 0


# --- import-contacts: a savepoint a row, and carry on -------------------------------------


def test_contacts_bad_dates_and_a_nul_are_rejected_by_line_and_field(force: Force, tmp_path):
    rows = [
        row("C-1"),  # line 2
        row("C-2", received_at=ANCIENT),  # line 3
        row("C-3", date_of_birth="0001-01-01"),  # line 4
        row("C-4", name="Nul\x00Name"),  # line 5
        row("C-5", answer_seconds="true"),  # line 6
        row("C-6", received_at="9999-12-31T23:59:59-01:00"),  # line 7
        row("C-7"),  # line 8
    ]
    out, status = run("import_contacts", write_csv(tmp_path / "c.csv", rows), force=force.slug)
    assert status == 2
    assert "line 3: received_at: should be from 1990-01-01 to 2100-12-31" in out
    assert "line 4: person.date_of_birth: should be from 1890-01-01 to 2100-12-31" in out
    assert "line 5: person.name: should not contain a NUL character" in out
    assert "line 6: answer_seconds: Input should be a valid integer" in out
    assert "line 7: received_at: should be from 1990-01-01 to 2100-12-31" in out
    assert set(Contact.objects.values_list("reference", flat=True)) == {"C-1", "C-7"}
    assert Person.objects.count() == 2
    assert "Nul" not in out


def test_contacts_all_rejected_is_exit_1_and_keeps_what_was_stored(force: Force, tmp_path):
    out, status = run("import_contacts", write_csv(tmp_path / "a.csv", [row("KEEP")]),
                      force=force.slug)  # fmt: skip
    assert status == 0
    audits = AuditEvent.objects.count()
    rows = [row("KEEP", received_at=ANCIENT), row("NEW", received_at=ANCIENT)]
    out, status = run("import_contacts", write_csv(tmp_path / "b.csv", rows), force=force.slug)
    assert status == 1
    assert "line 2: received_at" in out and "line 3: received_at" in out
    assert "nothing was imported" in out
    assert list(Contact.objects.values_list("reference", flat=True)) == ["KEEP"]
    assert Contact.objects.get().received_at.year == 2026
    assert AuditEvent.objects.count() == audits


def test_contacts_report_file_lists_every_rejected_line(force: Force, tmp_path):
    rows = [row("R-1", received_at=ANCIENT), row("R-2"), row("R-3", age="1.5")]
    report = tmp_path / "rejected.csv"
    _, status = run("import_contacts", write_csv(tmp_path / "r.csv", rows), force=force.slug,
                    report=report)  # fmt: skip
    assert status == 2
    lines = report.read_text().splitlines()
    assert lines[0] == "line,field,message"
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["2", "received_at"],
        ["4", "person.age"],
    ]


def test_contacts_file_not_utf8_late_on_imports_nothing(force: Force, tmp_path):
    path = write_csv(tmp_path / "latin.csv", [row("L-1"), row("L-2")], COLUMNS)
    path.write_bytes(path.read_bytes() + "L-3,2026-11-26 10:00,999,burglary_residential,,,,Zoë\n"
                     .encode("latin-1"))  # fmt: skip
    out, status = run("import_contacts", path, force=force.slug)
    assert status == 1 and "line 4" in out and "Nothing was imported" in out
    assert not Contact.objects.exists()


# --- import-call-intervals: the whole file checked, then one transaction -------------------

HEADER = "queue,start,offered,answered,abandoned,answered_within_target,average_handle_seconds\n"


def test_intervals_bad_lines_in_the_middle_are_named_and_the_rest_stored(force, tmp_path):
    path = tmp_path / "intervals.csv"
    path.write_text(
        HEADER
        + "999,2026-11-01T10:00:00,10,9,1,8,200\n"  # line 2
        + f"999,{ANCIENT},10,9,1,8,200\n"  # line 3
        + "999,2026-11-01T10:30:00,true,9,1,8,200\n"  # line 4
        + "999,2026-11-01T10:45:00,10,9,1,8,inf\n"  # line 5
        + "999,2026-11-01T11:00:00,10,9,1,8,200,surplus\n"  # line 6
        + "99\x009,2026-11-01T11:15:00,10,9,1,8,200\n"  # line 7
        + "999,2026-11-01T11:30:00,10,9,1,8,200\n"  # line 8
    )
    out, status = run("import_call_intervals", path, force=force.slug)
    assert status == 2
    assert "line 3: start: should be from 1990-01-01 to 2100-12-31" in out
    assert "line 4: offered: Input should be a valid integer" in out
    assert "line 5: average_handle_seconds:" in out
    assert "line 6: row: more cells than the header has columns" in out
    assert "line 7: queue:" in out
    starts = sorted(f"{s:%H:%M}" for s in CallInterval.objects.values_list("start", flat=True))
    assert starts == ["10:00", "11:30"]


def test_intervals_file_broken_late_on_stores_nothing_and_keeps_what_was_there(force, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "999,2026-11-01T10:00:00,10,9,1,8,200\n")
    assert run("import_call_intervals", first, force=force.slug)[1] == 0
    good = "".join(f"999,2026-11-01T{h:02d}:00:00,20,18,2,15,250\n" for h in range(10, 20))
    path = tmp_path / "broken.csv"
    path.write_bytes((HEADER + good).encode() + b"999,2026-11-01T21:00:00,1,1,0,1,\xff\n")
    out, status = run("import_call_intervals", path, force=force.slug)
    assert status == 1 and "line 12" in out and "Nothing was imported" in out
    # The interval stored before keeps its figures: the file changed nothing.
    kept = CallInterval.objects.get()
    assert (kept.offered, kept.handle_seconds) == (10, 200)


def test_intervals_all_rejected_is_exit_1(force: Force, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + f"999,{ANCIENT},10,9,1,8,200\n")
    out, status = run("import_call_intervals", path, force=force.slug)
    assert status == 1 and "line 2: start" in out and "nothing was imported" in out
    assert not CallInterval.objects.exists()


# --- import-call-records: the whole file read before anything is stored --------------------

RECORDS_HEADER = "queue_entry,queue_exit,outcome,handle_seconds,handler\n"


def test_call_records_bad_rows_are_named_and_the_rest_stored(force: Force, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(
        RECORDS_HEADER
        + "2026-11-02T18:01:00,2026-11-02T18:01:05,answered,300,H1\n"  # line 2
        + f"{ANCIENT},{ANCIENT},answered,300,H1\n"  # line 3
        + "2026-11-02T18:03:00,2026-11-02T18:04:00,answered,inf,H1\n"  # line 4
        + "2026-11-02T18:03:00,2026-11-02T18:04:00,answered,nan,H1\n"  # line 5
        + "1990-01-01T00:00:00,2100-12-31T00:00:00,abandoned,,\n"  # line 6
        + "2099-01-01T00:00:00,2099-01-01T00:01:00,answered,20,H2\n"  # line 7
        + "2026-11-02T18:0\x006:00,2026-11-02T18:07:00,answered,20,H2\n"  # line 8
        + "2026-11-02T18:07:00,2026-11-02T18:08:30,abandoned,,\n"  # line 9
    )
    out, status = run("import_call_records", path, force=force.slug, queue="101")
    assert status == 2
    assert "line 3: queue_entry: should be from 1990-01-01 to 2100-12-31" in out
    assert "line 4: handle_seconds: should be from 0 to 86,400 seconds" in out
    assert "line 5: handle_seconds: should be from 0 to 86,400 seconds" in out
    assert "line 6: queue_exit: more than a day after queue_entry" in out
    assert "line 7: queue_entry: in the future" in out
    assert "line 8: queue_entry: not an ISO 8601 date and time" in out
    stored = CallInterval.objects.get()
    assert (stored.offered, stored.answered, stored.abandoned) == (2, 1, 1)


def test_call_records_file_broken_late_on_stores_nothing_not_even_the_queue(force, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_bytes(
        RECORDS_HEADER.encode()
        + b"2026-11-02T18:01:00,2026-11-02T18:01:05,answered,300,H1\n"
        + b"2026-11-02T18:03:00,2026-11-02T18:04:00,answered,100,\xe9\n"
    )
    out, status = run("import_call_records", path, force=force.slug, queue="queue-x")
    assert status == 1 and "not UTF-8" in out and "Nothing was imported" in out
    assert not CallInterval.objects.exists()
    assert not Queue.objects.filter(code="queue-x").exists()


def test_call_records_refuse_a_queue_code_that_cannot_be_stored(force: Force, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(RECORDS_HEADER + "2026-11-02T18:01:00,2026-11-02T18:01:05,answered,300,H1\n")
    out, status = run("import_call_records", path, force=force.slug, queue="10 1")
    assert status == 1 and "--queue" in out
    assert not Queue.objects.exists()


# --- import-crimes: a savepoint a line, and carry on ---------------------------------------


def jsonl(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return path


def test_crimes_no_line_stops_the_import(force: Force, tmp_path):
    named = crime_body("CR-2028", victims=[{"name": "Line\u2028Separator", "age": 30}])
    lines: list[str | bytes] = [
        json.dumps(crime_body("CR-1")),  # line 1
        "[" * 100_000,  # line 2: nested too deeply for any JSON reader
        json.dumps(crime_body("CR-3", recorded_at=ANCIENT)),  # line 3
        json.dumps(crime_body("CR-4", victims=[{"name": "Nul\x00Name"}])),  # line 4
        b'{"reference": "CR-5"\x00}',  # line 5: a raw NUL
        b'{"reference": "CR-6", "financial_loss": ' + b"9" * 5000 + b"}",  # line 6
        b'{"reference": "CR-7", "offence": "\xff"}',  # line 7: not UTF-8
        "[]",  # line 8
        json.dumps(crime_body("CR-9", victims=[{"age": True}])),  # line 9
        json.dumps(named, ensure_ascii=False),  # line 10: U+2028 inside a string is JSON
        json.dumps(crime_body("CR-11")),  # line 11
    ]
    out, status = run("import_crimes", jsonl(tmp_path / "crimes.jsonl", lines), force=force.slug)
    assert status == 2
    assert "line 2: not read: JSON nested too deeply" in out
    assert "line 3: recorded_at: should be from 1990-01-01 to 2100-12-31" in out
    assert "line 4: victims[0].name: should not contain a NUL character" in out
    assert "line 5: not JSON" in out
    assert "line 6: not read: a number too long" in out
    assert "line 7: not UTF-8 text" in out
    assert "line 8: body: Input should be a valid dictionary" in out
    assert "line 9: victims[0].age: Input should be a valid integer" in out
    for number in (1, 10, 11):
        assert f"line {number}:" not in out
    assert set(Crime.objects.values_list("reference", flat=True)) == {"CR-1", "CR-2028", "CR-11"}
    assert "Nul" not in out


def test_crimes_all_rejected_is_exit_1_and_keeps_what_was_stored(force: Force, tmp_path):
    assert run("import_crimes", jsonl(tmp_path / "a.jsonl", [json.dumps(crime_body("KEEP"))]),
               force=force.slug)[1] == 0  # fmt: skip
    victims, audits = Victim.objects.count(), AuditEvent.objects.count()
    bad = [json.dumps(crime_body("KEEP", recorded_at=ANCIENT)), '{"a": ' * 50_000]
    out, status = run("import_crimes", jsonl(tmp_path / "b.jsonl", bad), force=force.slug)
    assert status == 1 and "nothing was imported" in out
    assert "line 1: recorded_at" in out and "line 2: not read" in out
    assert Crime.objects.get().recorded_at.year == 2026
    assert (Victim.objects.count(), AuditEvent.objects.count()) == (victims, audits)


def test_crimes_a_line_refused_while_storing_leaves_nothing_of_itself(force: Force, tmp_path):
    """A contact reference unknown to the force is found only while storing: that crime's
    victims and audit records are rolled back with it; the lines around it stand."""
    lines = [
        json.dumps(crime_body("CR-A")),
        json.dumps(crime_body("CR-B", contact_reference="NO-SUCH-CONTACT")),
        json.dumps(crime_body("CR-C")),
    ]
    out, status = run("import_crimes", jsonl(tmp_path / "c.jsonl", lines), force=force.slug)
    assert status == 2
    assert "line 2: contact_reference: no contact with this reference" in out
    assert set(Crime.objects.values_list("reference", flat=True)) == {"CR-A", "CR-C"}
    assert Victim.objects.count() == 4  # two a crime


@pytest.mark.parametrize(
    "command",
    ["import_contacts", "import_call_intervals", "import_call_records", "import_crimes"],
)
def test_every_import_says_in_its_help_how_it_writes(command: str):
    from django.core.management import load_command_class

    app = {"import_contacts": "bluelamp.intake", "import_crimes": "bluelamp.care"}.get(
        command, "bluelamp.staffing"
    )
    help_text = load_command_class(app, command).help
    assert "savepoint" in help_text or "checked before anything is written" in help_text
    assert "line number" in help_text
