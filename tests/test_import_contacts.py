"""Contacts from a CSV file: good rows stored, bad rows reported by line, nothing half-written."""

import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from bluelamp.audit.models import AuditEvent
from bluelamp.forces.models import Force
from bluelamp.intake.imports import COLUMNS, contacts_import, row_parse, rows_parse
from bluelamp.intake.models import Contact, Person
from bluelamp.surveys.models import Invitation
from tests.db_faults import fail_contact_inserts, refuse_contact

SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "contacts.csv"


def row(reference: str, **cells: Any) -> dict[str, Any]:
    """A good row: a residential burglary reported by an adult with a mobile."""
    base = {
        "reference": reference,
        "received_at": "2026-11-26 10:00",
        "channel": "999",
        "incident_type": "burglary_residential",
        "call_handler": "CH101",
        "team": "team-a",
        "answer_seconds": "6",
        "name": "Test Caller",
        "phone": "07700 900001",
        "age": "45",
    }
    return {**base, **cells}


def write_csv(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path: Path, *args: str, force: str = "herts") -> tuple[str, CommandError | None]:
    """The command's output, and the error it ended with (None when everything imported)."""
    out = io.StringIO()
    try:
        call_command("import_contacts", str(path), "--force", force, *args, stdout=out)
    except CommandError as e:
        return out.getvalue(), e
    return out.getvalue(), None


def test_sample_file_imports_with_each_decision(force):
    out, error = run(SAMPLE)
    assert error is None
    assert "created        8 (5 invited to a survey, 3 excluded)" in out
    assert "rejected       0" in out
    reasons = dict(
        Invitation.objects.filter(force=force).values_list("contact__reference", "reason")
    )
    assert reasons["HT-20261125-0005"] == "under_age"  # born 2011: 15 on the day
    assert reasons["HT-20261125-0006"] == "flag_domestic_abuse"
    assert reasons["HT-20261125-0007"] == "no_contact_details"  # a landline and no email
    sian = Person.objects.get(contacts__reference="HT-20261125-0003")
    assert (sian.name, sian.language, sian.email) == ("Evans, Siân", "cy", "sian.evans@example.com")
    assert Contact.objects.get(reference="HT-20261125-0006").flags == [
        "domestic_abuse",
        "repeat_victim",
    ]
    actors = set(AuditEvent.objects.filter(force=force).values_list("actor", flat=True))
    assert actors == {"import:contacts.csv"}


def test_importing_the_same_file_again_creates_nothing(force):
    run(SAMPLE)
    out, error = run(SAMPLE)
    assert error is None
    assert "created        0" in out
    assert "already known  8" in out
    assert Contact.objects.filter(force=force).count() == 8
    assert Person.objects.filter(force=force).count() == 8


def test_good_rows_are_stored_and_bad_rows_reported_by_line_and_field(force, tmp_path):
    rows = [
        row("OK-1"),  # line 2
        row("BAD-PHONE", phone="0770090", name="Secret Name"),  # line 3
        row("BAD-TYPE", incident_type="unicorn_theft"),  # line 4
        row("BAD-CHANNEL", channel="112"),  # line 5
        row("BAD-DATE", received_at="26/11/2026 10:00"),  # line 6
        row("CHILD", age="15"),  # line 7: stored, but not invited
        row("OK-2", email="caller@example.com", phone=""),  # line 8
    ]
    out, error = run(write_csv(tmp_path / "mixed.csv", rows))

    assert error is not None and error.returncode == 2
    assert "line 3: person.phone: a UK number has 10 digits after the 0" in out
    assert "line 4: incident_type: unknown incident type 'unicorn_theft'" in out
    assert "line 5: channel: Input should be '999', '101'" in out
    assert "line 6: received_at: Input should be a valid datetime" in out
    assert "line 7" not in out
    assert "created        3 (2 invited to a survey, 1 excluded)" in out
    assert "rejected       4" in out
    # The rejected values are personal data and stay out of the report.
    assert "0770090" not in out and "Secret Name" not in out

    stored = set(Contact.objects.filter(force=force).values_list("reference", flat=True))
    assert stored == {"OK-1", "CHILD", "OK-2"}
    assert Invitation.objects.get(contact__reference="CHILD").reason == "under_age"
    # Nothing half-written: no person or audit record without its contact.
    assert Person.objects.filter(force=force).count() == 3
    assert AuditEvent.objects.filter(force=force).count() == 3


def test_a_cell_over_several_lines_keeps_the_line_numbers_right(force, tmp_path):
    rows = [
        row("A", name="Two\nLines"),  # lines 2-3
        row("B", channel="bad"),  # line 4
        row("C", name="Three\nwhole\nlines", phone="nope"),  # lines 5-7
        row("D", age="-1"),  # line 8
    ]
    out, _ = run(write_csv(tmp_path / "multi.csv", rows))
    assert "line 4: channel:" in out
    assert "line 5: person.phone: not a valid phone number" in out
    assert "line 8: person.age:" in out
    assert Person.objects.get(contacts__reference="A").name == "Two\nLines"


def test_report_file_lists_rejected_rows(force, tmp_path):
    path = write_csv(tmp_path / "in.csv", [row("A"), row("B", email="not-an-email")])
    run(path, "--report", str(tmp_path / "rejected.csv"))
    with (tmp_path / "rejected.csv").open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f)) == [
            ["line", "field", "message"],
            ["3", "person.email", "not a valid email address"],
        ]


