"""Drill-down: satisfaction by any one dimension and period, against the period before, with
a daily trend; read from the rollups only, so the figures hardly grow with the data."""

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce
from html import escape

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from bluelamp.forces.models import StaffMember, Team
from bluelamp.insights import funnel
from bluelamp.insights.models import Rollup
from bluelamp.insights.rollups import SHIFTS, WEEK, local_day
from bluelamp.insights.selectors import Rate
from bluelamp.intake.models import Contact
from bluelamp.lib.stats import wilson_interval
from bluelamp.surveys.models import IncidentType, Stage

DIMENSIONS = {
    "incident_type": "Incident type",
    "team": "Team",
    "call_handler": "Call handler",
    "channel": "Channel",
    "stage": "Stage",
    "shift": "Shift",
}
PERIODS = {1: "today", 7: "7 days", 28: "28 days", 90: "90 days"}


@dataclass(frozen=True)
class Row:
    key: str
    now: Rate
    before: Rate
    sent: int
    score_sum: int
    responded: int = 0  # of the ``sent``, how many have an answer (so far)
    code: str = ""  # the force's own code for the unit (a team's code, a handler's number)

    @property
    def change(self) -> float | None:
        if self.now.rate is None or self.before.rate is None:
            return None
        return self.now.rate - self.before.rate

    @property
    def response_rate(self) -> float | None:
        """Answered over invited, for the invitations sent in the period."""
        return self.responded / self.sent if self.sent else None

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.now.responses if self.now.responses else None


def period_bounds(days: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Start of this period (local midnight ``days - 1`` days ago) and of the one before."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight - dt.timedelta(days=days - 1)
    return start, start - dt.timedelta(days=days)


def _labels(dimension: str, keys: list[str]) -> dict[str, tuple[str, str]]:
    """Each stored key's (code, label): the code the force's systems use for the unit (a
    team's code, a call handler's staff number), the label a person reads."""
    if dimension == "team":
        ids = [int(k) for k in keys if k.isdigit()]
        return {
            str(pk): (code, name)
            for pk, code, name in Team.objects.filter(pk__in=ids).values_list("pk", "code", "name")
        }
    if dimension == "call_handler":
        ids = [int(k) for k in keys if k.isdigit()]
        return {
            str(pk): (number, f"{number} {name}".strip())
            for pk, number, name in StaffMember.objects.filter(pk__in=ids).values_list(
                "pk", "number", "name"
            )
        }
    if dimension == "incident_type":
        return {
            code: (code, name)
            for code, name in IncidentType.objects.filter(pk__in=keys).values_list("pk", "name")
        }
    if dimension == "shift":
        return {code: (code, label) for code, label, _ in SHIFTS}
    return {key: (key, choice_label(dimension, key)) for key in keys}


def choice_label(dimension: str, key: str) -> str:
    """A channel's or stage's words, from the models' choices (the one place they are kept):
    "front_counter" as "Front counter", "first_contact" as "First contact"."""
    choices = {"channel": Contact.Channel, "stage": Stage}.get(dimension)
    if choices is not None and key in choices.values:
        return str(choices(key).label)
    return key.replace("_", " ").capitalize()


def days_and_weeks(first: dt.date, last: dt.date) -> list[tuple[bool, dt.date, dt.date]]:
    """How to count the local days ``first`` to ``last`` (inclusive) exactly once: the weekly
    rows of the whole weeks inside, the daily rows of the days either side. Each part is
    (weekly, from, to), a weekly part's dates being the Mondays of its weeks."""
    monday = first + dt.timedelta(days=-first.weekday() % 7)  # the first whole week's start
    weeks = ((last - monday).days + 1) // 7 if last >= monday else 0
    if weeks == 0:
        return [(False, first, last)] if first <= last else []
    after = monday + dt.timedelta(weeks=weeks)  # the first day after the whole weeks
    parts = [(True, monday, after - dt.timedelta(weeks=1))]
    if first < monday:
        parts.append((False, first, monday - dt.timedelta(days=1)))
    if after <= last:
        parts.append((False, after, last))
    return parts


def _rows(dimension: str, first: dt.date, last: dt.date) -> Q:
    return reduce(
        operator.or_,
        (
            Q(dimension=WEEK + dimension if weekly else dimension, day__range=(lo, hi))
            for weekly, lo, hi in days_and_weeks(first, last)
        ),
    )


def drill(rollups: QuerySet[Rollup], dimension: str, days: int, now: dt.datetime) -> list[Row]:
    """One row per unit with answers in either period, most answers first (never by rate).

    One query: the rollups of the dimension over both periods, summed per unit with the two
    periods side by side, from whole weeks and single days (``days_and_weeks``)."""
    start, before = (local_day(moment) for moment in period_bounds(days, now))
    today = timezone.localdate(now)
    stored, field = ("all", "team_key") if dimension == "team" else (dimension, "key")
    periods = {
        "now_": _rows(stored, start, today),
        "before_": _rows(stored, before, start - dt.timedelta(days=1)),
    }
    sums = {}
    for part, when in periods.items():
        for name in ("answered", "satisfied", "dissatisfied", "sent", "responded", "score_sum"):
            sums[f"{part}{name}"] = Sum(name, filter=when, default=0)
    window = rollups.filter(periods["now_"] | periods["before_"])
    rows = list(window.values(field).annotate(**sums))
    labels = _labels(dimension, [str(r[field]) for r in rows])
    found = []
    for r in rows:
        key = str(r[field])
        code, label = labels.get(key, (key, key if key not in ("", "0") else "(none)"))
        if r["now_answered"] or r["before_answered"]:
            found.append(
                Row(
                    key,
                    Rate(label, r["now_answered"], r["now_satisfied"], r["now_dissatisfied"]),
                    Rate(
                        label, r["before_answered"], r["before_satisfied"], r["before_dissatisfied"]
                    ),
                    r["now_sent"],
                    r["now_score_sum"],
                    r["now_responded"],
                    code,
                )
            )
    return sorted(found, key=lambda r: (-r.now.responses, r.now.label))


@dataclass(frozen=True)
class Day:
    day: dt.date
    responses: int
    satisfied: int

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.satisfied, self.responses)

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.responses if self.responses else None


