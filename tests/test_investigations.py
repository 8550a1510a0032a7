"""The basics of investigation: a checklist per crime, fed by the force's systems."""

import datetime as dt
import typing
from typing import Any

import pytest
from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.intake.models import FIRST_CALL_ADVICE, THRIVE_GRADES, Contact
from bluelamp.intake.schemas import ContactIn
from bluelamp.investigations.models import BasicsItem, BasicsWord, Checklist
from tests.conftest import contact_body, post_contact

REF = "41/12345/26"
ENCODED = "41%2F12345%2F26"
BURGLARY_ITEMS = {
    "scene_preservation_advice", "crime_prevention_advice", "risk_assessment", "attendance",
    "forensic_examination", "house_to_house", "cctv", "neighbours_warned", "victim_statement",
    "stolen_property_recorded", "linked_offences_checked", "supervisor_review", "victim_updated",
}  # fmt: skip


def crime_body(reference: str = REF, **overrides: Any) -> dict[str, Any]:
    recorded = timezone.now() - dt.timedelta(hours=2)
    body: dict[str, Any] = {
        "reference": reference,
        "offence": "burglary_residential",
        "reported_at": (recorded - dt.timedelta(minutes=30)).isoformat(),
        "recorded_at": recorded.isoformat(),
        "location": {"postcode": "AL1 3JS", "address_key": "UPRN-1"},
        "officer_in_charge": "PC1234",
        "team": "team-a",
        "victims": [{"name": "Edna Example", "age": 84, "phone": "07700 900111"}],
    }
    body.update(overrides)
    return body


def post(api: Any, path: str, body: Any) -> Any:
    return api.post(path, body, content_type="application/json")


def word(item: str, status: str = "done", at: str = "2026-01-05T10:00:00Z", **more: Any) -> dict:
    return {"item": item, "status": status, "at": at, "by": "PC1234", **more}


def basics(api: Any, reference: str = ENCODED) -> dict[str, dict[str, Any]]:
    r = api.get(f"/api/v1/crimes/{reference}")
    assert r.status_code == 200, r.content
    return {b["item"]: b for b in r.json()["basics"]}


def test_a_home_burglary_comes_back_with_its_basics_and_advice_recorded_marks_it_done(api, force):
    r = post(api, "/api/v1/crimes", crime_body())
    assert r.status_code == 201, r.content
    found = basics(api)
    assert set(found) == BURGLARY_ITEMS
    assert all(b["due_at"] for b in found.values())
    reported = dt.datetime.fromisoformat(crime_body()["reported_at"])
    first = dt.datetime.fromisoformat(found["scene_preservation_advice"]["due_at"])
    assert abs((first - reported).total_seconds()) < 5  # due on the call itself
    attend = dt.datetime.fromisoformat(found["attendance"]["due_at"])
    assert dt.timedelta(hours=23) < attend - first <= dt.timedelta(hours=24)  # ungraded
    # Due on the call, and nothing recorded: overdue, computed from the clock alone.
    assert found["scene_preservation_advice"]["status"] == "overdue"
    assert found["victim_statement"]["status"] == "due"

    r = post(api, f"/api/v1/crimes/{ENCODED}/basics", word("scene_preservation_advice"))
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "done"
    after = basics(api, REF)  # the raw slashes work too
    assert after["scene_preservation_advice"]["status"] == "done"
    assert after["scene_preservation_advice"]["done_by"] == "PC1234"
    assert after["crime_prevention_advice"]["status"] == "overdue"
    # The raw-slash POST works, and care's events route is still reached.
    r = post(api, f"/api/v1/crimes/{REF}/basics", word("cctv"))
    assert r.status_code == 201, r.content
    r = post(api, f"/api/v1/crimes/{REF}/events", {"kind": "attended", "at": r.json()["done_at"]})
    assert r.status_code == 201, r.content


def test_the_same_word_twice_changes_nothing_and_the_latest_word_wins_with_history(api, force):
    post(api, "/api/v1/crimes", crime_body())
    url = f"/api/v1/crimes/{ENCODED}/basics"
    assert post(api, url, word("cctv", at="2026-01-05T10:00:00Z")).status_code == 201
    assert post(api, url, word("cctv", at="2026-01-05T10:00:00Z")).status_code == 200
    assert BasicsWord.objects.filter(item__item="cctv").count() == 1
    later = word("cctv", "not_done", at="2026-01-06T10:00:00Z", rationale="No cameras nearby")
    assert post(api, url, later).status_code == 201
    earlier = word("cctv", "done", at="2026-01-04T10:00:00Z")
    r = post(api, url, earlier)
    assert r.status_code == 201
    assert r.json()["status"] == "not_done"  # an older word does not overrule a newer one
    found = basics(api)["cctv"]
    assert found["status"] == "not_done"
    assert found["rationale"] == "No cameras nearby"
    assert found["done_at"].startswith("2026-01-06T10:00")
    history = list(BasicsWord.objects.filter(item__item="cctv").values_list("status", flat=True))
    assert history == ["done", "done", "not_done"]  # by time, every word kept
    assert AuditEvent.objects.filter(object_type="basicsitem", action="update").count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (word("cctv", "not_applicable"), "rationale"),
        (word("cctv", "not_done", rationale=""), "rationale"),
        (word("fingerprints_by_magic"), "item"),
        (word("cctv", "maybe"), "status"),
        ({"item": "cctv", "status": "done", "by": "PC1"}, "at"),
    ],
)
def test_bad_words_are_400_naming_the_field(api, force, body, field):
    post(api, "/api/v1/crimes", crime_body())
    r = post(api, f"/api/v1/crimes/{ENCODED}/basics", body)
    assert r.status_code == 400, r.content
    assert field in [e["field"] for e in r.json()["errors"]]
    assert not BasicsWord.objects.exists()


