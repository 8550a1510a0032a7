"""Victim care: crimes in, referrals by rule with reasons, Victims' Code clocks, the workflow."""

import csv
import datetime as dt
import io
import time
from typing import Any

import pytest
from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.care.models import Crime, Duty, Referral, Victim
from bluelamp.forces.models import Role, Team
from tests.conftest import make_user


def crime_body(reference: str = "CR-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference,
        "offence": "burglary_residential",
        "recorded_at": "2026-08-28T10:00:00+01:00",  # a Friday, before the August bank holiday
        "occurred_at": "2026-08-28T09:30:00+01:00",
        "location": {"postcode": "AL1 3JS", "address_key": "UPRN-100081234567"},
        "officer_in_charge": "PC1234",
        "team": "burglary-north",
        "modus_operandi": ["distraction"],
        "financial_loss": 2500,
        "victims": [
            {"name": "Edna Example", "age": 84, "phone": "07700 900111",
             "indicators": ["lives_alone"]},
            {"name": "Sam Example", "age": 35, "phone": "07700 900222"},
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


def post(api: Any, path: str, body: Any) -> Any:
    return api.post(path, body, content_type="application/json")


def test_elderly_distraction_burglary_victim_is_referred_within_a_second(api, force):
    started = time.monotonic()
    r = post(api, "/api/v1/crimes", crime_body())
    assert r.status_code == 201, r.content
    listed = api.get("/api/v1/referrals?service=older_person_liaison&status=open").json()
    assert time.monotonic() - started < 1.0
    older, younger = r.json()["victims"]
    services = {ref["service"]: ref for ref in older["referrals"]}
    assert "older_person_liaison" in services
    assert "older_person_liaison" not in {ref["service"] for ref in younger["referrals"]}
    referral = services["older_person_liaison"]
    # Recorded Friday 28 August 2026; Monday 31 August is a bank holiday: two working days
    # end with Wednesday 2 September (23:00 UTC is midnight in British Summer Time).
    assert referral["due_at"] == "2026-09-02T23:00:00Z"
    assert "84" in referral["reason"] and "distraction" in referral["reason"]
    assert referral["rule"]
    assert [x["crime_reference"] for x in listed] == ["CR-1"]
    assert listed[0]["reason"] == referral["reason"]
    # Every referral is in the audit trail.
    made = AuditEvent.objects.filter(force=force, action="create", object_type="referral")
    assert made.count() == Referral.objects.filter(force=force).count() >= 3


def test_same_reference_twice_is_one_crime(api, force):
    assert post(api, "/api/v1/crimes", crime_body()).status_code == 201
    again = post(api, "/api/v1/crimes", crime_body(financial_loss=1))
    assert again.status_code == 200
    assert Crime.objects.count() == 1
    assert Victim.objects.count() == 2
    assert Crime.objects.get().financial_loss == 2500


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"offence": "alien_abduction"}, "offence"),
        ({"victims": []}, "victims"),
        ({"recorded_at": "yesterday"}, "recorded_at"),
        ({"financial_loss": -5}, "financial_loss"),
        ({"victims": [{"age": 200}]}, "victims[0].age"),
        ({"victims": [{"phone": "not a phone"}]}, "victims[0].phone"),
        ({"contact_reference": "NO-SUCH-CONTACT"}, "contact_reference"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, force, overrides, field):
    r = post(api, "/api/v1/crimes", crime_body(**overrides))
    assert r.status_code == 400, r.content
    assert field in [e["field"] for e in r.json()["errors"]]
    assert Crime.objects.count() == 0


def test_new_occupants_of_a_burgled_home_are_repeat_victims_but_not_persistently_targeted(api):
    post(api, "/api/v1/crimes", crime_body())
    second = crime_body(
        "CR-2",
        recorded_at="2026-11-06T11:00:00+00:00",
        occurred_at=None,
        modus_operandi=[],
        financial_loss=None,
        victims=[{"name": "Pat Neighbour", "age": 50}],
    )
    (victim,) = post(api, "/api/v1/crimes", second).json()["victims"]
    assert victim["flags"] == ["repeat_victim"]
    assert victim["persistently_targeted"] is None
    assert victim["enhanced_rights"]["eligible"] is False


