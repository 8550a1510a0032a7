"""The supervisor's live view: honest totals, intervals, a cheap poll."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bluelamp.flows.responses import response_submit
from bluelamp.surveys.models import Response
from tests.helpers import answer


@pytest.fixture
def history(force, team_a, team_b):
    now = timezone.now()
    answer(force, "T-1", 7, team="team-a")
    answer(force, "T-2", 1, team="team-a", comment="Nobody came back to me")
    answer(force, "T-3", 6, team="team-b", incident_type="vehicle_crime")
    answer(force, "T-4", 4, team="team-b", now=now - dt.timedelta(days=3))
    answer(force, "T-5", 2, team="team-b", now=now - dt.timedelta(days=20))
    answer(force, "T-6", 7, team="team-b", now=now - dt.timedelta(days=40))  # outside 28 days


def test_board_totals_equal_a_direct_count(login, alice, force, history):
    html = login(alice).get("/live/").content.decode()
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for i, days in enumerate([0, 6, 27]):
        expected = Response.objects.filter(
            force=force, submitted_at__gte=midnight - dt.timedelta(days=days)
        ).count()
        assert f'data-testid="count-{i}">{expected}<' in html
    assert "Nobody came back to me" in html
    assert "95% interval" in html


def test_rates_by_team_carry_count_and_interval(login, alice, history):
    from bluelamp.insights import selectors
    from bluelamp.insights.access import rollups_for_user

    since = selectors.period_starts(timezone.now())["28 days"]
    by_team = {r.label: r for r in selectors.summary_by(rollups_for_user(alice), "team", since)}
    assert by_team["Team A"].responses == 2
    assert by_team["Team A"].satisfied == 1
    assert by_team["Team B"].responses == 3
    assert by_team["Team B"].dissatisfied == 1
    low, high = by_team["Team A"].interval
    assert low < 0.5 < high


def test_board_poll_is_204_when_nothing_changed_and_cheap(login, alice, force, history):
    client = login(alice)
    first = client.get("/live/board")
    assert first.status_code == 200
    version = first.content.decode().split('data-version="')[1].split('"')[0]
    assert client.get(f"/live/board?v={version}").status_code == 204
    answer(force, "T-NEW", 3)
    changed = client.get(f"/live/board?v={version}")
    assert changed.status_code == 200
    assert "T-NEW" in changed.content.decode()  # its recovery case appears


def test_board_query_count_does_not_grow_with_data(login, alice, force, history):
    client = login(alice)
    with CaptureQueriesContext(connection) as small:
        client.get("/live/board")
    for i in range(15):
        answer(force, f"MORE-{i}", (i % 7) + 1, comment="words", team="team-a")
    with CaptureQueriesContext(connection) as large:
        client.get("/live/board")
    assert len(large.captured_queries) == len(small.captured_queries)
    # A fixed set: session, user, counts, alerts, open cases and their state by status,
    # comments by theme (one query over the theme rollups), the 28 days' trend...
    assert len(large.captured_queries) <= 18


def test_rollups_are_counted_with_each_response_and_match_a_rebuild(force, team_a, capsys):
    from django.core.management import CommandError, call_command

    from bluelamp.insights.models import Rollup
    from bluelamp.insights.rollups import ALL_TEAMS
    from tests.helpers import make_contact, send_scheduled

    now = timezone.now()
    waits = [6, None, 400, 6, 45, None]  # seconds to answer, when known
    for i, score in enumerate([7, 6, 1, 2, 4, 5]):
        answer(force, f"RU-{i}", score, team="team-a" if i % 2 else "",
               channel="101" if i < 3 else "999", answer_seconds=waits[i],
               now=now - dt.timedelta(hours=i))  # fmt: skip
    make_contact(force, "RU-SENT")
    assert send_scheduled() == 1
    call_command("rebuild_rollups", check=True)
    assert "Rollups match the raw data." in capsys.readouterr().out
    # Each response is counted once in every dimension; in an answer band when its wait is
    # known (the invitation sent had a 6-second wait on 999); under its team and all teams.
    for dimension in ("incident_type", "call_handler", "channel", "stage", "shift"):
        for teams in (Q(team_key=ALL_TEAMS), Q(team_key__gte=0)):
            rows = Rollup.objects.filter(teams, force=force, dimension=dimension)
            assert (sum(r.responses for r in rows), sum(r.sent for r in rows)) == (6, 1)
    # Summed over days: the answers span six hours, which may cross midnight.
    bands: dict[str, tuple[int, int]] = {}
    for r in Rollup.objects.filter(dimension="answer_band", team_key=ALL_TEAMS):
        responses, sent = bands.get(r.key, (0, 0))
        bands[r.key] = (responses + r.responses, sent + r.sent)
    assert bands == {"101:0": (1, 0), "101:5": (1, 0), "999:0": (1, 1), "999:2": (1, 0)}
    totals = Rollup.objects.filter(force=force, dimension="all", team_key=ALL_TEAMS)
    assert sum(r.responses for r in totals) == 6
    assert sum(r.satisfied for r in totals) == 3
    assert sum(r.dissatisfied for r in totals) == 2
    assert sum(r.score_sum for r in totals) == 25
    assert sum(r.sent for r in totals) == 1
    # A count that drifted is reported, and a rebuild puts it right.
    Rollup.objects.filter(force=force, responses__gt=0).update(responses=F("responses") + 1)
    with pytest.raises(CommandError) as failed:
        call_command("rebuild_rollups", check=True)
    assert failed.value.returncode == 1
    assert "responses stored 2, recomputed 1" in capsys.readouterr().out
    call_command("rebuild_rollups")
    call_command("rebuild_rollups", check=True)


def test_comments_carry_their_themes_and_the_words_behind_them(login, alice, force):
    response = answer(force, "TX-1", 2, comment="Nobody came and I never heard back.")
    codes = {t["code"] for t in response.themes}
    assert {"attendance", "not_informed"} <= codes
    assert response.sentiment is not None
    html = login(alice).get("/live/").content.decode()
    assert "No attendance or late attendance" in html
    assert "Nobody came" in html
    quiet = answer(force, "TX-2", 6)
    assert (quiet.sentiment, quiet.themes) == (None, [])


@pytest.mark.parametrize(
    "by", ["team", "incident_type", "call_handler", "channel", "stage", "shift"]
)
def test_drill_down_totals_equal_a_direct_count(login, alice, force, history, by):
    from bluelamp.insights.drill import period_bounds

    client = login(alice)
    page = client.get(f"/live/drill/?by={by}&days=28")
    assert page.status_code == 200
    rows = client.get(f"/live/drill/?by={by}&days=28&format=csv").content.decode()
    table = [line.split(",") for line in rows.strip().splitlines()[1:]]
    start, before = period_bounds(28, timezone.now())
    now_count = Response.objects.filter(force=force, submitted_at__gte=start).count()
    earlier = Response.objects.filter(force=force, submitted_at__gte=before, submitted_at__lt=start)
    assert sum(int(r[1]) for r in table) == now_count
    assert sum(int(r[7]) for r in table) == earlier.count()
    assert "<svg" in page.content.decode()


def test_drill_down_praise_feed_and_bad_parameters(login, alice, force, team_a):
    answer(force, "PR-1", 7, team="team-a", comment="The call handler was brilliant and kind")
    client = login(alice)
    refused = client.get("/live/drill/?by=nonsense&days=3")
    assert refused.status_code == 400  # unknown choices are named, never silently replaced
    assert "<code>by</code>: should be one of incident_type, team" in refused.content.decode()
    assert "<code>days</code>: should be one of 1, 7, 28, 90" in refused.content.decode()
    page = client.get("/live/drill/").content.decode()
    assert "Satisfaction by team, 28 days" in page
    assert "brilliant and kind" in page


def test_score_distribution_counts_each_answer_once(login, alice, force, history):
    from bluelamp.insights.access import rollups_for_user
    from bluelamp.insights.drill import score_distribution

    counts = score_distribution(rollups_for_user(alice), 28, timezone.now())
    assert sum(counts) == 5  # the sixth answer is 40 days old
    direct = [
        Response.objects.filter(force=force, whole_experience=n,
                                submitted_at__gte=timezone.now() - dt.timedelta(days=27, hours=23))
        .count()
        for n in range(1, 8)
    ]  # fmt: skip
    assert counts == direct
    assert 'aria-label="Scores from 1 to 7' in login(alice).get("/live/drill/").content.decode()


def test_satisfaction_and_alerts_through_the_api(api, other_api, force, history):
    from bluelamp.insights.models import Alert

    rows = api.get("/api/v1/satisfaction?by=team&days=28").json()
    assert sum(r["answered"] for r in rows) == 5
    team_b = next(r for r in rows if r["label"] == "Team B")
    assert team_b["answered"] == 3 and 0 <= team_b["interval"][0] <= team_b["interval"][1] <= 1
    assert api.get("/api/v1/satisfaction?by=colour").status_code == 400
    Alert.objects.create(
        force=force, dimension="team", key="1", label="Team A", text="Team A: 9 of 14",
        run_n=14, run_x=9, expected_share=0.2, chance=0.0008, opened_at=timezone.now(),
    )  # fmt: skip
    assert [a["text"] for a in api.get("/api/v1/alerts").json()] == ["Team A: 9 of 14"]
    assert other_api.get("/api/v1/alerts").json() == []
    assert other_api.get("/api/v1/satisfaction").json() == []


def test_satisfaction_api_names_a_bad_period(api, force):
    r = api.get("/api/v1/satisfaction?days=3")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "days"


def test_force_wide_totals_count_every_team_once(login, alice, dave, force, history):
    """A force-wide user reads the rows counted under all teams: the same totals as a direct
    count, answers with no team included; a team supervisor's leave those out."""
    from bluelamp.insights.drill import period_bounds

    answer(force, "T-NOTEAM", 2, team="")
    start, _ = period_bounds(28, timezone.now())
    direct = Response.objects.filter(force=force, submitted_at__gte=start).count()
    html = login(dave).get("/live/").content.decode()
    assert f'data-testid="count-2">{direct}<' in html
    assert f'data-testid="count-2">{direct - 1}<' in login(alice).get("/live/").content.decode()
    for by in ("team", "incident_type", "call_handler"):
        rows = login(dave).get(f"/live/drill/?by={by}&days=28&format=csv").content.decode()
        assert sum(int(r.split(",")[1]) for r in rows.strip().splitlines()[1:]) == direct, by