def trend(rollups: QuerySet[Rollup], days: int, now: dt.datetime) -> list[Day]:
    """Satisfied share per local day over the period (days with no answers included)."""
    start, _ = period_bounds(max(days, 7), now)
    first = local_day(start)
    rows = dict(
        (d, (n, s))
        for d, n, s in rollups.filter(dimension="all", day__gte=first)
        .values("day")
        .annotate(n=Sum("answered"), s=Sum("satisfied"))
        .values_list("day", "n", "s")
    )
    count = (timezone.localdate(now) - first).days + 1
    return [
        Day(first + dt.timedelta(days=i), *rows.get(first + dt.timedelta(days=i), (0, 0)))
        for i in range(count)
    ]


def trend_svg(points: list[Day], width: int = 640, height: int = 160) -> str:
    """The trend as an inline SVG: the daily share as a line, its 95% interval as a band;
    days with fewer than 10 answers are left out of the line and drawn as grey dots."""
    if not points:
        return ""
    step = width / max(1, len(points) - 1)

    def y(value: float) -> float:
        return round(height - 10 - value * (height - 20), 1)

    upper, lower, line, thin = [], [], [], []
    for i, p in enumerate(points):
        x = round(i * step, 1)
        if p.responses >= 10 and p.rate is not None:
            low, high = p.interval
            upper.append(f"{x},{y(high)}")
            lower.append(f"{x},{y(low)}")
            line.append(f"{x},{y(p.rate)}")
        elif p.rate is not None:
            thin.append(f'<circle cx="{x}" cy="{y(p.rate)}" r="2.5" fill="#8a9196"/>')
    band = " ".join(upper + lower[::-1])
    grid = "".join(
        f'<line x1="0" x2="{width}" y1="{y(v)}" y2="{y(v)}" stroke="#dde1e5"/>'
        f'<text x="2" y="{y(v) - 2}" font-size="10" fill="#505a5f">{v:.0%}</text>'
        for v in (0.0, 0.5, 1.0)
    )
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Daily satisfied share, {points[0].day:%-d %b} to {points[-1].day:%-d %b}, '
        f'with its 95% interval">{grid}'
        + (f'<polygon points="{band}" fill="#1d70b8" fill-opacity="0.18"/>' if band else "")
        + (
            f'<polyline points="{" ".join(line)}" fill="none" stroke="#1d70b8" stroke-width="2"/>'
            if line
            else ""
        )
        + "".join(thin)
        + "</svg>"
    )


