"""The basics joined to what victims said: satisfaction when each basic was done against when
it was not, checked against a direct count; and the outcome-stage survey, decided by the
contact rules when an outcome is recorded on a crime with a linked contact."""

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone

from bluelamp.forces.models import Role
from bluelamp.investigations.models import BasicsItem
from bluelamp.surveys.models import Invitation, Response
from bluelamp.surveys.services import contact_rules_save
from tests.conftest import contact_body, make_user, post_contact
from tests.helpers import answer
from tests.test_investigations import crime_body, post, word


@pytest.fixture
def rules(force):
    """Contact rules set here, not left to the defaults: no frequency cap, the outcome
    survey a day after the outcome."""
    contact_rules_save(
        force=force,
        definition={"frequency_days": 0, "stages": {"outcome": {"delay_hours": 24}}},
        user=None,
    )


@pytest.fixture
def ivan(force):
    return make_user(force, "ivan", Role.INVESTIGATOR)


def push(api: Any, reference: str, *, days_ago: float = 10, **more: Any) -> None:
    recorded = timezone.now() - dt.timedelta(days=days_ago)
    body = crime_body(
        reference, recorded_at=recorded.isoformat(),
        reported_at=(recorded - dt.timedelta(minutes=20)).isoformat(), **more,
    )  # fmt: skip
    r = post(api, "/api/v1/crimes", body)
    assert r.status_code == 201, r.content


def outcome(api: Any, reference: str, code: str = "18") -> Any:
    at = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    body = {"kind": "outcome_recorded", "at": at, "outcome_code": code}
    r = post(api, f"/api/v1/crimes/{reference}/events", body)
    assert r.status_code == 201, r.content
    return dt.datetime.fromisoformat(at)


def test_an_outcome_on_a_crime_with_a_contact_decides_its_outcome_survey(api, force, rules):
    assert post_contact(api, contact_body("INC-1")).status_code == 201
    push(api, "CR-1", contact_reference="INC-1")
    assert not Invitation.objects.filter(stage="outcome").exists()
    at = outcome(api, "CR-1")
    invitation = Invitation.objects.get(contact__reference="INC-1", stage="outcome")
    assert invitation.status == Invitation.Status.SCHEDULED and invitation.rule
    assert invitation.send_at is not None and invitation.send_at >= at + dt.timedelta(hours=24)
    outcome(api, "CR-1", "1")  # a changed outcome: the stage is already decided
    assert Invitation.objects.filter(contact__reference="INC-1", stage="outcome").count() == 1
    push(api, "CR-NONE")  # no contact: no survey
    outcome(api, "CR-NONE")
    assert Invitation.objects.filter(stage="outcome").count() == 1


def test_never_for_a_sensitive_case(api, force, rules):
    # A burglary the crime flags as domestic abuse (the flag reaches the contact), and a
    # contact of a sensitive type: both excluded by the rules, with their reason.
    assert post_contact(api, contact_body("INC-DA")).status_code == 201
    push(api, "CR-DA", contact_reference="INC-DA", flags=["domestic_abuse"])
    body = contact_body("INC-SX", incident_type="sexual_offence")
    assert post_contact(api, body).status_code == 201
    push(api, "CR-SX", contact_reference="INC-SX")
    for reference in ("CR-DA", "CR-SX"):
        outcome(api, reference)
    for contact in ("INC-DA", "INC-SX"):
        invitation = Invitation.objects.get(contact__reference=contact, stage="outcome")
        assert invitation.status == Invitation.Status.EXCLUDED
        assert invitation.reason and invitation.reason_text
        assert invitation.token is None


def direct(now: dt.datetime) -> dict[str, Counter[str]]:
    """Per item, from the rows themselves: done, done and satisfied, not done, not done and
    satisfied, over crimes with a linked contact whose latest answered response exists."""
    found: dict[str, Counter[str]] = {}
    for item in BasicsItem.objects.select_related("checklist__crime"):
        contact_id = item.checklist.crime.contact_id
        responses = Response.objects.filter(contact_id=contact_id).exclude(outcome="unanswered")
        latest = responses.order_by("-submitted_at", "-pk").first()
        if contact_id is None or latest is None:
            continue
        counts = found.setdefault(item.item, Counter())
        satisfied = latest.outcome == "satisfied"
        if item.status == "done":
            counts["done"] += 1
            counts["done_satisfied"] += satisfied
        elif item.status == "not_done" or (item.status == "due" and item.due_at < now):
            counts["not_done"] += 1
            counts["not_done_satisfied"] += satisfied
    return found


def test_satisfaction_by_basic_done_or_not_matches_a_direct_count(api, force, ivan, login):
    scores = [7, 7, 6, 2, 1, 7, 3, 7, 6, 7, 1, 7]
    for n, score in enumerate(scores):
        answer(force, f"INC-S{n}", score)
        push(api, f"CR-S{n}", contact_reference=f"INC-S{n}")
        status = "done" if n % 3 else "not_done"
        body = word("victim_statement", status, rationale="" if n % 3 else "Victim declined")
        r = post(api, f"/api/v1/crimes/CR-S{n}/basics", body)
        assert r.status_code == 201, r.content
    push(api, "CR-UNANSWERED")  # no contact: not counted
    page = login(ivan).get("/investigations/satisfaction/")
    assert page.status_code == 200
    rows = {r.item: r for r in page.context["rows"]}
    expected = direct(timezone.now())
    assert set(rows) == set(expected)
    for item, counts in expected.items():
        row = rows[item]
        assert (row.done.answers, row.done.satisfied) == (counts["done"], counts["done_satisfied"])
        assert (row.not_done.answers, row.not_done.satisfied) == (
            counts["not_done"], counts["not_done_satisfied"],
        )  # fmt: skip
    statement = rows["victim_statement"]
    assert (statement.done.answers, statement.not_done.answers) == (8, 4)
    assert statement.done.small and statement.not_done.small  # under 10: greyed
    assert "small-n" in page.content.decode()
    low, high = statement.done.interval
    assert low < statement.done.rate < high  # type: ignore[operator]
    assert login(ivan).get("/investigations/satisfaction/?end=2026-13").status_code == 400


def test_scoped_to_the_supervisors_teams(api, force, bob, carol, login):
    answer(force, "INC-T1", 7)
    push(api, "CR-T1", contact_reference="INC-T1", team="team-a")
    assert login(bob).get("/investigations/satisfaction/").context["rows"] == []  # team B
    assert login(carol).get("/investigations/satisfaction/").status_code == 403
