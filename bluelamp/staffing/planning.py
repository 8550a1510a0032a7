"""Staffing advice per queue: forecast, requirement, roster and gap for the hours ahead.

Everything is planned on 15-minute slots of the UK day. Figures sent for 30 or 60 minutes are
spread evenly over their slots. The forecast comes from the queue's last eight weeks
(``forecast.py``), revised by what today has brought so far; the requirement from Erlang A
with the patience of the queue's own callers (Erlang C when no caller has hung up yet, and
always beside it for reference); the expectations as rostered from the same model. The
arithmetic is in ``erlang.py`` and ``forecast.py``; this module reads the database and words
the advice.
"""

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from django.core.cache import cache
from django.db.models import Max, Sum
from django.utils import timezone
from numpy.typing import NDArray

from bluelamp.forces.models import Force
from bluelamp.staffing import erlang, forecast
from bluelamp.staffing.models import CallInterval, Queue, RosterSlot

SLOT_MINUTES = 15
SLOT_SECONDS = SLOT_MINUTES * 60
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
HISTORY_WEEKS = 8
FORECAST_DAYS = 14
HOLDOUT_DAYS = 14
PATIENCE_DAYS = 28
# Below this many abandoned calls the queue's own patience is too uncertain to use.
MIN_ABANDONED_FOR_PATIENCE = 30
DEFAULT_HANDLE_SECONDS = 300.0
# Shortfalls this many slots apart or fewer are advised as one stretch ("short from 18:00 to
# 22:00", not four sentences about quarter-hours).
MERGE_SLOTS = 2
# Answer-time bands for the satisfaction view, in seconds (upper edges; the last is open).
ANSWER_BANDS = (10, 30, 60, 120, 300)
BAND_LABELS = ("up to 10 s", "11 to 30 s", "31 to 60 s", "1 to 2 min", "2 to 5 min", "over 5 min")
Array = NDArray[np.float64]


def local_slot(moment: dt.datetime) -> tuple[dt.date, int]:
    local = timezone.localtime(moment)
    return local.date(), (local.hour * 60 + local.minute) // SLOT_MINUTES


def slot_start(day: dt.date, slot: int) -> dt.datetime:
    minutes = slot * SLOT_MINUTES
    naive = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
    return naive.replace(tzinfo=timezone.get_current_timezone()).astimezone(dt.UTC)


@dataclass(frozen=True)
class History:
    """The queue's recent days as arrays: one row per local day, one column per slot."""

    days: list[dt.date]
    calls: Array
    handle: Array  # average handle time, NaN where nothing was answered
    answered: Array