def trend_rows_html(points: list[Day]) -> str:
    """The body of the table behind the trend chart, one row a day (built with the chart:
    90 days through the template's loop cost more than the chart)."""
    rows = []
    for d in points:
        small = ' class="small-n"' if d.responses < 10 else ""
        rate = "–" if d.rate is None else f"{d.rate:.0%}"
        low, high = d.interval
        interval = f"{low:.0%} to {high:.0%}" if d.responses else "no answers"
        rows.append(
            f'<tr{small}><th scope="row">{d.day:%a %-d %b}</th><td class="num">{d.responses}'
            f'</td><td class="num">{rate}</td><td>{interval}</td></tr>'
        )
    return "".join(rows)


def score_distribution(rollups: QuerySet[Rollup], days: int, now: dt.datetime) -> list[int]:
    """How many answered 1 to 7 in the period (one query)."""
    start, _ = period_bounds(days, now)
    row = rollups.filter(dimension="all", day__gte=local_day(start)).aggregate(
        **{f"s{n}": Sum(f"score_{n}", default=0) for n in range(1, 8)}
    )
    return [row[f"s{n}"] for n in range(1, 8)]


def distribution_svg(counts: list[int], width: int = 420, height: int = 140) -> str:
    """Seven bars, 1 (completely dissatisfied) to 7 (completely satisfied), each with its count."""
    total = sum(counts)
    if not total:
        return ""
    top = max(counts)
    bar = width / 7
    parts = []
    for i, n in enumerate(counts):
        h = round((height - 30) * n / top, 1)
        x = round(i * bar + 4, 1)
        colour = "#b10e1e" if i < 3 else ("#505a5f" if i == 3 else "#00703c")
        parts.append(
            f'<rect x="{x}" y="{height - 18 - h}" width="{round(bar - 8, 1)}" height="{h}" '
            f'fill="{colour}"/><text x="{x + bar / 2 - 4}" y="{height - 4}" font-size="11">'
            f'{i + 1}</text><text x="{x}" y="{height - 22 - h}" font-size="10">{n}</text>'
        )
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" aria-label="Scores '
        f'from 1 to 7: {", ".join(str(n) for n in counts)}">' + "".join(parts) + "</svg>"
    )


def rates_svg(rates: list[Rate], title: str, width: int = 480, height: int = 170) -> str:
    """Satisfied share of each unit in order (such as answer-time bands) as a dot with its
    95% interval drawn as a line; units with fewer than 10 answers are grey, none is left
    blank. The table beside it gives the same figures."""
    if not any(r.responses for r in rates):
        return ""
    slot = width / len(rates)
    top, bottom = 10, height - 34

    def y(value: float) -> float:
        return round(bottom - value * (bottom - top), 1)

    parts = [
        f'<line x1="0" x2="{width}" y1="{y(v)}" y2="{y(v)}" stroke="#dde1e5"/>'
        f'<text x="2" y="{y(v) - 2}" font-size="10" fill="#505a5f">{v:.0%}</text>'
        for v in (0.0, 0.5, 1.0)
    ]
    for i, r in enumerate(rates):
        x = round(slot * (i + 0.5), 1)
        words = escape(r.label)
        parts.append(
            f'<text x="{x}" y="{height - 18}" font-size="10" text-anchor="middle">{words}</text>'
            f'<text x="{x}" y="{height - 5}" font-size="10" text-anchor="middle" '
            f'fill="#505a5f">{r.responses}</text>'
        )
        if r.rate is None:
            continue
        low, high = r.interval
        colour = "#1d70b8" if r.responses >= 10 else "#8a9196"
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{y(high)}" y2="{y(low)}" stroke="{colour}" '
            f'stroke-width="3"/><circle cx="{x}" cy="{y(r.rate)}" r="5" fill="{colour}"/>'
        )
    described = "; ".join(
        f"{r.label} {r.percent} of {r.responses}" if r.responses else f"{r.label} no answers"
        for r in rates
    )
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}: {escape(described)}">' + "".join(parts) + "</svg>"
    )


@dataclass(frozen=True)
class FunnelPoint:
    """One unit on the funnel plot. ``plotted`` is its satisfied share on the force's mix
    (for a team, the force's share scaled by the unit's observed over expected answers not
    satisfied, so a team taking more burglaries is drawn against what the force achieves on
    that mix); the table gives its own share, what the force would achieve on its mix, and
    its own 99.8% limit, which is what the alert is judged on."""

    label: str
    answers: int
    satisfied_share: float
    expected_share: float
    limit: float  # the lowest satisfied share inside the 99.8% limit for the unit
    plotted: float
    outside: bool


