"""Call-demand forecast: synthetic demand with a known pattern, and one real call centre."""

import csv
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluelamp.staffing.forecast import (
    BANK_HOLIDAY,
    backtest,
    coarsen_slots,
    day_type,
    forecast_days,
    forecast_weighted_mean,
    mape,
    mase,
    reforecast_today,
    seasonal_naive,
)
from tests import needs

BANK_CALLS = (
    Path(__file__).resolve().parents[1].parent / "shared/data/bank-call-arrivals/calls_5min.csv"
)
SLOTS = 96  # 15-minute slots
HOURS = (np.arange(SLOTS) + 0.5) * 24 / SLOTS
# Weekdays peak in the late afternoon; weekends and bank holidays run late into the night.
WEEKDAY_SHAPE = 0.3 + np.exp(-(((HOURS - 17) / 4) ** 2)) + 0.5 * np.exp(-(((HOURS - 10) / 3) ** 2))
NIGHT_SHAPE = 0.4 + np.exp(-(((HOURS - 22) / 3) ** 2)) + 0.8 * np.exp(-(((HOURS - 1) / 2) ** 2))
DAY_VOLUME = [1.0, 0.95, 0.95, 1.0, 1.2, 1.1, 0.6, 0.4]  # Monday..Sunday, bank holiday


def expected(day: date, *, calls_per_day: float, growth: float = 0.0, start: date) -> np.ndarray:
    kind = day_type(day)
    shape = NIGHT_SHAPE if kind >= 5 else WEEKDAY_SHAPE
    volume = calls_per_day * DAY_VOLUME[kind] * math.exp(growth * (day - start).days)
    return volume * shape / shape.sum()


def demand(
    start: date, count: int, *, calls_per_day: float = 600, growth: float = 0.0, seed: int = 1
) -> tuple[np.ndarray, list[date]]:
    """Poisson counts around a known daily and weekly pattern, one row per day from start."""
    rng = np.random.default_rng(seed)
    days = [start + timedelta(days=i) for i in range(count)]
    rates = np.vstack(
        [expected(d, calls_per_day=calls_per_day, growth=growth, start=start) for d in days]
    )
    return rng.poisson(rates).astype(np.float64), days


def test_day_type_knows_bank_holidays_in_england_and_wales():
    assert day_type(date(2026, 12, 25)) == BANK_HOLIDAY
    assert day_type(date(2026, 8, 31)) == BANK_HOLIDAY
    assert day_type(date(2026, 12, 28)) == BANK_HOLIDAY  # Boxing Day falls on a Saturday
    assert day_type(date(2026, 9, 1)) == 1  # Tuesday
    assert day_type(date(2026, 8, 30)) == 6  # Sunday
    assert day_type(date(2026, 1, 2)) == 4  # a bank holiday in Scotland only
    assert day_type(date(2026, 11, 30)) == 0  # St Andrew's Day, Scotland only


def test_method_beats_seasonal_naive_on_held_out_days():
    history, days = demand(date(2026, 6, 1), 10 * 7)
    result = backtest(history, days, holdout_days=14)
    assert result.days == 14
    assert result.slots == 14 * SLOTS
    assert result.method_mase < 0.85 * result.naive_mase
    assert result.method_mape < result.naive_mape


def test_forecast_is_close_to_the_true_rate_a_fortnight_ahead():
    start = date(2026, 6, 1)
    history, days = demand(start, 8 * 7)
    targets = [days[-1] + timedelta(days=i) for i in range(1, 15)]
    forecast = forecast_days(history, days, targets)
    truth = np.vstack([expected(d, calls_per_day=600, start=start) for d in targets])
    assert forecast.shape == (14, SLOTS)
    assert np.abs(forecast.sum(axis=1) / truth.sum(axis=1) - 1).max() < 0.06
    # Each day's shape is its type's: the evening peak of a weekday, the late night of a Sunday.
    shares = forecast / forecast.sum(axis=1, keepdims=True)
    true_shares = truth / truth.sum(axis=1, keepdims=True)
    assert (np.abs(shares - true_shares).sum(axis=1) / 2 < 0.1).all()
    wrong = np.abs(WEEKDAY_SHAPE / WEEKDAY_SHAPE.sum() - NIGHT_SHAPE / NIGHT_SHAPE.sum()).sum() / 2
    assert wrong > 0.2