def test_another_forces_crime_is_404(api, other_api, force):
    post(api, "/api/v1/crimes", crime_body())
    assert other_api.get(f"/api/v1/crimes/{ENCODED}").status_code == 404
    r = post(other_api, f"/api/v1/crimes/{ENCODED}/basics", word("cctv"))
    assert r.status_code == 404
    assert not BasicsWord.objects.exists()


def test_an_offence_in_no_family_has_no_basics(api, force):
    post(api, "/api/v1/crimes", crime_body("CD-1", offence="criminal_damage"))
    assert basics(api, "CD-1") == {}
    r = post(api, "/api/v1/crimes/CD-1/basics", word("cctv"))
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "item"


def test_shoplifting_and_robbery_get_their_own_families(api, force):
    post(api, "/api/v1/crimes", crime_body("SH-1", offence="shoplifting"))
    post(api, "/api/v1/crimes", crime_body("RB-1", offence="robbery_personal"))
    assert "attendance" not in basics(api, "SH-1")
    assert "attendance" in basics(api, "RB-1")
    assert dict(Checklist.objects.values_list("crime__reference", "family")) == {
        "SH-1": "shoplifting", "RB-1": "robbery",
    }  # fmt: skip


def test_advice_and_thrive_on_the_call_flow_into_the_checklist(api, force):
    contact = contact_body(
        "INC-ADV-1", advice_given=["scene_preservation_advice", "crime_prevention_advice"],
        thrive="2", received_at=(timezone.now() - dt.timedelta(hours=3)).isoformat(),
    )  # fmt: skip
    assert post_contact(api, contact).status_code == 201
    body = crime_body(contact_reference="INC-ADV-1")
    del body["reported_at"]  # the contact's received_at
    assert post(api, "/api/v1/crimes", body).status_code == 201
    found = basics(api)
    for code in ("scene_preservation_advice", "crime_prevention_advice", "risk_assessment"):
        assert found[code]["status"] == "done", code
        assert found[code]["done_by"] == "CH101"  # the call handler
        assert found[code]["done_at"] == found["scene_preservation_advice"]["due_at"]
    assert "Grade 2" in found["risk_assessment"]["rationale"]
    # Grade 2: attend within an hour of the call.
    due = dt.datetime.fromisoformat(found["attendance"]["due_at"])
    called = dt.datetime.fromisoformat(found["risk_assessment"]["done_at"])
    assert due - called == dt.timedelta(hours=1)
    assert found["house_to_house"]["status"] == "due"
    sources = set(BasicsWord.objects.values_list("source", flat=True))
    assert sources == {"contact"}


def test_a_contact_without_advice_marks_nothing_and_bad_advice_is_refused(api, force):
    bad = contact_body("INC-ADV-2", advice_given=["made_up"])
    r = post_contact(api, bad)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"].startswith("advice_given")
    assert post_contact(api, contact_body("INC-ADV-3", thrive="9")).status_code == 400
    assert post_contact(api, contact_body("INC-ADV-4")).status_code == 201
    post(api, "/api/v1/crimes", crime_body(contact_reference="INC-ADV-4"))
    assert not BasicsWord.objects.exists()
    assert not BasicsItem.objects.exclude(status="due").exists()


def test_the_documented_advice_and_grades_are_those_the_api_takes():
    advice = ContactIn.model_fields["advice_given"].annotation
    grade = ContactIn.model_fields["thrive"].annotation
    assert set(typing.get_args(typing.get_args(advice)[0])) == set(FIRST_CALL_ADVICE)
    assert set(typing.get_args(grade)) == set(THRIVE_GRADES) | {""}


def test_pushing_a_crime_again_opens_no_second_checklist(api, force):
    post(api, "/api/v1/crimes", crime_body())
    assert post(api, "/api/v1/crimes", crime_body()).status_code == 200
    assert Checklist.objects.count() == 1
    assert BasicsItem.objects.count() == len(BURGLARY_ITEMS)


def test_a_contact_file_carries_advice_and_thrive_as_the_api_does(api, force, tmp_path):
    from tests.test_import_contacts import row, run, write_csv

    called = timezone.localtime(timezone.now() - dt.timedelta(hours=3))
    path = write_csv(tmp_path / "calls.csv", [
        row("INC-CSV-1", received_at=f"{called:%Y-%m-%d %H:%M}", thrive="2",
            advice_given="scene_preservation_advice; crime_prevention_advice"),
        row("INC-CSV-2", thrive="9"),  # not a grade
        row("INC-CSV-3", advice_given="made_up"),
    ])  # fmt: skip
    out, error = run(path)
    assert error is not None  # some rows rejected, the rest stored
    assert "line 3: thrive:" in out and "line 4: advice_given" in out
    assert [c.reference for c in Contact.objects.all()] == ["INC-CSV-1"]
    body = crime_body(contact_reference="INC-CSV-1")
    del body["reported_at"]
    assert post(api, "/api/v1/crimes", body).status_code == 201
    found = basics(api)
    for code in ("scene_preservation_advice", "crime_prevention_advice", "risk_assessment"):
        assert found[code]["status"] == "done", code
    assert "Grade 2" in found["risk_assessment"]["rationale"]
