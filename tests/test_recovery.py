"""Service-recovery cases: notes, status, closing with an outcome, audit."""

from bluelamp.audit.models import AuditEvent
from bluelamp.recovery.models import RecoveryCase
from tests.helpers import answer


def test_supervisor_works_a_case_to_closed(login, force, team_a, alice):
    case = RecoveryCase.objects.get(response=answer(force, "R-1", 2))
    client = login(alice)
    r = client.post(f"/cases/{case.pk}/", {"text": "Called, left message", "status": "contacted"})
    assert r.status_code == 302
    r = client.post(f"/cases/{case.pk}/", {"text": "Spoke to caller", "status": "closed"})
    assert r.status_code == 400
    assert "Choose an outcome" in r.content.decode()
    r = client.post(
        f"/cases/{case.pk}/",
        {"text": "Apologised; explained delay", "status": "closed", "outcome": "resolved"},
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.outcome == "resolved"
    assert case.closed_at is not None
    assert [n.text for n in case.notes.all()] == [
        "Called, left message",
        "Apologised; explained delay",
    ]
    assert AuditEvent.objects.filter(user=alice, action="update", object_type="recoverycase")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Apologised; explained delay" in page
    assert "<textarea" not in page  # a closed case takes no more actions


def test_api_lists_open_cases_with_contact_reference(api, force, team_a):
    answer(force, "API-1", 1)
    answer(force, "API-2", 7)
    answer(force, "API-3", 5, callback=True)
    cases = api.get("/api/v1/recovery-cases?status=open").json()
    assert sorted(c["contact_reference"] for c in cases) == ["API-1", "API-3"]
    assert {c["team"] for c in cases} == {"team-a"}
    assert api.get("/api/v1/recovery-cases?status=closed").json() == []
    assert api.get("/api/v1/recovery-cases?status=nonsense").status_code == 400


def test_case_list_shows_time_left_and_overdue(login, force, alice):
    import datetime as dt

    from django.utils import timezone

    answer(force, "OLD-1", 1, now=timezone.now() - dt.timedelta(hours=30))
    answer(force, "NEW-1", 1)
    html = login(alice).get("/cases/").content.decode()
    assert "overdue by" in html
    assert "23\xa0hours" in html or "23 hours" in html  # time left on a fresh case
