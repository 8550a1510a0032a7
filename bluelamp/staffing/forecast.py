"""Call demand per queue and slot of the local day: a forecast, its baseline and its score.

Demand is held as a 2-D array: one row per local calendar day (ascending, gaps allowed), one
column per slot of the day (96 slots of 15 minutes, or any fixed number), NaN where a count is
missing. On clock-change days the caller maps the 23 or 25 hours onto the same slots.

The method is the classic call-centre one: a day-level volume times an intraday profile, both
learnt from recent days of the same day type (Monday to Sunday, and bank holidays in England
and Wales as an eighth type). ``backtest`` scores it against the seasonal-naive baseline (the
same slot on the last day of the same type) on held-out days: a forecast that does not beat
the baseline is not worth showing a duty officer.

Pure numpy and the bank holidays of ``lib/workdays.py``: no ORM, so it is fast to test and
to benchmark.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from bluelamp.lib.workdays import bank_holidays

Array = NDArray[np.float64]

SUNDAY = 6
BANK_HOLIDAY = 7

# Recent weeks count more: a day's weight halves every HALF_LIFE_DAYS of age.
HALF_LIFE_DAYS = 21.0
# Past bank holidays are used once there are this many; before that the Sunday pattern stands in.
MIN_BANK_HOLIDAYS = 3
# A day whose observed slots normally carry less than this share of its volume has no total.
MIN_COVERAGE = 0.5
# The trend is fitted over the window only once it spans this many days, is clipped to this
# growth per day, and is damped by this factor per day beyond the last day of history.
MIN_TREND_SPAN_DAYS = 21
MAX_TREND_PER_DAY = 0.01
TREND_DAMPING = 0.95
# A trend within this many standard errors of flat is dropped; see _trend for the shrinkage.
TREND_MIN_T = 2.0
# A bank holiday's volume is set against the mean ordinary day in the days before it.
LEVEL_DAYS = 28
# Weights of a slot and of each neighbour when the intraday profile is smoothed.
PROFILE_KERNEL = (1.0, 4.0, 1.0)
# Intraday re-forecast: the prior behind "the day runs as forecast" is worth this share of the
# day's forecast volume plus this many calls, and the multiplier stays inside this range.
REFORECAST_PRIOR_SHARE = 0.25
REFORECAST_PRIOR_CALLS = 10.0
REFORECAST_RANGE = (0.5, 2.0)


def day_type(day: date) -> int:
    """0 to 6 for Monday to Sunday, or 7 for a bank holiday in England and Wales.

    Control-room demand on a bank holiday looks like a Sunday's, not like the weekday it
    falls on, so a bank holiday is a day type of its own (Boxing Day on a Saturday included).
    """
    if day in bank_holidays(day.year):
        return BANK_HOLIDAY
    return day.weekday()


def forecast_days(
    history: Array,
    history_days: Sequence[date],
    target_days: Sequence[date],
    *,
    weeks: int = 8,
) -> Array:
    """Expected calls per slot for each target day (T x S), from the history before them.

    Volume: the log day totals of the last ``weeks`` days of the target's type are averaged
    with weights that halve every three weeks, and moved from the weighted mean date of those
    days to the target date by the trend: the least-squares slope of log totals on date with
    one intercept per day type over the last ``weeks`` weeks, shrunk to nothing unless it
    stands clear of the noise, and damped beyond the last day of history so a fortnight
    ahead it is not extrapolated in a straight line. The recent same-type mean is robust to
    one odd day; the trend, where there is one, corrects the mean's lag of a week or two.

    Profile: each day's counts as shares of its total, averaged over the same days with the
    same weights, then smoothed lightly across neighbouring slots (weights 1-4-1), because at
    5 or 15 minutes the share of one slot on eight days is mostly Poisson noise.

    Bank holidays use the past bank holidays once there are three: their profile, and their
    volume as a ratio to the mean ordinary day of the four weeks before each, applied to the
    four weeks before the target. With fewer, a bank holiday is forecast as a Sunday. Past
    bank holidays never train an ordinary weekday.

    Missing data: a day with missing slots gets its total from the share of a typical day
    that its observed slots carry (below half, the day is left out); a missing slot is left
    out of the profile average. A type with no history falls back to all recent days, so the
    result is NaN only when the history holds no count at all.
    """
    history = _checked(history, history_days)
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    slots = history.shape[1]
    result = np.full((len(target_days), slots), np.nan)
    if not len(target_days) or not np.isfinite(history).any():
        return result
    ordinals = np.array([d.toordinal() for d in history_days], dtype=np.float64)
    types = np.array([day_type(d) for d in history_days])
    reference = _column_profile(history)
    totals = _day_totals(history, reference)
    usable = np.isfinite(totals)
    origin = ordinals[-1]
    slope = _trend(totals, types, ordinals, weeks)
    for row, target in enumerate(target_days):
        kind = day_type(target)
        holiday = _bank_holiday_forecast(history, totals, types, ordinals, reference, target, weeks)
        if holiday is not None:
            result[row] = holiday
            continue
        picked = _pick(types, usable, SUNDAY if kind == BANK_HOLIDAY else kind, weeks)
        weights = _recency(ordinals[picked], origin)
        log_totals = np.log1p(totals[picked])
        mean_log = float(np.average(log_totals, weights=weights))
        centre = float(np.average(ordinals[picked], weights=weights))
        ahead = target.toordinal() - int(origin)
        # Up to the last day of history the trend applies in full; beyond it, damped.
        shift = slope * (origin - centre) + slope * _damped_days(ahead)
        volume = max(0.0, math.expm1(mean_log + shift))
        profile = _profile(history[picked], totals[picked], weights, reference)
        result[row] = volume * profile
    return result


def seasonal_naive(
    history: Array, history_days: Sequence[date], target_days: Sequence[date]
) -> Array:
    """The baseline: each target day copies the last earlier day of its type (T x S).

    For an ordinary day that is the same weekday a week before (or the latest one before a
    gap); for a bank holiday, the previous bank holiday. NaN when there is none.
    """
    history = _checked(history, history_days)
    types = [day_type(d) for d in history_days]
    result = np.full((len(target_days), history.shape[1]), np.nan)
    for row, target in enumerate(target_days):
        kind = day_type(target)
        for index in range(len(history_days) - 1, -1, -1):
            if history_days[index] < target and types[index] == kind:
                result[row] = history[index]
                break
    return result


def forecast_weighted_mean(
    values: Array,
    weights: Array,
    history_days: Sequence[date],
    target_days: Sequence[date],
    *,
    weeks: int = 8,
) -> Array:
    """A per-slot mean weighted by calls, such as handle time, for each target day (T x S).

    The mean of a slot is taken over the last ``weeks`` days of the target's type (bank
    holidays as in ``forecast_days``), each day counting by its calls in that slot, because
    handle time in a busy slot is the one staff will meet. A slot with no calls on those days
    takes the slot's mean over all days; a slot with none ever takes the overall mean.
    """
    values = _checked(values, history_days)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != values.shape:
        raise ValueError("values and weights must have the same shape")
    valid = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    product = np.where(valid, values * weights, 0.0)
    mass = np.where(valid, weights, 0.0)
    types = np.array([day_type(d) for d in history_days])
    usable = valid.any(axis=1)
    slot_mean = _ratio(product.sum(axis=0), mass.sum(axis=0))
    overall = _ratio(np.array([product.sum()]), np.array([mass.sum()]))[0]
    slot_mean = np.where(np.isfinite(slot_mean), slot_mean, overall)
    result = np.full((len(target_days), values.shape[1]), np.nan)
    for row, target in enumerate(target_days):
        kind = day_type(target)
        if kind == BANK_HOLIDAY and np.count_nonzero(usable & (types == kind)) < MIN_BANK_HOLIDAYS:
            kind = SUNDAY
        picked = _pick(types, usable, kind, weeks)
        recent = _ratio(product[picked].sum(axis=0), mass[picked].sum(axis=0))
        result[row] = np.where(np.isfinite(recent), recent, slot_mean)
    return result


def reforecast_today(forecast: Array, actual: Array, now_slot: int) -> Array:
    """Today's forecast revised by what has happened so far (one row of S slots).

    Slots before ``now_slot`` take the actual count. The rest are the forecast times a
    multiplier that starts at 1 and moves towards actual/forecast so far as evidence builds:
    it is (A + K) / (F + K), with A and F the actual and forecast calls in the slots passed
    and K a quarter of the day's forecast volume plus ten calls. That is the posterior mean
    of a Gamma prior on the day's multiplier centred on 1, which is why it is used: early in
    the day, or on a quiet queue where ten calls are noise, the forecast mostly stands; at
    half the day's volume, two thirds of the gap is believed. The multiplier is clipped to
    0.5 to 2 so one odd hour cannot double or halve the staffing advice on its own.
    """
    forecast = np.asarray(forecast, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    if forecast.ndim != 1 or forecast.shape != actual.shape:
        raise ValueError("forecast and actual must be 1-D of the same length")
    if not 0 <= now_slot <= forecast.shape[0]:
        raise ValueError("now_slot must be between 0 and the number of slots")
    passed_forecast = forecast[:now_slot]
    passed_actual = actual[:now_slot]
    both = np.isfinite(passed_forecast) & np.isfinite(passed_actual)
    so_far_actual = float(passed_actual[both].sum())
    so_far_forecast = float(passed_forecast[both].sum())
    day = float(np.nansum(forecast))
    prior = REFORECAST_PRIOR_SHARE * day + REFORECAST_PRIOR_CALLS
    multiplier = (so_far_actual + prior) / (so_far_forecast + prior)
    multiplier = min(max(multiplier, REFORECAST_RANGE[0]), REFORECAST_RANGE[1])
    result = forecast * multiplier
    result[:now_slot] = np.where(np.isfinite(passed_actual), passed_actual, result[:now_slot])
    return result


def mase(actual: Array, predicted: Array, naive_scale: float) -> float:
    """Mean absolute scaled error: the mean absolute error over the naive method's, in-sample.

    Pairs where either value is missing are skipped. NaN when no pair is left, or when the
    scale is zero or missing (training data that repeats exactly gives no scale).
    """
    actual = np.asarray(actual, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    both = np.isfinite(actual) & np.isfinite(predicted)
    if not both.any() or not math.isfinite(naive_scale) or naive_scale <= 0:
        return math.nan
    return float(np.abs(actual[both] - predicted[both]).mean()) / naive_scale


def mape(actual: Array, predicted: Array) -> float:
    """Mean absolute percentage error, in per cent, over slots with at least one actual call.

    Slots with no calls are skipped, because an error on zero has no percentage; on quiet
    slots with one or two calls MAPE is still large and erratic, which is why MASE is the
    headline score. Pairs with a missing value are skipped; NaN when no slot is left.
    """
    actual = np.asarray(actual, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    scored = np.isfinite(actual) & np.isfinite(predicted) & (actual > 0)
    if not scored.any():
        return math.nan
    return 100.0 * float((np.abs(actual[scored] - predicted[scored]) / actual[scored]).mean())


@dataclass(frozen=True)
class Backtest:
    """The method against seasonal naive on the same held-out slots."""

    method_mase: float
    naive_mase: float
    method_mape: float
    naive_mape: float
    days: int  # held-out days
    slots: int  # held-out slots scored: actual, method and naive all present
    naive_scale: float  # in-sample mean absolute error of seasonal naive on the training days

    @property
    def ratio(self) -> float:
        """Method MASE over naive MASE: below 1 means the method beats the baseline."""
        if not self.naive_mase:
            return math.nan
        return self.method_mase / self.naive_mase


def backtest(
    history: Array, history_days: Sequence[date], *, holdout_days: int, weeks: int = 8
) -> Backtest:
    """Score the method and seasonal naive on the last ``holdout_days`` days, rolling origin.

    Each held-out day is forecast from the rows strictly before it, as it would have been the
    evening before. Both are scored on the slots where the actual and both forecasts exist.
    The MASE scale is the mean absolute error of seasonal naive on the training days (those
    before the first held-out day), Hyndman's definition for seasonal data.
    """
    history = _checked(history, history_days)
    count = len(history_days)
    if not 1 <= holdout_days < count:
        raise ValueError("holdout_days must leave at least one training day")
    first = count - holdout_days
    method = np.vstack(
        [
            forecast_days(history[:i], history_days[:i], [history_days[i]], weeks=weeks)
            for i in range(first, count)
        ]
    )
    naive = np.vstack(
        [
            seasonal_naive(history[:i], history_days[:i], [history_days[i]])
            for i in range(first, count)
        ]
    )
    actual = history[first:]
    scored = np.isfinite(actual) & np.isfinite(method) & np.isfinite(naive)
    scale = _naive_scale(history[:first], history_days[:first])
    return Backtest(
        method_mase=mase(actual[scored], method[scored], scale),
        naive_mase=mase(actual[scored], naive[scored], scale),
        method_mape=mape(actual[scored], method[scored]),
        naive_mape=mape(actual[scored], naive[scored]),
        days=holdout_days,
        slots=int(scored.sum()),
        naive_scale=scale,
    )


def coarsen_slots(history: Array, factor: int) -> Array:
    """Sum each run of ``factor`` slots into one (5-minute counts into 15-minute ones).

    A coarse slot with any fine slot missing is missing; a trailing partial run is dropped.
    """
    history = np.asarray(history, dtype=np.float64)
    if history.ndim != 2 or factor < 1:
        raise ValueError("need a 2-D array and a factor of at least 1")
    whole = history.shape[1] // factor
    trimmed = history[:, : whole * factor]
    return trimmed.reshape(history.shape[0], whole, factor).sum(axis=2)


# --- Helpers ---------------------------------------------------------------------------------


def _checked(history: Array, history_days: Sequence[date]) -> Array:
    history = np.asarray(history, dtype=np.float64)
    if history.ndim != 2 or history.shape[0] != len(history_days):
        raise ValueError("history must be 2-D with one row per day in history_days")
    if any(a >= b for a, b in pairwise(history_days)):
        raise ValueError("history_days must be strictly ascending")
    return history


def _ratio(numerator: Array, denominator: Array) -> Array:
    """numerator / denominator, NaN where the denominator is zero."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, np.nan)


