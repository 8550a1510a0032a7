"""Units against the force: the funnel plot's limits, its overdispersion, teams on their mix,
and the alerts it opens (method ``funnel``) beside the CUSUM's."""

import datetime as dt
import math
import random
from collections import defaultdict

import pytest
from django.utils import timezone

from bluelamp.forces.models import Force, Team
from bluelamp.insights import alerts, funnel
from bluelamp.insights.models import Alert, Rollup
from bluelamp.insights.rollups import ALL_TEAMS
from bluelamp.insights.services import funnel_alerts_update, funnel_pictures

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def test_the_limits_are_the_binomial_quantiles_between_counts():
    n, p = 200, 0.1
    # Brute force: the smallest count whose cumulative probability reaches the quantile.
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    cdf = [sum(pmf[: k + 1]) for k in range(n + 1)]
    r = next(k for k, c in enumerate(cdf) if c >= 0.999)
    upper = funnel.binomial_limit(0.999, n, p)
    assert (r - 1) / n <= upper <= r / n
    # Narrower as units grow, around the force's share.
    widths = [funnel.binomial_limit(0.999, size, p) - p for size in (50, 200, 1000, 5000)]
    assert widths == sorted(widths, reverse=True)
    assert funnel.binomial_limit(0.001, 5000, p) < p < funnel.binomial_limit(0.999, 5000, p)
    assert funnel.upper_tail(30, 200, 0.1) == pytest.approx(alerts.binomial_tail(30, 200, 0.1))


def _units(shares: list[float], n: int, p: float, rng: random.Random) -> list[funnel.Unit]:
    return [
        funnel.Unit(str(i), n, sum(rng.random() < s for _ in range(n)), n * p)
        for i, s in enumerate(shares)
    ]


def test_overdispersion_is_measured_and_one_unit_apart_does_not_hide_itself():
    rng = random.Random(3)
    # Twelve units of one true share: no more spread than chance, no widening.
    same = funnel.dispersion(_units([0.1] * 12, 400, 0.1, rng))
    assert same.tau2 == 0
    # Units that really differ (7% to 13%): the limits widen.
    spread = funnel.dispersion(_units([0.07 + 0.005 * i for i in range(13)], 2000, 0.1, rng))
    assert spread.phi > 1 and spread.tau2 > 0
    # Eleven alike and one at three times their share: the one is still outside.
    units = _units([0.1] * 11 + [0.3], 400, 0.1, rng)
    verdicts, _ = funnel.judge(units)
    outside = [v.unit.key for v in verdicts if v.outside]
    assert outside == ["11"]


def test_ten_teams_of_equal_rates_rarely_raise_a_false_alarm_in_a_month():
    """Many simulated months (bench/funnel.py measures more): ten teams of one true share,
    each judged every day on its last 28 days against the force's observed share."""
    rng = random.Random(11)
    months, alarms = 40, 0
    for _ in range(months):
        daily = [
            [sum(rng.random() < 0.12 for _ in range(30)) for _ in range(10)] for _ in range(56)
        ]
        raised = False
        for day in range(28, 56):
            counts = [sum(daily[d][t] for d in range(day - 27, day + 1)) for t in range(10)]
            share = sum(counts) / (30 * 28 * 10)
            units = [funnel.Unit(str(t), 30 * 28, x, 30 * 28 * share) for t, x in enumerate(counts)]
            verdicts, _ = funnel.judge(units)
            raised |= any(v.outside for v in verdicts)
        alarms += raised
    assert alarms <= 4  # about one month in 20 with any alarm among ten teams (benchmarks.md)


