import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from bluelamp.forces.access import (
    alerts_for_user,
    open_cases_for_live_view,
    responses_for_user,
    rollups_for_user,
)
from bluelamp.forces.models import User
from bluelamp.insights import drill, selectors
from bluelamp.insights.models import Rollup
from bluelamp.insights.rollups import ALL_TEAMS
from bluelamp.lib.downloads import csv_download
from bluelamp.lib.params import QueryCheck
from bluelamp.recovery.models import RecoveryCase
from bluelamp.staffing import planning

# Rates from fewer answers than this are greyed and never ranked.
MIN_RESPONSES = 10


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _staffing(
    user: User, rollups: QuerySet[Rollup], now: dt.datetime, since: dt.datetime
) -> list[dict[str, Any]]:
    """Per queue: the plan for the next hours, and what waiting has cost in satisfaction."""
    assert user.force is not None
    queues = []
    for plan in planning.force_plans(user.force, now):
        bands = selectors.summary_by_answer_time(rollups, plan.queue.code, since)
        counts = [(b.responses, b.satisfied) for b in bands]
        offered, abandoned = planning.abandonment(plan.queue, since)
        queues.append(
            {
                "plan": plan,
                "hours": planning.hourly(plan),
                "advice": [
                    (
                        a.text,
                        planning.satisfaction_effect(a.block, counts)
                        if a.block is not None and a.block.kind == "short"
                        else "",
                    )
                    for a in plan.advice
                ],
                "bands": bands,
                "has_responses": any(n for n, _ in counts),
                "offered": offered,
                "abandoned": abandoned,
                "abandoned_share": abandoned / offered if offered else None,
            }
        )
    return queues


def _rollups(user: User) -> tuple[QuerySet[Rollup], QuerySet[Rollup]]:
    """The user's rollups that add up to their totals (for a force-wide user, those counted
    under all teams; for a team-scoped one, their teams'), and those of each team."""
    rollups = rollups_for_user(user)
    totals = rollups if user.is_team_scoped else rollups.filter(team_key=ALL_TEAMS)
    return totals, rollups.filter(team_key__gte=0)


def _board_context(user: User, version: str | None = None) -> dict[str, Any]:
    now = timezone.now()
    rollups, teams = _rollups(user)
    cases = open_cases_for_live_view(user)
    since = selectors.period_starts(now)["28 days"]
    return {
        "staffing": _staffing(user, rollups, now, since),
        "alerts": list(
            alerts_for_user(user)
            .filter(Q(cleared_at=None) | Q(cleared_at__gte=now - dt.timedelta(hours=24)))
            .order_by(F("cleared_at").desc(nulls_first=True), "-opened_at")[:20]
        ),
        "now": now,
        "periods": selectors.summary_by_period(rollups, now),
        "by_type": selectors.summary_by(rollups, "incident_type", since),
        "by_team": selectors.summary_by(teams, "team", since),
        "comments": selectors.latest_comments(responses_for_user(user)),
        "cases": selectors.open_cases(cases),
        "version": version or _version(user, rollups, cases),
        "poll_seconds": settings.LIVE_POLL_SECONDS,
    }


def _version(user: User, rollups: QuerySet[Rollup], cases: QuerySet[RecoveryCase]) -> str:
    assert user.force is not None
    staffing = planning.staffing_version(user.force)
    return f"{selectors.board_version(rollups, cases)}-{staffing}"


@login_required
def live(request: HttpRequest) -> HttpResponse:
    """The supervisor's live view: satisfaction now, by incident type and team, open cases."""
    user = _user(request)
    return render(request, "insights/live.html", {**_board_context(user), "user": user})


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The board alone, for polling: 204 (nothing to swap) when nothing has changed."""
    user = _user(request)
    rollups, _ = _rollups(user)
    cases = open_cases_for_live_view(user)
    version = _version(user, rollups, cases)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(request, "insights/_board.html", _board_context(user, version))


@login_required
def drill_down(request: HttpRequest) -> HttpResponse:
    """Satisfaction by one dimension over a period against the one before, a daily trend and
    the praise feed; ``?format=csv`` gives the table as CSV."""
    user = _user(request)
    rollups, teams = _rollups(user)
    query = QueryCheck(request.GET)
    by = query.choice("by", drill.DIMENSIONS, default="team")
    days = query.number("days", drill.PERIODS, default=28)
    as_csv = query.choice("format", ["html", "csv"], default="html") == "csv"
    query.done()
    now = timezone.now()
    rows = drill.drill(teams if by == "team" else rollups, by, days, now)
    if as_csv:
        return csv_download(
            f"satisfaction-by-{by}-{days}d.csv",
            [drill.DIMENSIONS[by].lower().replace(" ", "_"), "answered", "satisfied",
             "dissatisfied", "satisfied_share", "interval_low", "interval_high",
             "previous_answered", "previous_satisfied_share", "invitations_sent", "mean_score"],
            (
                [r.now.label, r.now.responses, r.now.satisfied, r.now.dissatisfied,
                 _share(r.now.rate), f"{r.now.interval[0]:.4f}", f"{r.now.interval[1]:.4f}",
                 r.before.responses, _share(r.before.rate), r.sent, _share(r.mean_score)]
                for r in rows
            ),
        )  # fmt: skip
    since, _ = drill.period_bounds(days, now)
    praise = selectors.praise_feed(responses_for_user(user), since)
    points = drill.trend(rollups, days, now)
    return render(
        request,
        "insights/drill.html",
        {
            "rows": rows,
            "by": by,
            "days": days,
            "dimensions": drill.DIMENSIONS,
            "periods": drill.PERIODS,
            "trend_svg": mark_safe(drill.trend_svg(points)),  # noqa: S308 (built from numbers)
            "scores_svg": mark_safe(  # noqa: S308 (built from numbers)
                drill.distribution_svg(drill.score_distribution(rollups, days, now))
            ),
            "points": points,
            "praise": praise,
            "min_n": MIN_RESPONSES,
        },
    )


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"