def test_unknown_or_missing_columns_import_nothing(force, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text(
        "reference,received_at,channel,incident_type,phone_number\n"
        "A,2026-11-26 10:00,999,burglary_residential,07700 900001\n"
    )
    with pytest.raises(CommandError, match="unknown column 'phone_number'"):
        call_command("import_contacts", str(path), "--force", "herts")

    path.write_text("reference,channel,incident_type\nA,999,burglary_residential\n")
    with pytest.raises(CommandError, match="missing required column 'received_at'"):
        call_command("import_contacts", str(path), "--force", "herts")
    assert not Contact.objects.exists()


def test_unknown_force_names_the_option(db, tmp_path):
    with pytest.raises(CommandError, match="--force: no force with slug 'atlantis'"):
        call_command("import_contacts", str(SAMPLE), "--force", "atlantis")


def test_unreadable_files_are_refused_clearly(force, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_contacts", str(tmp_path / "missing.csv"), "--force", "herts")

    # A good first row and a Windows-1252 name further down: refused before the first is stored.
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        b"reference,received_at,channel,incident_type,name\n"
        b"A,2026-11-26 10:00,999,burglary_residential,Ann\n"
        b"B,2026-11-26 10:00,999,burglary_residential,Ren\xe9e\n"
    )
    with pytest.raises(CommandError, match="line 3: the file is not UTF-8"):
        call_command("import_contacts", str(latin), "--force", "herts")
    assert not Contact.objects.exists()


def test_byte_order_mark_from_excel_is_ignored(force, tmp_path):
    path = write_csv(tmp_path / "excel.csv", [row("BOM-1")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    _, error = run(path)
    assert error is None
    assert Contact.objects.filter(reference="BOM-1").exists()


def test_empty_cells_mean_not_given():
    columns = list(COLUMNS)
    cells = [
        row("R", team="", age="", flags=" repeat_victim ; ;elderly").get(c, "") for c in COLUMNS
    ]
    parsed = row_parse(columns, cells, line=2)
    assert parsed.errors == ()
    assert parsed.contact is not None
    assert parsed.contact.team == ""
    assert parsed.contact.person.age is None
    assert parsed.contact.flags == ["elderly", "repeat_victim"]


def test_rows_are_read_lazily():
    def lines() -> Iterator[bytes]:
        yield b"reference,received_at,channel,incident_type\n"
        for i in itertools.count(2):
            yield f"R{i},2026-11-26 10:00,999,burglary_residential\n".encode()

    # An endless file: only streaming ever returns.
    first = list(itertools.islice(rows_parse(lines()), 3))
    assert [r.line for r in first] == [2, 3, 4]


def test_many_rows_across_batches(force, tmp_path):
    rows = [row(f"BULK-{i}", phone=f"07700 900{i % 1000:03d}") for i in range(60)]
    rows[37]["channel"] = "carrier pigeon"
    path = write_csv(tmp_path / "bulk.csv", rows)
    batches: list[int] = []
    with path.open("rb") as f:
        total = contacts_import(
            force=force,
            rows=rows_parse(f),
            actor="import:bulk.csv",
            batch_size=25,
            on_batch=lambda batch: batches.append(batch.rows),
        )
    assert batches == [25, 25, 10]
    assert (total.created, total.rejected) == (59, 1)
    assert Contact.objects.filter(force=force).count() == 59


def test_a_row_that_fails_to_store_is_rejected_alone(force, tmp_path):
    refuse_contact("C")  # the database itself refuses this one row
    path = write_csv(tmp_path / "crash.csv", [row("A"), row("B"), row("C"), row("D")])
    with path.open("rb") as f:
        total = contacts_import(
            force=force, rows=rows_parse(f), actor="import:crash.csv", batch_size=2
        )
    # C alone is rejected and left nothing, not even its person; D beside it is stored.
    assert (total.created, total.rejected) == (3, 1)
    assert set(Contact.objects.values_list("reference", flat=True)) == {"A", "B", "D"}
    assert Person.objects.count() == 3
    assert AuditEvent.objects.count() == 3


def test_a_database_failure_midway_leaves_no_half_written_batch(force, tmp_path):
    path = write_csv(tmp_path / "crash.csv", [row("A"), row("B"), row("C"), row("D")])
    with path.open("rb") as f, pytest.raises(OperationalError):
        # After the first batch the database fails (every contact insert errors).
        contacts_import(
            force=force,
            rows=rows_parse(f),
            actor="import:crash.csv",
            batch_size=2,
            on_batch=lambda batch: fail_contact_inserts(),
        )
    # The first batch stands; the batch that crashed left nothing, not even C's person.
    assert set(Contact.objects.values_list("reference", flat=True)) == {"A", "B"}
    assert Person.objects.count() == 2
    assert AuditEvent.objects.count() == 2


def test_the_same_reference_twice_in_one_file_is_one_contact(force: Force, tmp_path):
    path = write_csv(tmp_path / "twice.csv", [row("SAME"), row("SAME", channel="101")])
    out, error = run(path)
    assert error is None
    assert "already known  1" in out
    assert Contact.objects.get(reference="SAME").channel == "999"
