"""Alerts that mean something: a real rise is caught once, a steady month raises none."""

import datetime as dt
import math
import random

import pytest
from django.utils import timezone

from bluelamp.forces.models import Force, Team
from bluelamp.insights import alerts
from bluelamp.insights.models import Alert, Rollup
from tests.helpers import answer


def test_binomial_tail_and_words():
    assert alerts.binomial_tail(0, 10, 0.1) == 1.0
    assert alerts.binomial_tail(11, 10, 0.1) == 0.0
    direct = sum(math.comb(14, k) * 0.2**k * 0.8 ** (14 - k) for k in range(9, 15))
    assert alerts.binomial_tail(9, 14, 0.2) == pytest.approx(direct, rel=1e-9)
    assert alerts.binomial_tail(900, 1000, 0.5) < 1e-100  # no underflow to nonsense
    assert alerts.chance_words(0.000_75) == "less than once in 1,000"
    assert alerts.chance_words(0.3) == "about once in 3"


def test_small_forces_are_not_judged():
    assert alerts.expected_share(1, 5, 10, 99) is None
    # A small team is pulled towards the force's share.
    assert alerts.expected_share(3, 5, 100, 1000) == pytest.approx((3 + 50 * 100.5 / 1001) / 55)


def _history(force: Force, teams: list[Team], start: dt.datetime) -> None:
    """28 days before ``start``: each team 20 answers a day, 10% dissatisfied."""
    rows = []
    # Days counted on the calendar, not in 24-hour steps: across a clock change 24 hours
    # before a late-evening ``start`` can land on the same local day twice.
    first = timezone.localdate(start)
    for back in range(1, 29):
        moment = start - dt.timedelta(days=back)
        for team in teams:
            # The same answers counted in each dimension, as the rollups count them.
            for dimension, key in (
                ("all", ""),
                ("incident_type", "burglary_residential"),
                ("channel", "101"),
                ("stage", "first_contact"),
                ("call_handler", "0"),
            ):
                rows.append(
                    Rollup(force=force, day=first - dt.timedelta(days=back), team_key=team.pk,
                           dimension=dimension, key=key, responses=20, answered=20,
                           satisfied=18, dissatisfied=2, score_sum=100, updated_at=moment)
                )  # fmt: skip
    Rollup.objects.bulk_create(rows)


def _month(force: Force, rise_from_day: int | None, days: int, seed: int) -> list[int]:
    """Answers from two teams, 12 a day each; team A's dissatisfaction rises to 40% from
    ``rise_from_day``. Returns, for each alert on team A, how many of team A's answers after
    the rise it came."""
    a = Team.objects.create(force=force, code="team-a", name="Team A")
    b = Team.objects.create(force=force, code="team-b", name="Team B")
    start = timezone.now() - dt.timedelta(days=days + 1)
    _history(force, [a, b], start)
    rng = random.Random(seed)
    after_rise = 0
    seen: list[int] = []
    n = 0
    for day in range(days):
        for i in range(12):
            at = start + dt.timedelta(days=day, minutes=40 * i)
            for team in (a, b):
                rising = team == a and rise_from_day is not None and day >= rise_from_day
                bad = rng.random() < (0.4 if rising else 0.1)
                n += 1
                answer(force, f"M-{n}", 2 if bad else 6, team=team.code,
                       incident_type="burglary_residential", channel="101", now=at)  # fmt: skip
                if rising:
                    after_rise += 1
                    if Alert.objects.filter(key=str(a.pk), dimension="team").count() > len(seen):
                        seen.append(after_rise)
        if seen and rise_from_day is not None and day > rise_from_day + 2:
            break
    return seen


def test_a_team_whose_dissatisfaction_rises_gets_exactly_one_alert(force):
    seen = _month(force, rise_from_day=10, days=30, seed=3)
    assert len(seen) == 1, seen
    assert seen[0] <= 40  # about 25 answers at 40% are needed to tell a rise from luck
    team_alerts = Alert.objects.filter(dimension="team")
    (alert,) = team_alerts
    assert alert.label == "Team A"
    assert alert.text.startswith("Team A: ") and "dissatisfied since" in alert.text
    assert "this happens by chance less than once in" in alert.text
    assert alert.cleared_at is None
    assert not team_alerts.exclude(label="Team A").exists()


@pytest.mark.slow(reason="about 7 s: a simulated month of answers through the rollups")
def test_a_steady_month_raises_no_alert_for_the_team(force):
    assert _month(force, rise_from_day=None, days=30, seed=3) == []
    assert not Alert.objects.filter(dimension="team").exists()


def test_open_alerts_are_on_the_live_view(force, login, alice, team_a):
    Alert.objects.create(
        force=force, dimension="team", key=str(team_a.pk), label="Team A",
        text="Team A: 9 of 14 dissatisfied since 14:00, expected about 3",
        run_n=14, run_x=9, expected_share=0.2, chance=0.0008, opened_at=timezone.now(),
    )  # fmt: skip
    html = login(alice).get("/live/").content.decode()
    assert "Team A: 9 of 14 dissatisfied since 14:00" in html


def test_a_team_scoped_supervisor_sees_only_their_teams_alerts(force, login, bob, team_a, team_b):
    for team in (team_a, team_b):
        Alert.objects.create(
            force=force, dimension="team", key=str(team.pk), label=team.name,
            text=f"{team.name}: many dissatisfied", run_n=14, run_x=9, expected_share=0.2,
            chance=0.0008, opened_at=timezone.now(),
        )  # fmt: skip
    html = login(bob).get("/live/").content.decode()
    assert "Team B: many dissatisfied" in html
    assert "Team A: many dissatisfied" not in html


def test_a_new_alert_is_sent_to_the_duty_supervisor_by_sms_and_email(force):
    from bluelamp.delivery.models import Message, OutboxMessage
    from bluelamp.delivery.queue import run_due

    force.alert_recipients = "07700 900777\nduty.inspector@police.example\nnot a contact"
    force.save()
    _month(force, rise_from_day=10, days=30, seed=3)
    alerts = Message.objects.filter(purpose="alert")
    opened = Alert.objects.count()
    assert opened >= 1
    assert alerts.count() == 2 * opened  # each alert once to each recipient, never repeated
    sms = alerts.filter(via="sms", body__contains="Team A: ").get()
    assert sms.to == "+447700900777" and "/live/" in sms.body
    assert alerts.filter(via="email", subject="Bluelamp alert: Team A").exists()
    run_due(now=max(m.created_at for m in alerts))
    assert OutboxMessage.objects.filter(to="duty.inspector@police.example").exists()
