"""The Knox test for near repeats: are crimes close in space also close in time more often than
chance would give?

Every pair of crimes is counted in a table by how far apart they are (rows) and how many days
apart (columns). Shuffling the dates over the places keeps both margins and breaks any link
between them; the observed table against many shuffled ones gives each cell its Knox ratio
(observed over the mean of the shuffled tables) and a p-value, (k + 1) / (P + 1) where k of
the P shuffled tables reach the observed count.

The bands are those of the Near Repeat Calculator 1.3, so a force's old results compare:
distance is Manhattan unless asked otherwise; "same location" is distance 0; spatial band k
is (B(k-1), Bk] metres; temporal band k is [T(k-1), Tk) days between the two dates (NRC
labels it "T(k-1)+1 to Tk"); the last row and the last column ("beyond") take the rest.

The n(n-1)/2 pairs are never listed. A KD-tree gives the pairs within the largest finite
distance, and the beyond row is what is left of each column's total over all pairs. Those
totals are counted from the sorted dates alone, and a shuffle of dates over places leaves
them as they are, so only the close pairs are re-counted for each permutation.
"""

from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

Distance = Literal["manhattan", "euclidean"]
DISTANCES: Final = ("manhattan", "euclidean")
# Permutations shuffled at once (their dates, int16: 5 MB for 20,000 crimes), and time gaps
# compared at once (1 MB of int16, within a core's L2 cache here).
_PERMUTATIONS_AT_ONCE: Final = 128
_GAPS_AT_ONCE: Final = 1 << 19
# Close pairs listed at most (24 bytes each, and their gaps in every batch of permutations).
CLOSE_PAIRS_AT_MOST: Final = 20_000_000
_UINT8_ROWS: Final = 255  # rows of booleans that can be added in uint8 without overflow

