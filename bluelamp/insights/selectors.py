"""What the supervisor's live view reads: satisfaction by period, incident type and team.

Every count comes from the rollups (``Rollup``, one row per local day, team and unit of one
dimension), so each query reads a few hundred rows a day whatever the number of responses;
only the latest comments read responses, the newest few by index.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from bluelamp.forces.models import StaffMember, Team, User
from bluelamp.insights.models import Alert, Rollup, ThemeCorrection
from bluelamp.insights.rollups import SHIFTS, THEME, local_day
from bluelamp.insights.text import THEMES
from bluelamp.lib.stats import wilson_interval
from bluelamp.recovery.models import RecoveryCase
from bluelamp.staffing.planning import BAND_LABELS
from bluelamp.surveys.models import IncidentType, Response


@dataclass(frozen=True)
class Rate:
    """Satisfied share of responses that answered the whole-experience question."""

    label: str
    responses: int
    satisfied: int
    dissatisfied: int

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.responses if self.responses else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.satisfied, self.responses)

    @property
    def percent(self) -> str:
        return "–" if self.rate is None else f"{self.rate:.0%}"

    @property
    def bar(self) -> tuple[int, int]:
        """Left edge and width, in percent, of the interval drawn as a bar."""
        low, high = self.interval
        return round(low * 100), max(1, round((high - low) * 100))

    @property
    def interval_text(self) -> str:
        if not self.responses:
            return "no responses"
        low, high = self.interval
        return f"{low:.0%} to {high:.0%}"


def period_starts(now: dt.datetime) -> dict[str, dt.datetime]:
    """Today (from local midnight), the last 7 days and the last 28 days."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "today": midnight,
        "7 days": midnight - dt.timedelta(days=6),
        "28 days": midnight - dt.timedelta(days=27),
    }


def summary_by_period(rollups: QuerySet[Rollup], now: dt.datetime) -> list[Rate]:
    """One query over the rollups: counts for each period side by side."""
    starts = period_starts(now)
    aggregates = {}
    for i, start in enumerate(starts.values()):
        window = Q(day__gte=local_day(start))
        aggregates[f"n{i}"] = Sum("answered", filter=window, default=0)
        aggregates[f"s{i}"] = Sum("satisfied", filter=window, default=0)
        aggregates[f"d{i}"] = Sum("dissatisfied", filter=window, default=0)
    first = local_day(min(starts.values()))
    row = rollups.filter(dimension="all", day__gte=first).aggregate(**aggregates)
    return [Rate(label, row[f"n{i}"], row[f"s{i}"], row[f"d{i}"]) for i, label in enumerate(starts)]


def summary_by(rollups: QuerySet[Rollup], dimension: str, since: dt.datetime) -> list[Rate]:
    """Rates grouped by ``incident_type`` or ``team``, most responses first (one query, and
    one more for the names)."""
    field = {"incident_type": "key", "team": "team_key"}[dimension]
    stored = "all" if dimension == "team" else dimension
    rows = (
        rollups.filter(dimension=stored, day__gte=local_day(since))
        .values(field)
        .annotate(
            n=Sum("answered", default=0),
            sat=Sum("satisfied", default=0),
            dis=Sum("dissatisfied", default=0),
        )
        .values_list(field, "n", "sat", "dis")
    )
    found = [row for row in rows if row[1]]
    keys = [row[0] for row in found]
    names: dict[object, str] = dict(
        Team.objects.filter(pk__in=keys).values_list("pk", "name")
        if dimension == "team"
        else IncidentType.objects.filter(pk__in=keys).values_list("pk", "name")
    )
    rates = [Rate(names.get(k) or "(none)", n, sat, dis) for k, n, sat, dis in found]
    return sorted(rates, key=lambda r: (-r.responses, r.label))


@dataclass(frozen=True)
class ThemeCount:
    code: str
    label: str
    counts: list[int]  # today, last 7 days, last 28 days


def theme_counts(rollups: QuerySet[Rollup], now: dt.datetime) -> list[ThemeCount]:
    """Comments under each theme today, in 7 days and in 28 days, with every correction
    made: one query over the ``theme`` rollup rows (one a theme, day and team)."""
    from_day = {label: local_day(start) for label, start in period_starts(now).items()}
    names = [f"n{i}" for i in range(len(from_day))]
    rows = (
        rollups.filter(dimension=THEME, day__gte=min(from_day.values()))
        .values("key")
        .annotate(
            **{
                f"n{i}": Sum("responses", filter=Q(day__gte=day), default=0)
                for i, day in enumerate(from_day.values())
            }
        )
    )
    found = {str(row[0]): list(row[1:]) for row in rows.values_list("key", *names)}
    return [
        ThemeCount(code, label, found.get(code, [0] * len(from_day)))
        for code, label in THEMES.items()
        if code != "other"
    ]


def corrected_comments(user: User) -> int:
    """How many of the force's comments a supervisor has corrected (the model's labelled set)."""
    return (
        ThemeCorrection.objects.filter(force=user.force, response__comment__gt="")
        .values("response_id")
        .distinct()
        .count()
    )


def latest_comments(responses: QuerySet[Response], limit: int = 8) -> list[Response]:
    """The newest responses with a comment: read backwards along the (force, submitted_at)
    index until ``limit`` are found, so the cost depends on how many recent responses carry
    no comment, not on how many there are."""
    return list(
        responses.exclude(comment="")
        .select_related("incident_type", "team")
        .order_by("-submitted_at")[:limit]
    )


