"""The demo force's telephony: eight weeks of 999 and 101 figures and a roster with gaps.

Synthetic, shaped by public facts (``shared/docs/domain.md``): about 1,500 calls a day across
999 and 101 for a force the size of Hertfordshire, quiet before dawn, busiest in the early
evening and on Friday and Saturday nights. The roster follows the requirement, except that
101 is short from 18:00 to 22:00 every day and 999 a little short on Saturday nights, so the
advice has something to say. What happened in each interval comes from Erlang A (with the
handlers actually on the phones, and callers' patience) plus noise, so the queue's figures
hang together. Everything is written through ``staffing.services``, like a telephony system.
"""

import datetime as dt
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from numpy.typing import NDArray

from bluelamp.forces.models import Force
from bluelamp.staffing import erlang
from bluelamp.staffing.models import CallInterval
from bluelamp.staffing.planning import SLOT_MINUTES, SLOTS_PER_DAY, local_slot, slot_start
from bluelamp.staffing.schemas import CallIntervalIn, RosterSlotIn
from bluelamp.staffing.services import call_intervals_store, queue_get_or_create, roster_store

HISTORY_WEEKS = 8
Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
ROSTER_DAYS_AHEAD = 2


@dataclass(frozen=True)
class QueueShape:
    code: str
    calls_per_day: float
    handle_seconds: float
    patience_seconds: float
    short: tuple[int, int, int]  # rostered this many fewer from hour to hour, every day


QUEUES = (
    QueueShape("999", 560, 230, 45, (0, 0, 0)),
    QueueShape("101", 940, 420, 200, (18, 22, 3)),
)
# Relative demand by hour of the day (00:00 to 23:00) and by weekday (Monday first).
HOURLY = (
    0.75, 0.6, 0.45, 0.35, 0.3, 0.3, 0.4, 0.6, 0.85, 1.0, 1.05, 1.1,
    1.1, 1.1, 1.15, 1.2, 1.3, 1.35, 1.4, 1.35, 1.25, 1.15, 1.0, 0.9,
)  # fmt: skip
WEEKDAY = (0.97, 0.94, 0.95, 0.97, 1.06, 1.12, 0.99)


def expected_calls(code: str, days: Sequence[dt.date], slots: Ints) -> Floats:
    """Mean calls offered in each (day, slot) pair."""
    shape = next(q for q in QUEUES if q.code == code)
    hourly = np.array(HOURLY)
    hours = slots * SLOT_MINUTES // 60
    share = hourly[hours] / (hourly.sum() * 60 / SLOT_MINUTES)
    weekdays = np.array([d.weekday() for d in days])
    night = np.where(np.isin(weekdays, (4, 5)) & (hours >= 20), 1.25, 1.0)
    return np.asarray(shape.calls_per_day * share * np.array(WEEKDAY)[weekdays] * night)


def rostered(shape: QueueShape, days: Sequence[dt.date], slots: Ints) -> Ints:
    """What the requirement says, less the deliberate gaps."""
    calls = expected_calls(shape.code, days, slots)
    target_share, target_seconds = (0.9, 10) if shape.code == "999" else (0.8, 90)
    need = erlang.erlang_c_required(
        calls, shape.handle_seconds, SLOT_MINUTES * 60, target_share, target_seconds, 0.85, 0.3
    )
    hours = slots * SLOT_MINUTES // 60
    start, end, fewer = shape.short
    handlers = need.staffed - np.where((hours >= start) & (hours < end), fewer, 0)
    if shape.code == "999":
        saturday = np.array([d.weekday() == 5 for d in days])
        handlers = handlers - np.where(saturday & (hours >= 21), 2, 0)
    return np.maximum(1, handlers)