def _column_profile(history: Array) -> Array:
    """The share of a typical day's volume in each slot, over all days (sums to 1)."""
    observed = np.isfinite(history)
    means = _ratio(np.where(observed, history, 0.0).sum(axis=0), observed.sum(axis=0) * 1.0)
    if not np.isfinite(means).any():
        return np.full(history.shape[1], 1.0 / history.shape[1])
    means = np.where(np.isfinite(means), means, np.nanmean(means))
    total = float(means.sum())
    if total <= 0:
        return np.full(history.shape[1], 1.0 / history.shape[1])
    return means / total


def _day_totals(history: Array, reference: Array) -> Array:
    """Each day's volume, its missing slots filled in proportion to the reference profile.

    NaN for a day whose observed slots normally carry less than half the volume; if that is
    every day, any day with an observed slot counts, so a short, patchy history still yields.
    """
    observed = np.isfinite(history)
    coverage = (observed * reference).sum(axis=1)
    sums = np.where(observed, history, 0.0).sum(axis=1)
    totals = _ratio(sums, coverage)
    enough = coverage >= MIN_COVERAGE
    if not enough.any():
        enough = observed.any(axis=1)
    return np.where(enough, totals, np.nan)


def _naive_scale(history: Array, history_days: Sequence[date]) -> float:
    """The in-sample mean absolute error of seasonal naive: each day against the last earlier
    day of its type, over the slots present on both. NaN when no day has such a predecessor."""
    latest: dict[int, int] = {}
    errors = []
    for index, day in enumerate(history_days):
        kind = day_type(day)
        if kind in latest:
            error = np.abs(history[index] - history[latest[kind]])
            errors.append(error[np.isfinite(error)])
        latest[kind] = index
    joined = np.concatenate(errors) if errors else np.array([])
    return float(joined.mean()) if joined.size else math.nan


