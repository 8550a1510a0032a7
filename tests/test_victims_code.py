"""The Victims' Code as a force runs it: flags beside the offence, consent before sharing,
judgements a person makes, and every right's clock on the working-day calendar."""

import datetime as dt
import json
from typing import Any

import pytest

from bluelamp.care.defaults import DEFAULT_RULE_SET
from bluelamp.care.models import Crime, Duty, Referral, Victim
from bluelamp.care.services import rule_set_check
from bluelamp.forces.models import Role
from bluelamp.surveys.models import Invitation
from tests.conftest import contact_body, make_user, post_contact

UTC = dt.UTC


def body(reference: str = "CR-DA-1", **overrides: Any) -> dict[str, Any]:
    """A burglary at home, flagged domestic abuse, against an 84-year-old."""
    found: dict[str, Any] = {
        "reference": reference,
        "offence": "burglary_residential",
        "flags": ["domestic_abuse"],
        "recorded_at": "2026-09-01T10:00:00+01:00",  # Tuesday, after the August bank holiday
        "reported_at": "2026-08-28T18:00:00+01:00",  # Friday
        "location": {"postcode": "AL1 3JS", "address_key": "DEMO-UPRN-000001"},
        "team": "burglary-north",
        "victims": [{"name": "Test Victim A", "age": 84, "phone": "07700 900301"}],
    }
    found.update(overrides)
    return found


def post(api: Any, path: str, data: Any) -> Any:
    return api.post(path, data, content_type="application/json")


def event(api: Any, reference: str, kind: str, at: str, **more: Any) -> Any:
    r = post(api, f"/api/v1/crimes/{reference}/events", {"kind": kind, "at": at, **more})
    assert r.status_code == 201, r.content
    return r.json()


def duty(right: str, **filters: Any) -> Duty:
    return Duty.objects.get(right=right, **filters)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


# A domestic-abuse burglary of an 84-year-old.


def test_a_domestic_abuse_burglary_is_never_surveyed_and_nothing_leaves_without_consent(
    api, force, login
):
    contact = post_contact(api, contact_body("INC-DA-1", received_at="2026-08-28T17:00:00Z"))
    assert contact.status_code == 201
    invitation = Invitation.objects.get(contact__reference="INC-DA-1")
    assert invitation.status == Invitation.Status.SCHEDULED  # nothing said it was abuse yet
    r = post(api, "/api/v1/crimes", body(contact_reference="INC-DA-1", reported_at=None))
    assert r.status_code == 201, r.content
    crime = r.json()
    assert crime["flags"] == ["domestic_abuse"] and crime["offence"] == "burglary_residential"
    assert crime["reported_at"] == "2026-08-28T17:00:00Z"  # the contact's received_at
    (victim,) = crime["victims"]
    assert victim["enhanced_rights"]["eligible"] is True
    assert victim["enhanced_rights"]["status"] == "proposed"
    assert "most serious crime (domestic abuse)" in victim["enhanced_rights"]["reasons"][0]
    # Never surveyed: the waiting invitation is withdrawn with the rule's reason.
    invitation.refresh_from_db()
    assert (invitation.status, invitation.reason) == ("excluded", "flag_domestic_abuse")
    # No referral outside the force is open until consent is recorded.
    referrals = {x["service"]: x for x in victim["referrals"]}
    outside = [x for x in referrals.values() if x["partner"]]
    assert outside and {x["status"] for x in outside} == {"awaiting_consent"}
    assert all("domestic abuse" in x["outcome"] for x in outside)
    assert not Referral.objects.filter(partner=True, status="open").exists()
    # A recorded "no" keeps it closed, with the reason shown.
    r = post(api, f"/api/v1/victims/{victim['id']}/consent",
             {"share_with_partners": {"given": False, "how": "in_person"}})  # fmt: skip
    assert r.status_code == 200, r.content
    support = {x["service"]: x for x in r.json()["referrals"]}["victim_support"]
    assert support["status"] == "closed"
    assert support["outcome"].startswith("Not shared: the victim said no")
    carer = make_user(force, "vera", Role.VICTIM_CARE)
    page = login(carer).get(f"/care/referrals/{support['id']}/").content.decode()
    assert "Not shared: the victim said no" in page
    # The referral duty is met by the victim's choice, not left to run out.
    assert Duty.objects.get(referral_id=support["id"]).met_at is not None


