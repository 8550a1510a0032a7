"""The intake API: contacts in, decisions out, idempotency, bad input, tokens, OpenAPI."""

import pytest

from bluelamp.audit.models import AuditEvent
from bluelamp.forces.models import ApiToken
from bluelamp.intake.models import Contact, Person
from bluelamp.surveys.models import Invitation
from tests.conftest import contact_body, post_contact


def test_adult_burglary_victim_with_mobile_is_scheduled(api, force):
    r = post_contact(api, contact_body())
    assert r.status_code == 201
    body = r.json()
    assert body["invitation"]["status"] == "scheduled"
    assert body["invitation"]["via"] == "sms"
    token = body["invitation"]["url"].rsplit("/s/", 1)[1]
    assert len(token) >= 22  # 128 random bits, base64url
    invitation = Invitation.objects.get(contact_id=body["id"])
    assert invitation.template.key == "burglary"
    assert invitation.token == token


def test_same_reference_twice_gives_one_contact(api, force):
    first = post_contact(api, contact_body("REF-1"))
    second = post_contact(api, contact_body("REF-1", channel="101"))
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert Contact.objects.filter(force=force).count() == 1
    assert Person.objects.filter(force=force).count() == 1
    assert Invitation.objects.count() == 1


def test_same_reference_in_two_forces_is_two_contacts(api, other_api):
    assert post_contact(api, contact_body("SHARED")).status_code == 201
    assert post_contact(other_api, contact_body("SHARED")).status_code == 201
    assert Contact.objects.count() == 2


def test_excluded_contacts_carry_their_reason(api):
    cases = {
        "flag_domestic_abuse": contact_body("A", flags=["domestic_abuse"]),
        "under_age": contact_body("B", person={"age": 15}),
        "sensitive_type": contact_body("C", incident_type="sexual_offence"),
        "no_contact_details": contact_body("D", person={"phone": "", "email": ""}),
        "flag_suspect_may_share_phone": contact_body("E", flags=["suspect_may_share_phone"]),
        "flag_deceased": contact_body("F", flags=["deceased"]),
        "flag_do_not_contact": contact_body("G", flags=["do_not_contact"]),
    }
    for reason, body in cases.items():
        r = post_contact(api, body)
        assert r.status_code == 201, r.content
        invitation = r.json()["invitation"]
        assert invitation["status"] == "excluded", reason
        assert invitation["reason"] == reason
        assert invitation["url"] is None
        assert invitation["reason_text"]


def test_under_16_by_date_of_birth_on_the_day_of_contact(api):
    body = contact_body("DOB", person={"age": None, "date_of_birth": "2010-11-28"})
    r = post_contact(api, body)  # 15 on 27 November 2026, 16 the next day
    assert r.json()["invitation"]["reason"] == "under_age"
    r = post_contact(api, contact_body("DOB2", person={"age": None, "date_of_birth": "2010-11-27"}))
    assert r.json()["invitation"]["status"] == "scheduled"


def test_landline_only_falls_back_to_email_or_is_excluded(api):
    r = post_contact(api, contact_body("L1", person={"phone": "01707 354000"}))
    assert r.json()["invitation"]["reason"] == "no_contact_details"
    body = contact_body("L2", person={"phone": "01707 354000", "email": "Caller@Example.com"})
    r = post_contact(api, body)
    assert r.json()["invitation"]["status"] == "scheduled"
    assert r.json()["invitation"]["via"] == "email"
    assert Person.objects.get(contacts__reference="L2").email == "caller@example.com"


def test_opted_out_person_is_excluded_on_a_later_contact(api, client):
    first = post_contact(api, contact_body("OPT-1"))
    url = first.json()["invitation"]["url"]
    path = url[url.index("/s/") :]
    client.get(path)
    assert client.post(path + "/stop").status_code == 200
    # the same person, number written differently
    later = post_contact(api, contact_body("OPT-2", person={"phone": "+44 7700 900001"}))
    assert later.json()["invitation"]["reason"] == "opted_out"


def test_malformed_body_names_each_bad_field(api):
    body = contact_body(channel="998", received_at="yesterday")
    body["person"]["phone"] = "not a phone"
    body["person"]["language"] = "fr"
    r = post_contact(api, body)
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"channel", "received_at", "person.phone", "person.language"}
    assert Contact.objects.count() == 0