def test_weeks_and_days_cover_any_period_exactly_once():
    from hypothesis import given
    from hypothesis import strategies as st

    from bluelamp.insights.drill import days_and_weeks

    @given(st.dates(dt.date(2024, 1, 1), dt.date(2027, 1, 1)), st.integers(0, 200))
    def check(first, length):
        last = first + dt.timedelta(days=length)
        covered = []
        for weekly, lo, hi in days_and_weeks(first, last):
            if weekly:
                assert lo.weekday() == 0 and hi.weekday() == 0
                covered += [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 7)]
            else:
                covered += [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)]
        assert sorted(covered) == [first + dt.timedelta(days=i) for i in range(length + 1)]
        assert len(days_and_weeks(first, last)) <= 3

    check()


def test_long_periods_from_weekly_rows_equal_a_direct_count(force, team_a, team_b):
    """Responses over 200 days; for each day of a week (so that the periods start and end on
    every weekday) and each period, the drill-down's rows, summed from whole weeks and single
    days, equal a count of the responses themselves, unit by unit."""
    import random
    from collections import Counter

    from bluelamp.insights.drill import drill, period_bounds
    from bluelamp.insights.models import Rollup

    rng = random.Random(4)
    end = timezone.now()
    for i in range(160):
        at = end - dt.timedelta(days=rng.uniform(0, 200))
        answer(force, f"W-{i}", rng.randint(1, 7), team=rng.choice(["team-a", "team-b"]),
               call_handler=rng.choice(["CH1", "CH2", "CH3"]), now=at)  # fmt: skip
    assert Rollup.objects.filter(dimension="week:call_handler").exists()
    force_wide = Rollup.objects.filter(force=force, team_key=-1)
    by_team = Rollup.objects.filter(force=force, team_key__gte=0)
    for back in range(7):
        now = end - dt.timedelta(days=back)
        for days in (1, 7, 28, 90):
            start, before = period_bounds(days, now)
            stop = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            stop += dt.timedelta(days=1)
            responses = Response.objects.filter(force=force, whole_experience__isnull=False)
            for by, field in (("call_handler", "call_handler_id"), ("team", "team_id")):
                rows = drill(by_team if by == "team" else force_wide, by, days, now)
                for part, lo, hi in (("now", start, stop), ("before", before, start)):
                    direct = Counter(
                        str(k)
                        for k in responses.filter(
                            submitted_at__gte=lo, submitted_at__lt=hi
                        ).values_list(field, flat=True)
                    )
                    found = {r.key: getattr(r, part).responses for r in rows}
                    assert {k: n for k, n in found.items() if n} == dict(direct), (
                        back, days, by, part)  # fmt: skip