def test_consent_given_opens_the_held_referrals_and_an_objection_stops_an_unsent_one(api):
    r = post(api, "/api/v1/crimes", body())
    (victim,) = r.json()["victims"]
    r = post(api, f"/api/v1/victims/{victim['id']}/consent", {"share_with_partners": True})
    support = {x["service"]: x for x in r.json()["referrals"]}["victim_support"]
    assert (support["status"], support["basis"]) == ("open", "consent")
    # A plain burglary: the Code refers unless the victim objects.
    plain = body("CR-2", flags=[], victims=[{"name": "Test Victim B", "age": 40}])
    (other,) = post(api, "/api/v1/crimes", plain).json()["victims"]
    (support,) = [x for x in other["referrals"] if x["service"] == "victim_support"]
    assert (support["status"], support["basis"]) == ("open", "unless_objected")
    r = post(api, f"/api/v1/victims/{other['id']}/consent", {"share_with_partners": False})
    (support,) = [x for x in r.json()["referrals"] if x["service"] == "victim_support"]
    assert support["status"] == "closed"


def test_a_no_given_with_the_crime_closes_the_referral_at_once(api):
    victims = [{"name": "Test Victim C", "age": 40, "consent": {"share_with_partners": False}}]
    (victim,) = post(api, "/api/v1/crimes", body(flags=[], victims=victims)).json()["victims"]
    (support,) = [x for x in victim["referrals"] if x["service"] == "victim_support"]
    assert support["status"] == "closed" and "said no" in support["outcome"]


def test_another_lawful_basis_needs_a_person_and_a_reason(api, force, login):
    victims = [{"name": "Test Victim D", "age": 79, "indicators": ["dementia"]}]
    post(api, "/api/v1/crimes", body(flags=[], victims=victims))
    hub = Referral.objects.get(service="safeguarding_hub")
    assert hub.status == "awaiting_consent"
    client = login(make_user(force, "vera", Role.VICTIM_CARE))
    page = client.get(f"/care/referrals/{hub.pk}/").content.decode()
    assert 'name="basis" required><option value="">Choose</option>' in page
    refused = client.post(f"/care/referrals/{hub.pk}/", {"action": "basis", "basis": ""})
    assert refused.status_code == 400 and "basis:" in refused.content.decode()
    refused = client.post(f"/care/referrals/{hub.pk}/",
                          {"action": "basis", "basis": "safeguarding", "text": " "})  # fmt: skip
    assert refused.status_code == 400 and "reason:" in refused.content.decode()
    hub.refresh_from_db()
    assert hub.status == "awaiting_consent"
    done = client.post(f"/care/referrals/{hub.pk}/", {
        "action": "basis", "basis": "safeguarding",
        "text": "Care Act 2014 s.42 enquiry: at risk of financial abuse",
    })  # fmt: skip
    assert done.status_code == 302
    hub.refresh_from_db()
    assert (hub.status, hub.basis, hub.basis_by) == ("open", "safeguarding", "vera")


def test_no_decision_field_has_a_default_answer(api, force, login):
    (victim,) = post(api, "/api/v1/crimes", body()).json()["victims"]
    referral = Referral.objects.filter(victim_id=victim["id"]).first()
    client = login(make_user(force, "vera", Role.VICTIM_CARE))
    page = client.get(f"/care/referrals/{referral.pk}/").content.decode()
    assert 'type="radio"' in page and " checked" not in page
    # Saving the assessment without choosing is refused; nothing is recorded.
    r = client.post(f"/care/referrals/{referral.pk}/", {"action": "assess", "needs": []})
    assert r.status_code == 400
    assert not Victim.objects.get(pk=victim["id"]).assessments.exists()
    r = client.post(f"/care/referrals/{referral.pk}/", {"action": "enhanced"})
    assert r.status_code == 400
    r = client.post(
        f"/care/referrals/{referral.pk}/",
        {"action": "consent", "purpose": "share_with_partners", "how": "phone"},
    )
    assert r.status_code == 400 and "given:" in r.content.decode()
    r = client.post(f"/care/referrals/{referral.pk}/", {"action": "enhanced",
                                                        "decision": "confirmed"})  # fmt: skip
    assert r.status_code == 302
    v = Victim.objects.get(pk=victim["id"])
    assert (v.enhanced_rights, v.enhanced_confirmed_by) == ("confirmed", "vera")


def test_wounding_with_intent_is_an_offence_with_enhanced_rights(api):
    r = post(
        api,
        "/api/v1/crimes",
        body(
            "CR-W",
            offence="wounding_with_intent",
            flags=[],
            victims=[{"name": "Test Victim E", "age": 30}],
        ),
    )
    assert r.status_code == 201, r.content
    (victim,) = r.json()["victims"]
    assert victim["enhanced_rights"]["eligible"]
    assert "wounding with intent" in victim["enhanced_rights"]["reasons"][0]