def funnel_points(
    verdicts: list[funnel.Verdict], force_share: float, labels: dict[str, str]
) -> list[FunnelPoint]:
    """The verdicts of the units in ``labels`` (those the reader may see), as plotted."""
    points = []
    for v in verdicts:
        if v.unit.key not in labels:
            continue
        u = v.unit
        plotted = 1 - force_share * u.not_satisfied / u.expected if u.expected else 1 - u.share
        points.append(
            FunnelPoint(
                labels[u.key],
                u.answers,
                1 - u.share,
                1 - u.expected_share,
                1 - v.upper,
                plotted,
                v.outside,
            )
        )
    return sorted(points, key=lambda p: (not p.outside, p.satisfied_share))


def funnel_rows_html(points: list[FunnelPoint]) -> str:
    """The body of the table behind the funnel plot, one row a unit (labels escaped). Built
    here rather than in the template: a force's 145 call handlers made the template's loop
    a third of the drill-down's time."""
    return "".join(
        f'<tr><th scope="row">{escape(p.label)}</th><td class="num">{p.answers}</td>'
        f'<td class="num">{p.satisfied_share:.0%}</td><td class="num">{p.expected_share:.0%}</td>'
        f'<td class="num">{p.limit:.0%}</td><td>'
        + ('<span class="overdue">below the limit</span>' if p.outside else "within the limits")
        + "</td></tr>"
        for p in points
    )


def funnel_svg(
    points: list[FunnelPoint],
    force_share: float,
    spread: funnel.Dispersion,
    width: int = 640,
    height: int = 240,
) -> str:
    """The funnel plot: each unit's satisfied share against its number of answers, the
    force's share as a line, and the 95% and 99.8% limits around it narrowing as units grow
    (inflated for the spread between units); units below the outer limit are red."""
    if not points:
        return ""
    top = max(p.answers for p in points) * 1.1
    pad = 30

    def x(n: float) -> float:
        return round(pad + (width - pad - 10) * n / top, 1)

    def y(share: float) -> float:
        return round(height - 20 - max(0.0, min(1.0, share)) * (height - 30), 1)

    sizes = [
        max(funnel.MIN_ANSWERS, round(funnel.MIN_ANSWERS + (top - funnel.MIN_ANSWERS) * i / 40))
        for i in range(41)
    ]
    p = force_share
    curves = ""
    for level, dash in ((funnel.LIMIT, ""), (funnel.INNER, ' stroke-dasharray="4 3"')):
        q = funnel.upper_quantile(level)
        highs = funnel.upper_limits(q, sizes, p, spread)
        lows = funnel.lower_limits(q, sizes, p, spread)
        lower = " ".join(f"{x(n)},{y(1 - v)}" for n, v in zip(sizes, highs, strict=True))
        upper = " ".join(f"{x(n)},{y(1 - v)}" for n, v in zip(sizes, lows, strict=True))
        for line in (lower, upper):
            curves += f'<polyline points="{line}" fill="none" stroke="#505a5f"{dash}/>'
    grid = "".join(
        f'<line x1="{pad}" x2="{width}" y1="{y(v)}" y2="{y(v)}" stroke="#dde1e5"/>'
        f'<text x="0" y="{y(v) + 4}" font-size="10" fill="#505a5f">{v:.0%}</text>'
        for v in (0.0, 0.5, 1.0)
    )
    force = (
        f'<line x1="{pad}" x2="{width}" y1="{y(1 - p)}" y2="{y(1 - p)}" stroke="#1d70b8" '
        f'stroke-width="2"/>'
    )
    dots = "".join(
        f'<circle cx="{x(pt.answers)}" cy="{y(pt.plotted)}" r="5" '
        f'fill="{"#b10e1e" if pt.outside else "#0b0c0c"}"><title>{escape(pt.label)}: '
        f"{pt.satisfied_share:.0%} of {pt.answers}</title></circle>"
        for pt in points
    )
    axis = (
        f'<text x="{width - 4}" y="{height - 4}" font-size="10" fill="#505a5f" '
        f'text-anchor="end">answers (0 to {round(top)})</text>'
    )
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="Funnel plot: '
        f"each unit's satisfied share against its number of answers, around the force's "
        f'{1 - p:.0%}, with 95% and 99.8% limits">{grid}{curves}{force}{dots}{axis}</svg>'
    )
