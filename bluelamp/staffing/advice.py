"""The staffing advice in plain words, from the figures of ``figures.py``.

A shortfall is told as one stretch with what it is expected to cost and what the extra
handlers would buy; a stretch without a roster by the handlers needed at its busiest; a
queue with neither by its weakest slot. Nothing here reads the database or computes a figure.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from bluelamp.staffing import figures
from bluelamp.staffing.figures import (
    MIN_ABANDONED_FOR_PATIENCE,
    MIN_BAND_RESPONSES,
    PATIENCE_DAYS,
    SLOT_MINUTES,
    Block,
    SlotPlan,
    Waits,
)

# One label per band of ``figures.ANSWER_BANDS``, and the open band above the last edge.
BAND_LABELS = ("up to 10 s", "11 to 30 s", "31 to 60 s", "1 to 2 min", "2 to 5 min", "over 5 min")


@dataclass(frozen=True)
class Advice:
    text: str
    block: Block | None = None


def _hhmm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def patience_note(set_seconds: float | None, waits: Waits | None) -> str:
    """Where the callers' patience comes from, or why Erlang C is used instead."""
    if set_seconds or waits is None:
        return "set for this queue"
    if waits.abandoned < MIN_ABANDONED_FOR_PATIENCE:
        return (
            f"only {waits.abandoned} abandoned calls with wait times in {PATIENCE_DAYS} days: "
            "Erlang C (callers assumed never to hang up)"
        )
    return f"estimated from {waits.abandoned:,} abandoned calls in {PATIENCE_DAYS} days"


def plan_advice(
    code: str, target_seconds: int, slots: list[SlotPlan], blocks: list[Block]
) -> list[Advice]:
    t = target_seconds
    lines: list[Advice] = []
    for b in blocks:
        span = f"from {_hhmm(b.start)} to {_hhmm(b.end)}"
        if b.kind == "unrostered":
            peak = b.peak_required
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
        worst = figures.weakest_slot(slots)
        if worst is not None:
            text = (
                f"{code}: the roster meets the standard for the next "
                f"{len(slots) * SLOT_MINUTES // 60} hours (lowest expected: "
                f"{worst.within or 0:.0%} within {t} s at {_hhmm(worst.start)})"
            )
        else:
            text = f"{code}: no calls expected in the next hours"
        lines.append(Advice(text))
    return lines


def satisfaction_effect(block: Block, bands: Sequence[tuple[int, int]]) -> str:
    """What the gap is expected to cost in satisfaction, or why that cannot be said.

    ``bands`` holds (responses, satisfied) per answer-time band for the queue. The expected
    satisfaction of answered callers is each band's satisfied share weighted by the share of
    callers the model puts in that band, as rostered and with the extra handlers.
    """
    effect = figures.satisfaction(block, bands)
    if effect is None:
        return "The effect on satisfaction needs Erlang A (callers' patience) to estimate."
    if effect.thin:
        thin = ", ".join(BAND_LABELS[i] for i in effect.thin)
        return (
            "Not enough survey responses by answer time to estimate the effect on "
            f"satisfaction (fewer than {MIN_BAND_RESPONSES} for {thin})."
        )
    return (
        f"Expected satisfaction of answered callers {effect.as_rostered:.0%} as rostered, "
        f"{effect.with_extra:.0%} with {block.extra} more (from {effect.responses:,} responses "
        "by answer time; callers who hang up are not surveyed)."
    )
