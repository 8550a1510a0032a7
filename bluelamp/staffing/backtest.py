"""Erlang A and Erlang C against what really happened, hour by hour, from per-call records.

For each hour: the calls that joined the queue, their mean handle time, the handlers at work
(time-weighted, inferred from the calls they answered: see ``records.aggregate``) and the
patience of the file's callers (estimated once from all of them) go into the models; the
predicted share of calls answered within the target and share abandoned are set beside the
observed ones. A fractional number of handlers (9.4) is read between 9 and 10 handlers,
linearly, as workforce planners do.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bluelamp.staffing import erlang
from bluelamp.staffing.records import IDLE_GAP_SECONDS, CallRecord, IntervalFigures, aggregate

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class HourCheck:
    figures: IntervalFigures
    handlers: float
    actual_within: float
    actual_abandoned: float
    a_within: float
    a_abandoned: float
    c_within: float


@dataclass(frozen=True)
class BacktestResult:
    hours: list[HourCheck]
    patience_seconds: float | None
    skipped: int

    def mae(self, model: str) -> tuple[float, float]:
        """Mean absolute error of (answered within target, abandoned) for "A" or "C"."""
        if not self.hours:
            return float("nan"), float("nan")
        if model == "A":
            w = [abs(h.a_within - h.actual_within) for h in self.hours]
            a = [abs(h.a_abandoned - h.actual_abandoned) for h in self.hours]
        else:  # Erlang C predicts that nobody hangs up
            w = [abs(h.c_within - h.actual_within) for h in self.hours]
            a = [h.actual_abandoned for h in self.hours]
        return float(np.mean(w)), float(np.mean(a))


def _between(low: Floats, high: Floats, share: Floats) -> Floats:
    return low * (1 - share) + high * share


def run_backtest(
    records: Iterable[CallRecord],
    *,
    target_seconds: float,
    min_calls: int = 10,
    idle_gap_seconds: float = IDLE_GAP_SECONDS,
) -> BacktestResult:
    figures = aggregate(
        records, minutes=60, target_seconds=target_seconds, idle_gap_seconds=idle_gap_seconds
    )
    abandoned = sum(f.abandoned for f in figures)
    waited = sum(f.queue_wait_total for f in figures)
    patience = erlang.patience_estimate(abandoned, waited)
    usable = [f for f in figures if f.offered >= min_calls and f.handlers and f.answered > 0]
    if not usable:
        return BacktestResult([], patience, len(figures))
    calls = np.array([f.offered for f in usable], dtype=float)
    handle = np.array([f.average_handle_seconds for f in usable], dtype=float)
    servers = np.array([f.logged_in for f in usable], dtype=float)
    low = np.floor(servers)
    share = servers - low
    load = calls / 3600 * handle
    c_within = _between(
        erlang.erlang_c_service_level(low, load, target_seconds, handle),
        erlang.erlang_c_service_level(low + 1, load, target_seconds, handle),
        share,
    )
    if patience:
        a_low = erlang.erlang_a(low, calls, handle, patience, 3600, target_seconds)
        a_high = erlang.erlang_a(low + 1, calls, handle, patience, 3600, target_seconds)
        a_within = _between(a_low.answered_within, a_high.answered_within, share)
        a_abandoned = _between(a_low.abandon_probability, a_high.abandon_probability, share)
    else:
        a_within, a_abandoned = c_within, np.zeros_like(calls)
    hours = [
        HourCheck(
            figures=f,
            handlers=f.logged_in,
            actual_within=f.answered_within_target / f.offered,
            actual_abandoned=f.abandoned / f.offered,
            a_within=float(a_within[i]),
            a_abandoned=float(a_abandoned[i]),
            c_within=float(c_within[i]),
        )
        for i, f in enumerate(usable)
    ]
    return BacktestResult(hours, patience, len(figures) - len(usable))
