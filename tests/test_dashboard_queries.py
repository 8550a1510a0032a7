"""The live view's pages make a fixed number of queries, whatever the data: a later N+1 (a
query per comment, case, team or row) fails here.

Each page is asked with the caches cleared (the staffing plan and the API token are cached
per process), so the count is the same on every run and on both databases.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from bluelamp.forces.api_auth import token_cache_clear
from bluelamp.forces.models import Force, StaffMember, Team, User
from bluelamp.insights.drill import DIMENSIONS, PERIODS
from bluelamp.insights.models import Alert
from tests.helpers import answer, roster_ahead, steady_history

# Every page and its queries; signed-in pages start with session, user and the user's force.
# The board: the queues, the plan for each (its two stamps and three reads, cold), answer
# bands, abandonment, alerts, periods, the 28 days' trend, types and their names, teams and
# their names, latest comments, comments by theme, open cases, and the version (staffing
# figures, roster, rollups, cases).
# Open cases and their state are one query each, along the partial index of cases not closed.
BOARD = 25
BOARD_UNCHANGED = 7  # the version only
DRILL = 8  # rows, praise (its themes, then the praise), trend, score distribution (and labels)
DRILL_CSV = 4  # rows (and their labels)
API_SATISFACTION = 2  # the token, rows (and their labels)
API_ALERTS = 2  # the token, alerts
# Units named in another table: one query for the names of all the rows (channels, stages
# and shifts are named without one).
LABELLED = {"team": 1, "call_handler": 1, "incident_type": 1}
# The units set against the force (the funnel plot): one grouped query of the rollups.
FUNNEL = {"team": 1, "call_handler": 1, "incident_type": 1, "channel": 1}


@pytest.fixture
def busy(force: Force, team_a: Team, team_b: Team) -> None:
    """Answers across teams, call handlers, types, channels and days, with comments (many
    of them praise), open cases, an alert and a queue with its staffing figures."""
    StaffMember.objects.create(force=force, number="CH101", name="Ann", team=team_a)
    StaffMember.objects.create(force=force, number="CH102", name="Bea", team=team_b)
    now = timezone.now()
    types = ["burglary_residential", "vehicle_crime", "theft_other", "criminal_damage"]
    for i in range(24):
        answer(
            force, f"Q-{i}", (i % 7) + 1, team="team-a" if i % 2 else "team-b",
            call_handler="CH101" if i % 3 else "CH102", incident_type=types[i % len(types)],
            channel="101" if i % 4 else "999", answer_seconds=5 + 40 * i,
            comment=f"Thank you, the call handler was kind ({i})" if i % 3 else "",
            now=now - dt.timedelta(days=i % 40, hours=i % 5),
        )  # fmt: skip
    answer(force, "Q-TODAY", 7, team="team-a", comment="Thank you, the call handler was kind")
    for i in range(3):
        Alert.objects.create(
            force=force, dimension="team", key=str(team_a.pk), label="Team A",
            text=f"Team A: {i} of 14", run_n=14, run_x=9, expected_share=0.2, chance=0.001,
            opened_at=now - dt.timedelta(hours=i),
        )  # fmt: skip
    roster_ahead(steady_history(force, "101", days=7), handlers=4)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _count(django_assert_num_queries, client: Client, path: str, queries: int, status: int = 200):  # type: ignore[no-untyped-def]
    cache.clear()
    token_cache_clear()
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == status, path
    return response


@pytest.mark.parametrize("who", ["alice", "dave"])  # a team supervisor, a force-wide admin
def test_board_and_poll(django_assert_num_queries, busy, request, who):  # type: ignore[no-untyped-def]
    client = _client(request.getfixturevalue(who))
    page = _count(django_assert_num_queries, client, "/live/", BOARD).content.decode()
    assert page.count("<blockquote>") == 8  # the latest comments, each with its team
    assert "Open recovery cases" in page
    board = _count(django_assert_num_queries, client, "/live/board", BOARD)
    version = board.content.decode().split('data-version="')[1].split('"')[0]
    _count(django_assert_num_queries, client, f"/live/board?v={version}", BOARD_UNCHANGED, 204)


@pytest.mark.parametrize("by", list(DIMENSIONS))
def test_drill_down_and_csv(django_assert_num_queries, busy, alice, by):  # type: ignore[no-untyped-def]
    client = _client(alice)
    for days in PERIODS:
        page = _count(
            django_assert_num_queries,
            client,
            f"/live/drill/?by={by}&days={days}",
            DRILL + LABELLED.get(by, 0) + FUNNEL.get(by, 0),
        )
        assert "<svg" in page.content.decode()
        csv = _count(
            django_assert_num_queries, client, f"/live/drill/?by={by}&days={days}&format=csv",
            DRILL_CSV + LABELLED.get(by, 0),
        )  # fmt: skip
        assert csv.content.decode().count("\n") >= 2  # a header and at least one unit


@pytest.mark.parametrize("by", list(DIMENSIONS))
def test_api_satisfaction_and_alerts(django_assert_num_queries, busy, api, by):  # type: ignore[no-untyped-def]
    api.get("/api/v1/alerts")  # the token's first use is written down (once in 5 minutes)
    for days in PERIODS:
        rows = _count(
            django_assert_num_queries, api, f"/api/v1/satisfaction?by={by}&days={days}",
            API_SATISFACTION + LABELLED.get(by, 0),
        ).json()  # fmt: skip
        assert rows
    assert len(_count(django_assert_num_queries, api, "/api/v1/alerts", API_ALERTS).json()) == 3
    _count(django_assert_num_queries, api, "/api/v1/alerts?status=all", API_ALERTS)
