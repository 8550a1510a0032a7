"""Charge rates a chief officer can quote: the outcome rollups counted in each crime's and
outcome's transaction, the page's totals against a direct count over the crimes, a changed
outcome moving its crime, scoping by role and team, and the rebuild's check."""

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bluelamp.care.models import Crime, CrimeEvent
from bluelamp.forces.models import Role
from bluelamp.investigations.models import DAY_EDGES, OutcomeRollup
from bluelamp.investigations.outcome_report import median_of, months_ending
from bluelamp.investigations.outcome_rollups import bucket_of, outcome_groups, rollups_check
from bluelamp.outcomes.models import Group
from tests.conftest import make_user
from tests.test_investigations import crime_body, post


def push(api: Any, reference: str, *, days_ago: float = 3, **more: Any) -> None:
    recorded = timezone.now() - dt.timedelta(days=days_ago)
    body = crime_body(
        reference, recorded_at=recorded.isoformat(),
        reported_at=(recorded - dt.timedelta(minutes=20)).isoformat(), **more,
    )  # fmt: skip
    r = post(api, "/api/v1/crimes", body)
    assert r.status_code == 201, r.content


def outcome(api: Any, reference: str, code: str, *, days_ago: float = 1) -> None:
    at = (timezone.now() - dt.timedelta(days=days_ago)).isoformat()
    body = {"kind": "outcome_recorded", "at": at, "outcome_code": code}
    r = post(api, f"/api/v1/crimes/{reference}/events", body)
    assert r.status_code == 201, r.content


def direct(crimes: Any) -> dict[str, Counter[str]]:
    """A direct count over the crimes: per offence, team and area, each crime in the group of
    its latest outcome (by time, the later row on a tie)."""
    groups = outcome_groups()
    found: dict[str, Counter[str]] = {"all": Counter(), "offence": Counter(),
                                      "team": Counter(), "area": Counter()}  # fmt: skip
    charged: dict[str, Counter[str]] = {k: Counter() for k in found}
    for crime in crimes:
        latest = crime.events.filter(kind="outcome_recorded").order_by("-at", "-pk").first()
        group = groups[latest.outcome_code] if latest else Group.NO_OUTCOME_YET
        team = crime.team.name if crime.team else "No team"
        keys = {"all": "", "offence": crime.offence.name, "team": team,
                "area": crime.area or "No area"}  # fmt: skip
        for dimension, key in keys.items():
            found[dimension][key] += 1
            charged[dimension][key] += group == Group.CHARGED
    return {"crimes": found, "charged": charged}  # type: ignore[dict-item]


def mix(api: Any) -> None:
    """Crimes of two teams, three areas and three offences, with outcomes: charged,
    no suspect, one changed from no suspect to a charge, one whose older outcome arrives
    late, one still open, and one recorded 13 months ago (outside the year)."""
    push(api, "C1", team="team-a")
    push(api, "C2", team="team-a", offence="robbery_personal",
         location={"postcode": "SG1 2AB"})  # fmt: skip
    push(api, "C3", team="team-b", offence="theft_other", location={"postcode": "WD17 1AA"})
    push(api, "C4", team="team-b")
    push(api, "C5", team="team-a", location={"postcode": ""})
    push(api, "C6", team="team-b", offence="theft_other")
    push(api, "OLD", days_ago=400, team="team-a")
    outcome(api, "C1", "1", days_ago=2)
    outcome(api, "C2", "18", days_ago=2.5)
    outcome(api, "C3", "18", days_ago=2)
    outcome(api, "C3", "1A", days_ago=1)  # a charge after all: moves C3 to charged
    outcome(api, "C4", "1", days_ago=1)
    outcome(api, "C4", "8", days_ago=2)  # older, arriving late: C4 stays charged
    outcome(api, "OLD", "1", days_ago=300)


