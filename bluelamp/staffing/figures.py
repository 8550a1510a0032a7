"""The figures of a queue's staffing plan, from its history, roster and answer standard.

Everything is planned on 15-minute slots of the UK day. Figures sent for 30 or 60 minutes are
spread evenly over their slots. The forecast comes from the queue's last eight weeks
(``forecast.py``), revised by what today has brought so far; the requirement from Erlang A
with the patience of the queue's own callers (Erlang C when no caller has hung up yet, and
always beside it for reference); the expectations as rostered from the same model.

Pure numpy and python on what ``selectors.py`` read: no ORM, so it is fast to test and to
benchmark. ``advice.py`` words the result.
"""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from django.utils import timezone
from numpy.typing import NDArray

from bluelamp.staffing import erlang, forecast

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
MIN_BAND_RESPONSES = 10
# A band that holds less than this share of answered callers does not need its own rate.
MIN_BAND_SHARE = 0.05
Array = NDArray[np.float64]
Index = NDArray[np.int_]


def local_slot(moment: dt.datetime) -> tuple[dt.date, int]:
    local = timezone.localtime(moment)
    return local.date(), (local.hour * 60 + local.minute) // SLOT_MINUTES


def slot_start(day: dt.date, slot: int) -> dt.datetime:
    minutes = slot * SLOT_MINUTES
    naive = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
    return naive.replace(tzinfo=timezone.get_current_timezone()).astimezone(dt.UTC)


@dataclass(frozen=True)
class Standard:
    """The queue's answer standard and planning assumptions."""

    target_share: float
    target_seconds: int
    shrinkage: float
    max_occupancy: float
    patience_seconds: float | None  # set by hand for the queue, else estimated


@dataclass(frozen=True)
class Intervals:
    """Stored interval figures as arrays, one entry per interval: the index of its local day
    in the history's days, its first slot, and its own figures."""

    day: Index
    slot: Index
    minutes: Array
    offered: Array
    answered: Array
    handle: Array  # average handle time, 0 where none was sent


@dataclass(frozen=True)
class Waits:
    """Calls with wait times over the patience window: abandoned, and the total seconds all
    of them (answered and abandoned) waited."""

    abandoned: int
    waited: float


@dataclass(frozen=True)
class History:
    """The queue's recent days as arrays: one row per local day, one column per slot."""

    days: list[dt.date]
    calls: Array
    handle: Array  # average handle time, NaN where nothing was answered
    answered: Array


@dataclass(frozen=True)
class Horizon:
    """The slots ahead: the forecast days from today, and for each slot its day among them,
    its slot of that day and when it starts."""

    today: dt.date
    now_slot: int
    targets: list[dt.date]
    day: Index
    slot: Index
    starts: list[dt.datetime]


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

    @property
    def peak_required(self) -> int:
        return max(s.required for s in self.slots)


@dataclass(frozen=True)
class Accuracy:
    method_mase: float
    naive_mase: float
    method_mape: float
    naive_mape: float
    days: int


@dataclass(frozen=True)
class PlanFigures:
    slots: list[SlotPlan]
    blocks: list[Block]
    accuracy: Accuracy | None
    today_actual: float
    today_forecast_so_far: float
    today_reforecast_total: float


def history_days(today: dt.date, weeks: int = HISTORY_WEEKS) -> list[dt.date]:
    first = today - dt.timedelta(weeks=weeks)
    return [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]


