"""Alerts that mean something: a Bernoulli CUSUM per team, call handler, incident type and
channel, explained by an exact binomial tail.

Each unit's responses are a sequence of dissatisfied (1) or not (0). Against its expected
share ``p0`` (its own recent history, pulled towards the force's so that small units are not
judged on a handful of answers), the CUSUM adds log(p1/p0) for a dissatisfied answer and
log((1-p1)/(1-p0)) for any other, never falling below 0, where p1 is the share that matters
(odds ``ODDS_RATIO`` times p0's). It signals when the sum passes ``THRESHOLD``. With p0 = 10%
that is about one false alarm in 15,000 answers of a steady unit (for a team answering 30
surveys a day, once in over a year) and a rise to 40% is caught in about 25 answers: a
rise cannot be told from luck much sooner without many more false alarms (each answer at 40%
carries 0.31 nats of evidence against 10%). ``bench/alerts.py`` measures both. The run of
answers since the sum last stood at 0 is what an alert describes, with the chance of that
many dissatisfied out of that many by luck alone.

Pure functions: the database side is ``alerts_update`` in ``services.py`` of this app.
"""

import math
from dataclasses import dataclass

ODDS_RATIO = 3.0
THRESHOLD = 6.5
# An alert clears when the sum falls back below this.
CLEAR_BELOW = 0.5
# The expected share is the unit's history pulled towards the force's, as if the force's share
# had been seen this many more times.
PRIOR_WEIGHT = 50
# Below this many answered responses in the force's history, nothing is judged.
MIN_FORCE_HISTORY = 100


def expected_share(unit_x: int, unit_n: int, force_x: int, force_n: int) -> float | None:
    """The unit's expected dissatisfied share, or None when the force has too little history."""
    if force_n < MIN_FORCE_HISTORY:
        return None
    force_p = (force_x + 0.5) / (force_n + 1)
    p = (unit_x + PRIOR_WEIGHT * force_p) / (unit_n + PRIOR_WEIGHT)
    return min(max(p, 0.005), 0.9)


def alarm_share(p0: float) -> float:
    odds = p0 / (1 - p0) * ODDS_RATIO
    return odds / (1 + odds)


def cusum_step(total: float, dissatisfied: bool, p0: float) -> float:
    p1 = alarm_share(p0)
    weight = math.log(p1 / p0) if dissatisfied else math.log((1 - p1) / (1 - p0))
    return max(0.0, total + weight)


def binomial_tail(x: int, n: int, p: float) -> float:
    """P(X >= x) for X ~ Binomial(n, p), summed in logarithms (exact, any n)."""
    if x <= 0:
        return 1.0
    if x > n:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p
        + (n - k) * log_q
        for k in range(x, n + 1)
    ]  # fmt: skip
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def chance_words(p: float) -> str:
    """0.0004 as "less than once in 1,000"."""
    for n in (1_000_000, 100_000, 10_000, 1_000, 100):
        if p < 1 / n:
            return f"less than once in {n:,}"
    return f"about once in {max(1, round(1 / p)):,}" if p > 0 else "never"


@dataclass(frozen=True)
class Explanation:
    text: str
    chance: float


def explain(label: str, since: str, x: int, n: int, p0: float) -> Explanation:
    """ "Team C: 9 of 14 dissatisfied since 14:00, expected about 3; this happens by chance
    less than once in 1,000 runs." """
    chance = binomial_tail(x, n, p0)
    expected = n * p0
    about = f"{expected:.0f}" if expected >= 1.5 else f"{expected:.1f}"
    return Explanation(
        f"{label}: {x} of {n} dissatisfied since {since}, expected about {about} "
        f"(usually {p0:.0%}); this happens by chance {chance_words(chance)} times.",
        chance,
    )