@pytest.mark.parametrize(
    "offence",
    ["terrorism", "attempted_murder", "kidnap", "false_imprisonment", "human_trafficking",
     "modern_slavery", "arson_endangering_life", "homicide"],
)  # fmt: skip
def test_every_most_serious_offence_the_rules_name_is_accepted(api, offence):
    r = post(api, "/api/v1/crimes", body(f"CR-{offence}", offence=offence, flags=[]))
    assert r.status_code == 201, r.content
    assert r.json()["victims"][0]["enhanced_rights"]["eligible"]


def test_every_offence_and_flag_the_shipped_rules_name_is_known(db):
    assert rule_set_check(DEFAULT_RULE_SET)


def test_a_rule_naming_an_unknown_offence_is_refused_when_saved(force, login, dave):
    rules = json.loads(json.dumps(DEFAULT_RULE_SET))
    rules["rules"][0]["when"]["all"][1]["eq"] = "burglary_dwelling"
    rules["enhanced_rights"]["most_serious_flags"].append("gang_related")
    with pytest.raises(ValueError) as caught:
        rule_set_check(rules)
    message = str(caught.value)
    assert (
        'rules[0] (older_person_liaison_burglary): unknown offence "burglary_dwelling"' in message
    )
    assert 'enhanced_rights.most_serious_flags: unknown flag "gang_related"' in message
    dave.is_staff = True
    dave.save()
    r = login(dave).post("/admin/care/rulesetversion/add/", {"definition": json.dumps(rules)})
    assert r.status_code == 200 and "burglary_dwelling" in r.content.decode()


def test_hate_crime_is_a_flag_with_its_strand(api):
    r = post(api, "/api/v1/crimes", body("CR-H", offence="criminal_damage", flags=["hate_crime"],
                                         hate_strands=["religion"]))  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["hate_strands"] == ["religion"]
    assert r.json()["victims"][0]["enhanced_rights"]["eligible"]
    no_strand = post(api, "/api/v1/crimes", body("CR-H2", flags=["hate_crime"]))
    assert [e["field"] for e in no_strand.json()["errors"]] == ["hate_strands"]
    old_type = post(api, "/api/v1/crimes", body("CR-H3", offence="hate_crime"))
    assert old_type.status_code == 400
    assert "is a flag, not an offence" in old_type.json()["errors"][0]["message"]


def test_bad_flags_offences_and_consent_purposes_are_all_named_in_one_answer(api):
    bad = body("CR-BAD", offence="alien_abduction", flags=["domestic_abuse", "gang"],
               victims=[{"name": "Test Victim F", "consent": {"marketing": True}}])  # fmt: skip
    del bad["recorded_at"]
    r = post(api, "/api/v1/crimes", bad)
    assert r.status_code == 400
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert {"recorded_at", "offence", "flags", "victims[0].consent.marketing"} <= set(fields)
    assert "unknown flag 'gang'" in fields["flags"]
    assert not Crime.objects.exists()


def test_unconnected_building_burglary_is_its_own_offence(api):
    r = post(api, "/api/v1/crimes", body("CR-U", offence="burglary_unconnected_building",
                                         flags=[]))  # fmt: skip
    assert r.status_code == 201
    # Not a home: the older person liaison officer is for burglaries at home.
    assert "older_person_liaison" not in {x["service"] for x in r.json()["victims"][0]["referrals"]}


# Every right's clock: where it starts, its limit, met and missed.


def test_right_4_runs_two_working_days_from_the_report_not_the_recording(api):
    (victim,) = post(api, "/api/v1/crimes", body()).json()["victims"]
    # Reported Friday 28 August, recorded Tuesday 1 September; Monday 31 August is a bank
    # holiday: due at the end of Wednesday 2 September (midnight BST is 23:00 UTC).
    assert {x["due_at"] for x in victim["referrals"]} == {"2026-09-02T23:00:00Z"}
    assert {d.starts_at for d in Duty.objects.filter(right="referral")} == {utc(2026, 8, 28, 17)}


def test_right_3_written_confirmation_goes_by_a_safe_channel(api):
    post(api, "/api/v1/crimes", body())
    confirmation = duty("written_confirmation")
    assert confirmation.starts_at == utc(2026, 8, 28, 17)
    assert confirmation.due_at == utc(2026, 9, 7, 23)  # 5 working days: end of Mon 7 Sep
    unsafe = post(
        api,
        "/api/v1/crimes/CR-DA-1/events",
        {"kind": "report_confirmed", "at": "2026-09-01T12:00:00Z", "how": "letter"},
    )
    assert unsafe.status_code == 400 and unsafe.json()["errors"][0]["field"] == "how"
    event(api, "CR-DA-1", "report_confirmed", "2026-09-01T12:00:00Z", how="in_person")
    confirmation.refresh_from_db()
    assert confirmation.met_at == utc(2026, 9, 1, 12)


