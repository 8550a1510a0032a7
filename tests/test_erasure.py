"""Erasure that erases: past retention a victim's and a caller's record keeps only what the
statistics need, the keyed hashes still find a repeat, and every figure stays as it was."""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from bluelamp.care.erasure import ERASED_MISSED_REASON, ERASED_REASON, victim_data_purge
from bluelamp.care.models import (
    Crime,
    CrimeEvent,
    Duty,
    NeedsAssessment,
    NeedsReview,
    Referral,
    ReferralActivity,
    Victim,
)
from bluelamp.care.reports import compliance, repeat_rates
from bluelamp.care.schemas import CrimeIn, EventIn
from bluelamp.care.services import (
    crime_event_add,
    crime_ingest,
    duty_missed_reason_record,
    needs_review_done,
    referral_activity_add,
    referral_close,
    referral_decline,
)
from bluelamp.forces.models import Force, User
from bluelamp.insights.models import Rollup
from bluelamp.insights.rollups import rollups_check
from bluelamp.insights.selectors import summary_by_period
from bluelamp.intake.models import Person
from bluelamp.intake.services import personal_data_purge
from bluelamp.lib.erasure import Tally, postcode_district
from bluelamp.prevention.erasure import zone_places_purge
from bluelamp.recovery.erasure import case_notes_purge
from bluelamp.recovery.models import CaseAction, RecoveryCase
from bluelamp.recovery.selectors import measures
from bluelamp.recovery.services import case_note_add, case_transition
from bluelamp.surveys.models import Response
from tests.helpers import answer

RECORDED = "2025-11-03T10:00:00Z"
NOW = dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC)
DAYS = 30  # retention for the test: everything from November 2025 is past it on 1 February
# What identifies Test Person A, or tells of her health or home: none of it may survive.
SECRETS = [
    "Test Person A",
    "7700900101",
    "test.person.a@example.com",
    "1941-05-02",
    "DEMO-UPRN-0001",
    "AL1 3JS",
    "51.7512",
    "dementia",
    "aged 84",
    "daughter",
    "Tuesdays",
    "care home",
]


def _crime(reference: str, victim: dict[str, Any], **overrides: Any) -> Crime:
    body: dict[str, Any] = {
        "reference": reference,
        "offence": "burglary_residential",
        "recorded_at": RECORDED,
        "location": {
            "postcode": "AL1 3JS",
            "address_key": "DEMO-UPRN-0001",
            "latitude": 51.7512,
            "longitude": -0.3391,
        },
        "team": "burglary-north",
        "modus_operandi": ["distraction"],
        "financial_loss": 250,
        "victims": [victim],
        **overrides,
    }
    return crime_ingest(force=_force(), data=CrimeIn.model_validate(body), actor="test").crime


def _force() -> Force:
    return Force.objects.get(slug="herts")


def _person_a(force: Force, alice: User) -> Victim:
    """Test Person A rang, answered the survey in distress, and was the victim of a
    distraction burglary: every kind of personal data, in every place it is kept."""
    response = answer(
        force,
        "CALL-A",
        1,
        comment="Test Person A is scared they will come back, her daughter says",
        received_at="2025-11-03T09:00:00Z",
        now=dt.datetime(2025, 11, 4, 9, tzinfo=dt.UTC),
        person={
            "name": "Test Person A",
            "phone": "07700 900101",
            "email": "test.person.a@example.com",
            "date_of_birth": "1941-05-02",
            "postcode": "AL1 3JS",
        },
    )
    review = NeedsReview.objects.get(response=response)
    needs_review_done(review=review, user=alice, note="Test Person A has dementia", now=NOW)
    case = RecoveryCase.objects.get(response=response)
    at = dt.datetime(2025, 11, 4, 10, tzinfo=dt.UTC)
    case_note_add(
        case=case, user=alice, text="Her daughter answers on Tuesdays", kind="note", now=at
    )
    case_transition(
        case=case, user=alice, status="contacted", note="Spoke to Test Person A", now=at
    )
    case_transition(case=case, user=alice, status="closed", note="Test Person A content", now=at)
    crime = _crime(
        "CR-A",
        {
            "name": "Test Person A",
            "date_of_birth": "1941-05-02",
            "phone": "07700 900101",
            "email": "test.person.a@example.com",
            "indicators": ["dementia", "lives_alone"],
            "needs_assessment": {
                "asked_at": "2025-11-03T11:00:00Z",
                "asked_by": "pc-test",
                "needs": ["memory_support"],
                "support_wanted": ["home_security"],
                "enhanced_rights": True,
                "notes": "Test Person A has dementia; her daughter visits on Tuesdays",
            },
        },
        contact_reference="CALL-A",
    )
    victim = crime.victims.get()
    crime_event_add(
        crime=crime,
        data=EventIn(kind="attended", at=dt.datetime(2025, 11, 3, 12, tzinfo=dt.UTC),
                     said="Test Person A says her daughter visits on Tuesdays"),
        actor="test",
    )  # fmt: skip
    duty = Duty.objects.filter(victim=victim).first()
    assert duty is not None
    duty_missed_reason_record(duty=duty, reason="Test Person A was in a care home", user=alice)
    referrals = list(victim.referrals.order_by("pk"))
    assert any("84" in r.reason and "dementia" in r.reason for r in referrals)
    first, *rest = referrals
    referral_activity_add(
        referral=first, user=alice, kind="visit", text="Visited Test Person A at home", at=NOW
    )
    referral_decline(referral=first, user=alice, reason="Test Person A has a carer", now=NOW)
    for referral in rest:
        referral_close(referral=referral, user=alice, outcome="Moved to a care home", now=NOW)
    return victim


