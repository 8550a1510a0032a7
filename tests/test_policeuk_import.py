"""``bluelamp import-policeuk``: police.uk's street and outcome files, as published, in their
own tables; bad lines named by file and line; the same files again change nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bluelamp.audit.models import AuditEvent
from bluelamp.care.models import Crime
from bluelamp.ops.demo_policeuk import demo_policeuk_import
from bluelamp.outcomes.models import PoliceUkCrime, PoliceUkOutcome
from bluelamp.outcomes.policeuk_import import OUTCOME_COLUMNS, STREET_COLUMNS

HERTS = "Hertfordshire Constabulary"
A, B, C = ("a" * 64, "b" * 64, "c" * 64)


def street(crime_id: str, month: str = "2021-01", lon: str = "-0.3", lat: str = "51.7",
           crime_type: str = "Burglary", category: str = "Under investigation") -> str:  # fmt: skip
    return (f"{crime_id},{month},{HERTS},{HERTS},{lon},{lat},On or near Park Road,E01023456,"
            f"St Albans 001A,{crime_type},{category},")  # fmt: skip


def outcome(crime_id: str, month: str = "2021-02", kind: str = "Suspect charged") -> str:
    return f"{crime_id},{month},{HERTS},{HERTS},,,No location,,,{kind}"


def write(folder: Path, name: str, columns: tuple[str, ...], lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([",".join(columns), *lines]) + "\n", encoding="utf-8")
    return path


def run(folder: Path, force: str = "herts") -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("import_policeuk", str(folder), "--force", force, stdout=out)
    except CommandError as e:
        return out.getvalue() + str(e), e.returncode
    return out.getvalue(), 0


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """Two months in nested folders: a crime charged, one no suspect, an ASB row."""
    write(tmp_path / "2021-01", "2021-01-hertfordshire-street.csv", STREET_COLUMNS, [
        street(A), street(B, category="Investigation complete; no suspect identified"),
        street("", crime_type="Anti-social behaviour", category=""),
    ])  # fmt: skip
    write(tmp_path / "2021-02", "2021-02-hertfordshire-street.csv", STREET_COLUMNS,
          [street(C, month="2021-02", lon="", lat="")])  # fmt: skip
    write(tmp_path / "2021-02", "2021-02-hertfordshire-outcomes.csv", OUTCOME_COLUMNS,
          [outcome(A), outcome(A), outcome(B, kind="Investigation complete; no suspect "
                                                   "identified")])  # fmt: skip
    return tmp_path


def test_files_under_the_folder_are_imported_as_published_and_again_change_nothing(force, files):
    out, code = run(files)
    assert code == 0, out
    assert "read 4, new 3, already known 0, rejected 0, no Crime ID (anti-social" in out
    assert "outcomes into herts from 1 outcomes files: read 3, new 2, already known 1" in out
    a = PoliceUkCrime.objects.get(force=force, crime_id=A)
    assert (a.month.isoformat(), a.crime_type, a.last_outcome_category) == (
        "2021-01-01", "Burglary", "Under investigation")  # fmt: skip
    assert (a.longitude, a.latitude, a.lsoa_code) == (-0.3, 51.7, "E01023456")
    assert PoliceUkCrime.objects.get(crime_id=C).longitude is None
    assert PoliceUkOutcome.objects.filter(force=force).count() == 2
    assert not Crime.objects.exists()  # never the force's own crimes
    assert AuditEvent.objects.filter(force=force, action="create").count() == 3

    before = list(PoliceUkCrime.objects.values()), list(PoliceUkOutcome.objects.values())
    out, code = run(files)
    assert code == 0
    assert "read 4, new 0, already known 3, rejected 0" in out
    assert "read 3, new 0, already known 3, rejected 0" in out
    assert (list(PoliceUkCrime.objects.values()), list(PoliceUkOutcome.objects.values())) == before


def test_a_bad_line_is_named_by_file_and_line_and_the_rest_imported(force, tmp_path):
    write(tmp_path, "2021-03-hertfordshire-street.csv", STREET_COLUMNS, [
        street(A),
        street(B) + ",extra",
        street(C, month="2021-13"),
        street("d" * 64, lon="200"),
        street("e" * 64, lon="west"),
        street("f" * 64),
    ])  # fmt: skip
    out, code = run(tmp_path)
    assert code == 2
    assert "2021-03-hertfordshire-street.csv: line 3: 13 columns, a street file has 12" in out
    assert "line 4: Month: '2021-13' is not a month (YYYY-MM)" in out
    assert "line 5: Longitude, Latitude: '200', '51.7' are not on the Earth" in out
    assert "line 6: Longitude, Latitude: 'west', '51.7' are not numbers" in out
    assert "read 6, new 2, already known 0, rejected 4" in out
    assert set(PoliceUkCrime.objects.values_list("crime_id", flat=True)) == {A, "f" * 64}


def test_a_file_that_is_not_police_uks_imports_nothing_and_a_missing_force_is_named(
    force, tmp_path
):
    write(tmp_path, "x-street.csv", ("reference", "month"), ["1,2021-01"])
    out, code = run(tmp_path)
    assert code == 1 and "line 1: not a police.uk street file" in out
    assert not PoliceUkCrime.objects.exists()
    with pytest.raises(CommandError, match="no force with slug 'nowhere'"):
        call_command("import_policeuk", str(tmp_path), "--force", "nowhere")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_policeuk", str(tmp_path / "nothing"), "--force", "herts")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match=r"no police\.uk files"):
        call_command("import_policeuk", str(tmp_path / "empty"), "--force", "herts")


def test_not_utf8_stops_that_file_at_the_line_and_the_other_files_import(force, tmp_path):
    path = write(tmp_path, "2021-01-hertfordshire-street.csv", STREET_COLUMNS, [street(A)])
    path.write_bytes(path.read_bytes() + street(B).replace("Park", "P\xe4rk").encode("latin-1"))
    write(tmp_path, "2021-02-hertfordshire-street.csv", STREET_COLUMNS, [street(C)])
    out, code = run(tmp_path)
    assert code == 2 and "line 3: the file is not UTF-8" in out
    assert set(PoliceUkCrime.objects.values_list("crime_id", flat=True)) == {A, C}


def test_the_demo_imports_the_folder_once_and_says_so(force, files, tmp_path):
    assert "not found at" in demo_policeuk_import(force, tmp_path / "missing")
    assert "3 crimes and 2 outcomes" in demo_policeuk_import(force, files)
    assert "imported before" in demo_policeuk_import(force, files)
