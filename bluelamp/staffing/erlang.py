"""Erlang B, C and A for contact-centre staffing, vectorised over intervals and scenarios.

Pure numpy, no Django. Every function takes scalars or arrays, broadcasts them together and
returns arrays of the broadcast shape (0-d arrays for scalar input). Times are in seconds
throughout: handle time, target answer time, patience and interval length.

The models:

* Erlang B (M/M/n/n): the share of calls that find every handler busy when nobody may wait.
  Computed by the recursion B(k) = A B(k-1) / (k + A B(k-1)), which never overflows, so it
  holds from one handler to tens of thousands.
* Erlang C (M/M/n): callers wait as long as it takes. C(n, A) is the chance a caller waits;
  the share answered within t seconds is 1 - C exp(-(n - A) t / aht). The queue is only
  stable with more handlers than the offered load A (in erlangs).
* Erlang A (M/M/n+M): callers hang up after an exponential patience. Always stable; answers
  both "how many wait" and "how many give up".

The staffing searches (``erlang_c_required``, ``erlang_a_required``) answer "how many
handlers on the phones" (``raw``) and "how many to roster" (``staffed``, after shrinkage) for
every element at once; a day of 96 intervals for 100 scenarios takes milliseconds.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

# A quotient within this relative distance of an integer is that integer: 21 erlangs at 70%
# occupancy is 30 handlers, although 21 / 0.7 is 30.000000000000004 in floating point.
_INTEGER_TOLERANCE = 1e-9

# The Erlang A queue is summed out to its peak plus this many standard deviations plus the
# margin (see _queue_length_bound); the terms left off are below 1e-17 of the total.
_QUEUE_TAIL_SIGMAS = 10.0
_QUEUE_TAIL_MARGIN = 30
# A queue longer than this (callers waiting at once) is refused rather than summed.
_QUEUE_LENGTH_LIMIT = 2_000_000
# Cells (elements x queue positions) evaluated at once in Erlang A: bounds the memory used.
_ERLANG_A_CHUNK_CELLS = 1 << 19
# Erlang B recursions with this few elements left run in plain Python (see _erlang_b_flat).
_PYTHON_LOOP_ELEMENTS = 16
# The staffing searches give up this far above the offered load (cannot happen for valid
# input; a guard against an endless loop).
_SEARCH_LIMIT = 1_000_000


@dataclass(frozen=True)
class Requirement:
    """Handlers needed per element, and what that number of handlers achieves.

    ``raw`` handlers must be on the phones; ``staffed`` is the number to roster so that
    ``raw`` remain after shrinkage (breaks, training, absence). The other fields describe the
    queue with ``raw`` handlers.
    """

    raw: Ints
    staffed: Ints
    service_level: Floats
    occupancy: Floats
    waiting_probability: Floats
    abandon_probability: Floats


@dataclass(frozen=True)
class ErlangA:
    """Erlang A (M/M/n+M) figures for a number of handlers.

    ``average_wait_answered`` is the mean wait, in seconds, of the callers who are answered
    (those answered at once count with a wait of 0; those who hang up are left out). It is
    NaN where nobody is answered (no handlers), and 0 where no calls arrive.
    """

    waiting_probability: Floats  # an arrival finds every handler busy
    abandon_probability: Floats  # an arrival hangs up before being answered
    answered_within: Floats  # share of ALL arrivals answered within target_seconds
    average_wait_answered: Floats
    occupancy: Floats  # answered calls x handle time / (handlers x interval)


# --- Erlang B and C ----------------------------------------------------------------------


def erlang_b(servers: npt.ArrayLike, load: npt.ArrayLike) -> Floats:
    """Erlang B blocking probability B(n, A) for ``servers`` handlers and ``load`` erlangs."""
    n, a = np.broadcast_arrays(_servers(servers), _floats("load", load))
    _require("load", a, a >= 0, "must be a non-negative number of erlangs")
    return _erlang_b_flat(n.ravel(), a.ravel()).reshape(n.shape)


def erlang_c(servers: npt.ArrayLike, load: npt.ArrayLike) -> Floats:
    """Erlang C probability of waiting; 1.0 where there are no more handlers than the load.

    C(n, A) = n B / (n - A (1 - B)), with B the Erlang B value. With n <= A the queue grows
    without bound and every caller waits.
    """
    n, a = np.broadcast_arrays(_servers(servers), _floats("load", load))
    _require("load", a, a >= 0, "must be a non-negative number of erlangs")
    b = _erlang_b_flat(n.ravel(), a.ravel()).reshape(n.shape)
    return _erlang_c_from_b(n, a, b)


def erlang_c_service_level(
    servers: npt.ArrayLike,
    load: npt.ArrayLike,
    target_seconds: npt.ArrayLike,
    handle_seconds: npt.ArrayLike,
) -> Floats:
    """Erlang C share answered within ``target_seconds``: 1 - C exp(-(n - A) t / aht).

    Clipped to [0, 1]; 0 where there are no more handlers than the load (unstable queue).
    """
    n, a, t, aht = np.broadcast_arrays(
        _servers(servers),
        _floats("load", load),
        _floats("target_seconds", target_seconds),
        _floats("handle_seconds", handle_seconds),
    )
    _require("load", a, a >= 0, "must be a non-negative number of erlangs")
    _require("target_seconds", t, t >= 0, "must be zero or more")
    _require("handle_seconds", aht, aht > 0, "must be positive")
    b = _erlang_b_flat(n.ravel(), a.ravel()).reshape(n.shape)
    c = _erlang_c_from_b(n, a, b)
    with np.errstate(over="ignore", invalid="ignore"):
        level = 1.0 - c * np.exp(-(n - a) * t / aht)
    return np.where(n > a, np.clip(level, 0.0, 1.0), 0.0)


def erlang_c_required(
    calls: npt.ArrayLike,
    handle_seconds: npt.ArrayLike,
    interval_seconds: npt.ArrayLike,
    target_share: npt.ArrayLike,
    target_seconds: npt.ArrayLike,
    max_occupancy: npt.ArrayLike = 1.0,
    shrinkage: npt.ArrayLike = 0.0,
) -> Requirement:
    """Handlers needed to answer ``target_share`` of calls within ``target_seconds`` (Erlang C).

    The load is A = calls / interval_seconds * handle_seconds erlangs. ``raw`` is the smallest
    number of handlers above A whose service level reaches the target, raised where needed so
    that occupancy A / raw does not exceed ``max_occupancy``; ``staffed`` is
    ceil(raw / (1 - shrinkage)). An interval without calls needs nobody (raw 0, service
    level 1, occupancy 0, waiting 0).

    One upward pass over handler counts serves every element at once: B(k) is carried up to
    the first count worth testing (above A and within the occupancy limit), then each element
    steps up from there until its service level is met.
    """
    arrays = np.broadcast_arrays(
        _floats("calls", calls),
        _floats("handle_seconds", handle_seconds),
        _floats("interval_seconds", interval_seconds),
        _floats("target_share", target_share),
        _floats("target_seconds", target_seconds),
        _floats("max_occupancy", max_occupancy),
        _floats("shrinkage", shrinkage),
    )
    shape = arrays[0].shape
    calls_, aht, interval, share, target, max_occ, shrink = (x.ravel() for x in arrays)
    _check_common(calls_, aht, interval, share, target, max_occ, shrink)

    load = calls_ / interval * aht
    busy = np.flatnonzero(calls_ > 0)
    size = calls_.size
    raw = np.zeros(size, dtype=np.int64)
    level = np.ones(size)
    waiting = np.zeros(size)
    a = load[busy]
    start = np.maximum(np.floor(a).astype(np.int64) + 1, _ceil_quotient(a, max_occ[busy]))
    found, found_level, found_waiting = _erlang_c_search(
        a, target[busy] / aht[busy], share[busy], start
    )
    raw[busy], level[busy], waiting[busy] = found, found_level, found_waiting
    occupancy = np.zeros(size)
    occupancy[busy] = a / found
    return Requirement(
        raw=raw.reshape(shape),
        staffed=_staffed(raw, shrink).reshape(shape),
        service_level=level.reshape(shape),
        occupancy=occupancy.reshape(shape),
        waiting_probability=waiting.reshape(shape),
        abandon_probability=np.zeros(shape),
    )


# --- Erlang A ----------------------------------------------------------------------------


def erlang_a(
    servers: npt.ArrayLike,
    calls: npt.ArrayLike,
    handle_seconds: npt.ArrayLike,
    patience_seconds: npt.ArrayLike,
    interval_seconds: npt.ArrayLike,
    target_seconds: npt.ArrayLike,
) -> ErlangA:
    """Erlang A (M/M/n+M) figures for ``servers`` handlers.

    Calls arrive at random (Poisson, rate calls / interval), take an exponential handle time
    and hang up after an exponential patience (mean ``patience_seconds``) if not yet answered.
    An arrival who finds every handler busy waits; ``answered_within`` counts callers who
    hang up as not answered.

    For several points of the wait curve, give ``target_seconds`` an extra axis, e.g.
    ``target_seconds=np.array([10, 30, 60, 120, 300])[:, None]`` with per-interval arrays of
    shape (96,) gives ``answered_within`` of shape (5, 96) (plain broadcasting; the other
    fields are repeated along that axis).

    The stationary distribution takes the mass of states 0..n from Erlang B and sums the
    queue states explicitly, in logarithms, far enough that what is left off is negligible.
    An arrival who finds j callers waiting (PASTA) is answered within t with probability
    a / (a + j + 1) * P(NegBin(a + 1, e^(-theta t)) > j), where a = n mu / theta: the time to
    reach a handler is -log(U) / theta with U ~ Beta(a, j + 1), and the caller is still there
    with probability U (exact, no time stepping).
    """
    arrays = np.broadcast_arrays(
        _servers(servers),
        _floats("calls", calls),
        _floats("handle_seconds", handle_seconds),
        _floats("patience_seconds", patience_seconds),
        _floats("interval_seconds", interval_seconds),
        _floats("target_seconds", target_seconds),
    )
    shape = arrays[0].shape
    n = arrays[0].ravel()
    calls_, aht, patience, interval, target = (x.ravel() for x in arrays[1:])
    _check_erlang_a(calls_, aht, patience, interval, target)
    result = _erlang_a_flat(n, calls_ / interval, 1.0 / aht, 1.0 / patience, target)
    return ErlangA(*(x.reshape(shape) for x in result))


def erlang_a_required(
    calls: npt.ArrayLike,
    handle_seconds: npt.ArrayLike,
    patience_seconds: npt.ArrayLike,
    interval_seconds: npt.ArrayLike,
    target_share: npt.ArrayLike,
    target_seconds: npt.ArrayLike,
    max_occupancy: npt.ArrayLike = 1.0,
    shrinkage: npt.ArrayLike = 0.0,
) -> Requirement:
    """Fewest handlers answering ``target_share`` of ALL calls within ``target_seconds``.

    Erlang A: callers who hang up count as not answered. ``raw`` is the smallest number of
    handlers whose answered-within share reaches the target and whose occupancy (answered
    load / handlers, as Erlang A reports it) does not exceed ``max_occupancy``; ``staffed`` is
    ceil(raw / (1 - shrinkage)). An interval without calls needs nobody.

    The answer can be below the offered load: callers who hang up relieve the queue. The
    target does not limit hanging up by itself: at large loads with impatient callers the
    fewest handlers meeting it may leave one caller in six abandoning (20,000 calls in 15
    minutes, 90 s patience, 80% within 20 s), so look at ``abandon_probability`` too.

    Found by bisection for every element at once, between a lower bound (n handlers answer
    at most n / A of the calls) and the Erlang C count that keeps the chance of waiting
    within 1 - target_share (abandonment only shortens the queue). The search looks at
    handler counts below the load, where the queue is about (calls per second - handlers /
    handle_seconds) x patience_seconds long; a patience so long that this passes two million
    callers raises ValueError (such callers never hang up: Erlang C is the model for them).
    """
    arrays = np.broadcast_arrays(
        _floats("calls", calls),
        _floats("handle_seconds", handle_seconds),
        _floats("patience_seconds", patience_seconds),
        _floats("interval_seconds", interval_seconds),
        _floats("target_share", target_share),
        _floats("target_seconds", target_seconds),
        _floats("max_occupancy", max_occupancy),
        _floats("shrinkage", shrinkage),
    )
    shape = arrays[0].shape
    calls_, aht, patience, interval, share, target, max_occ, shrink = (x.ravel() for x in arrays)
    _check_common(calls_, aht, interval, share, target, max_occ, shrink)
    _check_erlang_a(calls_, aht, patience, interval, target)

    busy = np.flatnonzero(calls_ > 0)
    lam = calls_[busy] / interval[busy]
    mu = 1.0 / aht[busy]
    theta = 1.0 / patience[busy]
    t = target[busy]
    s = share[busy]
    occ_limit = max_occ[busy] * (1.0 + _INTEGER_TOLERANCE)
    a = lam / mu

    def meets(idx: Ints, n: Ints) -> NDArray[np.bool_]:
        figures = _erlang_a_flat(n, lam[idx], mu[idx], theta[idx], t[idx])
        return (figures[2] >= s[idx]) & (figures[4] <= occ_limit[idx])

    # Below ceil(s A) handlers the target is out of reach: n handlers answer at most n / A.
    low = np.maximum(np.ceil(s * a).astype(np.int64) - 1, 0)
    no_wait = np.zeros_like(a)
    high, _, _ = _erlang_c_search(
        a,
        no_wait,
        s,
        np.maximum(np.floor(a).astype(np.int64) + 1, _ceil_quotient(a, max_occ[busy])),
    )
    everyone = np.arange(busy.size)
    unmet = everyone[~meets(everyone, high)]
    while unmet.size:  # only float noise at the bound can get here
        low[unmet] = high[unmet]
        high[unmet] += np.maximum(high[unmet] // 8, 1)
        if np.any(high[unmet] > a[unmet] + _SEARCH_LIMIT):
            raise RuntimeError("Erlang A search found no number of handlers")
        unmet = unmet[~meets(unmet, high[unmet])]
    open_ = np.flatnonzero(high - low > 1)
    while open_.size:
        mid = (low[open_] + high[open_]) // 2
        ok = meets(open_, mid)
        high[open_[ok]] = mid[ok]
        low[open_[~ok]] = mid[~ok]
        open_ = open_[high[open_] - low[open_] > 1]

    size = calls_.size
    raw = np.zeros(size, dtype=np.int64)
    raw[busy] = high
    figures = _erlang_a_flat(high, lam, mu, theta, t)
    level, occupancy, waiting, abandon = (
        np.ones(size),
        np.zeros(size),
        np.zeros(size),
        np.zeros(size),
    )
    level[busy], occupancy[busy] = figures[2], figures[4]
    waiting[busy], abandon[busy] = figures[0], figures[1]
    return Requirement(
        raw=raw.reshape(shape),
        staffed=_staffed(raw, shrink).reshape(shape),
        service_level=level.reshape(shape),
        occupancy=occupancy.reshape(shape),
        waiting_probability=waiting.reshape(shape),
        abandon_probability=abandon.reshape(shape),
    )


def patience_estimate(abandoned: int, total_queue_wait_seconds: float) -> float | None:
    """Mean caller patience, in seconds, from a period's queue statistics.

    The maximum-likelihood estimate for exponential patience observed under censoring: the
    total time ALL queued callers spent waiting (those answered as well as those who hung
    up) divided by the number who hung up. None when nobody hung up (patience unknown, and
    long).
    """
    if isinstance(abandoned, bool) or int(abandoned) != abandoned or abandoned < 0:
        raise ValueError(f"abandoned must be a whole number of calls, got {abandoned!r}")
    if not np.isfinite(total_queue_wait_seconds) or total_queue_wait_seconds < 0:
        raise ValueError(
            f"total_queue_wait_seconds must be zero or more, got {total_queue_wait_seconds!r}"
        )
    if abandoned == 0:
        return None
    return float(total_queue_wait_seconds) / int(abandoned)


# --- Internals -----------------------------------------------------------------------------


def _erlang_b_flat(n: Ints, a: Floats) -> Floats:
    """B(n, A) for 1-d arrays: one recursion over k = 1..max(n) for every element at once.

    Elements are sorted by n so that those still climbing form a suffix updated in place.
    """
    order = np.argsort(n, kind="stable")
    n_sorted = n[order]
    a_sorted = np.ascontiguousarray(a[order])
    b = np.ones(n.size)
    top = int(n_sorted[-1]) if n.size else 0
    starts = np.searchsorted(n_sorted, np.arange(1, top + 1), side="left")
    scratch = np.empty(n.size)
    for k in range(1, top + 1):
        s = int(starts[k - 1])
        if n.size - s <= _PYTHON_LOOP_ELEMENTS:
            # A numpy call costs microseconds, a float operation tens of nanoseconds: the last
            # few (often the only) elements climb faster in plain Python, with the same result.
            for e in range(s, n.size):
                value, load = float(b[e]), float(a_sorted[e])
                for j in range(k, int(n_sorted[e]) + 1):
                    ab_ = load * value
                    value = ab_ / (ab_ + j)
                b[e] = value
            break
        b_k = b[s:]
        ab = np.multiply(a_sorted[s:], b_k, out=scratch[s:])
        np.divide(ab, ab + k, out=b_k)
    out = np.empty(n.size)
    out[order] = b
    return out


def _erlang_c_from_b(n: Ints, a: Floats, b: Floats) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1.0 - b))
    return np.where(n > a, np.clip(c, 0.0, 1.0), 1.0)


def _erlang_c_search(
    a: Floats, decay: Floats, share: Floats, start: Ints
) -> tuple[Ints, Floats, Floats]:
    """First k >= start (start > A) whose Erlang C service level reaches ``share``.

    ``decay`` is target_seconds / handle_seconds. Returns (k, service level at k, C at k).
    B is carried to start - 1 in one shared recursion, then every element steps up from its
    own start; elements leave the working set as they meet their target.
    """
    size = a.size
    found = np.zeros(size, dtype=np.int64)
    level = np.zeros(size)
    waiting = np.zeros(size)
    b = _erlang_b_flat(start - 1, a)
    idx = np.arange(size)
    k = start.astype(np.float64)
    a, decay, share = a.copy(), decay.copy(), share.copy()
    limit = float(start.max(initial=0)) + _SEARCH_LIMIT
    while idx.size:
        ab = a * b
        b = ab / (ab + k)
        ab = a * b
        c = k * b / (k - a + ab)
        sl = 1.0 - c * np.exp(-(k - a) * decay)
        met = sl >= share
        if met.any():
            done = idx[met]
            found[done] = k[met]
            level[done] = np.clip(sl[met], 0.0, 1.0)
            waiting[done] = c[met]
            keep = ~met
            idx, a, decay, share, k, b = (
                idx[keep],
                a[keep],
                decay[keep],
                share[keep],
                k[keep],
                b[keep],
            )
        k += 1.0
        if idx.size and k[0] > limit:
            raise RuntimeError("Erlang C search found no number of handlers")
    return found, level, waiting


def _queue_length_bound(n: Ints, lam: Floats, mu: Floats, theta: Floats) -> Ints:
    """Queue positions to sum so that the terms left off are below 1e-17 of the total.

    Beyond its peak at (lam - n mu) / theta the queue distribution falls at least as fast as a
    Gaussian of standard deviation sqrt(lam / theta); with more handlers than the load it also
    falls at least geometrically, by lam / (n mu) a place, the tighter bound for patient
    callers.
    """
    nmu = n * mu
    peak = np.maximum(lam - nmu, 0.0) / theta
    gaussian = peak + _QUEUE_TAIL_SIGMAS * np.sqrt(lam / theta)
    with np.errstate(divide="ignore"):
        geometric = np.where(nmu > lam, 40.0 / np.log(nmu / lam), np.inf)
    bound = np.ceil(np.minimum(gaussian, geometric)) + _QUEUE_TAIL_MARGIN
    if np.any(bound > _QUEUE_LENGTH_LIMIT):
        raise ValueError(
            "patience_seconds is too long for the load: the queue would hold more than "
            f"{_QUEUE_LENGTH_LIMIT} callers at once (for callers who never hang up, use Erlang C)"
        )
    return bound.astype(np.int64)


def _erlang_a_flat(
    n: Ints, lam: Floats, mu: Floats, theta: Floats, t: Floats
) -> tuple[Floats, Floats, Floats, Floats, Floats]:
    """Erlang A figures for 1-d arrays (rates per second), in the order of ErlangA's fields.

    Elements with no arrivals get waiting 0, abandonment 0, answered 1, wait 0, occupancy 0.
    Elements are evaluated in chunks of similar queue length to bound the memory used.
    """
    size = n.size
    out = (np.zeros(size), np.zeros(size), np.ones(size), np.zeros(size), np.zeros(size))
    busy = np.flatnonzero(lam > 0)
    if busy.size == 0:
        return out
    bound = _queue_length_bound(n[busy], lam[busy], mu[busy], theta[busy])
    order = busy[np.argsort(bound, kind="stable")]
    bound = np.sort(bound, kind="stable")
    b = _erlang_b_flat(n[order], lam[order] / mu[order])
    first = 0
    while first < order.size:
        rows = np.arange(1, order.size - first + 1)
        fits = int(np.count_nonzero(rows * (bound[first:] + 1) <= _ERLANG_A_CHUNK_CELLS))
        last = first + max(fits, 1)
        pick = order[first:last]
        chunk = _erlang_a_chunk(
            n[pick], lam[pick], mu[pick], theta[pick], t[pick], b[first:last], int(bound[last - 1])
        )
        for target, values in zip(out, chunk, strict=True):
            target[pick] = values
        first = last
    return out


def _erlang_a_chunk(
    n: Ints, lam: Floats, mu: Floats, theta: Floats, t: Floats, b: Floats, length: int
) -> tuple[Floats, Floats, Floats, Floats, Floats]:
    """Erlang A for elements with arrivals, summing queue lengths 0..length for each."""
    col = (slice(None), None)
    nmu = (n * mu)[col]
    lam_, theta_ = lam[col], theta[col]
    j = np.arange(length + 1, dtype=np.float64)  # callers already waiting, ahead of an arrival
    i = j[1:]
    # log r_j = log(pi_{n+j} / pi_n) = sum_{i<=j} log(lam / (n mu + i theta)), r_0 = 1.
    log_r = np.zeros((n.size, length + 1))
    np.cumsum(np.log(lam_) - np.log(nmu + i * theta_), axis=1, out=log_r[:, 1:])
    # States 0..n-1 hold (1 - B) / B times pi_n; a B below the smallest float is as good as 0.
    b = np.maximum(b, np.finfo(np.float64).tiny)
    with np.errstate(divide="ignore"):
        log_below = np.log1p(-b) - np.log(b)
    top = np.maximum(log_r.max(axis=1), log_below)
    r = np.exp(log_r - top[:, None])
    below = np.exp(log_below - top)
    queued = r.sum(axis=1)
    total = below + queued
    waiting = queued / total
    mean_queue = (r @ j) / total
    abandon = np.minimum(theta * mean_queue / lam, 1.0)

    # Answered within t, for an arrival finding j waiting: a / (a + j + 1) * P(NB > j), where
    # NB ~ NegBin(a + 1, x), x = exp(-theta t); its pmf built in logarithms term by term.
    a = nmu / theta_
    theta_t = (theta * t)[col]
    with np.errstate(divide="ignore"):
        log_step = np.log1p(a / i) + np.log(-np.expm1(-theta_t))
    log_pmf = np.empty((n.size, length + 1))
    log_pmf[:, :1] = -(a + 1.0) * theta_t
    np.cumsum(log_step, axis=1, out=log_pmf[:, 1:])
    log_pmf[:, 1:] += log_pmf[:, :1]
    survival = np.maximum(1.0 - np.cumsum(np.exp(log_pmf), axis=1), 0.0)
    reach = a / (a + j + 1.0)  # chance of outlasting the wait to the front and being answered
    answered_within = np.minimum((below + (r * reach * survival).sum(axis=1)) / total, 1.0)

    # Answered callers' mean wait: the stage times are Exp(n mu + (i + 1) theta), i = 0..j.
    stage_means = np.cumsum(1.0 / (nmu + (j + 1.0) * theta_), axis=1)
    answered = (below + (r * reach).sum(axis=1)) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        wait_answered = (r * reach * stage_means).sum(axis=1) / total / answered
        occupancy = np.where(n > 0, lam * (1.0 - abandon) / (n * mu), 0.0)
    return waiting, abandon, answered_within, wait_answered, occupancy


def _ceil_quotient(num: Floats, den: Floats) -> Ints:
    """ceil(num / den), where a quotient within float error of an integer is that integer."""
    q = num / den
    nearest = np.rint(q)
    exact = np.abs(q - nearest) <= _INTEGER_TOLERANCE * np.maximum(np.abs(q), 1.0)
    return np.where(exact, nearest, np.ceil(q)).astype(np.int64)


def _staffed(raw: Ints, shrinkage: Floats) -> Ints:
    return _ceil_quotient(raw.astype(np.float64), 1.0 - shrinkage)


def _floats(name: str, value: npt.ArrayLike) -> Floats:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers") from None
    _require(name, array, np.isfinite(array), "must be finite")
    return array


def _servers(value: npt.ArrayLike) -> Ints:
    array = _floats("servers", value)
    _require("servers", array, (array >= 0) & (array == np.floor(array)), "must be whole, >= 0")
    return array.astype(np.int64)


def _require(name: str, values: NDArray[np.generic], ok: NDArray[np.bool_], rule: str) -> None:
    if not np.all(ok):
        bad = np.asarray(values)[~np.asarray(ok)].ravel()[0]
        raise ValueError(f"{name} {rule} (got {bad!r})")


def _check_common(
    calls: Floats,
    aht: Floats,
    interval: Floats,
    share: Floats,
    target: Floats,
    max_occ: Floats,
    shrink: Floats,
) -> None:
    _require("calls", calls, calls >= 0, "must be zero or more")
    _require("handle_seconds", aht, aht > 0, "must be positive")
    _require("interval_seconds", interval, interval > 0, "must be positive")
    _require("target_share", share, (share > 0) & (share <= 1), "must be in (0, 1]")
    _require("target_seconds", target, target >= 0, "must be zero or more")
    _require("max_occupancy", max_occ, (max_occ > 0) & (max_occ <= 1), "must be in (0, 1]")
    _require("shrinkage", shrink, (shrink >= 0) & (shrink < 1), "must be in [0, 1)")


def _check_erlang_a(
    calls: Floats, aht: Floats, patience: Floats, interval: Floats, target: Floats
) -> None:
    _require("calls", calls, calls >= 0, "must be zero or more")
    _require("handle_seconds", aht, aht > 0, "must be positive")
    _require("patience_seconds", patience, patience > 0, "must be positive")
    _require("interval_seconds", interval, interval > 0, "must be positive")
    _require("target_seconds", target, target >= 0, "must be zero or more")