def test_missing_required_field_and_unknown_field(api):
    body = contact_body()
    del body["reference"]
    body["colour"] = "blue"
    r = post_contact(api, body)
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"reference", "colour"}


def test_unknown_incident_type_is_400_naming_the_field(api):
    r = post_contact(api, contact_body(incident_type="alien_abduction"))
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "incident_type"
    assert Contact.objects.count() == 0
    assert Person.objects.count() == 0


def test_not_json_is_400(api):
    r = api.post("/api/v1/contacts", "{not json", content_type="application/json")
    assert r.status_code == 400


def test_unknown_or_missing_token_is_401(client, db):
    assert client.post("/api/v1/contacts", {}, content_type="application/json").status_code == 401
    r = client.get("/api/v1/incident-types", headers={"authorization": "Bearer blp_nope"})
    assert r.status_code == 401


def test_token_revoked_in_the_admin_is_refused_at_once(api, login, dave):
    """Tokens are cached for a few seconds; a revocation saved in the admin clears the cache."""
    assert api.get("/api/v1/incident-types").status_code == 200  # now cached
    dave.is_staff = True
    dave.save()
    token = ApiToken.objects.get(force=dave.force)
    page = login(dave).post(
        f"/admin/forces/apitoken/{token.pk}/change/",
        {
            "force": dave.force_id,
            "name": token.name,
            "revoked_at_0": "2026-11-28",
            "revoked_at_1": "12:00:00",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert api.get("/api/v1/incident-types").status_code == 401


def test_another_forces_contact_is_invisible(api, other_api):
    contact_id = post_contact(api, contact_body()).json()["id"]
    assert api.get(f"/api/v1/contacts/{contact_id}").status_code == 200
    assert other_api.get(f"/api/v1/contacts/{contact_id}").status_code == 404


def test_contact_detail_says_why_not_surveyed(api):
    contact_id = post_contact(api, contact_body(flags=["deceased"])).json()["id"]
    body = api.get(f"/api/v1/contacts/{contact_id}").json()
    assert body["invitation"]["reason"] == "flag_deceased"


def test_incident_types_list_the_taxonomy(api):
    types = {t["code"]: t for t in api.get("/api/v1/incident-types").json()}
    for code in [
        "burglary_residential",
        "burglary_other",
        "robbery_personal",
        "theft_from_person",
        "theft_other",
        "shoplifting",
        "vehicle_crime",
        "criminal_damage",
        "antisocial_behaviour",
        "violence",
        "domestic_abuse",
        "sexual_offence",
        "hate_crime",
        "road_traffic_collision",
        "concern_for_welfare",
        "missing_person",
        "other",
    ]:
        assert code in types
    assert types["domestic_abuse"]["sensitive"] is True
    assert types["sexual_offence"]["sensitive"] is True
    assert types["burglary_residential"]["sensitive"] is False
    assert types["burglary_residential"]["template"] == "burglary"


def test_intake_is_audited_without_personal_data(api, force):
    post_contact(api, contact_body())
    event = AuditEvent.objects.get(force=force, action="create")
    assert event.actor == "api:test"
    assert "Test Caller" not in str(event.summary)


def test_openapi_document_is_published(client, db):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/contacts" in paths
    assert "/api/v1/recovery-cases" in paths
    assert "/api/v1/incident-types" in paths


def test_bad_email_is_one_error_naming_the_field_without_echoing_it(api):
    body = contact_body(person={"email": "someone@@example"})
    r = post_contact(api, body)
    assert r.status_code == 400
    assert r.json()["errors"] == [{"field": "person.email", "message": "not a valid email address"}]
    assert "someone" not in r.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_team_deleted_after_use_is_recreated_on_the_next_contact(api, force):
    """Teams are cached by code; a deleted one fails the commit, which looks it up afresh."""
    from bluelamp.forces.models import Team
    from bluelamp.surveys.defaults import seed_defaults
    from bluelamp.surveys.models import IncidentType, SurveyTemplate

    seed_defaults(IncidentType, SurveyTemplate)  # an earlier transactional test may have flushed

    assert post_contact(api, contact_body("T-1")).status_code == 201
    Team.objects.filter(force=force, code="team-a").delete()
    r = post_contact(api, contact_body("T-2"))
    assert r.status_code == 201
    assert Contact.objects.get(reference="T-2").team.code == "team-a"