def test_a_shop_hit_again_makes_no_repeat_victim(api):
    shop = {"postcode": "AL1 3JS", "address_key": "UPRN-SHOP-1", "premises": "shop"}
    for n, day in ((1, "2026-10-01"), (2, "2026-11-01")):
        body = crime_body(f"CR-S{n}", offence="shoplifting", location=shop, occurred_at=None,
                          recorded_at=f"{day}T10:00:00Z", modus_operandi=[],
                          victims=[{"name": f"Shop Worker {n}", "age": 30}])  # fmt: skip
        (victim,) = post(api, "/api/v1/crimes", body).json()["victims"]
    assert victim["flags"] == []


def test_the_same_victim_again_is_proposed_as_persistently_targeted_with_a_one_day_clock(
    api, force, login
):
    post(api, "/api/v1/crimes", crime_body())
    again = crime_body(
        "CR-2",
        recorded_at="2026-11-06T11:00:00+00:00",
        occurred_at=None,
        location={"postcode": "AL5 1AA", "address_key": "UPRN-OTHER"},
        modus_operandi=[],
        financial_loss=None,
        victims=[{"name": "Sam Example", "age": 35, "phone": "07700 900222"}],
    )
    (victim,) = post(api, "/api/v1/crimes", again).json()["victims"]
    assert victim["flags"] == ["repeat_victim", "persistently_targeted"]
    assert victim["persistently_targeted"] == "proposed"
    assert victim["enhanced_rights"]["status"] == "proposed"
    assert victim["enhanced_rights"]["eligible"]
    # Proposed, not yet confirmed: the shorter limit runs meanwhile.
    event = {"kind": "suspect_arrested", "at": "2026-11-06T16:00:00+00:00"}  # a Friday
    assert post(api, "/api/v1/crimes/CR-2/events", event).json()["duties_started"] == 1
    duty = Duty.objects.get(right=Duty.Right.SUSPECT_DECISION)
    assert duty.enhanced
    assert duty.due_at == dt.datetime(2026, 11, 10, 0, 0, tzinfo=dt.UTC)  # end of Monday 9th
    # A person declines it on the referral page: the clock goes back to 5 working days.
    carer = make_user(force, "vera", Role.VICTIM_CARE)
    referral = Referral.objects.filter(victim_id=victim["id"]).first()
    r = login(carer).post(f"/care/referrals/{referral.pk}/",
                          {"action": "persistent", "decision": "declined"})  # fmt: skip
    assert r.status_code == 302
    v = Victim.objects.get(pk=victim["id"])
    assert (v.persistently_targeted, v.persistent_decided_by) == ("declined", "vera")
    assert v.enhanced_rights == ""
    duty.refresh_from_db()
    assert not duty.enhanced
    assert duty.due_at == dt.datetime(2026, 11, 14, 0, 0, tzinfo=dt.UTC)  # end of Fri 13th


