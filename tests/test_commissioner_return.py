"""The commissioner's return (Victims and Prisoners Act 2024): Victims' Code compliance by
right, Enhanced Rights against standard, under 18s, and why duties were missed; and the
duties page's form that records the reason."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.care import reports
from bluelamp.care.models import Duty, Victim
from bluelamp.care.schemas import CrimeIn, EventIn
from bluelamp.care.services import crime_event_add, crime_ingest
from bluelamp.forces.models import Force, Role, Team, User
from tests.conftest import make_user

UTC = dt.UTC
# August 2026 in London: 1 August 00:00 BST to 1 September 00:00 BST.
AUGUST = (dt.datetime(2026, 7, 31, 23, tzinfo=UTC), dt.datetime(2026, 8, 31, 23, tzinfo=UTC))
AFTER_AUGUST = dt.datetime(2026, 9, 15, 12, tzinfo=UTC)


@pytest.fixture
def vera(force: Force) -> User:
    """Vera: the test force's victim care officer."""
    return make_user(force, "vera", Role.VICTIM_CARE)


@pytest.fixture
def ivan(force: Force) -> User:
    """Ivan: an investigator in the test force."""
    return make_user(force, "ivan", Role.INVESTIGATOR)


def _victim(
    force: Force,
    reference: str,
    *,
    age: int | None = 45,
    flags: list[str] | None = None,
    recorded_at: str = "2026-08-03T10:00:00+01:00",
) -> Victim:
    """A crime taken in through the care service, with one victim; its own clocks removed so
    that each test says exactly which duties there are."""
    data = CrimeIn.model_validate(
        {
            "reference": reference,
            "offence": "theft_other",
            "recorded_at": recorded_at,
            "flags": flags or [],
            "team": "north",
            "officer_in_charge": "PC1",
            "victims": [{"name": "Val Example", "age": age}],
        }
    )
    crime = crime_ingest(force=force, data=data, actor="test").crime
    Duty.objects.filter(victim__crime=crime).delete()
    return crime.victims.get()


def _duty(
    victim: Victim,
    right: str,
    due: dt.datetime,
    *,
    met: dt.datetime | None = None,
    enhanced: bool = False,
    reason: str = "",
    team: Team | None = None,
) -> Duty:
    return Duty.objects.create(
        force=victim.force, victim=victim, right=right, what=f"Do {right}",
        starts_at=due - dt.timedelta(days=5), due_at=due, met_at=met, enhanced=enhanced,
        missed_reason=reason, team=team or victim.crime.team, officer=victim.crime.officer,
    )  # fmt: skip


def _august(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 8, day, hour, tzinfo=UTC)


def _row(rows: list[reports.ComplianceRow], right: str) -> tuple[int, ...]:
    (found,) = [r for r in rows if r.right == Duty.Right(right).label]
    return (found.due, found.on_time, found.late, found.overdue, found.pending)


def test_return_counts_each_right_enhanced_against_standard_and_under_18s(force):
    adult = _victim(force, "CR-A")
    child = _victim(force, "CR-C", age=15)
    flagged = _victim(force, "CR-F", age=None, flags=["child_victim"])
    R = Duty.Right
    _duty(adult, R.REFERRAL, _august(4), met=_august(3))  # on time
    _duty(adult, R.REFERRAL, _august(5), met=_august(7), reason="Officer on leave")  # late
    _duty(child, R.REFERRAL, _august(6), enhanced=True)  # overdue, no reason
    _duty(flagged, R.SUSPECT_DECISION, _august(10), met=_august(10, 9), enhanced=True)
    _duty(flagged, R.SUSPECT_DECISION, _august(11), enhanced=True, reason="officer on  LEAVE")
    _duty(adult, R.OUTCOME, dt.datetime(2026, 9, 1, 12, tzinfo=UTC))  # September: not counted
    _duty(adult, R.COMPLAINT, _august(30), met=_august(29))
    with CaptureQueriesContext(connection) as queries:
        found = reports.compliance(Duty.objects.filter(force=force), *AUGUST, AFTER_AUGUST)
    assert len(queries) == 2
    # Every right has a row, labelled with its right.
    assert [r.right for r in found.by_right] == [r.label for r in Duty.Right]
    assert found.by_right[0].right.startswith("Right 3:")
    assert _row(found.by_right, R.REFERRAL) == (3, 1, 1, 1, 0)
    assert _row(found.by_right, R.SUSPECT_DECISION) == (2, 1, 0, 1, 0)
    assert _row(found.by_right, R.OUTCOME) == (0, 0, 0, 0, 0)
    assert _row(found.by_right, R.COMPLAINT) == (1, 1, 0, 0, 0)
    referral_enhanced, referral_standard = found.enhanced[list(Duty.Right).index(R.REFERRAL)]
    assert (referral_enhanced.group, referral_enhanced.due, referral_enhanced.overdue) == (
        "Enhanced Rights", 1, 1,
    )  # fmt: skip
    assert (referral_standard.group, referral_standard.due, referral_standard.on_time) == (
        "Standard", 2, 1,
    )  # fmt: skip
    # Under 18: the 15-year-old, and the victim of unknown age on a crime flagged child victim.
    assert _row(found.under_18, R.REFERRAL) == (1, 0, 0, 1, 0)
    assert _row(found.under_18, R.SUSPECT_DECISION) == (2, 1, 0, 1, 0)
    assert _row(found.under_18, R.COMPLAINT) == (0, 0, 0, 0, 0)
    # Reasons are grouped as written, ignoring case and spacing; none recorded is counted too.
    assert [(m.reason, m.missed) for m in found.reasons] == [
        ("Officer on leave", 2),
        ("no reason recorded", 1),
    ]
    assert found.reasons[0].by_right == (
        (R.REFERRAL.label, 1),
        (R.SUSPECT_DECISION.label, 1),
    )