def _recency(ordinals: Array, origin: float) -> Array:
    return np.asarray(0.5 ** ((origin - ordinals) / HALF_LIFE_DAYS), dtype=np.float64)


def _damped_days(ahead: int) -> float:
    """The days of trend applied ``ahead`` days past the history: sum of damping**k, k=1..ahead."""
    if ahead <= 0:
        return float(ahead)
    return TREND_DAMPING * (1 - TREND_DAMPING**ahead) / (1 - TREND_DAMPING)


def _pick(
    types: NDArray[np.int_], usable: NDArray[np.bool_], kind: int, weeks: int
) -> NDArray[np.intp]:
    """Rows that teach a day type: its last ``weeks`` usable days, else the last ``weeks``
    weeks of usable days of any type (ordinary ones first), so a new type is never empty."""
    same = np.flatnonzero(usable & (types == kind))
    if same.size:
        return same[-weeks:]
    ordinary = np.flatnonzero(usable & (types != BANK_HOLIDAY))
    if ordinary.size:
        return ordinary[-weeks * 7 :]
    return np.flatnonzero(usable)[-weeks * 7 :]


def _trend(totals: Array, types: NDArray[np.int_], ordinals: Array, weeks: int) -> float:
    """Growth of log volume per day over the last ``weeks`` weeks, kept only if it stands out.

    The slope is the least-squares one with an intercept per day type (each day set against
    the mean of its own type), so the weekly pattern does not pass for trend. It is shrunk
    by (1 - 4 / t**2), floored at 0, where t is its t-statistic: a slope within two standard
    errors of flat is dropped, and a clear one is kept almost whole. A level that steps up
    and down from week to week (school holidays, a major incident) is not extrapolated.
    Zero when the window spans under three weeks.
    """
    window = np.isfinite(totals) & (types != BANK_HOLIDAY) & (ordinals > ordinals[-1] - 7 * weeks)
    if not window.any():
        return 0.0
    days = ordinals[window]
    if days.max() - days.min() < MIN_TREND_SPAN_DAYS:
        return 0.0
    kinds = types[window]
    logs = np.log1p(totals[window])
    day_offset = days.copy()
    log_offset = logs.copy()
    for kind in np.unique(kinds):
        mine = kinds == kind
        day_offset[mine] -= days[mine].mean()
        log_offset[mine] -= logs[mine].mean()
    spread = float((day_offset**2).sum())
    freedom = days.size - np.unique(kinds).size - 1
    if spread <= 0 or freedom <= 0:
        return 0.0
    slope = float((day_offset * log_offset).sum()) / spread
    residual = float(((log_offset - slope * day_offset) ** 2).sum()) / freedom
    if residual > 0:
        t_squared = slope**2 * spread / residual
        slope *= max(0.0, 1 - TREND_MIN_T**2 / t_squared) if t_squared > 0 else 0.0
    return min(max(slope, -MAX_TREND_PER_DAY), MAX_TREND_PER_DAY)