class Rollups:
    """Rollup rows for a force, added up per day and key as the real ones are, each answer
    counted under its team and under all teams, in the ``all`` and ``incident_type`` rows."""

    def __init__(self, force: Force) -> None:
        self.force = force
        self.counts: dict[tuple[dt.date, int, str, str], list[int]] = defaultdict(lambda: [0, 0])

    def add(self, day: dt.date, team: Team, incident: str, n: int, x: int) -> None:
        for team_key in (team.pk, ALL_TEAMS):
            for dimension, key in (("all", ""), ("incident_type", incident), ("channel", "999")):
                row = self.counts[(day, team_key, dimension, key)]
                row[0] += n
                row[1] += x

    def save(self) -> None:
        Rollup.objects.bulk_create(
            Rollup(force=self.force, day=day, team_key=team_key, dimension=dimension, key=key,
                   responses=n, answered=n, satisfied=n - x, dissatisfied=x, updated_at=NOW)
            for (day, team_key, dimension, key), (n, x) in self.counts.items()
        )  # fmt: skip


def _teams(force: Force, codes: list[str]) -> list[Team]:
    return [Team.objects.create(force=force, code=c, name=f"{c.title()} team") for c in codes]


@pytest.mark.django_db
def test_a_team_poor_all_along_is_an_alert_against_the_force_once_until_it_clears(force, api):
    alpha, bravo, charlie, delta = _teams(force, ["alpha", "bravo", "charlie", "delta"])
    today = timezone.localtime(NOW).date()
    rows = Rollups(force)
    for back in range(28):
        for team in (alpha, bravo, delta):
            rows.add(today - dt.timedelta(days=back), team, "burglary_residential", 20, 2)
        # Charlie has been at 30% dissatisfied for the whole month: its own past is no guide.
        rows.add(today - dt.timedelta(days=back), charlie, "burglary_residential", 20, 6)
    rows.save()

    opened = funnel_alerts_update(force_id=force.pk, now=NOW)
    assert [(a.dimension, a.key) for a in opened] == [("team", str(charlie.pk))]
    alert = opened[0]
    assert alert.method == "funnel"
    assert (alert.run_n, alert.run_x) == (560, 168)  # counted directly: 28 days of 20 and 6
    assert alert.text.startswith(
        "Charlie team: 392 of 560 satisfied in the last 28 days (70%), against 85% for the "
        "force on the same mix of incidents; below the force's 99.8% limit of "
    )
    assert "Chance alone would do this less than once in 1,000,000 times." in alert.text
    # One per cause: judged again, nothing new.
    assert funnel_alerts_update(force_id=force.pk, now=NOW) == []

    listed = api.get("/api/v1/alerts?status=open").json()
    assert [(a["method"], a["dimension"], a["unit"]) for a in listed] == [
        ("funnel", "team", "charlie")
    ]
    assert listed[0]["force_share"] == pytest.approx(168 / 560 / 4 + 0.1 * 3 / 4)

    # Charlie recovers: a month like the others' and the alert clears.
    Rollup.objects.filter(force=force).delete()
    rows = Rollups(force)
    for back in range(28):
        for team in (alpha, bravo, charlie, delta):
            rows.add(today - dt.timedelta(days=back), team, "burglary_residential", 20, 2)
    rows.save()
    assert funnel_alerts_update(force_id=force.pk, now=NOW) == []
    alert.refresh_from_db()
    assert alert.cleared_at == NOW


@pytest.mark.django_db
def test_a_team_sent_more_of_a_harder_incident_type_is_judged_on_its_mix(force):
    """Burglary victims are not satisfied about a quarter of the time across the force and
    others 5%. A team that takes mostly burglaries has a high crude share but does as the force
    does on that mix."""
    teams = _teams(force, ["alpha", "bravo", "charlie", "delta"])
    busy = teams[0]
    today = timezone.localtime(NOW).date()
    rows = Rollups(force)
    for back in range(28):
        day = today - dt.timedelta(days=back)
        rows.add(day, busy, "burglary_residential", 20, 6)
        rows.add(day, busy, "asb", 2, 0)
        for team in teams[1:]:
            rows.add(day, team, "burglary_residential", 2, 1 if back % 5 == 0 else 0)
            rows.add(day, team, "asb", 20, 1)
    rows.save()
    (picture,) = funnel_pictures(force_id=force.pk, now=NOW, dimensions=("team",))
    by_key = {v.unit.key: v for v in picture.verdicts}
    team = by_key[str(busy.pk)]
    assert team.unit.share > 0.25 > picture.force_share  # far above the force's crude share
    assert not team.outside  # but what the force achieves on that mix
    # Crudely compared, it would have been an alert.
    crude = funnel.binomial_limit(0.999, team.unit.answers, picture.force_share)
    assert team.unit.share > crude
    opened = funnel_alerts_update(force_id=force.pk, now=NOW)
    assert [a for a in opened if a.dimension == "team"] == []
    # The incident type itself is what stands out against the force.
    assert [(a.dimension, a.key) for a in opened] == [("incident_type", "burglary_residential")]