def test_pending_duties_are_not_missed_and_each_right_adds_up(force):
    victim = _victim(force, "CR-P")
    now = _august(20)
    _duty(victim, Duty.Right.UPDATE, _august(25))  # deadline ahead
    _duty(victim, Duty.Right.UPDATE, _august(18))  # overdue
    found = reports.compliance(Duty.objects.filter(force=force), *AUGUST, now)
    assert _row(found.by_right, Duty.Right.UPDATE) == (2, 0, 0, 1, 1)
    assert [(m.reason, m.missed) for m in found.reasons] == [("no reason recorded", 1)]
    for r in found.by_right:
        assert r.due == r.on_time + r.late + r.overdue + r.pending


def test_return_from_crimes_and_events_matches_a_direct_count(force):
    """Clocks started by the care services (a crime in, a suspect decision, a late update)
    are counted as a direct count of the rows would count them."""
    data = CrimeIn.model_validate(
        {
            "reference": "CR-S",
            "offence": "burglary_residential",
            "recorded_at": "2026-08-10T10:00:00+01:00",
            "team": "north",
            "victims": [{"name": "Ann Example", "age": 16}, {"name": "Bo Example", "age": 40}],
        }
    )
    crime = crime_ingest(force=force, data=data, actor="test").crime
    event = crime_event_add(
        crime=crime,
        data=EventIn(kind="suspect_arrested", at=dt.datetime(2026, 8, 11, 9, tzinfo=UTC)),
        actor="test",
    )
    crime_event_add(
        crime=crime,
        data=EventIn(kind="victim_updated", at=_august(20), how="phone", reports=[event.pk]),
        actor="test",
    )
    found = reports.compliance(Duty.objects.filter(force=force), *AUGUST, AFTER_AUGUST)
    in_month = Duty.objects.filter(force=force, due_at__gte=AUGUST[0], due_at__lt=AUGUST[1])
    assert in_month.filter(right=Duty.Right.SUSPECT_DECISION).count() == 2
    for right in Duty.Right:
        rows = list(in_month.filter(right=right))
        expected = (
            len(rows),
            sum(1 for d in rows if d.met_at and d.met_at <= d.due_at),
            sum(1 for d in rows if d.met_at and d.met_at > d.due_at),
            sum(1 for d in rows if d.met_at is None),
            0,
        )
        assert _row(found.by_right, right) == expected
        young = [d for d in rows if d.victim.age is not None and d.victim.age < 18]
        assert _row(found.under_18, right)[0] == len(young)
        enhanced, standard = found.enhanced[list(Duty.Right).index(right)]
        assert (enhanced.due, standard.due) == (
            sum(1 for d in rows if d.enhanced),
            sum(1 for d in rows if not d.enhanced),
        )
    missed = sum(r.missed for r in found.by_right)
    assert missed > 0
    assert sum(m.missed for m in found.reasons) == missed


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_compliance_page_and_csv_in_a_few_queries(force, vera, login, django_assert_num_queries):
    adult = _victim(force, "CR-A")
    child = _victim(force, "CR-C", age=12)
    for day in range(3, 23):
        _duty(adult, Duty.Right.REFERRAL, _august(day), met=_august(day, 9) if day % 2 else None)
        _duty(child, Duty.Right.OUTCOME, _august(day), enhanced=True, reason=f"Reason {day % 3}")
    client = login(vera)
    # The session, the user, the force; the grouped count; the reasons.
    with django_assert_num_queries(5):
        page = client.get("/care/compliance/?month=2026-08")
    assert page.status_code == 200
    text = page.content.decode()
    for right in Duty.Right:
        assert right.label in text
    for heading in ("Enhanced Rights against standard", "Victims under 18", "no reason recorded"):
        assert heading in text
    assert "Reason 1" in text
    # Twenty times the duties: the same queries.
    for day in range(3, 23):
        for _ in range(20):
            _duty(adult, Duty.Right.REFERRAL, _august(day))
    with django_assert_num_queries(5):
        assert client.get("/care/compliance/?month=2026-08").status_code == 200
    audits = AuditEvent.objects.filter(force=force, action="export").count()
    response = client.get("/care/compliance/?month=2026-08&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert AuditEvent.objects.filter(force=force, action="export").count() == audits + 1
    rows = _csv(response.content.decode())
    by_right = {r["right"]: r for r in rows if r["section"] == "right"}
    assert set(by_right) == {r.label for r in Duty.Right}
    referral = by_right[Duty.Right.REFERRAL.label]
    assert referral["code_right"] == "4"
    assert (referral["due"], referral["met_on_time"], referral["overdue"]) == ("420", "10", "410")
    under_18 = {r["right"]: r for r in rows if r["section"] == "under_18"}
    assert under_18[Duty.Right.OUTCOME.label]["due"] == "20"
    assert under_18[Duty.Right.REFERRAL.label]["due"] == "0"
    enhanced = [r for r in rows if r["section"] == "enhanced"]
    assert {(r["right"], r["group"]) for r in enhanced} == {
        (right.label, group) for right in Duty.Right for group in ("Enhanced Rights", "Standard")
    }
    reasons = {
        r["group"]: int(r["missed"])
        for r in rows
        if r["section"] == "missed_reason" and r["right"] == "All rights"
    }
    assert reasons == {"no reason recorded": 410, "Reason 0": 7, "Reason 1": 7, "Reason 2": 6}


def test_compliance_counts_only_the_users_force(force, other_force, vera, login):
    mine = _victim(force, "CR-1")
    theirs = _victim(other_force, "CR-1")
    _duty(mine, Duty.Right.REFERRAL, _august(4))
    _duty(theirs, Duty.Right.REFERRAL, _august(4))
    _duty(theirs, Duty.Right.REFERRAL, _august(5))
    rows = _csv(login(vera).get("/care/compliance/?month=2026-08&format=csv").content.decode())
    (referral,) = [
        r for r in rows if r["section"] == "right" and r["right"] == Duty.Right.REFERRAL.label
    ]
    assert referral["due"] == "1"


# --- The duties page: why a duty was missed ---------------------------------------------------


def _overdue(force: Force, reference: str = "CR-O", **kwargs: Any) -> Duty:
    victim = _victim(force, reference)
    return _duty(victim, Duty.Right.REFERRAL, timezone.now() - dt.timedelta(days=2), **kwargs)


def test_reason_recorded_for_an_overdue_duty_reaches_the_return(force, vera, login):
    duty = _overdue(force)
    client = login(vera)
    page = client.get("/care/duties/").content.decode()
    assert f'name="duty" value="{duty.pk}"' in page
    r = client.post("/care/duties/", {"duty": duty.pk, "reason": "  Victim on holiday  "})
    assert r.status_code == 302
    duty.refresh_from_db()
    assert (duty.missed_reason, duty.missed_reason_by) == ("Victim on holiday", "vera")
    assert AuditEvent.objects.filter(
        force=force, action="update", summary=f"reason recorded for missed duty {duty.pk}"
    ).exists()
    month = f"{timezone.localtime(duty.due_at):%Y-%m}"
    rows = _csv(client.get(f"/care/compliance/?month={month}&format=csv").content.decode())
    assert [
        r["group"] for r in rows if r["section"] == "missed_reason" and r["right"] == "All rights"
    ] == ["Victim on holiday"]
    assert "Reason recorded" in client.get("/care/duties/").content.decode()


def test_a_late_duty_without_a_reason_is_listed_until_one_is_recorded(force, ivan, login):
    now = timezone.now()
    duty = _overdue(force, met=now - dt.timedelta(days=1))
    on_time = _duty(
        duty.victim, Duty.Right.OUTCOME, now - dt.timedelta(days=3), met=now - dt.timedelta(4)
    )
    client = login(ivan)
    page = client.get("/care/duties/").content.decode()
    assert "met late" in page and f'value="{duty.pk}"' in page
    assert f'value="{on_time.pk}"' not in page
    assert client.post("/care/duties/", {"duty": duty.pk, "reason": "Workload"}).status_code == 302
    assert f'value="{duty.pk}"' not in client.get("/care/duties/").content.decode()


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"reason": "Workload"}, "duty:"),
        ({"duty": "seven", "reason": "Workload"}, "duty:"),
        ({"duty": "{pk}", "reason": "   "}, "reason:"),
        ({"duty": "{pk}"}, "reason:"),
        ({"duty": "{pk}", "reason": "x" * 2001}, "reason:"),
    ],
)
def test_bad_input_is_refused_naming_the_field(force, vera, login, form, field):
    duty = _overdue(force)
    body = {k: v.format(pk=duty.pk) for k, v in form.items()}
    r = login(vera).post("/care/duties/", body)
    assert r.status_code == 400
    assert field in r.content.decode()
    duty.refresh_from_db()
    assert duty.missed_reason == ""