def _profile(rows: Array, totals: Array, weights: Array, reference: Array) -> Array:
    """The weighted mean share of the day in each slot, smoothed, summing to 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = rows / totals[:, None]
    present = np.isfinite(shares)
    mass = (present * weights[:, None]).sum(axis=0)
    mean = _ratio(np.where(present, shares * weights[:, None], 0.0).sum(axis=0), mass)
    mean = np.where(np.isfinite(mean), mean, reference)
    smooth = _smooth(mean)
    total = float(smooth.sum())
    if total <= 0:
        return reference
    return smooth / total


def _smooth(profile: Array) -> Array:
    """A 1-4-1 moving average; at the first and last slot the missing neighbour is dropped."""
    side, centre, _ = PROFILE_KERNEL
    padded = np.concatenate([[0.0], profile, [0.0]])
    weight = np.concatenate([[0.0], np.ones_like(profile), [0.0]])
    numerator = side * padded[:-2] + centre * padded[1:-1] + side * padded[2:]
    denominator = side * weight[:-2] + centre * weight[1:-1] + side * weight[2:]
    return np.asarray(numerator / denominator, dtype=np.float64)


def _bank_holiday_forecast(
    history: Array,
    totals: Array,
    types: NDArray[np.int_],
    ordinals: Array,
    reference: Array,
    target: date,
    weeks: int,
) -> Array | None:
    """A bank holiday from past bank holidays, or None (not one, or too few of them).

    Volume: the mean ratio of each past bank holiday to the mean ordinary day in the
    ``LEVEL_DAYS`` before it, times the mean ordinary day in the ``LEVEL_DAYS`` up to the end
    of history. Profile: the mean share per slot over the same bank holidays, equally weighted
    (they are months apart, and Christmas is no more like this one for being recent).
    """
    if day_type(target) != BANK_HOLIDAY:
        return None
    ordinary = np.isfinite(totals) & (types != BANK_HOLIDAY)
    past = np.flatnonzero(np.isfinite(totals) & (types == BANK_HOLIDAY))[-weeks:]
    if past.size < MIN_BANK_HOLIDAYS:
        return None
    ratios = []
    for index in past:
        before = (
            ordinary & (ordinals < ordinals[index]) & (ordinals >= ordinals[index] - LEVEL_DAYS)
        )
        if before.any():
            ratios.append(totals[index] / totals[before].mean())
    now = ordinary & (ordinals > ordinals[-1] - LEVEL_DAYS)
    if ratios and now.any():
        volume = float(np.mean(ratios)) * float(totals[now].mean())
    else:
        volume = float(totals[past].mean())
    return volume * _profile(history[past], totals[past], np.ones(past.size), reference)
