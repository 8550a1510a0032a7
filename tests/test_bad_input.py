"""Every bad input is a 4xx that names the field, and nothing is half-written: dates outside
1990 to 2100, booleans and strings where integers belong, NULs and line breaks, unknown
filters on pages and in the API; branded error pages for people, JSON under /api/."""

from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from bluelamp.audit.models import AuditEvent
from bluelamp.care.models import Crime, CrimeEvent, NeedsAssessment, Referral, Victim
from bluelamp.forces.models import Force, Role, Team
from bluelamp.intake.models import Contact, Person
from bluelamp.staffing.models import CallInterval, RosterSlot
from tests.conftest import contact_body, make_user, post_contact
from tests.helpers import make_contact
from tests.test_care import crime_body

ANCIENT = "0001-01-01T00:00:00+01:00"
TEMPLATES = Path(__file__).resolve().parent.parent / "bluelamp" / "templates"


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def named(response: Any) -> dict[str, str]:
    """The fields a 400 names, with their messages."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def interval(**overrides: Any) -> dict[str, Any]:
    item = {"queue": "101", "start": "2026-11-27T18:00:00Z", "offered": 40, "answered": 34,
            "abandoned": 6, "answered_within_target": 21,
            "average_handle_seconds": 312}  # fmt: skip
    return {**item, **overrides}


def victim(**overrides: Any) -> dict[str, Any]:
    return {"name": "Edna Example", "age": 84, **overrides}


def test_a_contact_dated_year_one_is_refused_naming_received_at(api: Client, force: Force):
    r = post_contact(api, contact_body("OLD-1", received_at=ANCIENT))
    assert named(r) == {"received_at": "should be from 1990-01-01 to 2100-12-31"}
    assert not Contact.objects.exists() and not Person.objects.exists()


# Each date and time field of the API, sent the year 1 (or 9999): always the field named.
DATED = [
    ("/api/v1/contacts", contact_body("D-1", received_at="9999-12-31T23:59:59-01:00"),
     "received_at"),
    ("/api/v1/contacts", contact_body("D-2", person={"date_of_birth": "0001-01-01"}),
     "person.date_of_birth"),
    ("/api/v1/call-intervals", {"intervals": [interval(start=ANCIENT)]}, "intervals[0].start"),
    ("/api/v1/roster", {"slots": [{"queue": "101", "start": ANCIENT, "handlers": 3}]},
     "slots[0].start"),
    ("/api/v1/crimes", crime_body("D-3", recorded_at=ANCIENT, occurred_at=None), "recorded_at"),
    ("/api/v1/crimes", crime_body("D-4", occurred_at="1850-01-01T00:00:00Z"), "occurred_at"),
    ("/api/v1/crimes", crime_body("D-5", reported_at=ANCIENT), "reported_at"),
    ("/api/v1/crimes", crime_body("D-6", victims=[victim(date_of_birth="0001-01-01")]),
     "victims[0].date_of_birth"),
    ("/api/v1/crimes",
     crime_body("D-7", victims=[victim(consent={"share_with_partners":
                                                {"given": True, "asked_at": ANCIENT}})]),
     "victims[0].consent.share_with_partners.asked_at"),
    ("/api/v1/crimes",
     crime_body("D-8", victims=[victim(needs_assessment={
         "asked_at": ANCIENT, "asked_by": "PC1", "enhanced_rights": False})]),
     "victims[0].needs_assessment.asked_at"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "body", "field"), DATED, ids=[d[2] for d in DATED])
def test_every_date_field_refuses_dates_outside_the_range_by_name(api, force, url, body, field):
    assert field in named(post(api, url, body))
    assert not Contact.objects.exists() and not Crime.objects.exists()
    assert not CallInterval.objects.exists() and not RosterSlot.objects.exists()


def test_victim_dates_on_later_calls_are_refused_by_name(api: Client, force: Force):
    assert post(api, "/api/v1/crimes", crime_body("CR-1")).status_code == 201
    victim_id = Victim.objects.first().pk  # type: ignore[union-attr]
    events = CrimeEvent.objects.count()
    assessments = NeedsAssessment.objects.count()
    r = post(api, "/api/v1/crimes/CR-1/events", {"kind": "charged", "at": ANCIENT})
    assert "at" in named(r)
    r = post(api, f"/api/v1/victims/{victim_id}/needs-assessment",
             {"asked_at": ANCIENT, "asked_by": "PC1", "enhanced_rights": True})  # fmt: skip
    assert "asked_at" in named(r)
    r = post(api, f"/api/v1/victims/{victim_id}/consent",
             {"contact_by_force": {"given": False, "asked_at": ANCIENT}})  # fmt: skip
    assert "contact_by_force.asked_at" in named(r)
    assert CrimeEvent.objects.count() == events
    assert NeedsAssessment.objects.count() == assessments
    assert Victim.objects.get(pk=victim_id).consent_given("contact_by_force") is None


def test_old_but_real_dates_are_accepted(api: Client, force: Force):
    """A victim born in 1930, a crime from 1975 reported now, a contact from 1990."""
    body = crime_body("OLD-OK", occurred_at="1975-06-01T12:00:00+01:00",
                      victims=[victim(date_of_birth="1930-02-03", age=None)])  # fmt: skip
    assert post(api, "/api/v1/crimes", body).status_code == 201
    r = post_contact(api, contact_body("OLD-OK", received_at="1990-01-01T00:00:00Z"))
    assert r.status_code == 201, r.content


def test_every_error_of_a_request_is_named_at_once(api: Client, force: Force):
    body = contact_body("ALL-1", received_at=ANCIENT, answer_seconds=True, channel="112",
                        person={"age": "45", "email": "not-an-address"})  # fmt: skip
    found = named(post_contact(api, body))
    assert set(found) == {"received_at", "answer_seconds", "channel", "person.age",
                          "person.email"}  # fmt: skip
    assert found["answer_seconds"] == "Input should be a valid integer"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/contacts", contact_body("I-1", answer_seconds=True), "answer_seconds"),
        ("/api/v1/contacts", contact_body("I-2", answer_seconds=7.5), "answer_seconds"),
        ("/api/v1/contacts", contact_body("I-3", answer_seconds="7"), "answer_seconds"),
        ("/api/v1/contacts", contact_body("I-4", person={"age": False}), "person.age"),
        ("/api/v1/call-intervals", {"intervals": [interval(offered=True)]},
         "intervals[0].offered"),
        ("/api/v1/call-intervals", {"intervals": [interval(offered="40")]},
         "intervals[0].offered"),
        ("/api/v1/call-intervals", {"intervals": [interval(average_handle_seconds=True)]},
         "intervals[0].average_handle_seconds"),
        ("/api/v1/roster", {"slots": [{"queue": "101", "start": "2026-11-28T18:00:00Z",
                                       "handlers": True}]}, "slots[0].handlers"),
        ("/api/v1/crimes", crime_body("I-5", victims=[victim(age=True)]), "victims[0].age"),
        ("/api/v1/referrals/send", {"service": "victim_support", "referrals": [True]},
         "referrals"),
    ],
    ids=lambda v: v if isinstance(v, str) and not v.startswith("/") else "-",
)  # fmt: skip
def test_integers_are_strict(api, force, url, body, field):
    assert field in named(post(api, url, body))
    assert not Contact.objects.exists() and not Crime.objects.exists()
    assert not CallInterval.objects.exists() and not RosterSlot.objects.exists()


def test_the_openapi_document_still_says_integer_with_its_bounds(api: Client, force: Force):
    doc = api.get("/api/v1/openapi.json").json()["components"]["schemas"]

    def integer(schema: dict[str, Any]) -> dict[str, Any]:
        found = [s for s in schema.get("anyOf", [schema]) if s.get("type") == "integer"]
        assert found, schema
        return found[0]

    assert integer(doc["ContactIn"]["properties"]["answer_seconds"])["maximum"] == 86400
    assert integer(doc["PersonIn"]["properties"]["age"]) == {
        "type": "integer", "minimum": 0, "maximum": 130
    }  # fmt: skip
    assert integer(doc["CallIntervalIn"]["properties"]["offered"])["minimum"] == 0
    assert integer(doc["RosterSlotIn"]["properties"]["handlers"])["maximum"] == 100_000
    assert doc["ReferralSendIn"]["properties"]["referrals"]["items"] == {"type": "integer"}
    assert doc["CallIntervalIn"]["properties"]["average_handle_seconds"]["anyOf"][0]["type"] == (
        "number"
    )


def test_a_nul_in_any_string_is_refused_by_name(api: Client, force: Force):
    assert "reference" in named(post_contact(api, contact_body("A\x00B")))
    body = crime_body("NUL-1", victims=[victim(name="Edna\x00Example")])
    assert "victims[0].name" in named(post(api, "/api/v1/crimes", body))
    assert not Contact.objects.exists() and not Crime.objects.exists()


def counts() -> list[int]:
    models = (Contact, Person, Crime, Victim, Referral, AuditEvent)
    return [m.objects.count() for m in models]  # type: ignore[attr-defined]


def test_a_bad_request_changes_nothing_already_stored(api: Client, force: Force):
    invitation = make_contact(force, "KEEP-1")
    assert post(api, "/api/v1/crimes", crime_body("CR-KEEP")).status_code == 201
    before = counts()
    assert "received_at" in named(post_contact(api, contact_body("KEEP-1", received_at=ANCIENT)))
    # A crime whose second victim is bad stores neither victim, nor the crime.
    body = crime_body("CR-HALF", victims=[victim(), victim(date_of_birth="0001-01-01")])
    assert "victims[1].date_of_birth" in named(post(api, "/api/v1/crimes", body))
    # A batch with one bad interval stores none of them.
    batch = {"intervals": [interval(), interval(start=ANCIENT)]}
    assert "intervals[1].start" in named(post(api, "/api/v1/call-intervals", batch))
    assert counts() == before
    assert not CallInterval.objects.exists()
    contact = Contact.objects.get(reference="KEEP-1")
    assert contact.pk == invitation.contact_id and contact.received_at.year == 2026


# Query parameters of the API: unknown values are named, never ignored.
@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/api/v1/referrals?service=victim_support%0D%0AX-Injected:%201", {"service"}),
        ("/api/v1/referrals?service=victim%00support", {"service"}),
        ("/api/v1/referrals?status=lost", {"status"}),
        ("/api/v1/referrals?service=a%0A&status=lost", {"service", "status"}),
        ("/api/v1/recovery-cases?status=forgotten", {"status"}),
        ("/api/v1/recovery-cases?overdue=maybe", {"overdue"}),
        ("/api/v1/alerts?status=closed", {"status"}),
        ("/api/v1/satisfaction?by=colour&days=3", {"by", "days"}),
        ("/api/v1/recovery-measures?days=true", {"days"}),
        ("/api/v1/staffing?hours=-1", {"hours"}),
    ],
)
def test_api_filters_with_unknown_values_are_400_naming_each(api, force, url, fields):
    assert set(named(api.get(url))) == fields


def test_an_unknown_api_route_answers_json_404(api: Client, force: Force):
    for client in (api, Client()):
        r = client.get("/api/v1/no-such-thing")
        assert r.status_code == 404
        assert r.json() == {"detail": "Not Found"}
    assert api.get("/api/v2/contacts").json() == {"detail": "Not Found"}


def test_a_method_an_api_path_does_not_take_answers_json_405(api: Client, force: Force):
    r = api.delete("/api/v1/contacts")
    assert r.status_code == 405
    assert r.json() == {"detail": "Method DELETE not allowed"}
    assert "POST" in r["Allow"]


def test_a_form_posted_without_its_csrf_token_gets_a_page_in_words(force: Force):
    invitation = make_contact(force, "CSRF-1")
    client = Client(enforce_csrf_checks=True)
    r = client.post(f"/s/{invitation.token}", {"q1": "6"})
    assert r.status_code == 403
    text = r.content.decode()
    assert "This form has expired" in text and "Nothing you sent was stored" in text
    assert "CSRF" not in text  # Django's page names the mechanism; a caller needs words
    assert invitation.token not in text


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault of the test's own view")


urlpatterns = [
    path("api/v1/test-boom", _boom),
    path("test-boom/", _boom),
    path("", include("bluelamp.urls")),
]
handler400 = "bluelamp.views.bad_request"
handler403 = "bluelamp.views.permission_denied"
handler404 = "bluelamp.views.page_not_found"
handler500 = "bluelamp.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_json_under_api_and_a_branded_page_elsewhere(force: Force):
    client = Client(raise_request_exception=False)
    r = client.get("/api/v1/test-boom")
    assert r.status_code == 500
    assert r.json() == {"detail": "Server error"}
    page = client.get("/test-boom/")
    assert page.status_code == 500
    text = page.content.decode()
    assert "Something went wrong" in text and "<header" in text  # the site's own header
    assert "a fault of the test" not in text


def test_the_site_wires_its_own_error_handlers():
    import bluelamp.urls

    for code in (400, 403, 404, 500):
        assert getattr(bluelamp.urls, f"handler{code}") == getattr(
            __import__(__name__, fromlist=["x"]), f"handler{code}"
        )


@pytest.mark.parametrize("name", ["400.html", "403.html", "403_csrf.html", "404.html", "500.html"])
def test_error_pages_extend_the_site_and_have_no_inline_style_or_script(name: str):
    text = (TEMPLATES / name).read_text()
    assert text.startswith('{% extends "base.html" %}')
    for inline in ("<style", "style=", "<script", "javascript:", " onclick", " onload"):
        assert inline not in text


def test_people_get_branded_404_and_403_pages(login, alice, force: Force):
    client = login(alice)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()
    assert "Sign out" in missing.content.decode()  # the site's header, signed in
    refused = client.get("/care/")  # a supervisor is not victim care
    assert refused.status_code == 403
    assert "You cannot see this page" in refused.content.decode()


@pytest.fixture
def carer(force: Force):
    return make_user(force, "vera", Role.VICTIM_CARE)


@pytest.mark.parametrize(
    "month", ["9999-12", "2026-13", "0000-01", "1989-12", "2101-01", "november", "2026-1"]
)
def test_a_bad_month_on_the_compliance_report_is_a_400_page_saying_what_was_wrong(
    login, carer, month
):
    r = login(carer).get(f"/care/compliance/?month={month}")
    assert r.status_code == 400
    text = r.content.decode()
    assert "<code>month</code>: should be a month such as" in text
    assert "from 1990-01 to 2100-12" in text
    assert "Victims&#x27; Code" not in text  # no report made of a month it does not know


def test_the_compliance_report_names_every_bad_parameter_at_once(login, carer, force):
    r = login(carer).get("/care/compliance/?month=9999-12&format=pdf")
    assert r.status_code == 400
    text = r.content.decode()
    assert (
        "<code>month</code>" in text and "<code>format</code>: should be one of html, csv" in text
    )
    assert not AuditEvent.objects.filter(action="export").exists()
    assert login(carer).get("/care/compliance/?month=2026-11").status_code == 200
    assert login(carer).get("/care/compliance/?month=2026-11&format=csv").status_code == 200


@pytest.mark.parametrize("service", ["victim_support%0D%0ASet-Cookie:%20x=1", "victim%00support",
                                     "victim%0Asupport", "victim support", ""])  # fmt: skip
def test_the_referral_download_refuses_a_bad_service_by_name(api, login, carer, force, service):
    assert post(api, "/api/v1/crimes", crime_body()).status_code == 201
    exports = AuditEvent.objects.filter(action="export").count()
    r = login(carer).get(f"/care/referrals/export.csv?service={service}")
    assert r.status_code == 400
    assert "<code>service</code>" in r.content.decode()
    assert "Set-Cookie" not in r and "Content-Disposition" not in r
    assert AuditEvent.objects.filter(action="export").count() == exports
    assert not Referral.objects.filter(status="sent").exists()


def test_the_send_page_refuses_a_bad_service_by_name(api, login, carer, force):
    assert post(api, "/api/v1/crimes", crime_body()).status_code == 201
    client = login(carer)
    r = client.get("/care/referrals/send/?service=victim_support%0D%0A")
    assert r.status_code == 400 and "<code>service</code>" in r.content.decode()
    ids = [str(pk) for pk in Referral.objects.values_list("pk", flat=True)]
    r = client.post("/care/referrals/send/", {"service": "victim\x00support", "referral": ids})
    assert r.status_code == 400 and "<code>service</code>" in r.content.decode()
    assert not Referral.objects.filter(status="sent").exists()


@pytest.fixture
def team_a_supervisor(force: Force, team_a: Team):
    return make_user(force, "sue", Role.SUPERVISOR, [team_a])


@pytest.mark.parametrize(
    ("who", "url", "fields"),
    [
        ("carer", "/care/?status=lost", ["status"]),
        ("carer", "/care/?service=a%0Ab&status=lost", ["service", "status"]),
        ("supervisor", "/cases/?status=forgotten", ["status"]),
        ("supervisor", "/live/drill/?by=colour", ["by"]),
        ("supervisor", "/live/drill/?days=365&format=xlsx", ["days", "format"]),
        ("supervisor", "/contacts/?reference=INC%0D%0A1", ["reference"]),
        ("supervisor", "/contacts/?reference=" + "X" * 61, ["reference"]),
    ],
)
def test_page_filters_with_unknown_values_are_400_naming_each(
    login, carer, team_a_supervisor, who, url, fields
):
    user = carer if who == "carer" else team_a_supervisor
    r = login(user).get(url)
    assert r.status_code == 400
    text = r.content.decode()
    for name in fields:
        assert f"<code>{name}</code>" in text


def test_good_filters_still_work(login, carer, team_a_supervisor, force):
    make_contact(force, "INC-1")
    assert login(carer).get("/care/?status=closed").status_code == 200
    assert login(team_a_supervisor).get("/cases/?status=overdue").status_code == 200
    assert login(team_a_supervisor).get("/live/drill/?by=channel&days=7").status_code == 200
    found = login(team_a_supervisor).get("/contacts/?reference=INC-1")
    assert found.status_code == 200 and "INC-1" in found.content.decode()


def test_the_survey_page_refuses_an_unknown_language(force: Force):
    invitation = make_contact(force, "LANG-1")
    client = Client()
    assert client.get(f"/s/{invitation.token}?lang=cy").status_code == 200
    r = client.get(f"/s/{invitation.token}?lang=fr")
    assert r.status_code == 400
    assert "<code>lang</code>: should be en or cy" in r.content.decode()
