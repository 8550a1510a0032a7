"""Units against the force: a funnel plot of satisfaction, with limits for each size.

The CUSUM (``alerts.py``) compares each unit with its own past, so a team that has always
been poor is never flagged. Here each unit's satisfaction over a period (the figure the
board shows), counted as its share of answers *not* satisfied, is set against what the force
achieves: with ``n`` answers and the force's share ``p``, chance alone keeps
the unit's share inside the 99.8% binomial limits (``LIMIT``, two-sided: the upper one is the
99.9% quantile) all but once in 1,000 judgements of a steady unit; only the upper side is an
alert. The limits are exact binomial quantiles, interpolated between counts as Spiegelhalter
(2005) draws them, so a small unit is not judged on a normal approximation.

Real units differ by more than chance (shifts, areas, what they are sent to), and with a few
hundred answers each a trivial difference would leave the funnel. That overdispersion is
measured from the units themselves: ``phi`` from their standardised differences, estimated
robustly (the median absolute deviation, so that the one unit that is really different does
not widen everyone's limits and hide itself), and, when ``phi`` is above 1, the limits widen
by an additive between-unit variance ``tau2`` (Spiegelhalter's random-effects method). With
fewer than ``MIN_UNITS_FOR_DISPERSION`` units there is too little to measure it and the exact
binomial limits stand.

Teams are compared on their mix of incidents: a team's expected count is the force's share
for each incident type times the team's answers of that type (indirect standardisation), so
a team sent more burglaries is judged on what the force does with burglaries.

Pure functions; the database side is ``funnel_alerts_update`` in ``services.py``.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import binom

LIMIT = 0.998  # the funnel's outer limits, two-sided: above the upper one is an alert
INNER = 0.95  # the inner funnel drawn, and where an alert clears


def upper_quantile(level: float) -> float:
    """The upper limit of two-sided ``level`` limits: 0.998 is the 99.9% quantile."""
    return (1 + level) / 2


MIN_ANSWERS = 20  # fewer answers in the period: not judged
MIN_UNITS_FOR_DISPERSION = 5


def _limits(q: float, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The share at quantile ``q`` of Binomial(n, p) / n for arrays of n and p."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    r = np.minimum(binom.ppf(q, n, p), n)
    at = binom.cdf(r, n, p)
    below = np.where(r > 0, binom.cdf(r - 1, n, p), 0.0)
    step = at - below
    alpha = np.divide(at - q, step, out=np.zeros_like(step), where=step > 0)
    shares: np.ndarray = np.maximum(0.0, (r - alpha) / np.maximum(n, 1))
    return shares


def binomial_limits(q: float, sizes: Sequence[int], p: float) -> list[float]:
    """The share at quantile ``q`` of Binomial(n, p) / n for each size n, interpolated
    between counts (Spiegelhalter's way).

    scipy's binomial quantile and distribution function (the regularised incomplete beta),
    for all sizes in one call: a limit costs the same at 40 answers as at 40,000, and the
    drill-down's funnel draws about 170 of them."""
    n = np.asarray(sizes, dtype=np.int64)
    shares = _limits(q, n, np.full(n.shape, p, dtype=float))
    return [p if size <= 0 else float(v) for size, v in zip(sizes, shares, strict=True)]


def binomial_limit(q: float, n: int, p: float) -> float:
    """The share at quantile ``q`` of Binomial(n, p) / n (see ``binomial_limits``)."""
    return p if n <= 0 else binomial_limits(q, [n], p)[0]


def upper_tail(x: int, n: int, p: float) -> float:
    """P(X >= x) for X ~ Binomial(n, p)."""
    if x <= 0:
        return 1.0
    if x > n:
        return 0.0
    p = min(max(p, 1e-9), 1 - 1e-9)
    return min(1.0, float(binom.sf(x - 1, n, p)))


def _normal_quantile(q: float) -> float:
    return statistics.NormalDist().inv_cdf(q)


@dataclass(frozen=True)
class Unit:
    key: str
    answers: int
    not_satisfied: int
    expected: float  # the count expected from the force (on the unit's mix, for teams)

    @property
    def share(self) -> float:
        return self.not_satisfied / self.answers

    @property
    def expected_share(self) -> float:
        return self.expected / self.answers


@dataclass(frozen=True)
class Dispersion:
    phi: float  # 1: units differ as chance would make them differ
    tau2: float  # the between-unit variance added to each unit's own (0 when phi <= 1)
    units: int


def dispersion(units: list[Unit]) -> Dispersion:
    """How much more the units differ than chance, measured robustly (see the module)."""
    judged = [u for u in units if u.answers >= MIN_ANSWERS and 0 < u.expected_share < 1]
    k = len(judged)
    if k < MIN_UNITS_FOR_DISPERSION:
        return Dispersion(1.0, 0.0, k)
    variances = [u.expected_share * (1 - u.expected_share) / u.answers for u in judged]
    pairs = zip(judged, variances, strict=True)
    z = [(u.share - u.expected_share) / math.sqrt(v) for u, v in pairs]
    centre = statistics.median(z)
    mad = statistics.median(abs(v - centre) for v in z) * 1.4826
    phi = mad * mad
    if phi <= 1:
        return Dispersion(phi, 0.0, k)
    weights = [1 / v for v in variances]
    total = sum(weights)
    tau2 = max(0.0, (k * phi - (k - 1)) / (total - sum(w * w for w in weights) / total))
    return Dispersion(phi, tau2, k)


def upper_limit(q: float, n: int, p: float, spread: Dispersion) -> float:
    """The upper limit at ``q`` for a unit of ``n`` answers expected at share ``p``."""
    if spread.tau2 == 0:
        return binomial_limit(q, n, p)
    return min(1.0, p + _normal_quantile(q) * math.sqrt(p * (1 - p) / n + spread.tau2))


def upper_limits(q: float, sizes: Sequence[int], p: float, spread: Dispersion) -> list[float]:
    """``upper_limit`` for each size, the binomial ones in one call (a funnel's curve)."""
    if spread.tau2 == 0:
        return binomial_limits(q, sizes, p)
    return [upper_limit(q, n, p, spread) for n in sizes]


def lower_limits(q: float, sizes: Sequence[int], p: float, spread: Dispersion) -> list[float]:
    if spread.tau2 == 0:
        return binomial_limits(1 - q, sizes, p)
    return [lower_limit(q, n, p, spread) for n in sizes]


def lower_limit(q: float, n: int, p: float, spread: Dispersion) -> float:
    if spread.tau2 == 0:
        return binomial_limit(1 - q, n, p)
    return max(0.0, p - _normal_quantile(q) * math.sqrt(p * (1 - p) / n + spread.tau2))


def chance_of(unit: Unit, spread: Dispersion) -> float:
    """How often chance alone would give the unit this many answers not satisfied, or more."""
    p = unit.expected_share
    if spread.tau2 == 0:
        return upper_tail(unit.not_satisfied, unit.answers, p)
    sd = math.sqrt(p * (1 - p) / unit.answers + spread.tau2)
    return 1 - statistics.NormalDist(p, sd).cdf(unit.share)


@dataclass(frozen=True)
class Verdict:
    unit: Unit
    upper: float  # the upper 99.8% limit for the unit's size
    inner_upper: float  # the upper 95% limit
    chance: float

    @property
    def outside(self) -> bool:
        return self.unit.share > self.upper

    @property
    def inside_inner(self) -> bool:
        return self.unit.share <= self.inner_upper


def judge(units: list[Unit]) -> tuple[list[Verdict], Dispersion]:
    """Each unit with enough answers against its limits (the binomial ones for every unit
    in one call: a force's 145 call handlers are judged in about a millisecond)."""
    spread = dispersion(units)
    judged = [u for u in units if u.answers >= MIN_ANSWERS and 0 < u.expected_share < 1]
    if not judged:
        return [], spread
    if spread.tau2 == 0:
        n = np.array([u.answers for u in judged], dtype=np.int64)
        p = np.array([u.expected_share for u in judged])
        x = np.array([u.not_satisfied for u in judged], dtype=np.int64)
        uppers = _limits(upper_quantile(LIMIT), n, p)
        inners = _limits(upper_quantile(INNER), n, p)
        chances = np.where(
            x <= 0, 1.0, np.minimum(1.0, binom.sf(x - 1, n, np.clip(p, 1e-9, 1 - 1e-9)))
        )
        return [
            Verdict(unit=u, upper=float(a), inner_upper=float(b), chance=float(c))
            for u, a, b, c in zip(judged, uppers, inners, chances, strict=True)
        ], spread
    return [
        Verdict(
            unit=u,
            upper=upper_limit(upper_quantile(LIMIT), u.answers, u.expected_share, spread),
            inner_upper=upper_limit(upper_quantile(INNER), u.answers, u.expected_share, spread),
            chance=chance_of(u, spread),
        )
        for u in judged
    ], spread


def team_expected(mix: dict[str, int], force_shares: dict[str, float], force_share: float) -> float:
    """A team's expected count not satisfied on its own mix of incident types: the force's
    share for each type times the team's answers of it (the force's overall share for a type
    the force has no answers of)."""
    return sum(n * force_shares.get(t, force_share) for t, n in mix.items())