def test_a_clear_trend_is_followed_and_damped():
    start = date(2026, 6, 1)
    growth = 0.01  # 1% a day: about 7% a week
    history, days = demand(start, 8 * 7, calls_per_day=2000, growth=growth)
    targets = [days[-1] + timedelta(days=i) for i in range(1, 15)]
    totals = forecast_days(history, days, targets).sum(axis=1)
    truth = np.array(
        [expected(d, calls_per_day=2000, growth=growth, start=start).sum() for d in targets]
    )
    error = totals / truth - 1
    assert abs(error[0]) < 0.05  # tomorrow: the trend is followed, not lagged a week or two
    assert error.mean() < 0  # damped: a fortnight out it is not extrapolated in full
    assert error.min() > -0.15
    flat = np.vstack([history[-7:]] * 8)
    assert np.allclose(
        forecast_days(flat, days, targets[:7]).sum(axis=1), flat[:7].sum(axis=1), rtol=0.01
    )


def test_bank_holiday_without_past_ones_is_forecast_as_a_sunday():
    history, days = demand(date(2026, 6, 1), 13 * 7)  # ends Sunday 30 August 2026
    assert all(day_type(d) != BANK_HOLIDAY for d in days)
    holiday, monday, sunday = forecast_days(
        history, days, [date(2026, 8, 31), date(2026, 9, 7), date(2026, 9, 6)]
    )
    assert np.allclose(holiday, sunday, rtol=0.02)
    assert holiday.sum() < 0.7 * monday.sum()


def test_past_bank_holidays_are_used_and_kept_out_of_weekday_training():
    start = date(2025, 1, 1)
    history, days = demand(start, 365 + 120, calls_per_day=1000)
    assert sum(day_type(d) == BANK_HOLIDAY for d in days) >= 8
    cut = days.index(date(2026, 4, 2))  # Good Friday 2026 is the next day
    good_friday = forecast_days(history[: cut + 1], days[: cut + 1], [date(2026, 4, 3)])[0]
    truth = expected(date(2026, 4, 3), calls_per_day=1000, start=start)
    assert good_friday.sum() == pytest.approx(truth.sum(), rel=0.1)
    # The profile is learnt from past bank holidays: the late-night peak, not the weekday one.
    assert good_friday[:8].sum() > good_friday[64:72].sum()
    # The Monday after the late-summer bank holiday Monday is an ordinary Monday.
    cut = days.index(date(2025, 8, 31))
    monday = forecast_days(history[: cut + 1], days[: cut + 1], [date(2025, 9, 1)])[0]
    assert monday.sum() == pytest.approx(1000, rel=0.05)


def test_missing_slots_and_days_are_filled_not_propagated():
    history, days = demand(date(2026, 6, 1), 8 * 7, seed=3)
    targets = [days[-1] + timedelta(days=i) for i in range(1, 15)]
    complete = forecast_days(history, days, targets)
    holes = history.copy()
    rng = np.random.default_rng(4)
    holes[rng.random(holes.shape) < 0.1] = np.nan
    holes[[10, 30, 50]] = np.nan
    holes[20, :60] = np.nan  # most of one day gone: the day is left out
    patched = forecast_days(holes, days, targets)
    assert np.isfinite(patched).all()
    assert np.allclose(patched.sum(axis=1), complete.sum(axis=1), rtol=0.04)


def test_short_history_falls_back_to_all_days():
    history, days = demand(date(2026, 6, 1), 3)  # Monday to Wednesday only
    sunday = forecast_days(history, days, [date(2026, 6, 7)])[0]
    assert np.isfinite(sunday).all()
    assert sunday.sum() == pytest.approx(np.exp(np.log1p(history.sum(axis=1)).mean()) - 1, rel=0.15)
    one = forecast_days(history[:1], days[:1], [date(2026, 6, 8), date(2026, 12, 25)])
    assert np.isfinite(one).all()
    empty = forecast_days(np.full((2, SLOTS), np.nan), days[:2], [date(2026, 6, 8)])
    assert np.isnan(empty).all()


def test_seasonal_naive_copies_the_last_day_of_the_same_type():
    history, days = demand(date(2026, 6, 1), 21)
    naive = seasonal_naive(history, days, [date(2026, 6, 22), date(2026, 6, 28)])
    assert np.array_equal(naive[0], history[14])  # Monday 15 June
    assert np.array_equal(naive[1], history[20])  # Sunday 21 June
    gapped = seasonal_naive(history[:8], days[:8], [date(2026, 6, 22)])
    assert np.array_equal(gapped[0], history[7])  # the latest Monday before the gap
    assert np.isnan(seasonal_naive(history, days, [date(2026, 8, 31)])).all()  # no past holiday


