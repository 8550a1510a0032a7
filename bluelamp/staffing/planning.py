"""Staffing advice per queue: forecast, requirement, roster and gap for the hours ahead.

The entry point of planning, in three jobs: ``selectors.py`` reads the queue's figures,
roster and callers' waits; ``figures.py`` plans the 15-minute slots from them (pure numpy,
on ``erlang.py`` and ``forecast.py``); ``advice.py`` words the result. The names the rest of
Bluelamp uses are importable from here.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from bluelamp.forces.models import Force
from bluelamp.staffing import figures, selectors
from bluelamp.staffing.advice import (
    BAND_LABELS,
    Advice,
    patience_note,
    plan_advice,
    satisfaction_effect,
)
from bluelamp.staffing.figures import (
    ANSWER_BANDS,
    SLOT_MINUTES,
    SLOTS_PER_DAY,
    Accuracy,
    Block,
    HourRow,
    SlotPlan,
    local_slot,
    slot_start,
)
from bluelamp.staffing.models import Queue
from bluelamp.staffing.selectors import AnswerTimes, abandonment, answer_times, staffing_version

__all__ = [
    "ANSWER_BANDS",
    "BAND_LABELS",
    "SLOTS_PER_DAY",
    "SLOT_MINUTES",
    "Accuracy",
    "Advice",
    "AnswerTimes",
    "Block",
    "HourRow",
    "Patience",
    "QueuePlan",
    "SlotPlan",
    "abandonment",
    "answer_times",
    "force_plans",
    "hourly",
    "local_slot",
    "plan_queue",
    "satisfaction_effect",
    "slot_start",
    "staffing_version",
]

# The key already changes with each slot and each new figure or roster: the timeout only
# lets keys that nothing asks for any more go.
PLAN_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Patience:
    seconds: float | None
    note: str


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


def plan_queue(queue: Queue, now: dt.datetime, hours: int = 12) -> QueuePlan:
    """The plan for the next ``hours``, cached until new figures or a new roster arrive."""
    stamp = selectors.queue_stamp(queue)
    today, slot = local_slot(now)
    settings = (
        f"{hours}:{today}:{slot}:{stamp[0]}:{stamp[1]}:{queue.target_share}:"
        f"{queue.target_seconds}:{queue.shrinkage}:{queue.max_occupancy}:{queue.patience_seconds}"
    )
    key = f"staffing-plan:{queue.pk}:{hashlib.sha256(settings.encode()).hexdigest()[:32]}"
    plan: QueuePlan | None = cache.get(key)
    if plan is None:
        plan = _plan(queue, now, hours)
        cache.set(key, plan, timeout=PLAN_CACHE_SECONDS)
    return plan


def _plan(queue: Queue, now: dt.datetime, hours: int) -> QueuePlan:
    standard = selectors.queue_standard(queue)
    ahead = figures.horizon(now, hours)
    days = figures.history_days(ahead.today)
    history = figures.history(days, selectors.queue_intervals(queue, days))
    rostered = selectors.queue_roster(queue, ahead.starts)
    waits = selectors.queue_waits(queue, now)
    patience = figures.patience_seconds(standard, waits)
    plan = figures.plan_figures(standard, patience, history, ahead, rostered)
    return QueuePlan(
        queue=queue,
        slots=plan.slots,
        blocks=plan.blocks,
        advice=plan_advice(queue.code, queue.target_seconds, plan.slots, plan.blocks),
        patience=Patience(patience, patience_note(standard.patience_seconds, waits)),
        accuracy=plan.accuracy,
        today_actual=plan.today_actual,
        today_forecast_so_far=plan.today_forecast_so_far,
        today_reforecast_total=plan.today_reforecast_total,
    )


def force_plans(force: Force, now: dt.datetime, hours: int = 12) -> list[QueuePlan]:
    return [plan_queue(q, now, hours) for q in selectors.force_queues(force)]


def hourly(plan: QueuePlan) -> list[HourRow]:
    """The plan's slots by clock hour (the first may be part of one), for reading at a glance.

    Needed and rostered come from the hour's worst slot, so that the gap is their difference.
    """
    return figures.hourly(plan.slots)