def test_response_rate_is_answered_over_invited_for_the_same_invitations(api, force, team_a):
    """Answers today to invitations sent on other days never push a rate past 100%, and each
    row's key is the team code the force sent."""
    from bluelamp.insights.rollups import rollups_check
    from bluelamp.surveys.models import ContactRuleSet
    from tests.helpers import make_contact, send_scheduled

    # Sent at once, whatever the hour the test runs (no stage delay, no quiet hours).
    ContactRuleSet.objects.create(
        force=force, version=2,
        definition={"frequency_days": 0, "quiet_hours": None,
                    "stages": {"first_contact": {"delay_hours": 0}}},
    )  # fmt: skip
    invitations = [make_contact(force, f"RR-{i}", team="team-a") for i in range(4)]
    assert send_scheduled() == 4
    for invitation in invitations[:3]:
        invitation.refresh_from_db()
        assert invitation.sent_at is not None
        done = response_submit(
            invitation_id=invitation.pk, form={"whole_experience": "6"},
            callback_requested=False, language="en",
            now=timezone.now(),  # after its sending, and today whatever the hour
        )  # fmt: skip
        assert done.response is not None
    # Answered through a link never sent (a handler's test): an answer with no sending.
    answer(force, "RR-9", 7, team="team-a")

    rows = {r["key"]: r for r in api.get("/api/v1/satisfaction?by=team&days=28").json()}
    team = rows["team-a"]
    assert team["label"] == "Team A"
    assert (team["answered"], team["invitations_sent"]) == (4, 4)
    assert team["response_rate"] == 0.75  # 3 of the 4 sent, not 4 answers over 4 sendings
    assert all(r["response_rate"] is None or r["response_rate"] <= 1 for r in rows.values())
    assert rollups_check(force.pk) == []