def test_the_pages_totals_equal_a_direct_count_over_the_crimes(api, force, ivan, login):
    mix(api)
    page = login(ivan).get("/investigations/outcomes/")
    assert page.status_code == 200
    report = page.context["report"]
    start = dt.datetime.combine(report.months[0], dt.time(), timezone.get_current_timezone())
    crimes = Crime.objects.filter(force=force, recorded_at__gte=start)
    expected = direct(crimes)
    assert report.total.crimes == expected["crimes"]["all"][""] == 6
    assert report.total.charged == expected["charged"]["all"][""] == 3  # C1, C3, C4
    for dimension, rows in (("offence", report.by_offence), ("team", report.by_team),
                            ("area", report.by_area)):  # fmt: skip
        assert {r.label: r.crimes for r in rows} == dict(expected["crimes"][dimension])
        assert {r.label: r.charged for r in rows} == dict(expected["charged"][dimension])
    assert {r.label for r in report.by_area} == {"AL1", "SG1", "WD17", "No area"}
    shares = {code: count for code, _, count, _ in report.total.shares}
    assert shares["charged"] == 3 and shares["no_suspect"] == 1 and shares["no_outcome_yet"] == 2
    assert report.total.with_outcome == 4
    text = page.content.decode()
    assert "50.0%" in text  # 3 of 6
    assert "5.7%" in text and "year to March 2023" in text  # the national figure beside it
    robbery = next(r for r in report.by_offence if r.key == "robbery_personal")
    assert robbery.national is not None and robbery.national.rate == 0.066
    assert robbery.small and 'class="small-n"' in text
    assert rollups_check() == []


def test_a_month_and_its_neighbours_count_only_the_crimes_recorded_in_them(api, force, ivan, login):
    mix(api)
    old = Crime.objects.get(reference="OLD")
    month = timezone.localtime(old.recorded_at).strftime("%Y-%m")
    report = (
        login(ivan).get(f"/investigations/outcomes/?period=month&end={month}").context["report"]
    )
    assert report.total.crimes == 1 and report.total.charged == 1
    median = report.total.median
    assert median is not None and median.low == 91 and median.high == 182  # 100 days to charge
    bad = login(ivan).get("/investigations/outcomes/?period=week")
    assert bad.status_code == 400 and b"period" in bad.content


def test_a_team_supervisor_sees_their_teams_and_another_force_nothing(
    api, force, bob, carol, olga, login
):
    mix(api)
    report = login(bob).get("/investigations/outcomes/").context["report"]  # team B only
    team_b = Crime.objects.filter(force=force, team__code="team-b")
    assert report.total.crimes == team_b.count() == 3
    assert report.total.charged == 2  # C3, C4
    assert [r.key for r in report.by_team] == [str(team_b.first().team_id)]
    assert sum(r.crimes for r in report.by_offence) == 3
    assert login(olga).get("/investigations/outcomes/").context["report"].total.crimes == 0
    assert login(carol).get("/investigations/outcomes/").status_code == 403  # a call handler


def test_an_analyst_sees_the_force(api, force, login):
    mix(api)
    analyst = make_user(force, "anna", Role.ANALYST)
    assert login(analyst).get("/investigations/outcomes/").context["report"].total.crimes == 6


def test_the_check_finds_a_wrong_count_and_the_rebuild_mends_it(api, force):
    mix(api)
    rows = OutcomeRollup.objects.count()
    call_command("rebuild_outcome_rollups", "--check")
    row = OutcomeRollup.objects.filter(team_key=-1, dimension="all", group="charged").first()
    assert row is not None
    OutcomeRollup.objects.filter(pk=row.pk).update(crimes=row.crimes + 5, b3=row.b3 + 1)
    assert {d.measure for d in rollups_check()} == {"crimes", "b3"}
    with pytest.raises(CommandError):
        call_command("rebuild_outcome_rollups", "--check")
    call_command("rebuild_outcome_rollups", "--force", force.slug)
    assert rollups_check() == []
    assert OutcomeRollup.objects.count() <= rows  # rows of zeros are not rebuilt


def test_the_rollup_does_not_grow_with_crimes(api, force):
    push(api, "G1")
    rows = OutcomeRollup.objects.count()
    for i in range(2, 8):
        push(api, f"G{i}")
        outcome(api, f"G{i}", "18")
    assert OutcomeRollup.objects.count() == rows + 6  # one group more: 2 teams x 3 dimensions
    assert not CrimeEvent.objects.filter(crime__reference="G1").exists()


def test_the_median_and_the_months_are_read_as_the_home_office_would():
    assert bucket_of(0) == 0 and bucket_of(1) == 1 and bucket_of(400) == len(DAY_EDGES)
    assert median_of([0] * 11) is None
    found = median_of([0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0])  # two in [3, 7), two in [7, 14)
    assert found is not None and (found.low, found.high, found.estimate) == (3, 7, 7)
    found = median_of([0] * 10 + [3])
    assert found is not None and found.high is None and found.low == 365
    assert months_ending(dt.date(2026, 2, 1), 3) == [
        dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    ]  # fmt: skip


@pytest.fixture
def ivan(force):
    return make_user(force, "ivan", Role.INVESTIGATOR)