def test_weighted_mean_weights_by_calls_and_falls_back():
    days = [date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 9)]  # Monday, Monday, Tuesday
    values = np.array([[100.0, 300.0, np.nan], [200.0, np.nan, np.nan], [50.0, 400.0, np.nan]])
    calls = np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 0.0], [1.0, 6.0, 0.0]])
    monday, sunday = forecast_weighted_mean(
        values, calls, days, [date(2026, 6, 15), date(2026, 6, 14)]
    )
    assert monday[0] == pytest.approx(175)  # (100 * 1 + 200 * 3) / 4
    assert monday[1] == pytest.approx(300)
    overall = (100 + 600 + 600 + 50 + 2400) / 13
    assert monday[2] == pytest.approx(overall)  # never any calls in this slot
    assert sunday[0] == pytest.approx((100 + 600 + 50) / 5)  # no Sundays: all days


def test_reforecast_scales_up_a_day_running_hot():
    forecast = np.full(SLOTS, 10.0)
    actual = np.full(SLOTS, 15.0)
    now = SLOTS // 2
    revised = reforecast_today(forecast, actual, now)
    assert np.array_equal(revised[:now], actual[:now])
    assert 10 < revised[now] < 15
    assert np.allclose(revised[now:], revised[now])
    early = reforecast_today(forecast, actual, 4)
    assert 10 < early[4] < revised[now]  # less of the day gone: less believed
    assert np.array_equal(reforecast_today(forecast, actual, 0), forecast)
    cold = reforecast_today(forecast, np.full(SLOTS, 5.0), now)
    assert 5 < cold[now] < 10
    storm = reforecast_today(forecast, np.full(SLOTS, 200.0), now)
    assert storm[now] == pytest.approx(20)  # clipped at twice the forecast


@given(
    forecast=st.lists(st.floats(0, 500).map(lambda x: round(x, 2)), min_size=1, max_size=96),
    scale=st.floats(0, 20),
    data=st.data(),
)
def test_reforecast_keeps_the_past_and_moves_only_towards_the_actual(forecast, scale, data):
    planned = np.array(forecast)
    actual = planned * scale
    now = data.draw(st.integers(0, len(forecast)))
    revised = reforecast_today(planned, actual, now)
    assert np.array_equal(revised[:now], actual[:now])
    so_far = planned[:now].sum()
    ratio = actual[:now].sum() / so_far if so_far > 0 else 1.0
    multiplier = revised[now:] / np.where(planned[now:] > 0, planned[now:], np.nan)
    multiplier = multiplier[np.isfinite(multiplier)]
    assert ((multiplier >= 0.5 - 1e-9) & (multiplier <= 2 + 1e-9)).all()
    assert (multiplier >= min(1.0, ratio) - 1e-9).all()
    assert (multiplier <= max(1.0, ratio) + 1e-9).all()


def test_scores_skip_missing_pairs_and_empty_slots():
    actual = np.array([10.0, 0.0, np.nan, 4.0])
    predicted = np.array([12.0, 1.0, 5.0, np.nan])
    assert mase(actual, predicted, naive_scale=2.0) == pytest.approx((2 + 1) / 2 / 2)
    assert mape(actual, predicted) == pytest.approx(20.0)  # only the slot with 10 calls
    assert math.isnan(mase(actual, predicted, naive_scale=0.0))
    assert math.isnan(mape(np.zeros(3), np.ones(3)))


def test_coarsen_slots_sums_whole_runs():
    fine = np.arange(14, dtype=np.float64).reshape(2, 7)
    fine[1, 0] = np.nan
    coarse = coarsen_slots(fine, 3)
    assert coarse.shape == (2, 2)
    assert coarse[0].tolist() == [3.0, 12.0]
    assert np.isnan(coarse[1, 0])


def load_bank_calls(path: Path) -> tuple[np.ndarray, list[date]]:
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    days = sorted({row["date_assumed"] for row in rows})
    index = {day: i for i, day in enumerate(days)}
    slots = max(int(row["slot_index"]) for row in rows)
    counts = np.full((len(days), slots), np.nan)
    for row in rows:
        counts[index[row["date_assumed"]], int(row["slot_index"]) - 1] = float(row["calls"])
    return counts, [date.fromisoformat(day) for day in days]


def test_beats_seasonal_naive_on_real_call_arrivals_at_15_minutes():
    needs.path(BANK_CALLS, "the shared bank call arrivals")
    counts, days = load_bank_calls(BANK_CALLS)
    quarter_hours = coarsen_slots(
        counts, 3
    )  # 07:00 to 21:00; the lone 21:00 5-minute slot is dropped
    result = backtest(quarter_hours, days, holdout_days=20)
    assert result.days == 20
    assert result.slots == 20 * 56
    assert result.method_mase < result.naive_mase