def test_a_duty_met_in_time_or_not_yet_due_takes_no_reason(force, vera, login):
    now = timezone.now()
    victim = _victim(force, "CR-T")
    met = _duty(victim, Duty.Right.REFERRAL, now - dt.timedelta(days=1), met=now - dt.timedelta(2))
    ahead = _duty(victim, Duty.Right.OUTCOME, now + dt.timedelta(days=2))
    client = login(vera)
    for duty in (met, ahead):
        r = client.post("/care/duties/", {"duty": duty.pk, "reason": "Workload"})
        assert r.status_code == 400
        assert "duty: it was met in time or is not yet due" in r.content.decode()
    assert not Duty.objects.exclude(missed_reason="").exists()


def test_other_forces_and_other_roles_cannot_record_a_reason(
    force, other_force, olga, alice, login
):
    duty = _overdue(force)
    theirs = _overdue(other_force, "CR-X")
    assert login(olga).post("/care/duties/", {"duty": duty.pk, "reason": "x"}).status_code == 404
    assert login(alice).post("/care/duties/", {"duty": duty.pk, "reason": "x"}).status_code == 403
    assert login(alice).get("/care/duties/").status_code == 403
    assert login(olga).get("/care/compliance/?month=2026-08").status_code == 200
    page = login(olga).get("/care/duties/").content.decode()
    assert f'value="{theirs.pk}"' in page and f'value="{duty.pk}"' not in page
    assert not Duty.objects.exclude(missed_reason="").exists()