def queue_history(queue: Queue, today: dt.date, weeks: int = HISTORY_WEEKS) -> History:
    first = today - dt.timedelta(weeks=weeks)
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    calls = np.full((len(days), SLOTS_PER_DAY), np.nan)
    handle_total = np.zeros_like(calls)
    answered = np.zeros_like(calls)
    rows = list(
        CallInterval.objects.filter(queue=queue, start__gte=slot_start(first, 0)).values_list(
            "start", "minutes", "offered", "answered", "handle_seconds"
        )
    )
    tz = timezone.get_current_timezone()
    day_i: list[int] = []
    slot_i: list[int] = []
    keep: list[int] = []
    for k, row in enumerate(rows):
        local = row[0].astimezone(tz)
        i = index.get(local.date())
        if i is not None:
            day_i.append(i)
            slot_i.append((local.hour * 60 + local.minute) // SLOT_MINUTES)
            keep.append(k)
    if keep:
        figures = np.array([rows[k][1:4] for k in keep], dtype=float)
        handles = np.array([rows[k][4] or 0.0 for k in keep], dtype=float)
        d, first_slot = np.array(day_i), np.array(slot_i)
        calls[np.unique(d)] = 0.0  # a day with figures: a slot without any had no calls
        spans = np.maximum(1, figures[:, 0] // SLOT_MINUTES).astype(int)
        for extra in range(int(spans.max())):  # 30 and 60 minutes spread over their slots
            on = (extra < spans) & (first_slot + extra < SLOTS_PER_DAY)
            at = (d[on], first_slot[on] + extra)
            np.add.at(calls, at, figures[on, 1] / spans[on])
            np.add.at(answered, at, figures[on, 2] / spans[on])
            np.add.at(handle_total, at, handles[on] * figures[on, 2] / spans[on])
    with np.errstate(invalid="ignore", divide="ignore"):
        handle_mean = np.where(answered > 0, handle_total / answered, np.nan)
    return History(days, calls, handle_mean, answered)


@dataclass(frozen=True)
class Patience:
    seconds: float | None
    note: str


def queue_patience(queue: Queue, now: dt.datetime) -> Patience:
    """How long the queue's callers wait before hanging up (the censored-exponential estimate)."""
    if queue.patience_seconds:
        return Patience(queue.patience_seconds, "set for this queue")
    totals = CallInterval.objects.filter(
        queue=queue,
        start__gte=now - dt.timedelta(days=PATIENCE_DAYS),
        answer_seconds__isnull=False,
        abandon_seconds__isnull=False,
    ).values_list("answered", "answer_seconds", "abandoned", "abandon_seconds")
    abandoned = 0
    waited = 0.0
    for n_answered, answer_wait, n_abandoned, abandon_wait in totals:
        abandoned += n_abandoned
        waited += n_answered * (answer_wait or 0.0) + n_abandoned * (abandon_wait or 0.0)
    if abandoned < MIN_ABANDONED_FOR_PATIENCE:
        return Patience(
            None,
            f"only {abandoned} abandoned calls with wait times in {PATIENCE_DAYS} days: "
            "Erlang C (callers assumed never to hang up)",
        )
    seconds = erlang.patience_estimate(abandoned, waited)
    return Patience(
        seconds, f"estimated from {abandoned:,} abandoned calls in {PATIENCE_DAYS} days"
    )


@dataclass(frozen=True)
class SlotPlan:
    start: dt.datetime
    calls: float
    handle_seconds: float
    on_phones: int  # handlers needed answering calls
    required: int  # handlers to roster for that (after shrinkage)
    required_erlang_c: int  # the same by Erlang C, for reference
    rostered: int | None
    within: float | None  # expected share answered within the target, as rostered
    abandoned: float | None  # expected share abandoned, as rostered

    @property
    def gap(self) -> int | None:
        return None if self.rostered is None else self.rostered - self.required


@dataclass(frozen=True)
class Block:
    """Consecutive slots with the same story: short, or not rostered at all."""

    kind: str  # "short" or "unrostered"
    slots: list[SlotPlan]
    extra: int = 0
    within: float = 0.0
    abandoned: float = 0.0
    within_extra: float = 0.0
    abandoned_extra: float = 0.0
    # Of the callers answered, the share in each ANSWER_BANDS band: as rostered, with extra.
    bands: list[float] = field(default_factory=list)
    bands_extra: list[float] = field(default_factory=list)

    @property
    def start(self) -> dt.datetime:
        return self.slots[0].start

    @property
    def end(self) -> dt.datetime:
        return self.slots[-1].start + dt.timedelta(minutes=SLOT_MINUTES)


@dataclass(frozen=True)
class Advice:
    text: str
    block: Block | None = None


@dataclass(frozen=True)
class Accuracy:
    method_mase: float
    naive_mase: float
    method_mape: float
    naive_mape: float
    days: int


@dataclass(frozen=True)
class QueuePlan:
    queue: Queue
    slots: list[SlotPlan]
    blocks: list[Block]
    advice: list[Advice]
    patience: Patience
    accuracy: Accuracy | None
    today_actual: float
    today_forecast_so_far: float
    today_reforecast_total: float

    @property
    def model(self) -> str:
        return "Erlang A" if self.patience.seconds else "Erlang C"


def _hhmm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _weighted(values: Sequence[float], weights: Sequence[float]) -> float:
    total = sum(weights)
    if total <= 0:
        return sum(values) / len(values) if values else 0.0
    return sum(v * w for v, w in zip(values, weights, strict=True)) / total


def _expect(
    queue: Queue, patience: float | None, calls: Array, handle: Array, rostered: Array
) -> tuple[Array, Array]:
    """Share answered within the target and share abandoned, for handlers as rostered."""
    available = np.floor(rostered * (1 - queue.shrinkage) + 1e-9)
    if patience:
        result = erlang.erlang_a(
            available, calls, handle, patience, SLOT_SECONDS, queue.target_seconds
        )
        return np.asarray(result.answered_within), np.asarray(result.abandon_probability)
    load = calls / SLOT_SECONDS * handle
    within = erlang.erlang_c_service_level(available, load, queue.target_seconds, handle)
    return np.where(calls > 0, within, 1.0), np.zeros_like(calls)


def _answer_band_shares(
    queue: Queue, patience: float | None, calls: Array, handle: Array, rostered: Array
) -> list[float]:
    """Of the callers answered, the share in each answer-time band (weighted by calls)."""
    if not patience or calls.sum() <= 0:
        return []
    available = np.floor(rostered * (1 - queue.shrinkage) + 1e-9)
    edges = np.array(ANSWER_BANDS, dtype=float)[:, None]  # one row per band edge
    model = erlang.erlang_a(available, calls, handle, patience, SLOT_SECONDS, edges)
    within = np.asarray(model.answered_within) @ calls
    answered = float((1 - np.asarray(model.abandon_probability)[0]) @ calls)
    if answered <= 0:
        return []
    cumulative = [*(float(w) for w in within), answered]
    shares = [cumulative[0]] + [b - a for a, b in pairwise(cumulative)]
    return [max(0.0, s / answered) for s in shares]


def plan_queue(queue: Queue, now: dt.datetime, hours: int = 12) -> QueuePlan:
    """The plan for the next ``hours``, cached until new figures or a new roster arrive."""
    stamp = (
        CallInterval.objects.filter(queue=queue).aggregate(m=Max("updated_at"))["m"],
        RosterSlot.objects.filter(queue=queue).aggregate(m=Max("updated_at"))["m"],
    )
    today, slot = local_slot(now)
    settings = (
        f"{hours}:{today}:{slot}:{stamp[0]}:{stamp[1]}:{queue.target_share}:"
        f"{queue.target_seconds}:{queue.shrinkage}:{queue.max_occupancy}:{queue.patience_seconds}"
    )
    key = f"staffing-plan:{queue.pk}:{hashlib.sha256(settings.encode()).hexdigest()[:32]}"
    plan: QueuePlan | None = cache.get(key)
    if plan is None:
        plan = _plan(queue, now, hours)
        cache.set(key, plan, timeout=300)
    return plan


def _plan(queue: Queue, now: dt.datetime, hours: int) -> QueuePlan:
    today, now_slot = local_slot(now)
    history = queue_history(queue, today)
    past = history.calls[:-1]
    past_days = history.days[:-1]
    targets = [today + dt.timedelta(days=i) for i in range(FORECAST_DAYS + 1)]
    has_history = bool(np.isfinite(past).any())
    if has_history:
        calls_ahead = forecast.forecast_days(past, past_days, targets, weeks=HISTORY_WEEKS)
        handle_ahead = forecast.forecast_weighted_mean(
            history.handle[:-1], history.answered[:-1], past_days, targets, weeks=HISTORY_WEEKS
        )
    else:
        calls_ahead = np.zeros((len(targets), SLOTS_PER_DAY))
        handle_ahead = np.full((len(targets), SLOTS_PER_DAY), np.nan)
    actual_today = np.where(np.arange(SLOTS_PER_DAY) < now_slot, history.calls[-1], np.nan)
    forecast_so_far = float(np.nansum(calls_ahead[0, :now_slot]))
    calls_ahead[0] = forecast.reforecast_today(calls_ahead[0], actual_today, now_slot)
    handle_ahead = np.where(np.isfinite(handle_ahead), handle_ahead, DEFAULT_HANDLE_SECONDS)
    calls_ahead = np.nan_to_num(calls_ahead, nan=0.0)

    n = hours * 60 // SLOT_MINUTES
    flat = now_slot + np.arange(n)
    day_i, slot_i = flat // SLOTS_PER_DAY, flat % SLOTS_PER_DAY
    starts = [slot_start(targets[int(d)], int(s)) for d, s in zip(day_i, slot_i, strict=True)]
    calls = calls_ahead[day_i, slot_i]
    handle = handle_ahead[day_i, slot_i]

    roster: dict[dt.datetime, int] = {}
    for start, minutes, handlers in RosterSlot.objects.filter(
        queue=queue,
        start__gte=starts[0] - dt.timedelta(hours=1),
        start__lt=starts[-1] + dt.timedelta(minutes=SLOT_MINUTES),
    ).values_list("start", "minutes", "handlers"):
        for k in range(max(1, minutes // SLOT_MINUTES)):
            roster[start + dt.timedelta(minutes=SLOT_MINUTES * k)] = handlers
    rostered_list = [roster.get(s) for s in starts]

    patience = queue_patience(queue, now)
    c = erlang.erlang_c_required(
        calls,
        handle,
        SLOT_SECONDS,
        queue.target_share,
        queue.target_seconds,
        queue.max_occupancy,
        queue.shrinkage,
    )
    if patience.seconds:
        a = erlang.erlang_a_required(
            calls,
            handle,
            patience.seconds,
            SLOT_SECONDS,
            queue.target_share,
            queue.target_seconds,
            queue.max_occupancy,
            queue.shrinkage,
        )
    else:
        a = c
    rostered = np.array([r if r is not None else 0 for r in rostered_list], dtype=float)
    within, abandoned = _expect(queue, patience.seconds, calls, handle, rostered)
    slots = [
        SlotPlan(
            start=starts[i],
            calls=float(calls[i]),
            handle_seconds=float(handle[i]),
            on_phones=int(a.raw[i]),
            required=int(a.staffed[i]),
            required_erlang_c=int(c.staffed[i]),
            rostered=rostered_list[i],
            within=None if rostered_list[i] is None else float(within[i]),
            abandoned=None if rostered_list[i] is None else float(abandoned[i]),
        )
        for i in range(n)
    ]
    blocks = _blocks(queue, patience.seconds, slots, calls, handle, rostered)
    accuracy = None
    if has_history and len(past_days) > HOLDOUT_DAYS + 14:
        b = forecast.backtest(past, past_days, holdout_days=HOLDOUT_DAYS, weeks=HISTORY_WEEKS)
        if math.isfinite(b.method_mase) and math.isfinite(b.naive_mase):
            accuracy = Accuracy(b.method_mase, b.naive_mase, b.method_mape, b.naive_mape, b.days)
    return QueuePlan(
        queue=queue,
        slots=slots,
        blocks=blocks,
        advice=_advice(queue, slots, blocks),
        patience=patience,
        accuracy=accuracy,
        today_actual=float(np.nansum(actual_today)),
        today_forecast_so_far=forecast_so_far,
        today_reforecast_total=float(calls_ahead[0].sum()),
    )


def _blocks(
    queue: Queue,
    patience: float | None,
    slots: list[SlotPlan],
    calls: Array,
    handle: Array,
    rostered: Array,
) -> list[Block]:
    runs: list[tuple[str, list[int]]] = []
    for i, s in enumerate(slots):
        if s.calls <= 0 and s.required == 0:
            kind = ""
        elif s.rostered is None:
            kind = "unrostered"
        elif s.gap is not None and s.gap < 0:
            kind = "short"
        else:
            kind = ""
        if not kind:
            continue
        last = runs[-1][1][-1] if runs else -99
        if runs and runs[-1][0] == kind and i - last <= 1 + MERGE_SLOTS:
            # Short again within half an hour: one stretch, the slots between included.
            runs[-1][1].extend(range(last + 1, i + 1))
        else:
            runs.append((kind, [i]))
    blocks = []
    for kind, idx in runs:
        chosen = [slots[i] for i in idx]
        if kind == "unrostered":
            blocks.append(Block(kind, chosen))
            continue
        extra = max(-(s.gap or 0) for s in chosen)
        sel = np.array(idx)
        w = calls[sel]
        more = rostered[sel] + extra
        within2, abandoned2 = _expect(queue, patience, calls[sel], handle[sel], more)
        blocks.append(
            Block(
                kind,
                chosen,
                extra=extra,
                within=_weighted([s.within or 0.0 for s in chosen], list(w)),
                abandoned=_weighted([s.abandoned or 0.0 for s in chosen], list(w)),
                within_extra=_weighted(list(within2), list(w)),
                abandoned_extra=_weighted(list(abandoned2), list(w)),
                bands=_answer_band_shares(queue, patience, calls[sel], handle[sel], rostered[sel]),
                bands_extra=_answer_band_shares(queue, patience, calls[sel], handle[sel], more),
            )
        )
    return blocks


def _advice(queue: Queue, slots: list[SlotPlan], blocks: list[Block]) -> list[Advice]:
    code = queue.code
    t = queue.target_seconds
    lines: list[Advice] = []
    for b in blocks:
        span = f"from {_hhmm(b.start)} to {_hhmm(b.end)}"
        if b.kind == "unrostered":
            peak = max(s.required for s in b.slots)
            text = (
                f"{code}: no roster {span}; {peak} handler{'s' if peak != 1 else ''} needed "
                "at the busiest point"
            )
            lines.append(Advice(text, b))
            continue
        text = (
            f"{code}: short by {b.extra} {span}; expected {b.within:.0%} answered within "
            f"{t} s and {b.abandoned:.0%} abandoned as rostered; with {b.extra} more: "
            f"{b.within_extra:.0%} and {b.abandoned_extra:.0%}"
        )
        lines.append(Advice(text, b))
    if not lines and slots:
        busy = [s for s in slots if s.within is not None and s.calls > 0]
        if busy:
            worst = min(busy, key=lambda s: s.within or 0.0)
            text = (
                f"{code}: the roster meets the standard for the next "
                f"{len(slots) * SLOT_MINUTES // 60} hours (lowest expected: "
                f"{worst.within or 0:.0%} within {t} s at {_hhmm(worst.start)})"
            )
        else:
            text = f"{code}: no calls expected in the next hours"
        lines.append(Advice(text))
    return lines


MIN_BAND_RESPONSES = 10
# A band that holds less than this share of answered callers does not need its own rate.
MIN_BAND_SHARE = 0.05


def satisfaction_effect(block: Block, bands: Sequence[tuple[int, int]]) -> str:
    """What the gap is expected to cost in satisfaction, or why that cannot be said.

    ``bands`` holds (responses, satisfied) per answer-time band for the queue. The expected
    satisfaction of answered callers is each band's satisfied share weighted by the share of
    callers the model puts in that band, as rostered and with the extra handlers.
    """
    if not block.bands or not block.bands_extra:
        return "The effect on satisfaction needs Erlang A (callers' patience) to estimate."
    thin = [
        label
        for label, share, share2, (n, _) in zip(
            BAND_LABELS, block.bands, block.bands_extra, bands, strict=True
        )
        if max(share, share2) >= MIN_BAND_SHARE and n < MIN_BAND_RESPONSES
    ]
    if thin:
        return (
            "Not enough survey responses by answer time to estimate the effect on "
            f"satisfaction (fewer than {MIN_BAND_RESPONSES} for {', '.join(thin)})."
        )
    rates = [sat / n if n else 0.0 for n, sat in bands]
    as_rostered = sum(s * r for s, r in zip(block.bands, rates, strict=True))
    with_extra = sum(s * r for s, r in zip(block.bands_extra, rates, strict=True))
    total = sum(n for n, _ in bands)
    return (
        f"Expected satisfaction of answered callers {as_rostered:.0%} as rostered, "
        f"{with_extra:.0%} with {block.extra} more (from {total:,} responses by answer time; "
        "callers who hang up are not surveyed)."
    )


def force_plans(force: Force, now: dt.datetime, hours: int = 12) -> list[QueuePlan]:
    return [plan_queue(q, now, hours) for q in Queue.objects.filter(force=force)]


def staffing_version(force: Force) -> str:
    """Changes when new interval figures or a new roster arrive for the force."""
    a = CallInterval.objects.filter(force=force).aggregate(m=Max("updated_at"))["m"]
    b = RosterSlot.objects.filter(force=force).aggregate(m=Max("updated_at"))["m"]
    return f"{int(a.timestamp() * 1e6) if a else 0}.{int(b.timestamp() * 1e6) if b else 0}"


def abandonment(queue: Queue, since: dt.datetime) -> tuple[int, int]:
    """Calls offered and abandoned on the queue since a moment."""
    row = CallInterval.objects.filter(queue=queue, start__gte=since).aggregate(
        offered=Sum("offered"), abandoned=Sum("abandoned")
    )
    return row["offered"] or 0, row["abandoned"] or 0


@dataclass(frozen=True)
class HourRow:
    """One clock hour of the plan, told by its worst slot (the one with the smallest gap)."""

    start: dt.datetime
    calls: float
    required: int
    rostered: int | None
    within: float | None  # expected share within target over the hour, weighted by calls

    @property
    def gap(self) -> int | None:
        return None if self.rostered is None else self.rostered - self.required


def hourly(plan: QueuePlan) -> list[HourRow]:
    """The plan's slots by clock hour (the first may be part of one), for reading at a glance.

    Needed and rostered come from the hour's worst slot, so that the gap is their difference.
    """
    groups: dict[dt.datetime, list[SlotPlan]] = {}
    for s in plan.slots:
        hour = timezone.localtime(s.start).replace(minute=0)
        groups.setdefault(hour, []).append(s)
    rows = []
    for group in groups.values():
        unrostered = [s for s in group if s.rostered is None]
        if unrostered:
            worst = max(unrostered, key=lambda s: s.required)
        else:
            worst = min(group, key=lambda s: (s.gap or 0, -s.required))
        known = [s for s in group if s.within is not None]
        rows.append(
            HourRow(
                start=group[0].start,
                calls=sum(s.calls for s in group),
                required=worst.required,
                rostered=worst.rostered,
                within=_weighted([s.within or 0.0 for s in known], [s.calls for s in known])
                if known
                else None,
            )
        )
    return rows