type Ints = NDArray[np.int64]
type Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Bands:
    """``spatial_bands`` bands of ``spatial_bandwidth`` metres after "same location", and
    ``temporal_bands`` bands of ``temporal_bandwidth`` days, each followed by "beyond"."""

    spatial_bandwidth: float
    spatial_bands: int
    temporal_bandwidth: float
    temporal_bands: int

    def __post_init__(self) -> None:
        for name in ("spatial_bandwidth", "temporal_bandwidth"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a number more than 0, not {value!r}")
        for name in ("spatial_bands", "temporal_bands"):
            value = getattr(self, name)
            if not 1 <= value <= 100:
                raise ValueError(f"{name} must be 1 to 100, not {value!r}")

    @property
    def reach(self) -> float:
        """The largest finite distance: pairs further apart are all "beyond"."""
        return self.spatial_bandwidth * self.spatial_bands

    @property
    def shape(self) -> tuple[int, int]:
        """Rows: same location, each spatial band, beyond; columns: each temporal band, beyond."""
        return self.spatial_bands + 2, self.temporal_bands + 1

    def row_labels(self) -> list[str]:
        b = self.spatial_bandwidth
        bands = [f"{b * (k - 1):g}-{b * k:g} m" for k in range(1, self.spatial_bands + 1)]
        return ["same location", *bands, f"beyond {self.reach:g} m"]

    def column_labels(self) -> list[str]:
        t = self.temporal_bandwidth
        bands = [f"{t * (k - 1):g}-{t * k:g} days" for k in range(1, self.temporal_bands + 1)]
        return [*bands, f"beyond {t * self.temporal_bands:g} days"]


@dataclass(frozen=True)
class Knox:
    """The observed table and, over ``permutations`` shuffles of dates drawn from ``seed``,
    the expected table, the Knox ratios (NaN where nothing is expected) and the p-values."""

    bands: Bands
    distance: Distance
    permutations: int
    seed: int
    crimes: int
    observed: Ints
    expected: Floats
    knox_ratio: Floats
    p_value: Floats


@dataclass(frozen=True)
class _ClosePairs:
    """The two crimes of each close pair, ordered by row (0 same location, k spatial band k);
    ``starts[r]`` is where row r's pairs begin."""

    first: Ints
    second: Ints
    starts: Ints

    def of_row(self, row: int) -> tuple[Ints, Ints]:
        part = slice(self.starts[row], self.starts[row + 1])
        return self.first[part], self.second[part]


def knox_test(
    x: Floats,
    y: Floats,
    days: Ints,
    *,
    bands: Bands,
    distance: Distance = "manhattan",
    permutations: int = 999,
    seed: int | None = None,
) -> Knox:
    """The Knox test of crimes at ``x``, ``y`` (metres) on ``days`` (whole days since any
    fixed day). Without a seed one is drawn, and returned, so the run can be repeated."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    days = np.asarray(days, dtype=np.int64)
    n = days.size
    if x.shape != (n,) or y.shape != (n,):
        raise ValueError("x, y and days must be one-dimensional and of one length")
    if n < 2:
        raise ValueError(f"the Knox test needs at least 2 crimes, not {n}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("every coordinate must be a finite number")
    if permutations < 1:
        raise ValueError(f"permutations must be at least 1, not {permutations}")
    if distance not in DISTANCES:
        raise ValueError(f"distance must be manhattan or euclidean, not {distance!r}")
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])

    pairs = close_pairs(x, y, bands=bands, distance=distance)
    column_totals = gap_totals(days, bands=bands)
    # Days from the first date fit int16 for 89 years, a quarter of the memory traffic of
    # int64 in the shuffles and the gaps, which are most of the time.
    small = int(days.max() - days.min()) < np.iinfo(np.int16).max
    relative: NDArray[np.signedinteger[Any]] = (days - days.min()).astype(
        np.int16 if small else np.int32
    )
    observed = _tables(pairs, relative[:, None], column_totals, bands)[0]

    total = np.zeros(bands.shape, dtype=np.int64)
    reached = np.zeros(bands.shape, dtype=np.int64)
    rng = np.random.default_rng(seed)
    done = 0
    while done < permutations:
        size = min(_PERMUTATIONS_AT_ONCE, permutations - done)
        # One column per permutation: a pair's two dates in every permutation are two rows.
        shuffled = rng.permuted(np.broadcast_to(relative, (size, n)), axis=1).T.copy()
        tables = _tables(pairs, shuffled, column_totals, bands)
        total += tables.sum(axis=0)
        reached += (tables >= observed).sum(axis=0)
        done += size

    expected = total / permutations
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    return Knox(
        bands=bands,
        distance=distance,
        permutations=permutations,
        seed=seed,
        crimes=n,
        observed=observed,
        expected=expected,
        knox_ratio=ratio,
        p_value=(reached + 1) / (permutations + 1),
    )


def close_pairs(x: Floats, y: Floats, *, bands: Bands, distance: Distance) -> _ClosePairs:
    """Every pair no further apart than the largest finite band, with its row of the table."""
    tree = cKDTree(np.column_stack([x, y]))
    p = 1.0 if distance == "manhattan" else 2.0
    # The tree's own comparison may round either way at the edge; ask for a little more and
    # decide the edge below on the distance computed the same way for every pair.
    reach = bands.reach * (1 + 1e-9) + 1e-9
    # Counting first is cheap, and refuses bands so wide they would list nearly every pair.
    close = (int(tree.count_neighbors(tree, reach, p=p)) - x.size) // 2
    if close > CLOSE_PAIRS_AT_MOST:
        raise ValueError(
            f"{close:,} pairs are within {bands.reach:g} m, more than {CLOSE_PAIRS_AT_MOST:,}: "
            "narrow the spatial bands or take fewer crimes"
        )
    found = tree.query_pairs(reach, p=p, output_type="ndarray")
    first, second = found[:, 0].astype(np.int64), found[:, 1].astype(np.int64)
    dx, dy = np.abs(x[first] - x[second]), np.abs(y[first] - y[second])
    gap = dx + dy if distance == "manhattan" else np.hypot(dx, dy)
    edges = bands.spatial_bandwidth * np.arange(1, bands.spatial_bands + 1)
    # searchsorted "left": B(k-1) < gap <= Bk gives k - 1, so + 1 is band k; 0 stays 0.
    row = np.where(gap == 0, 0, np.searchsorted(edges, gap, side="left") + 1)
    order = np.argsort(row, kind="stable")
    order = order[row[order] <= bands.spatial_bands]
    starts = np.searchsorted(row[order], np.arange(bands.spatial_bands + 2))
    return _ClosePairs(first[order], second[order], starts.astype(np.int64))


def gap_totals(days: Ints, *, bands: Bands) -> Ints:
    """Pairs of crimes in each temporal band, and beyond, over all n(n-1)/2 pairs.

    With the dates sorted, the pairs less than g days apart whose earlier crime is the i-th
    are the crimes after it dated before its date plus g: one ``searchsorted`` per edge.
    """
    ordered = np.sort(np.asarray(days, dtype=np.int64))
    n = ordered.size
    after = np.arange(1, n + 1, dtype=np.int64)
    within = [0]
    for edge in _temporal_edges(bands):
        limit = ordered + int(edge)
        within.append(int((np.searchsorted(ordered, limit, side="left") - after).sum()))
    within.append(n * (n - 1) // 2)
    below = np.asarray(within, dtype=np.int64)
    return below[1:] - below[:-1]


def _temporal_edges(bands: Bands) -> Ints:
    """Whole-day gaps below T·k, for each k: a gap of g days is below T·k when below ceil(T·k)
    (held below 2**31 days, which no gap between two dates reaches)."""
    k = np.arange(1, bands.temporal_bands + 1)
    return np.minimum(np.ceil(bands.temporal_bandwidth * k), 2**31 - 1).astype(np.int64)


def _tables(
    pairs: _ClosePairs,
    dates: NDArray[np.signedinteger[Any]],
    column_totals: Ints,
    bands: Bands,
) -> Ints:
    """One table for each column of ``dates`` (the dates of every crime, one column a
    permutation), counting the close pairs and leaving the rest of each column to beyond.

    Each row's pairs are counted in chunks small enough for the processor's cache: for each
    temporal edge, the pairs less than that many days apart; a band is the difference of two.
    """
    rows, width = bands.shape
    size = dates.shape[1]
    # Python ints keep the comparison in the dates' own type; an edge past the type's
    # largest value is past every gap too.
    limit = int(np.iinfo(dates.dtype).max)
    edges = [min(int(edge), limit) for edge in _temporal_edges(bands)]
    below = np.zeros((size, rows - 1, width), dtype=np.int64)  # pairs under each edge, then all
    chunk = _UINT8_ROWS * max(1, _GAPS_AT_ONCE // (size * _UINT8_ROWS))
    for row in range(rows - 1):
        first, second = pairs.of_row(row)
        below[:, row, -1] = first.size
        for start in range(0, first.size, chunk):
            part = slice(start, start + chunk)
            gaps = np.abs(dates[first[part]] - dates[second[part]])
            for k, edge in enumerate(edges):
                below[:, row, k] += _column_counts(gaps < edge)
    tables = np.zeros((size, rows, width), dtype=np.int64)
    tables[:, :-1, 0] = below[:, :, 0]
    tables[:, :-1, 1:] = np.diff(below, axis=2)
    tables[:, -1] = column_totals - tables[:, :-1].sum(axis=1)
    return tables


def _column_counts(hits: NDArray[np.bool_]) -> Ints:
    """The trues in each column: added 255 rows at a time as uint8, which cannot overflow,
    four times as fast as ``count_nonzero(axis=0)`` (which adds in int64)."""
    rows, columns = hits.shape
    whole = rows - rows % _UINT8_ROWS
    as_bytes = hits.view(np.uint8)
    blocks = as_bytes[:whole].reshape(-1, _UINT8_ROWS, columns)
    counts: Ints = np.add.reduce(blocks, axis=1, dtype=np.uint8).sum(axis=0, dtype=np.int64)
    if whole < rows:
        counts += as_bytes[whole:].sum(axis=0, dtype=np.int64)
    return counts
