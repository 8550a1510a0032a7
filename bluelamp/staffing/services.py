"""Storing call statistics and rosters: batches, idempotent per force, queue and interval."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from bluelamp.forces.models import Force
from bluelamp.lib.rows import row_new, rows_insert
from bluelamp.staffing.models import (
    QUEUE_DEFAULT,
    QUEUE_DEFAULTS,
    CallInterval,
    Queue,
    RosterSlot,
)
from bluelamp.staffing.schemas import CallIntervalIn, RosterSlotIn, Stored


class BatchError(ValueError):
    """A batch that is well-formed item by item but not as a whole; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def queue_get_or_create(force: Force, code: str) -> Queue:
    defaults = dict(QUEUE_DEFAULTS.get(code, {"name": code, **QUEUE_DEFAULT}))
    queue, _ = Queue.objects.get_or_create(force=force, code=code, defaults=defaults)
    return queue


def _no_repeats(items: Sequence[CallIntervalIn | RosterSlotIn], list_name: str) -> None:
    seen: dict[tuple[str, dt.datetime], int] = {}
    for i, item in enumerate(items):
        key = (item.queue, item.start)
        if key in seen:
            raise BatchError(
                f"{list_name}[{i}].start", f"the same queue and start as item {seen[key]}"
            )
        seen[key] = i


def _upsert(
    model: type[CallInterval] | type[RosterSlot],
    force: Force,
    rows: list[tuple[str, dt.datetime, dict[str, Any]]],
) -> Stored:
    """Create the new rows, update the changed ones, leave the same ones alone; one transaction."""
    unchanged = 0
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        queues = {code: queue_get_or_create(force, code) for code in {r[0] for r in rows}}
        starts = [r[1] for r in rows]
        existing = {
            (row.queue_id, row.start): row
            for row in model.objects.filter(
                force=force,
                queue__in=queues.values(),
                start__gte=min(starts),
                start__lte=max(starts),
            )
        }
        new: list[Any] = []
        changed: list[Any] = []
        fields = list(rows[0][2])
        for code, start, values in rows:
            queue = queues[code]
            row = existing.get((queue.pk, start))
            if row is None:
                new.append(
                    row_new(model, force=force, queue=queue, start=start, updated_at=now, **values)
                )
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.updated_at = now
                changed.append(row)
            else:
                unchanged += 1
        rows_insert(new)  # bulk_create compiled its INSERT afresh for every chunk
        if changed:
            model.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=500)
    return Stored(created=len(new), updated=len(changed), unchanged=unchanged)


def call_intervals_store(*, force: Force, intervals: Sequence[CallIntervalIn]) -> Stored:
    """Store a batch of interval statistics. A repeated interval replaces the one stored
    (telephony systems re-send corrected figures); the whole batch is stored or none of it."""
    _no_repeats(intervals, "intervals")
    rows = [
        (
            item.queue,
            item.start,
            {
                "minutes": item.minutes,
                "offered": item.offered,
                "answered": item.answered,
                "abandoned": item.abandoned,
                "answered_within_target": item.answered_within_target,
                "handle_seconds": item.average_handle_seconds,
                "answer_seconds": item.average_answer_seconds,
                "abandon_seconds": item.average_abandon_seconds,
                "logged_in": item.handlers_logged_in,
                "rostered": item.handlers_rostered,
            },
        )
        for item in intervals
    ]
    return _upsert(CallInterval, force, rows)


def roster_store(*, force: Force, slots: Sequence[RosterSlotIn]) -> Stored:
    """Store rostered handlers per queue and interval; a repeated slot replaces the one stored."""
    _no_repeats(slots, "slots")
    rows = [
        (item.queue, item.start, {"minutes": item.minutes, "handlers": item.handlers})
        for item in slots
    ]
    return _upsert(RosterSlot, force, rows)