def test_suspect_decision_clock_is_five_working_days_and_telling_the_victim_meets_it(api):
    body = crime_body(victims=[{"name": "Sam Example", "age": 35}])
    post(api, "/api/v1/crimes", body)
    event = {"kind": "released_under_investigation", "at": "2026-09-01T12:00:00+01:00"}
    r = post(api, "/api/v1/crimes/CR-1/events", event)
    assert r.status_code == 201
    duty = Duty.objects.get(right=Duty.Right.SUSPECT_DECISION)
    assert not duty.enhanced
    assert duty.due_at == dt.datetime(2026, 9, 8, 23, 0, tzinfo=dt.UTC)  # end of Tue 8 Sep
    rui = r.json()["id"]
    r = post(api, "/api/v1/crimes/CR-1/events",
             {"kind": "victim_updated", "at": "2026-09-03T09:00:00+01:00", "how": "phone",
              "said": "Told of the release under investigation", "reports": [rui]})  # fmt: skip
    duty.refresh_from_db()
    assert duty.met_at == dt.datetime(2026, 9, 3, 8, 0, tzinfo=dt.UTC)
    bad = post(api, "/api/v1/crimes/CR-1/events", {"kind": "victim_updated", "at": "2026-09-03"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "how"
    event = {"kind": "charged", "at": "2026-09-03T09:00:00Z", "victim_id": 999999}
    unknown = post(api, "/api/v1/crimes/CR-1/events", event)
    assert unknown.json()["errors"][0]["field"] == "victim_id"


def test_another_forces_crimes_and_referrals_are_invisible(api, other_api):
    post(api, "/api/v1/crimes", crime_body())
    assert other_api.get("/api/v1/crimes/CR-1").status_code == 404
    assert other_api.get("/api/v1/referrals").json() == []
    assert post(other_api, "/api/v1/crimes/CR-1/events",
                {"kind": "charged", "at": "2026-09-01T10:00:00Z"}).status_code == 404  # fmt: skip


@pytest.fixture
def liaison(force):
    team = Team.objects.create(
        force=force, code="older_person_liaison", name="Older person liaison"
    )
    return make_user(force, "olive", Role.SPECIALIST, [team])


def test_specialist_works_their_queue_and_every_view_is_audited(api, force, liaison, login):
    post(api, "/api/v1/crimes", crime_body())
    client = login(liaison)
    page = client.get("/care/?service=older_person_liaison").content.decode()
    assert "CR-1" in page
    referral = Referral.objects.get(service="older_person_liaison")
    others = Referral.objects.exclude(service="older_person_liaison")
    assert others.exists()
    assert client.get(f"/care/referrals/{others.first().pk}/").status_code == 404
    detail = client.get(f"/care/referrals/{referral.pk}/")
    assert "Edna Example" in detail.content.decode()
    assert AuditEvent.objects.filter(
        force=force, action="view", object_type="victim", object_id=str(referral.victim_id)
    ).exists()
    assert client.post(f"/care/referrals/{referral.pk}/", {"action": "accept"}).status_code == 302
    duty = Duty.objects.get(referral=referral)
    assert duty.met_at is not None
    # An activity says what kind and what was done; neither has a default.
    for missing, named in (
        ({"kind": "visit", "text": " "}, "text: say what was done"),
        ({"kind": "", "text": "Rang"}, "kind: choose what was done"),
    ):
        refused = client.post(f"/care/referrals/{referral.pk}/", {"action": "activity", **missing})
        assert refused.status_code == 400 and named in refused.content.decode()
    assert not referral.activities.exists()
    client.post(f"/care/referrals/{referral.pk}/",
                {"action": "activity", "kind": "visit", "text": "Fitted a door chain"})  # fmt: skip
    refused = client.post(f"/care/referrals/{referral.pk}/", {"action": "close", "text": ""})
    assert refused.status_code == 400
    client.post(f"/care/referrals/{referral.pk}/", {"action": "close", "text": "Supported"})
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.outcome == "Supported"
    assert referral.activities.get().text == "Fitted a door chain"
    # A specialist does not send partner files.
    assert client.get("/care/referrals/export.csv?service=victim_support").status_code == 403


def test_partner_file_download_is_audited_and_makes_no_referral(api, force, login):
    post(api, "/api/v1/crimes", crime_body())
    carer = make_user(force, "vera", Role.VICTIM_CARE)
    r = login(carer).get("/care/referrals/export.csv?service=victim_support")
    assert r.status_code == 200
    text = r.content.decode()
    assert "Edna Example" in text and "Sam Example" in text
    assert AuditEvent.objects.filter(force=force, action="export").count() == 1
    # Sending is a person's act on the review page (tests/test_referral_send.py), not this.
    waiting = Duty.objects.filter(referral__service="victim_support", met_at=None)
    assert waiting.count() == 2
    assert not Referral.objects.filter(status="sent").exists()


@pytest.mark.parametrize("path", ["/care/", "/care/duties/", "/care/compliance/", "/care/repeats/"])
def test_care_pages_refuse_other_roles_and_other_forces(login, alice, olga, force, path):
    assert login(alice).get(path).status_code == 403  # a supervisor is not victim care
    carer = make_user(force, "vera", Role.VICTIM_CARE)
    assert login(carer).get(path).status_code == 200


def test_other_forces_administrator_sees_no_referral(api, login, olga, force):
    post(api, "/api/v1/crimes", crime_body())
    referral = Referral.objects.first()
    assert login(olga).get(f"/care/referrals/{referral.pk}/").status_code == 404
    assert "CR-1" not in login(olga).get("/care/").content.decode()


def test_compliance_report_totals_match_a_direct_count(api, force, login):
    for i in range(6):
        body = crime_body(f"CR-{i}", recorded_at=f"2026-08-{10 + i}T10:00:00Z", occurred_at=None)
        assert post(api, "/api/v1/crimes", body).status_code == 201
    post(api, "/api/v1/crimes/CR-0/events",
         {"kind": "suspect_arrested", "at": "2026-08-12T10:00:00Z"})  # fmt: skip
    post(api, "/api/v1/crimes/CR-0/events",
         {"kind": "victim_updated", "at": "2026-08-13T10:00:00Z", "how": "phone"})  # fmt: skip
    first = Referral.objects.order_by("pk").first()
    carer = make_user(force, "vera", Role.VICTIM_CARE)
    client = login(carer)
    client.post(f"/care/referrals/{first.pk}/", {"action": "accept"})
    csv_text = client.get("/care/compliance/?month=2026-08&format=csv").content.decode()
    # The rows by right and by team as right, group and counts, at the places they had.
    lines = [
        [r[0], r[3], r[4], *r[5:10]]
        for r in csv.reader(io.StringIO(csv_text))
        if r[1] in ("right", "team")
    ]
    start = dt.datetime(2026, 7, 31, 23, tzinfo=dt.UTC)
    end = dt.datetime(2026, 8, 31, 23, tzinfo=dt.UTC)
    now = timezone.now()
    for right in Duty.Right:
        due = Duty.objects.filter(force=force, right=right, due_at__gte=start, due_at__lt=end)
        total = [row for row in lines if row[1] == right.label and row[2] == "All teams"]
        if not due.exists():
            assert [int(x) for row in total for x in row[3:]] == [0, 0, 0, 0, 0]  # every right
            continue
        (row,) = total
        on_time = sum(1 for d in due if d.met_at and d.met_at <= d.due_at)
        overdue = sum(1 for d in due if d.met_at is None and d.due_at < now)
        assert [int(x) for x in row[3:]] == [
            due.count(), on_time, sum(1 for d in due if d.met_at and d.met_at > d.due_at),
            overdue, due.count() - on_time - overdue - sum(
                1 for d in due if d.met_at and d.met_at > d.due_at),
        ]  # fmt: skip
    page = client.get("/care/compliance/?month=2026-08").content.decode()
    assert "Right 4: referral to support" in page


def test_needs_assessment_confirms_enhanced_rights_and_refers_anew(api, force, login):
    body = crime_body(modus_operandi=[], financial_loss=None,
                      victims=[{"name": "Ann Example", "age": 70}])  # fmt: skip
    victim = post(api, "/api/v1/crimes", body).json()["victims"][0]
    assert "older_person_liaison" not in {r["service"] for r in victim["referrals"]}
    assert not victim["enhanced_rights"]["eligible"]
    # The assessment finds she lives alone and wants support; a person confirms Enhanced Rights.
    v = Victim.objects.get(pk=victim["id"])
    v.indicators = ["lives_alone"]
    v.save()
    assessment = {"asked_at": "2026-09-01T10:00:00+01:00", "asked_by": "PC1234",
                  "needs": ["security_advice"], "enhanced_rights": True}  # fmt: skip
    r = post(api, f"/api/v1/victims/{victim['id']}/needs-assessment", assessment)
    assert r.status_code == 201, r.content
    after = r.json()
    assert after["enhanced_rights"] == {
        "eligible": True, "status": "confirmed", "reasons": [], "confirmed_by": "PC1234"
    }  # fmt: skip
    liaison = [x for x in after["referrals"] if x["service"] == "older_person_liaison"]
    # The clock runs from the report (Friday 28 August), not from the assessment.
    assert liaison and liaison[0]["due_at"] == "2026-09-02T23:00:00Z"
    bad = post(api, f"/api/v1/victims/{victim['id']}/needs-assessment", {"asked_by": "x"})
    assert bad.status_code == 400
    assert {"asked_at", "enhanced_rights"} <= {e["field"] for e in bad.json()["errors"]}
    # And on the page, by a victim-care officer.
    carer = make_user(force, "vera", Role.VICTIM_CARE)
    referral = Referral.objects.filter(victim_id=victim["id"]).first()
    page = login(carer).post(
        f"/care/referrals/{referral.pk}/",
        {"action": "assess", "needs": ["information"], "enhanced_rights": "no",
         "update_every_days": "14"},
    )  # fmt: skip
    assert page.status_code == 302
    v.refresh_from_db()
    assert (v.enhanced_rights, v.update_every_days, v.enhanced_confirmed_by) == (
        "declined", 14, "vera"
    )  # fmt: skip
    assert v.assessments.count() == 2


def test_rules_are_data_versioned_and_audited(api, force, login, dave):
    import json

    from bluelamp.care.defaults import DEFAULT_RULE_SET
    from bluelamp.care.models import RuleSetVersion

    dave.is_staff = True
    dave.save()
    client = login(dave)
    form = client.get("/admin/care/rulesetversion/add/")
    assert form.status_code == 200
    assert "older_person_liaison" in form.content.decode()
    broken = json.loads(json.dumps(DEFAULT_RULE_SET))
    broken["rules"][0]["when"] = {"any": [{"fact": "age", "greater": 80}]}
    r = client.post("/admin/care/rulesetversion/add/", {"definition": json.dumps(broken)})
    assert r.status_code == 200
    assert "not valid" in r.content.decode()
    assert not RuleSetVersion.objects.exists()

    stricter = json.loads(json.dumps(DEFAULT_RULE_SET).replace('"gte": 65', '"gte": 90'))
    r = client.post("/admin/care/rulesetversion/add/", {"definition": json.dumps(stricter)})
    assert r.status_code == 302, r.content.decode()[:3000]
    saved = RuleSetVersion.objects.get(force=force)
    assert saved.version == 1 and saved.created_by == "dave"
    assert AuditEvent.objects.filter(force=force, object_type="rulesetversion").exists()
    victim = post(api, "/api/v1/crimes", crime_body()).json()["victims"][0]
    assert "older_person_liaison" not in {x["service"] for x in victim["referrals"]}  # 84 < 90
    assert {x["rule_version"] for x in victim["referrals"]} == {1}
    r = client.post(f"/admin/care/rulesetversion/{saved.pk}/change/",
                    {"definition": json.dumps(DEFAULT_RULE_SET)})  # fmt: skip
    assert r.status_code == 302
    assert list(RuleSetVersion.objects.filter(force=force).values_list("version", "active")) == [
        (2, True),
        (1, False),
    ]


def test_crimes_from_a_json_lines_file(force, tmp_path, capsys):
    import json

    from django.core.management import CommandError, call_command

    good = crime_body("CR-F1", recorded_at="2026-08-28T10:00:00+01:00")
    lines = [json.dumps(good), "{not json", json.dumps(crime_body("CR-F2", offence="nope")),
             "", json.dumps(good)]  # fmt: skip
    path = tmp_path / "crimes.jsonl"
    path.write_text("\n".join(lines))
    with pytest.raises(CommandError) as failed:
        call_command("import_crimes", path, force=force.slug)
    assert failed.value.returncode == 2
    out = capsys.readouterr().out
    assert "line 2: not JSON" in out
    assert "line 3: offence: unknown offence 'nope'" in out
    assert "created 1, already known 1, problems 2" in out
    assert Crime.objects.filter(force=force).count() == 1


def test_distress_words_are_found_whole_and_case_blind():
    from bluelamp.care.feedback import distress_phrases

    assert distress_phrases("I'm SCARED they came-back last night") == ["came back", "scared"]
    assert distress_phrases("The officer was unscared and kind") == []
    assert distress_phrases("") == []


def test_a_survey_answer_asking_for_support_or_showing_distress_feeds_care(force, login):
    from bluelamp.care.models import NeedsReview
    from bluelamp.flows.responses import response_submit
    from tests.helpers import make_contact

    invitation = make_contact(force, "FB-1")
    form = {"whole_experience": "6", "wants_support": "yes",
            "comment": "Thank you. I am scared they will come back tonight."}  # fmt: skip
    submitted = response_submit(invitation_id=invitation.pk, form=form, callback_requested=False,
                                language="en", now=timezone.now())  # fmt: skip
    assert submitted.response is not None, submitted.errors
    reviews = {r.reason: r for r in NeedsReview.objects.filter(force=force)}
    assert set(reviews) == {"asked_for_support", "safeguarding"}
    assert "scared" in reviews["safeguarding"].detail
    carer = make_user(force, "vera", Role.VICTIM_CARE)
    client = login(carer)
    page = client.get("/care/reviews/").content.decode()
    assert "FB-1" in page and "come back" in page
    assert AuditEvent.objects.filter(force=force, action="view", object_type="person").exists()
    blank = client.post("/care/reviews/", {"review": reviews["safeguarding"].pk, "note": " "})
    assert blank.status_code == 400 and "note: say what was done" in blank.content.decode()
    assert NeedsReview.objects.get(pk=reviews["safeguarding"].pk).done_at is None
    r = client.post("/care/reviews/", {"review": reviews["safeguarding"].pk, "note": "Called"})
    assert r.status_code == 302
    done = client.get("/care/reviews/?status=done&sort=oldest").content.decode()
    assert "Reviewed by vera" in done and "Mark as reviewed" not in done
    still_open = client.get("/care/reviews/?status=open").content.decode()
    assert "Reviewed by vera" not in still_open and "Mark as reviewed" in still_open
    assert client.get("/care/reviews/?status=later").status_code == 400
    assert NeedsReview.objects.get(pk=reviews["safeguarding"].pk).done_by == "vera"
    specialist = make_user(force, "sid", Role.SPECIALIST)
    assert login(specialist).get("/care/reviews/").status_code == 403


def test_a_plain_happy_answer_feeds_nothing(force):
    from bluelamp.care.models import NeedsReview
    from tests.helpers import answer

    answer(force, "FB-2", 7, comment="Quick and kind, thank you")
    assert not NeedsReview.objects.exists()


def test_retention_erases_victims_details_but_keeps_the_counts(api, force, login):
    from io import StringIO

    from django.core.management import call_command

    post(api, "/api/v1/crimes", crime_body())
    open_referral = Referral.objects.get(service="older_person_liaison")
    # The younger victim's referrals are finished; the older victim's is still open.
    Referral.objects.exclude(victim_id=open_referral.victim_id).update(status="closed")
    duties_before = Duty.objects.count()
    out = StringIO()
    call_command("purge_personal_data", days=30, stdout=out)
    assert "and 1 victims" in out.getvalue()  # the one with an open referral is kept for now
    kept = Victim.objects.get(pk=open_referral.victim_id)
    assert kept.name == "Edna Example"
    erased = Victim.objects.exclude(pk=kept.pk).get()
    assert (erased.name, erased.phone) == ("", "") and erased.phone_key  # kept for repeats
    assert erased.purged_at is not None
    assert Duty.objects.count() == duties_before
    assert AuditEvent.objects.filter(force=force, actor="system:retention").exists()
