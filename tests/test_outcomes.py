"""Home Office outcomes: the seeded, versioned framework; police.uk's categories mapped onto
its groups; an outcome recorded on a crime checked against it."""

import csv
from pathlib import Path
from typing import Any

import pytest

from bluelamp.care.models import CrimeEvent, Duty
from bluelamp.outcomes import framework_v1
from bluelamp.outcomes.models import Group, OutcomeCode, OutcomeFramework
from bluelamp.outcomes.policeuk import CATEGORY_GROUPS, CHARGED
from bluelamp.outcomes.services import OutcomeUnknown, outcome_get
from tests import needs

POLICEUK = Path(__file__).resolve().parents[2] / "shared" / "data" / "policeuk-hertfordshire"


def test_the_framework_is_seeded_as_version_1_with_every_code_in_a_group(db):
    framework = OutcomeFramework.objects.get()
    assert framework.version == 1 and framework.source.startswith("https://www.gov.uk/")
    codes = {c.code: c for c in OutcomeCode.objects.filter(framework=framework)}
    expected = [str(n) for n in range(1, 23) if n != 19] + ["1A"]
    assert sorted(codes) == sorted(expected)
    assert len(codes) == len(framework_v1.CODES)
    assert {c.group for c in codes.values()} <= set(Group.values) - {Group.NO_OUTCOME_YET}
    assert codes["1"].group == codes["1A"].group == Group.CHARGED
    assert codes["22"].group == Group.DIVERSIONARY
    assert codes["18"].group == Group.NO_SUSPECT
    assert codes["15"].group == Group.EVIDENTIAL_SUPPORTS
    assert codes["16"].group == Group.EVIDENTIAL_NOT_SUPPORTS
    assert codes["21"].verified and not codes["2"].verified


def test_outcome_get_knows_the_codes_and_names_the_version_of_an_unknown_one(db):
    assert outcome_get(code="1a").name == "Charge or summons: alternative offence"
    assert outcome_get(code="8", version=1).group == Group.OUT_OF_COURT_INFORMAL
    with pytest.raises(OutcomeUnknown, match="version 1"):
        outcome_get(code="19")
    with pytest.raises(OutcomeUnknown, match="no version 2 seeded"):
        outcome_get(code="1", version=2)


def test_every_mapped_category_is_in_a_real_group():
    assert set(CATEGORY_GROUPS.values()) <= set(Group)
    assert {c for c, g in CATEGORY_GROUPS.items() if g == Group.CHARGED} >= CHARGED
    assert CATEGORY_GROUPS["Under investigation"] == Group.NO_OUTCOME_YET


def _categories(folder: Path, pattern: str, column: str) -> set[str]:
    found: set[str] = set()
    for path in sorted(folder.rglob(pattern)):
        with path.open(newline="", encoding="utf-8-sig") as f:
            found |= {row[column] for row in csv.DictReader(f)}
    return found


def test_every_category_in_the_shared_police_uk_files_is_mapped():
    needs.path(POLICEUK, "the shared police.uk files")
    street = _categories(POLICEUK, "*-street.csv", "Last outcome category")
    outcomes = _categories(POLICEUK, "*-outcomes.csv", "Outcome type")
    assert len(street) > 10 and len(outcomes) > 10
    # A blank category is an anti-social behaviour row's: it has no Crime ID and is no crime.
    unmapped = sorted((street | outcomes) - {""} - set(CATEGORY_GROUPS))
    assert unmapped == []


def crime(reference: str = "CR-OUT-1") -> dict[str, Any]:
    return {
        "reference": reference,
        "offence": "burglary_residential",
        "recorded_at": "2026-08-28T10:00:00+01:00",
        "location": {"postcode": "AL1 3JS"},
        "victims": [{"name": "Test Victim O", "age": 50}],
    }


def post(api: Any, path: str, body: Any) -> Any:
    return api.post(path, body, content_type="application/json")


def outcome(code: str) -> dict[str, str]:
    return {"kind": "outcome_recorded", "at": "2026-09-02T10:00:00Z", "outcome_code": code}


def test_an_unknown_outcome_code_is_400_naming_outcome_code(api, force):
    assert post(api, "/api/v1/crimes", crime()).status_code == 201
    r = post(api, "/api/v1/crimes/CR-OUT-1/events", outcome("19"))
    assert r.status_code == 400, r.content
    (error,) = r.json()["errors"]
    assert error["field"] == "outcome_code" and "'19'" in error["message"]
    assert not CrimeEvent.objects.filter(kind="outcome_recorded").exists()


def test_a_known_outcome_code_is_recorded_and_the_victim_is_told_it_by_name(api, force):
    post(api, "/api/v1/crimes", crime())
    r = post(api, "/api/v1/crimes/CR-OUT-1/events", outcome("1A"))
    assert r.status_code == 201, r.content
    assert CrimeEvent.objects.get(kind="outcome_recorded").outcome_code == "1A"
    assert "alternative offence" in Duty.objects.get(right="outcome").what