def history(days: list[dt.date], intervals: Intervals) -> History:
    """Calls, handle time and answered calls per day and slot; a day with figures has no
    calls in a slot without any, a day without figures is NaN throughout."""
    calls = np.full((len(days), SLOTS_PER_DAY), np.nan)
    handle_total = np.zeros_like(calls)
    answered = np.zeros_like(calls)
    if intervals.day.size:
        d, first_slot = intervals.day, intervals.slot
        calls[np.unique(d)] = 0.0
        spans = np.maximum(1, intervals.minutes // SLOT_MINUTES).astype(int)
        for extra in range(int(spans.max())):  # 30 and 60 minutes spread over their slots
            on = (extra < spans) & (first_slot + extra < SLOTS_PER_DAY)
            at = (d[on], first_slot[on] + extra)
            np.add.at(calls, at, intervals.offered[on] / spans[on])
            np.add.at(answered, at, intervals.answered[on] / spans[on])
            np.add.at(handle_total, at, intervals.handle[on] * intervals.answered[on] / spans[on])
    with np.errstate(invalid="ignore", divide="ignore"):
        handle_mean = np.where(answered > 0, handle_total / answered, np.nan)
    return History(days, calls, handle_mean, answered)


def horizon(now: dt.datetime, hours: int) -> Horizon:
    today, now_slot = local_slot(now)
    targets = [today + dt.timedelta(days=i) for i in range(FORECAST_DAYS + 1)]
    flat = now_slot + np.arange(hours * 60 // SLOT_MINUTES)
    day_i, slot_i = flat // SLOTS_PER_DAY, flat % SLOTS_PER_DAY
    starts = [slot_start(targets[int(d)], int(s)) for d, s in zip(day_i, slot_i, strict=True)]
    return Horizon(today, now_slot, targets, day_i, slot_i, starts)


def patience_seconds(standard: Standard, waits: Waits | None) -> float | None:
    """How long the queue's callers wait before hanging up (the censored-exponential
    estimate), or None for Erlang C when too few have hung up to say."""
    if standard.patience_seconds:
        return standard.patience_seconds
    if waits is None or waits.abandoned < MIN_ABANDONED_FOR_PATIENCE:
        return None
    return erlang.patience_estimate(waits.abandoned, waits.waited)


def weighted(values: Sequence[float], weights: Sequence[float]) -> float:
    total = sum(weights)
    if total <= 0:
        return sum(values) / len(values) if values else 0.0
    return sum(v * w for v, w in zip(values, weights, strict=True)) / total


def _expect(
    standard: Standard, patience: float | None, calls: Array, handle: Array, rostered: Array
) -> tuple[Array, Array]:
    """Share answered within the target and share abandoned, for handlers as rostered."""
    available = np.floor(rostered * (1 - standard.shrinkage) + 1e-9)
    if patience:
        result = erlang.erlang_a(
            available, calls, handle, patience, SLOT_SECONDS, standard.target_seconds
        )
        return np.asarray(result.answered_within), np.asarray(result.abandon_probability)
    load = calls / SLOT_SECONDS * handle
    within = erlang.erlang_c_service_level(available, load, standard.target_seconds, handle)
    return np.where(calls > 0, within, 1.0), np.zeros_like(calls)


def _answer_band_shares(
    standard: Standard, patience: float | None, calls: Array, handle: Array, rostered: Array
) -> list[float]:
    """Of the callers answered, the share in each answer-time band (weighted by calls)."""
    if not patience or calls.sum() <= 0:
        return []
    available = np.floor(rostered * (1 - standard.shrinkage) + 1e-9)
    edges = np.array(ANSWER_BANDS, dtype=float)[:, None]  # one row per band edge
    model = erlang.erlang_a(available, calls, handle, patience, SLOT_SECONDS, edges)
    within = np.asarray(model.answered_within) @ calls
    answered = float((1 - np.asarray(model.abandon_probability)[0]) @ calls)
    if answered <= 0:
        return []
    cumulative = [*(float(w) for w in within), answered]
    shares = [cumulative[0]] + [b - a for a, b in pairwise(cumulative)]
    return [max(0.0, s / answered) for s in shares]


def plan_figures(
    standard: Standard,
    patience: float | None,
    history: History,
    ahead: Horizon,
    rostered_list: list[int | None],
) -> PlanFigures:
    """Forecast, requirement, expectations as rostered and the gaps for the slots ahead."""
    now_slot = ahead.now_slot
    past = history.calls[:-1]
    past_days = history.days[:-1]
    targets = ahead.targets
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

    calls = calls_ahead[ahead.day, ahead.slot]
    handle = handle_ahead[ahead.day, ahead.slot]
    c = erlang.erlang_c_required(
        calls,
        handle,
        SLOT_SECONDS,
        standard.target_share,
        standard.target_seconds,
        standard.max_occupancy,
        standard.shrinkage,
    )
    if patience:
        a = erlang.erlang_a_required(
            calls,
            handle,
            patience,
            SLOT_SECONDS,
            standard.target_share,
            standard.target_seconds,
            standard.max_occupancy,
            standard.shrinkage,
        )
    else:
        a = c
    rostered = np.array([r if r is not None else 0 for r in rostered_list], dtype=float)
    within, abandoned = _expect(standard, patience, calls, handle, rostered)
    slots = [
        SlotPlan(
            start=ahead.starts[i],
            calls=float(calls[i]),
            handle_seconds=float(handle[i]),
            on_phones=int(a.raw[i]),
            required=int(a.staffed[i]),
            required_erlang_c=int(c.staffed[i]),
            rostered=rostered_list[i],
            within=None if rostered_list[i] is None else float(within[i]),
            abandoned=None if rostered_list[i] is None else float(abandoned[i]),
        )
        for i in range(len(ahead.starts))
    ]
    blocks = _blocks(standard, patience, slots, calls, handle, rostered)
    accuracy = None
    if has_history and len(past_days) > HOLDOUT_DAYS + 14:
        b = forecast.backtest(past, past_days, holdout_days=HOLDOUT_DAYS, weeks=HISTORY_WEEKS)
        if math.isfinite(b.method_mase) and math.isfinite(b.naive_mase):
            accuracy = Accuracy(b.method_mase, b.naive_mase, b.method_mape, b.naive_mape, b.days)
    return PlanFigures(
        slots=slots,
        blocks=blocks,
        accuracy=accuracy,
        today_actual=float(np.nansum(actual_today)),
        today_forecast_so_far=forecast_so_far,
        today_reforecast_total=float(calls_ahead[0].sum()),
    )


def _blocks(
    standard: Standard,
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
        within2, abandoned2 = _expect(standard, patience, calls[sel], handle[sel], more)
        blocks.append(
            Block(
                kind,
                chosen,
                extra=extra,
                within=weighted([s.within or 0.0 for s in chosen], list(w)),
                abandoned=weighted([s.abandoned or 0.0 for s in chosen], list(w)),
                within_extra=weighted(list(within2), list(w)),
                abandoned_extra=weighted(list(abandoned2), list(w)),
                bands=_answer_band_shares(
                    standard, patience, calls[sel], handle[sel], rostered[sel]
                ),
                bands_extra=_answer_band_shares(standard, patience, calls[sel], handle[sel], more),
            )
        )
    return blocks


def weakest_slot(slots: list[SlotPlan]) -> SlotPlan | None:
    """The rostered slot with calls expected and the lowest share answered within target."""
    busy = [s for s in slots if s.within is not None and s.calls > 0]
    return min(busy, key=lambda s: s.within or 0.0) if busy else None


@dataclass(frozen=True)
class Satisfaction:
    """Expected satisfaction of answered callers over a block, as rostered and with extra."""

    thin: list[int]  # bands that matter with fewer than MIN_BAND_RESPONSES responses
    as_rostered: float
    with_extra: float
    responses: int


def satisfaction(block: Block, bands: Sequence[tuple[int, int]]) -> Satisfaction | None:
    """Each band's satisfied share weighted by the share of callers the model puts in that
    band, as rostered and with the extra handlers; None without Erlang A's bands.

    ``bands`` holds (responses, satisfied) per answer-time band for the queue.
    """
    if not block.bands or not block.bands_extra:
        return None
    thin = [
        i
        for i, (share, share2, (n, _)) in enumerate(
            zip(block.bands, block.bands_extra, bands, strict=True)
        )
        if max(share, share2) >= MIN_BAND_SHARE and n < MIN_BAND_RESPONSES
    ]
    rates = [sat / n if n else 0.0 for n, sat in bands]
    return Satisfaction(
        thin=thin,
        as_rostered=sum(s * r for s, r in zip(block.bands, rates, strict=True)),
        with_extra=sum(s * r for s, r in zip(block.bands_extra, rates, strict=True)),
        responses=sum(n for n, _ in bands),
    )


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


def hourly(slots: list[SlotPlan]) -> list[HourRow]:
    """The slots by clock hour (the first may be part of one), for reading at a glance.

    Needed and rostered come from the hour's worst slot, so that the gap is their difference.
    """
    groups: dict[dt.datetime, list[SlotPlan]] = {}
    for s in slots:
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
                within=weighted([s.within or 0.0 for s in known], [s.calls for s in known])
                if known
                else None,
            )
        )
    return rows