def test_a_specialist_records_reasons_only_for_its_own_referrals(force, login):
    from bluelamp.care.models import Referral

    liaison = Team.objects.create(force=force, code="older_person_liaison", name="OPLO")
    sid = make_user(force, "sid", Role.SPECIALIST, [liaison])
    victim = _victim(force, "CR-R")
    referral = Referral.objects.create(
        force=force, victim=victim, service="restorative_justice", rule_id="r", rule_version=0,
        reason="r", status=Referral.Status.OPEN, due_at=timezone.now(), created_at=timezone.now(),
    )  # fmt: skip
    duty = _duty(victim, Duty.Right.REFERRAL, timezone.now() - dt.timedelta(days=1))
    duty.referral = referral
    duty.save()
    assert login(sid).post("/care/duties/", {"duty": duty.pk, "reason": "x"}).status_code == 404
    referral.service = "older_person_liaison"
    referral.save()
    assert login(sid).post("/care/duties/", {"duty": duty.pk, "reason": "x"}).status_code == 302
    duty.refresh_from_db()
    assert duty.missed_reason_by == "sid"


def test_a_get_changes_nothing(force, vera, login):
    duty = _overdue(force)
    audits = AuditEvent.objects.count()
    client = login(vera)
    assert client.get(f"/care/duties/?duty={duty.pk}&reason=Workload").status_code == 200
    assert client.get("/care/compliance/?month=2026-08").status_code == 200
    duty.refresh_from_db()
    assert duty.missed_reason == ""
    assert AuditEvent.objects.count() == audits


def test_duties_page_in_a_few_queries(force, vera, login, django_assert_num_queries):
    client = login(vera)
    _overdue(force, "CR-0")
    # The session, the user, the force; the filter's teams; the count for the pages; the page
    # of duties with their victims, crimes, teams and officers.
    with django_assert_num_queries(6):
        assert client.get("/care/duties/").status_code == 200
    for i in range(1, 30):
        _overdue(force, f"CR-{i}", met=timezone.now() if i % 2 else None)
    with django_assert_num_queries(6):
        page = client.get("/care/duties/")
    assert page.content.decode().count('name="reason"') == 30