def test_right_6_a_victim_update_meets_only_the_decisions_it_names(api):
    post(api, "/api/v1/crimes", body(flags=[], victims=[{"name": "Test Victim G", "age": 40}]))
    arrest = event(api, "CR-DA-1", "suspect_arrested", "2026-09-04T16:00:00+01:00")  # Friday
    bail = event(api, "CR-DA-1", "bail_conditions_changed", "2026-09-07T10:00:00+01:00")
    arrested, changed = (duty("suspect_decision", event_id=e["id"]) for e in (arrest, bail))
    assert arrested.due_at == utc(2026, 9, 11, 23)  # 5 working days: end of Fri 11 Sep
    assert changed.due_at == utc(2026, 9, 14, 23)  # end of Mon 14 Sep
    event(api, "CR-DA-1", "victim_updated", "2026-09-08T09:00:00+01:00", how="phone",
          reports=[bail["id"]])  # fmt: skip
    arrested.refresh_from_db()
    changed.refresh_from_db()
    assert arrested.met_at is None
    assert changed.met_at == utc(2026, 9, 8, 8)
    assert changed.met_by_id is not None
    other = post(api, "/api/v1/crimes", body("CR-OTHER", flags=[])).json()
    bad = post(
        api,
        "/api/v1/crimes/CR-OTHER/events",
        {
            "kind": "victim_updated",
            "at": "2026-09-08T09:00:00Z",
            "how": "phone",
            "reports": [arrest["id"]],
        },
    )
    assert other and bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reports"


@pytest.mark.parametrize(
    "kind", ["caution", "conditional_caution", "community_resolution", "outcome_22",
             "bail_cancelled", "charged"],
)  # fmt: skip
def test_right_6_covers_out_of_court_disposals_bail_and_charge(api, kind):
    post(api, "/api/v1/crimes", body(flags=[], victims=[{"name": "Test Victim H", "age": 40}]))
    e = event(api, "CR-DA-1", kind, "2026-09-02T10:00:00Z")
    assert duty("suspect_decision", event_id=e["id"]).due_at == utc(2026, 9, 9, 23)


def test_right_6_under_enhanced_rights_is_one_working_day_while_proposed(api):
    post(api, "/api/v1/crimes", body())  # domestic abuse: proposed
    e = event(api, "CR-DA-1", "suspect_arrested", "2026-09-04T16:00:00+01:00")  # Friday
    assert duty("suspect_decision", event_id=e["id"]).due_at == utc(2026, 9, 7, 23)  # Monday


def test_right_7_a_charge_starts_the_offer_of_a_personal_statement(api):
    post(api, "/api/v1/crimes", body(flags=[], victims=[{"name": "Test Victim I", "age": 40}],
                                     reported_at="2025-12-20T10:00:00Z",
                                     recorded_at="2025-12-20T11:00:00Z"))  # fmt: skip
    event(api, "CR-DA-1", "charged", "2025-12-23T10:00:00Z")
    offer = duty("vps_offer")
    # Christmas Day, Boxing Day and New Year's Day skipped: Wed 24, Mon 29, Tue 30, Wed 31,
    # Fri 2 January.
    assert offer.due_at == utc(2026, 1, 3, 0)  # end of Fri 2 Jan 2026 (GMT)
    event(api, "CR-DA-1", "vps_offered", "2026-01-06T10:00:00Z", how="visit")
    offer.refresh_from_db()
    assert offer.met_at == utc(2026, 1, 6, 10) and offer.met_at > offer.due_at  # met late


def test_right_9_the_outcome_is_told_and_a_missed_clock_shows_as_overdue(api, force):
    from django.utils import timezone

    from bluelamp.care.reports import compliance

    post(api, "/api/v1/crimes", body())
    outcome = event(api, "CR-DA-1", "outcome_recorded", "2026-09-02T10:00:00Z", outcome_code="1")
    told = duty("outcome")
    assert told.enhanced and told.due_at == utc(2026, 9, 3, 23)  # 1 working day (Enhanced)
    found = compliance(Duty.objects.filter(force=force), utc(2026, 9, 1), utc(2026, 10, 1),
                       timezone.now())  # fmt: skip
    (total,) = [r for r in found.by_right if r.right == told.get_right_display()]
    assert (total.due, total.overdue) == (1, 1)
    event(api, "CR-DA-1", "victim_updated", "2026-09-03T12:00:00Z", how="visit",
          reports=[outcome["id"]])  # fmt: skip
    told.refresh_from_db()
    assert told.met_at == utc(2026, 9, 3, 12)


