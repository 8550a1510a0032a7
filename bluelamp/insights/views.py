import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from bluelamp.forces.access import OUTBOX_ROLES, THEME_CORRECT_ROLES, require_role
from bluelamp.forces.models import User
from bluelamp.insights import drill, selectors, services, theme_model, themes
from bluelamp.insights.access import alerts_for_user, rollups_for_user, theme_model_for_user
from bluelamp.insights.models import Rollup
from bluelamp.insights.rollups import ALL_TEAMS
from bluelamp.insights.text import THEMES
from bluelamp.lib.downloads import csv_download
from bluelamp.lib.params import BadQuery, QueryCheck
from bluelamp.recovery.access import open_cases_for_live_view
from bluelamp.recovery.models import RecoveryCase
from bluelamp.staffing import planning
from bluelamp.surveys.access import access_response_for_theme_correction, responses_for_user

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
                "bands_svg": mark_safe(  # noqa: S308 (numbers, and labels escaped)
                    drill.rates_svg(
                        bands, f"Satisfied share by answer time, {plan.queue.code}, last 28 days"
                    )
                ),
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


def _trend(rollups: QuerySet[Rollup], days: int, now: dt.datetime) -> dict[str, Any]:
    """The daily trend as a chart, and its figures for the table behind it."""
    points = drill.trend(rollups, days, now)
    return {
        "trend_svg": mark_safe(drill.trend_svg(points)),  # noqa: S308 (built from numbers)
        "trend_rows": mark_safe(drill.trend_rows_html(points)),  # noqa: S308 (numbers, dates)
    }


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
        **_trend(rollups, 28, now),
        "by_type": selectors.summary_by(rollups, "incident_type", since),
        "by_team": selectors.summary_by(teams, "team", since),
        "comments": selectors.latest_comments(responses_for_user(user)),
        "theme_counts": selectors.theme_counts(rollups, now),
        "theme_choices": themes.CORRECTABLE,
        "may_correct": user.role in THEME_CORRECT_ROLES,
        "back": "/live/",
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


def _poll(
    request: HttpRequest,
    template: str,
    context: Callable[[User, str], dict[str, Any]],
    signed_out: dict[str, Any],
) -> HttpResponse:
    """A board's poll: 204 (nothing to swap) when nothing has changed. Once the session has
    ended it answers a "signed out" notice that stops the polling, never the sign-in page,
    which the board would otherwise show inside itself."""
    if not request.user.is_authenticated:
        return render(request, "insights/_signed_out.html", signed_out)
    user = _user(request)
    rollups, _ = _rollups(user)
    version = _version(user, rollups, open_cases_for_live_view(user))
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(request, template, context(user, version))


def board(request: HttpRequest) -> HttpResponse:
    """The live view's board alone, for polling."""
    return _poll(request, "insights/_board.html", _board_context, {"next": "/live/"})


def _funnel(
    user: User, by: str, rows: list[drill.Row], now: dt.datetime
) -> tuple[list[drill.FunnelPoint], str]:
    """The funnel plot of the dimension over the last ``FUNNEL_DAYS`` days, judged against
    the whole force but showing only the units the user sees (those of the drill-down)."""
    assert user.force is not None
    if by not in services.FUNNEL_DIMENSIONS:
        return [], ""
    pictures = services.funnel_pictures(force_id=user.force.pk, now=now, dimensions=(by,))
    if not pictures:
        return [], ""
    picture = pictures[0]
    labels = {r.key: r.now.label for r in rows}
    found = drill.funnel_points(picture.verdicts, picture.force_share, labels)
    return found, drill.funnel_svg(found, picture.force_share, picture.spread)


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
    funnel_points, funnel_svg = _funnel(user, by, rows, now)
    return render(
        request,
        "insights/drill.html",
        {
            "rows": rows,
            "by": by,
            "days": days,
            "dimensions": drill.DIMENSIONS,
            "periods": drill.PERIODS,
            **_trend(rollups, days, now),
            "scores_svg": mark_safe(  # noqa: S308 (built from numbers)
                drill.distribution_svg(drill.score_distribution(rollups, days, now))
            ),
            "funnel_rows": mark_safe(  # noqa: S308 (numbers, and labels escaped)
                drill.funnel_rows_html(funnel_points)
            ),
            "funnel_svg": mark_safe(funnel_svg),  # noqa: S308 (numbers, and labels escaped)
            "funnel_days": services.FUNNEL_DAYS,
            "funnel_dimension": by in services.FUNNEL_DIMENSIONS,
            "praise": praise,
            "min_n": MIN_RESPONSES,
        },
    )


