"""What the supervisor's live view reads: satisfaction by period, incident type and team."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from bluelamp.forces.models import Team
from bluelamp.insights.models import Rollup
from bluelamp.lib.stats import wilson_interval
from bluelamp.recovery.models import RecoveryCase
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
        window = Q(hour__gte=start)
        aggregates[f"n{i}"] = Sum("answered", filter=window, default=0)
        aggregates[f"s{i}"] = Sum("satisfied", filter=window, default=0)
        aggregates[f"d{i}"] = Sum("dissatisfied", filter=window, default=0)
    row = rollups.filter(hour__gte=min(starts.values())).aggregate(**aggregates)
    return [Rate(label, row[f"n{i}"], row[f"s{i}"], row[f"d{i}"]) for i, label in enumerate(starts)]


def summary_by(rollups: QuerySet[Rollup], dimension: str, since: dt.datetime) -> list[Rate]:
    """Rates grouped by ``incident_type`` or ``team``, most responses first (one query, and
    one more for the names)."""
    field = {"incident_type": "incident_type", "team": "team_key"}[dimension]
    rows = (
        rollups.filter(hour__gte=since)
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


def latest_comments(responses: QuerySet[Response], limit: int = 8) -> list[Response]:
    return list(
        responses.exclude(comment="")
        .select_related("incident_type", "team")
        .order_by("-submitted_at")[:limit]
    )


def open_cases(cases: QuerySet[RecoveryCase], limit: int = 10) -> list[RecoveryCase]:
    return list(
        cases.exclude(status=RecoveryCase.Status.CLOSED)
        .select_related("contact__incident_type", "team")
        .order_by("deadline")[:limit]
    )


def board_version(rollups: QuerySet[Rollup], cases: QuerySet[RecoveryCase]) -> str:
    """Changes whenever the board would: a response counted, a case opened or moved on, a
    minute."""
    latest = rollups.aggregate(m=Max("updated_at"))["m"]
    case_state = cases.aggregate(
        m=Max("pk"), c=Count("pk", filter=~Q(status=RecoveryCase.Status.CLOSED))
    )
    minute = timezone.now().strftime("%Y%m%d%H%M")
    stamp = int(latest.timestamp() * 1e6) if latest else 0
    return f"{stamp}-{case_state['m'] or 0}-{case_state['c']}-{minute}"


def summary_by_answer_time(
    responses: QuerySet[Response], channel: str, since: dt.datetime
) -> list[Rate]:
    """Satisfaction by how long the caller waited to be answered, for one queue (channel).

    One query; the bands are those of the staffing advice (``planning.ANSWER_BANDS``).
    """
    from bluelamp.staffing.planning import ANSWER_BANDS, BAND_LABELS

    answered = Q(whole_experience__isnull=False, contact__answer_seconds__isnull=False)
    aggregates = {}
    low: int | None = None
    for i, high in enumerate([*ANSWER_BANDS, None]):
        band = answered
        if low is not None:
            band &= Q(contact__answer_seconds__gt=low)
        if high is not None:
            band &= Q(contact__answer_seconds__lte=high)
        aggregates[f"n{i}"] = Count("pk", filter=band)
        aggregates[f"s{i}"] = Count("pk", filter=band & Q(outcome="satisfied"))
        aggregates[f"d{i}"] = Count("pk", filter=band & Q(outcome="dissatisfied"))
        low = high
    row = responses.filter(channel=channel, submitted_at__gte=since).aggregate(**aggregates)
    return [
        Rate(label, row[f"n{i}"], row[f"s{i}"], row[f"d{i}"]) for i, label in enumerate(BAND_LABELS)
    ]
