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
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from bluelamp.forces.models import Force
from bluelamp.staffing import erlang
from bluelamp.staffing.planning import SLOT_MINUTES, SLOTS_PER_DAY, local_slot, slot_start
from bluelamp.staffing.schemas import CallIntervalIn, RosterSlotIn
from bluelamp.staffing.services import call_intervals_store, queue_get_or_create, roster_store

HISTORY_WEEKS = 8
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


def expected_calls(code: str, day: dt.date, slot: int) -> float:
    shape = next(q for q in QUEUES if q.code == code)
    hourly = np.array(HOURLY)
    share = hourly[slot * SLOT_MINUTES // 60] / (hourly.sum() * 60 / SLOT_MINUTES)
    weekday = WEEKDAY[day.weekday()]
    night = 1.25 if day.weekday() in (4, 5) and slot >= 20 * 60 // SLOT_MINUTES else 1.0
    return float(shape.calls_per_day * share * weekday * night)


def rostered(shape: QueueShape, day: dt.date, slot: int) -> int:
    """What the requirement says, less the deliberate gaps."""
    calls = expected_calls(shape.code, day, slot)
    target_share, target_seconds = (0.9, 10) if shape.code == "999" else (0.8, 90)
    need = erlang.erlang_c_required(
        calls, shape.handle_seconds, SLOT_MINUTES * 60, target_share, target_seconds, 0.85, 0.3
    )
    handlers = int(need.staffed)
    hour = slot * SLOT_MINUTES // 60
    start, end, fewer = shape.short
    if start <= hour < end:
        handlers -= fewer
    if shape.code == "999" and day.weekday() == 5 and hour >= 21:
        handlers -= 2
    return max(1, handlers)


def interval_figures(
    shape: QueueShape, day: dt.date, slot: int, rng: random.Random, fraction: float = 1.0
) -> CallIntervalIn:
    """One interval as the telephony system would report it (``fraction`` of it so far)."""
    calls = np.random.default_rng(rng.randrange(2**32)).poisson(
        expected_calls(shape.code, day, slot) * fraction
    )
    on_rota = rostered(shape, day, slot)
    logged_in = max(1, round(on_rota * 0.7 + rng.uniform(-1, 1)))
    handle = shape.handle_seconds * rng.uniform(0.9, 1.1)
    target = 10 if shape.code == "999" else 90
    offered = int(calls)
    if offered == 0:
        answered = abandoned = within = 0
        answer_wait = abandon_wait = None
    else:
        model = erlang.erlang_a(
            logged_in, max(offered / fraction, 0.1), handle, shape.patience_seconds,
            SLOT_MINUTES * 60, target,
        )  # fmt: skip
        abandoned = int(np.random.default_rng(rng.randrange(2**32)).binomial(
            offered, float(model.abandon_probability)
        ))  # fmt: skip
        answered = offered - abandoned
        p_within = float(model.answered_within) / max(1e-9, 1 - float(model.abandon_probability))
        within = int(np.random.default_rng(rng.randrange(2**32)).binomial(
            answered, min(1.0, p_within)
        ))  # fmt: skip
        asa = float(np.nan_to_num(model.average_wait_answered))
        answer_wait = round(asa, 1) if answered else None
        # Waiting of all callers over abandonments estimates patience: keep the two coherent.
        abandon_wait = (
            round(max(0.0, (abandoned * shape.patience_seconds - answered * asa) / abandoned), 1)
            if abandoned
            else None
        )
    return CallIntervalIn(
        queue=shape.code,
        start=slot_start(day, slot),
        minutes=15,
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        answered_within_target=within,
        average_handle_seconds=round(handle, 1) if answered else None,
        average_answer_seconds=answer_wait,
        average_abandon_seconds=abandon_wait,
        handlers_logged_in=float(logged_in),
        handlers_rostered=on_rota,
    )


def demo_calls_seed(force: Force, now: dt.datetime, rng: random.Random) -> int:
    """Eight weeks of figures up to the last whole interval, and the roster to the day after
    tomorrow. Returns how many intervals were stored; nothing when the force has some."""
    from bluelamp.staffing.models import CallInterval

    if CallInterval.objects.filter(force=force).exists():
        return 0
    today, now_slot = local_slot(now)
    first = today - dt.timedelta(weeks=HISTORY_WEEKS)
    intervals: list[CallIntervalIn] = []
    slots: list[RosterSlotIn] = []
    for offset in range((today - first).days + ROSTER_DAYS_AHEAD + 1):
        day = first + dt.timedelta(days=offset)
        for slot in range(SLOTS_PER_DAY):
            for shape in QUEUES:
                start = slot_start(day, slot)
                slots.append(
                    RosterSlotIn(
                        queue=shape.code,
                        start=start,
                        minutes=15,
                        handlers=rostered(shape, day, slot),
                    )
                )
                if day < today or (day == today and slot < now_slot):
                    intervals.append(interval_figures(shape, day, slot, rng))
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
    local_minute = (now.timestamp() // 60) % SLOT_MINUTES
    fraction = max(0.05, (local_minute + (now.timestamp() % 60) / 60) / SLOT_MINUTES)
    reports = []
    for shape in QUEUES:
        # The same interval always draws from the same seed, so its figures only grow.
        seed = f"{shape.code}-{today.isoformat()}-{slot}"
        reports.append(interval_figures(shape, today, slot, random.Random(seed), fraction))
        before = slot_start(today, slot) - dt.timedelta(minutes=SLOT_MINUTES)
        day, previous = local_slot(before)
        seed = f"{shape.code}-{day.isoformat()}-{previous}"
        reports.append(interval_figures(shape, day, previous, random.Random(seed)))
    stored = call_intervals_store(force=force, intervals=reports)
    return stored.created + stored.updated