def test_the_right_to_review_follows_no_further_action_after_an_interview(api):
    post(api, "/api/v1/crimes", body(flags=[], victims=[{"name": "Test Victim J", "age": 40}]))
    refused = post(
        api,
        "/api/v1/crimes/CR-DA-1/events",
        {"kind": "review_requested", "at": "2026-09-03T10:00:00Z"},
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "kind"
    event(api, "CR-DA-1", "suspect_interviewed", "2026-09-02T10:00:00Z")
    nfa = event(api, "CR-DA-1", "no_further_action", "2026-09-03T10:00:00Z")
    told = duty("suspect_decision", event_id=nfa["id"])
    assert "right to ask for a review" in told.what
    event(api, "CR-DA-1", "review_requested", "2026-10-01T10:00:00Z")
    acknowledge, decide = duty("review_acknowledge"), duty("review_decide")
    assert acknowledge.due_at == utc(2026, 10, 15, 23)  # 10 working days: end of Thu 15 Oct
    assert decide.due_at == utc(2026, 11, 13, 0)  # 30 working days: end of Thu 12 Nov (GMT)
    event(api, "CR-DA-1", "review_acknowledged", "2026-10-05T10:00:00Z")
    event(api, "CR-DA-1", "review_decided", "2026-11-20T10:00:00Z")
    acknowledge.refresh_from_db()
    decide.refresh_from_db()
    assert acknowledge.met_at <= acknowledge.due_at
    assert decide.met_at > decide.due_at  # missed


def test_an_out_of_court_disposal_is_not_open_to_review(api):
    post(api, "/api/v1/crimes", body(flags=[], victims=[{"name": "Test Victim K", "age": 40}]))
    event(api, "CR-DA-1", "suspect_interviewed", "2026-09-02T10:00:00Z")
    event(api, "CR-DA-1", "community_resolution", "2026-09-03T10:00:00Z")
    refused = post(
        api,
        "/api/v1/crimes/CR-DA-1/events",
        {"kind": "review_requested", "at": "2026-09-04T10:00:00Z"},
    )
    assert refused.status_code == 400


def test_right_12_a_complaint_is_answered_within_twenty_working_days(api):
    post(api, "/api/v1/crimes", body(flags=[], victims=[{"name": "Test Victim L", "age": 40}]))
    event(api, "CR-DA-1", "complaint_received", "2026-09-01T10:00:00Z")
    complaint = duty("complaint")
    assert complaint.due_at == utc(2026, 9, 29, 23)  # end of Tue 29 Sep
    event(api, "CR-DA-1", "complaint_answered", "2026-09-20T10:00:00Z")
    complaint.refresh_from_db()
    assert complaint.met_at == utc(2026, 9, 20, 10)


def test_clock_limits_are_the_forces_data(api, force):
    from bluelamp.care.services import rule_set_save

    rules = json.loads(json.dumps(DEFAULT_RULE_SET))
    rules["clocks"]["referral"] = {"working_days": 1}
    rule_set_save(force=force, definition=rules, user=None)
    (victim,) = post(api, "/api/v1/crimes", body()).json()["victims"]
    assert {x["due_at"] for x in victim["referrals"]} == {"2026-09-01T23:00:00Z"}  # Tue 1 Sep


def test_the_taxonomy_says_its_version_and_which_old_types_are_flags(api):
    types = {t["code"]: t for t in api.get("/api/v1/incident-types").json()}
    assert types["wounding_with_intent"]["added_in"] == 2
    assert types["burglary_residential"]["added_in"] == 1
    assert types["domestic_abuse"]["offence"] is False
    assert types["burglary_unconnected_building"]["offence"] is True


def test_consent_withdrawn_before_sending_closes_the_referral(api):
    (victim,) = post(api, "/api/v1/crimes", body()).json()["victims"]
    post(api, f"/api/v1/victims/{victim['id']}/consent", {"share_with_partners": True})
    r = post(api, f"/api/v1/victims/{victim['id']}/consent", {"share_with_partners": False})
    support = {x["service"]: x for x in r.json()["referrals"]}["victim_support"]
    assert support["status"] == "closed" and "said no" in support["outcome"]