def test_channels_and_stages_are_named_in_words_and_an_empty_period_says_so(login, alice, force):
    answer(force, "WORDS-1", 6, channel="front_counter")
    client = login(alice)
    by_channel = client.get("/live/drill/?by=channel&days=7").content.decode()
    assert '<th scope="row">Front counter</th>' in by_channel
    assert "front_counter" not in by_channel.split('data-testid="drill"')[1]
    assert "no answers" in by_channel  # the period before had none: said, not a dash "of 0"
    by_stage = client.get("/live/drill/?by=stage&days=7").content.decode()
    assert '<th scope="row">First contact</th>' in by_stage


def test_the_board_draws_the_days_trend_with_its_figures_behind_it(login, alice, force, history):
    page = login(alice).get("/live/").content.decode()
    trend = page.split('id="trend-h"')[1].split("</section>")[0]
    assert '<svg viewBox="0 0 640 160"' in trend and "with its 95% interval" in trend
    rows = re.findall(r'<tr(?: class="small-n")?><th scope="row">([^<]+)</th>', trend)
    assert len(rows) == 28  # a row behind each day of the chart
    today = Response.objects.filter(force=force, submitted_at__date=timezone.localdate())
    answered = today.exclude(whole_experience=None).count()
    last = trend.split(f'<th scope="row">{timezone.localdate():%a %-d %b}</th>')[1]
    assert last.startswith(f'<td class="num">{answered}</td>')


def test_a_chart_of_rates_names_every_unit_and_greys_small_ones():
    from bluelamp.insights.drill import rates_svg
    from bluelamp.insights.selectors import Rate

    svg = rates_svg(
        [
            Rate("up to 10 s", 40, 36, 2),
            Rate("<b>11 to 30 s</b>", 4, 1, 3),
            Rate("over 5 min", 0, 0, 0),
        ],
        "Satisfied share by answer time",
    )
    words = "up to 10 s 90% of 40; &lt;b&gt;11 to 30 s&lt;/b&gt; 25% of 4; over 5 min no answers"
    assert words in svg
    assert svg.count("<circle") == 2  # nothing drawn for a band with no answers
    assert 'fill="#8a9196"' in svg and 'fill="#1d70b8"' in svg  # 4 answers grey, 40 blue
    assert "<b>" not in svg
    assert rates_svg([Rate("x", 0, 0, 0)], "t") == ""