def _figures(force: Force) -> dict[str, Any]:
    start, end = dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    rollups = Rollup.objects.filter(force=force)
    found = compliance(Duty.objects.filter(force=force), start, end, NOW)
    return {
        # Missed reasons are free text: their words go, how many duties were missed stays.
        "compliance": (
            found.by_right,
            found.by_team,
            found.enhanced,
            found.under_18,
            sum(r.missed for r in found.reasons),
        ),
        "repeats": repeat_rates(Victim.objects.filter(force=force), start),
        "rollups": sorted(
            rollups.values_list("dimension", "key", "day", "responses", "satisfied", "sent")
        ),
        "summary": summary_by_period(rollups, NOW),
        "recovery": measures(RecoveryCase.objects.filter(force=force), now=NOW, days=365),
        "responses": sorted(
            (r.whole_experience, r.outcome, r.sentiment, [t["code"] for t in r.themes])
            for r in Response.objects.filter(force=force)
        ),
        "victims": sorted(
            Victim.objects.filter(force=force).values_list(
                "age", "repeat_victim", "persistently_targeted", "enhanced_rights", "crime__area"
            )
        ),
        "crimes": sorted(Crime.objects.filter(force=force).values_list("offence", "flags")),
    }


def _purge(check: bool = False) -> Tally:
    tally = Tally()
    personal_data_purge(now=NOW, days=DAYS, check=check, tally=tally)
    victim_data_purge(now=NOW, days=DAYS, check=check, tally=tally)
    zone_places_purge(now=NOW, days=DAYS, check=check, tally=tally)
    case_notes_purge(now=NOW, days=DAYS, check=check, tally=tally)
    return tally


def _everything() -> str:
    out = StringIO()
    apps = ("care", "intake", "surveys", "recovery", "delivery", "insights", "audit", "prevention")
    call_command("dumpdata", *apps, stdout=out)
    return out.getvalue()


def test_past_retention_every_personal_field_goes_and_the_keys_and_figures_stay(force, alice):
    victim = _person_a(force, alice)
    keys = (victim.phone_key, victim.email_key, victim.name_key)
    assert all(keys)
    dump = _everything()
    assert [s for s in SECRETS if s not in dump] == []  # the test does put each one in
    figures = _figures(force)
    assert figures["compliance"] and figures["repeats"][1] and figures["rollups"]
    assert figures["recovery"].opened == 1 and figures["responses"]

    assert _purge().total()

    dump = _everything()
    assert [s for s in SECRETS if s in dump] == []
    victim.refresh_from_db()
    assert (victim.name, victim.date_of_birth, victim.phone, victim.email) == ("", None, "", "")
    assert victim.indicators == [] and victim.purged_at == NOW
    assert (victim.phone_key, victim.email_key, victim.name_key) == keys
    assert victim.age == 84 and victim.repeat_victim is False
    assert all(code and words == code.replace("_", " ") for code, words in victim.enhanced_reasons)
    assessment = NeedsAssessment.objects.get(victim=victim)
    assert (assessment.notes, assessment.needs, assessment.support_wanted) == ("", [], [])
    assert assessment.enhanced_rights
    assert set(CrimeEvent.objects.values_list("said", flat=True)) == {""}
    assert set(Duty.objects.values_list("missed_reason", flat=True)) <= {
        "", ERASED_MISSED_REASON
    }  # fmt: skip
    for referral in Referral.objects.filter(victim=victim):
        assert referral.reason == f"{ERASED_REASON}{referral.rule_id}"
        assert (referral.declined_reason, referral.outcome, referral.basis_reason) == ("", "", "")
    assert set(ReferralActivity.objects.values_list("text", flat=True)) == {""}
    crime = Crime.objects.get(reference="CR-A")
    assert (crime.postcode, crime.address_key, crime.latitude, crime.longitude) == (
        "", "", None, None,
    )  # fmt: skip
    assert (crime.area, crime.offence_id, crime.modus_operandi) == (
        "AL1", "burglary_residential", ["distraction"],
    )  # fmt: skip
    person = Person.objects.get(contacts__reference="CALL-A")
    assert (person.name, person.phone, person.email, person.date_of_birth) == ("", "", "", None)
    assert person.postcode == "AL1" and person.phone_key and person.purged_at == NOW
    response = Response.objects.get(contact__reference="CALL-A")
    assert response.comment == "" and response.answers["comment"] == ""
    assert response.themes and all(t["evidence"] == [] for t in response.themes)
    review = NeedsReview.objects.get(response=response)
    assert (review.detail, review.note, review.done_by) == ("", "", "alice")
    assert set(
        CaseAction.objects.filter(kind__in=["note", "status"]).values_list("text", flat=True)
    ) == {""}

    # Every figure is as it was, and the stored rollups still agree with the raw answers.
    assert _figures(force) == figures
    assert rollups_check(force.pk) == []
    # Nothing twice.
    assert _purge().total() == 0

    # A later crime against the same person (the same phone) is still matched as a repeat.
    later = _crime(
        "CR-A2",
        {"name": "T P A", "phone": "07700 900101"},
        recorded_at="2026-03-02T10:00:00Z",
        location={"postcode": "AL1 4AB"},
    )
    again = later.victims.get()
    assert again.repeat_victim and again.repeat_of_id == victim.pk
    assert again.persistently_targeted == "proposed"