@require_POST
@login_required
def theme_correct(request: HttpRequest, response_id: int) -> HttpResponse:
    """One click of a supervisor reading a comment's themes: "not about this" removes a
    theme, "add" puts the comment under one it was missed from. Back to the page it came
    from (``next``, a path of this site), which shows the corrected themes and counts."""
    user = _user(request)
    code = request.POST.get("code", "")
    change = request.POST.get("change", "")
    errors = {}
    if code not in themes.CORRECTABLE:
        errors["code"] = f"one of {', '.join(themes.CORRECTABLE)}"
    if change not in ("add", "remove"):
        errors["change"] = "add or remove"
    back = request.POST.get("next", "")
    if back and not (
        back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None)
    ):
        errors["next"] = "a path of this site"
    if errors:
        raise BadQuery(errors)
    with transaction.atomic():
        response = access_response_for_theme_correction(user, response_id)
        try:
            themes.theme_correct(
                response=response, code=code, added=change == "add", user=user, now=timezone.now()
            )
        except themes.ThemeError as e:
            raise BadQuery({"code": str(e)}) from None
    label = THEMES[code].lower()
    messages.success(
        request, f"Now under {label}." if change == "add" else f"No longer under {label}."
    )
    return redirect(back or "live")


@login_required
def theme_model_page(request: HttpRequest) -> HttpResponse:
    """The administrator's view of the force's theme model: for each theme the
    cross-validated F1 of the model and of the lexicon on the corrected comments, and which
    the analysis uses."""
    user = _user(request)
    require_role(user, OUTBOX_ROLES)
    model = theme_model_for_user(user)
    corrected = selectors.corrected_comments(user)
    rows = []
    if model is not None:
        rows = [
            {"code": code, "label": THEMES[code], **model.figures[code]} for code in model.figures
        ]
    return render(
        request,
        "insights/theme_model.html",
        {
            "model": model,
            "rows": rows,
            "corrected": corrected,
            "needed": settings.THEME_MODEL_MIN_CORRECTIONS,
            "folds": theme_model.FOLDS,
        },
    )


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


# The wall board shows this many of each list; the rest are counted ("and 4 more").
WALL_ALERTS = 4
WALL_CASES = 6
WALL_TEAMS = 8
WALL_HOURS = 3


def _wall_context(user: User, version: str | None = None) -> dict[str, Any]:
    """One screen for a control room: today's and the shift's satisfaction, units outside
    their limits first, the open cases nearest their deadline, the next hours' staffing gap
    and today's answer times."""
    assert user.force is not None
    now = timezone.now()
    rollups, teams = _rollups(user)
    cases = open_cases_for_live_view(user)
    since = selectors.period_starts(now)["28 days"]
    shift_label, shift_from = selectors.shift_start(now)
    today = selectors.summary_by_period(rollups, now)[0]
    alerts = list(alerts_for_user(user).filter(cleared_at=None).order_by("-opened_at"))
    flagged = {a.label for a in alerts if a.dimension == "team"}
    team_rates = sorted(
        selectors.summary_by(teams, "team", since),
        key=lambda r: (r.label not in flagged, -r.responses, r.label),
    )
    open_cases = selectors.open_cases(cases, limit=WALL_CASES)
    case_count = cases.exclude(status=RecoveryCase.Status.CLOSED).count()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    staffing = [
        {"plan": plan, "hours": planning.hourly(plan)[:WALL_HOURS]}
        for plan in planning.force_plans(user.force, now)
    ]
    return {
        "now": now,
        "today": today,
        "shift": selectors.summary_since(responses_for_user(user), shift_label, shift_from),
        "alerts": alerts[:WALL_ALERTS],
        "alerts_more": max(0, len(alerts) - WALL_ALERTS),
        "teams": [(r, r.label in flagged) for r in team_rates[:WALL_TEAMS]],
        "teams_more": max(0, len(team_rates) - WALL_TEAMS),
        "cases": open_cases,
        "cases_more": max(0, case_count - len(open_cases)),
        "staffing": staffing,
        "answer_times": planning.answer_times(user.force.pk, midnight),
        "version": version or _version(user, rollups, cases),
        "poll_seconds": settings.LIVE_POLL_SECONDS,
    }


@login_required
def wall(request: HttpRequest) -> HttpResponse:
    """The wall board: one 1920x1080 screen, read from across the room."""
    user = _user(request)
    return render(request, "insights/wall.html", {**_wall_context(user), "user": user})


def wall_board(request: HttpRequest) -> HttpResponse:
    """The wall board's body, for polling."""
    return _poll(
        request, "insights/_wall.html", _wall_context, {"next": "/live/wall/", "wall": True}
    )