def interval_figures(
    shape: QueueShape,
    days: Sequence[dt.date],
    slots: Ints,
    rng: np.random.Generator,
    fraction: float = 1.0,
) -> list[CallIntervalIn]:
    """Each (day, slot) as the telephony system would report it (``fraction`` of it so far)."""
    size = len(days)
    offered = rng.poisson(expected_calls(shape.code, days, slots) * fraction)
    on_rota = rostered(shape, days, slots)
    logged_in = np.maximum(1, np.round(on_rota * 0.7 + rng.uniform(-1, 1, size)))
    handle = shape.handle_seconds * rng.uniform(0.9, 1.1, size)
    target = 10 if shape.code == "999" else 90
    model = erlang.erlang_a(
        logged_in, np.maximum(offered / fraction, 0.1), handle, shape.patience_seconds,
        SLOT_MINUTES * 60, target,
    )  # fmt: skip
    abandon = np.asarray(model.abandon_probability)
    abandoned = rng.binomial(offered, abandon)
    answered = offered - abandoned
    within = rng.binomial(
        answered, np.minimum(1.0, np.asarray(model.answered_within) / np.maximum(1e-9, 1 - abandon))
    )
    asa = np.nan_to_num(np.asarray(model.average_wait_answered))
    # Waiting of all callers over abandonments estimates patience: keep the two coherent.
    abandon_wait = np.maximum(
        0.0, (abandoned * shape.patience_seconds - answered * asa) / np.maximum(abandoned, 1)
    )
    return [
        CallIntervalIn(
            queue=shape.code,
            start=slot_start(day, int(slot)),
            minutes=15,
            offered=int(offered[i]),
            answered=int(answered[i]),
            abandoned=int(abandoned[i]),
            answered_within_target=int(within[i]),
            average_handle_seconds=round(float(handle[i]), 1) if answered[i] else None,
            average_answer_seconds=round(float(asa[i]), 1) if answered[i] else None,
            average_abandon_seconds=round(float(abandon_wait[i]), 1) if abandoned[i] else None,
            handlers_logged_in=float(logged_in[i]),
            handlers_rostered=int(on_rota[i]),
        )
        for i, (day, slot) in enumerate(zip(days, slots, strict=True))
    ]


def demo_calls_seed(force: Force, now: dt.datetime, rng: random.Random) -> int:
    """Eight weeks of figures up to the last whole interval, and the roster to the day after
    tomorrow. Returns how many intervals were stored; nothing when the force has some."""
    if CallInterval.objects.filter(force=force).exists():
        return 0
    today, now_slot = local_slot(now)
    first = today - dt.timedelta(weeks=HISTORY_WEEKS)
    every_day = [
        first + dt.timedelta(days=i) for i in range(HISTORY_WEEKS * 7 + 1 + ROSTER_DAYS_AHEAD)
    ]
    grid = [(d, s) for d in every_day for s in range(SLOTS_PER_DAY)]
    past = [(d, s) for d, s in grid if d < today or (d == today and s < now_slot)]
    generator = np.random.default_rng(rng.randrange(2**32))
    intervals: list[CallIntervalIn] = []
    slots: list[RosterSlotIn] = []
    for shape in QUEUES:
        days, slot_numbers = [d for d, _ in grid], np.array([s for _, s in grid])
        handlers = rostered(shape, days, slot_numbers)
        slots += [
            RosterSlotIn(queue=shape.code, start=slot_start(d, int(s)), minutes=15, handlers=int(h))
            for d, s, h in zip(days, slot_numbers, handlers, strict=True)
        ]
        intervals += interval_figures(
            shape, [d for d, _ in past], np.array([s for _, s in past]), generator
        )
    with transaction.atomic():
        for shape in QUEUES:
            queue = queue_get_or_create(force, shape.code)
            queue.shrinkage = 0.3
            queue.save(update_fields=["shrinkage"])
        for i in range(0, len(slots), 5000):
            roster_store(force=force, slots=slots[i : i + 5000])
        for i in range(0, len(intervals), 5000):
            call_intervals_store(force=force, intervals=intervals[i : i + 5000])
    return len(intervals)


def demo_calls_tick(force: Force, now: dt.datetime) -> int:
    """The telephony system's latest report: the interval under way so far, and the one just
    finished in full. Returns how many intervals changed."""
    today, slot = local_slot(now)
    into = (now - slot_start(today, slot)).total_seconds() / (SLOT_MINUTES * 60)
    before, previous = local_slot(slot_start(today, slot) - dt.timedelta(minutes=SLOT_MINUTES))
    reports = []
    for shape in QUEUES:
        for day, number, fraction in ((today, slot, max(0.05, into)), (before, previous, 1.0)):
            # The same interval always draws from the same seed, so its figures only grow.
            seed = zlib.crc32(f"{shape.code}-{day}-{number}".encode())
            generator = np.random.default_rng(seed)
            reports += interval_figures(shape, [day], np.array([number]), generator, fraction)
    stored = call_intervals_store(force=force, intervals=reports)
    return stored.created + stored.updated