@pytest.mark.django_db
def test_a_simulated_month_of_ten_equal_teams_through_the_rollups_raises_no_alert(force):
    teams = _teams(force, [f"team-{i}" for i in range(10)])
    rng = random.Random(5)
    start = timezone.localtime(NOW).date()
    rows = Rollups(force)
    for back in range(56):
        for team in teams:
            rows.add(start - dt.timedelta(days=back), team, "burglary_residential", 30,
                     sum(rng.random() < 0.12 for _ in range(30)))  # fmt: skip
    rows.save()
    opened = []
    for day in range(28):
        opened += funnel_alerts_update(force_id=force.pk, now=NOW - dt.timedelta(days=day))
    assert opened == []
    assert not Alert.objects.filter(force=force).exists()


@pytest.mark.slow(reason="about 35 s: seeds the whole demonstration force (2,400 contacts)")
@pytest.mark.django_db
def test_the_demo_flags_charlie_team_against_the_force(tmp_path, client):
    from bluelamp.ops import demo

    seeded = demo.demo_seed(data_dir=tmp_path)
    listed = client.get(
        "/api/v1/alerts?status=open", headers={"authorization": f"Bearer {seeded.token}"}
    ).json()
    funnel_alerts = [a for a in listed if a["method"] == "funnel"]
    (charlie,) = [a for a in funnel_alerts if a["dimension"] == "team"]
    assert charlie["unit"] == "charlie"
    assert charlie["text"].startswith("Charlie team: ")
    assert "satisfied in the last 28 days" in charlie["text"]


@pytest.mark.django_db
def test_the_drill_down_draws_the_funnel_with_its_table_and_only_the_readers_units(force, login):
    from tests.conftest import make_user

    alpha, bravo, charlie, delta = _teams(force, ["alpha", "bravo", "charlie", "delta"])
    today = timezone.localdate()
    rows = Rollups(force)
    for back in range(28):
        for team in (alpha, bravo, delta):
            rows.add(today - dt.timedelta(days=back), team, "burglary_residential", 20, 2)
        rows.add(today - dt.timedelta(days=back), charlie, "burglary_residential", 20, 6)
    rows.save()

    admin = make_user(force, "admin-wide", "administrator")
    page = login(admin).get("/live/drill/?by=team&days=28").content.decode()
    assert 'aria-label="Funnel plot:' in page
    assert page.count('fill="#b10e1e"') == 1  # one red dot: Charlie, below the limit
    table = page[page.index('data-testid="funnel"') :]
    body = table[table.index("<tbody>") :]
    first = body[: body.index("</tr>")]
    assert "Charlie team" in first and "below the limit" in first and "70%" in first
    assert table.count("within the limits") == 3

    # A supervisor of Alpha team alone sees Alpha's dot and row, judged against the force.
    scoped = make_user(force, "alpha-sup", "supervisor", [alpha])
    page = login(scoped).get("/live/drill/?by=team&days=28").content.decode()
    table = page[page.index('data-testid="funnel"') :]
    assert "Alpha team" in table and "Charlie team" not in table
    assert page.count("<circle") == page.count("<circle", 0, page.index("funnel-h")) + 1