@pytest.mark.parametrize("status", ["awaiting_consent", "open", "sent", "accepted"])
def test_a_referral_still_being_worked_keeps_its_victims_details(force, status):
    crime = _crime(
        "CR-B",
        {"name": "Test Person B", "age": 82, "phone": "07700 900102", "indicators": ["dementia"]},
        location={"postcode": "AL2 1AA", "address_key": "DEMO-UPRN-0002"},
    )
    victim = crime.victims.get()
    referral = victim.referrals.first()
    assert referral is not None
    victim.referrals.exclude(pk=referral.pk).update(status="closed")
    Referral.objects.filter(pk=referral.pk).update(status=status)
    reason = Referral.objects.get(pk=referral.pk).reason

    assert victim_data_purge(now=NOW, days=DAYS) == 0

    victim.refresh_from_db()
    assert (victim.name, victim.phone, victim.indicators) == (
        "Test Person B", "+447700900102", ["dementia"],
    )  # fmt: skip
    assert victim.purged_at is None
    assert Referral.objects.get(pk=referral.pk).reason == reason
    crime.refresh_from_db()
    assert (crime.postcode, crime.address_key) == ("AL2 1AA", "DEMO-UPRN-0002")

    # Once it is closed, the next purge erases them.
    Referral.objects.filter(pk=referral.pk).update(status="closed")
    assert victim_data_purge(now=NOW, days=DAYS) == 1
    assert Victim.objects.get(pk=victim.pk).name == ""


def test_check_lists_counts_changes_nothing_and_prints_no_personal_data(force, alice):
    _person_a(force, alice)
    before = _everything()
    out = StringIO()
    call_command("purge_personal_data", "--check", days=DAYS, stdout=out)
    printed = out.getvalue()
    assert _everything() == before
    assert [s for s in SECRETS if s in printed] == []
    assert "nothing changed" in printed and "would erase 1 people, 1 victims" in printed
    for line in (
        "herts  victim.name: 1",
        "herts  victim.indicators: 1",
        "herts  crime.address_key: 1",
        "herts  crime.full_postcode: 1",
        "herts  crime.exact_location: 1",
        "herts  crime_event.said: 1",
        "herts  needs_assessment.notes: 1",
        "herts  referral_activity.text: 1",
        "herts  person.full_postcode: 1",
        "herts  response.comment: 1",
        "herts  needs_review.note: 1",
    ):
        assert line in printed.splitlines()
    # The check's counts are what the purge then erases.
    expected = _purge(check=True).lines()
    out = StringIO()
    call_command("purge_personal_data", days=DAYS, stdout=out)
    assert out.getvalue().splitlines()[1:] == expected
    assert [s for s in SECRETS if s in _everything()] == []


def test_the_command_is_named_as_the_issue_says(force, capsys, monkeypatch):
    from bluelamp import cli

    monkeypatch.setattr("sys.argv", ["bluelamp", "purge-personal-data", "--check"])
    cli.main()
    assert "Check only, nothing changed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("AL1 3JS", "AL1"), ("al13js", "AL1"), ("SW1A 1AA", "SW1A"), ("AL1", "AL1"), ("", "")],
)
def test_a_postcode_keeps_only_its_district(postcode, district):
    assert postcode_district(postcode) == district