def praise_feed(
    responses: QuerySet[Response], since: dt.datetime, limit: int = 20, scan: int = 200
) -> list[Response]:
    """The newest satisfied comments whose themes include praise, to pass on.

    The newest ``scan`` satisfied comments are read backwards along the submitted-at index,
    their themes only (no model built for each), then the praise among them is loaded with
    its incident type, team and call handler: two bounded queries."""
    candidates = (
        responses.filter(submitted_at__gte=since, whole_experience__gte=5)
        .exclude(comment="")
        .order_by("-submitted_at")
        .values_list("pk", "themes")[:scan]
    )
    ids = [pk for pk, themes in candidates if any(t.get("code") == "praise" for t in themes)]
    return list(
        responses.filter(pk__in=ids[:limit])
        .select_related("incident_type", "team", "call_handler")
        .order_by("-submitted_at")
    )


def open_cases(cases: QuerySet[RecoveryCase], limit: int = 10) -> list[RecoveryCase]:
    """The cases not closed with the nearest deadlines: one query, along the partial index of
    the cases not closed (``case_not_closed``), so closed cases are never read."""
    return list(
        cases.exclude(status=RecoveryCase.Status.CLOSED)
        .select_related("contact__incident_type", "team")
        .order_by("deadline")[:limit]
    )


def board_version(rollups: QuerySet[Rollup], cases: QuerySet[RecoveryCase]) -> str:
    """Changes whenever the board would: a response counted, a case opened or closed (the
    newest case not closed, and how many), a minute."""
    # Every count touches the day's ``all`` row of its team, so the newest change is among
    # today's and yesterday's (a rebuild of older days shows within the minute).
    recent = local_day(timezone.now()) - dt.timedelta(days=1)
    latest = rollups.filter(dimension="all", day__gte=recent).aggregate(m=Max("updated_at"))["m"]
    case_state = cases.exclude(status=RecoveryCase.Status.CLOSED).aggregate(
        m=Max("pk"), c=Count("pk")
    )
    minute = timezone.now().strftime("%Y%m%d%H%M")
    stamp = int(latest.timestamp() * 1e6) if latest else 0
    return f"{stamp}-{case_state['m'] or 0}-{case_state['c']}-{minute}"


def summary_by_answer_time(
    rollups: QuerySet[Rollup], channel: str, since: dt.datetime
) -> list[Rate]:
    """Satisfaction by how long the caller waited to be answered, for one queue (channel).

    One query over the rollups; the bands are those of the staffing advice
    (``planning.ANSWER_BANDS``).
    """
    keys = [f"{channel}:{i}" for i in range(len(BAND_LABELS))]
    rows = {
        key: (n, s, d)
        for key, n, s, d in rollups.filter(
            dimension="answer_band", key__in=keys, day__gte=local_day(since)
        )
        .values("key")
        .annotate(
            n=Sum("answered", default=0),
            s=Sum("satisfied", default=0),
            d=Sum("dissatisfied", default=0),
        )
        .values_list("key", "n", "s", "d")
    }
    bands = zip(keys, BAND_LABELS, strict=True)
    return [Rate(label, *rows.get(key, (0, 0, 0))) for key, label in bands]


def alerts_with_unit_codes(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Alerts with their unit by the force's own code as ``unit_code``, in the same query: a
    team's code, a call handler's number; an incident type's key and a channel are codes
    already. (Keys are text; each id is compared as text, so no key is ever cast.)"""
    as_text = Cast("pk", output_field=CharField())
    team = Team.objects.annotate(k=as_text).filter(k=OuterRef("key"), force_id=OuterRef("force_id"))
    handler = StaffMember.objects.annotate(k=as_text).filter(
        k=OuterRef("key"), force_id=OuterRef("force_id")
    )
    return alerts.annotate(
        unit_code=Case(
            When(dimension="team", then=Subquery(team.values("code")[:1])),
            When(dimension="call_handler", then=Subquery(handler.values("number")[:1])),
            default=F("key"),
            output_field=CharField(),
        )
    )


def shift_start(now: dt.datetime) -> tuple[str, dt.datetime]:
    """The label and local start of the shift under way (``rollups.SHIFTS``): a night shift
    that began at 23:00 yesterday is still the shift at 03:00."""
    local = timezone.localtime(now)
    for _code, label, hours in SHIFTS:
        if local.hour in hours:
            first = hours[0]
            start = local.replace(hour=first, minute=0, second=0, microsecond=0)
            if start > local:  # the night shift, after midnight
                start -= dt.timedelta(days=1)
            return label, start
    raise AssertionError(f"no shift holds hour {local.hour}")  # the shifts cover the day


def summary_since(responses: QuerySet[Response], label: str, since: dt.datetime) -> Rate:
    """Answered, satisfied and dissatisfied among the responses since a moment, counted from
    the responses themselves: a shift crosses the rollups' days, and holds a few hundred
    answers at most (one query along the responses' force and time index)."""
    answered = Q(whole_experience__isnull=False)
    row = responses.filter(submitted_at__gte=since).aggregate(
        n=Count("pk", filter=answered),
        s=Count("pk", filter=answered & Q(outcome=Response.Outcome.SATISFIED)),
        d=Count("pk", filter=answered & Q(outcome=Response.Outcome.DISSATISFIED)),
    )
    return Rate(label, row["n"], row["s"], row["d"])
