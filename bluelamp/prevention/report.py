"""A Knox test's result as one JSON object, as plain-text tables and in words."""

import math
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from bluelamp.prevention.knox import Knox

SIGNIFICANT: Final = 0.05  # NRC 1.3 marks the cells at p <= 0.05


def knox_as_dict(result: Knox) -> dict[str, Any]:
    """``observed``, ``expected``, ``knox_ratio`` and ``p_value``, each a table whose rows are
    same location, each spatial band, beyond, and whose columns are each temporal band,
    beyond; with the parameters (the seed the one used, so the run can be repeated). A ratio
    where nothing was expected is null."""
    bands = result.bands
    return {
        "crimes": result.crimes,
        "parameters": {
            "spatial_bandwidth": bands.spatial_bandwidth,
            "spatial_bands": bands.spatial_bands,
            "temporal_bandwidth": bands.temporal_bandwidth,
            "temporal_bands": bands.temporal_bands,
            "distance": result.distance,
            "permutations": result.permutations,
            "seed": result.seed,
        },
        "rows": bands.row_labels(),
        "columns": bands.column_labels(),
        "observed": result.observed.tolist(),
        "expected": _floats(result.expected),
        "knox_ratio": _floats(result.knox_ratio),
        "p_value": _floats(result.p_value),
    }


def knox_tables(result: Knox) -> list[str]:
    """The four tables, each under its title, as lines of fixed-width text."""
    lines: list[str] = []
    for title, table, form in [
        ("Observed pairs", result.observed, "{:.0f}"),
        (f"Expected pairs (mean of {result.permutations} permutations)", result.expected,
         "{:.1f}"),
        ("Knox ratio (observed / expected)", result.knox_ratio, "{:.2f}"),
        (f"p-value ((k + 1) / ({result.permutations} + 1))", result.p_value, "{:.3f}"),
    ]:  # fmt: skip
        lines += ["", title, *_table(result, table, form)]
    return lines


def knox_words(result: Knox) -> list[str]:
    """The cells of raised risk in words: closer than the furthest band and sooner than the
    latest, more pairs than chance gives at p <= 0.05, nearest and soonest first."""
    bands = result.bands
    rows, columns = bands.row_labels(), bands.column_labels()
    smallest = 1 / (result.permutations + 1)
    if smallest > SIGNIFICANT:
        return [
            f"With {result.permutations} permutations no p-value can be below "
            f"{smallest:.3f}: run at least 19 (NRC's usual is 999) to judge near repeats."
        ]
    found: list[str] = []
    for r in range(len(rows) - 1):
        for c in range(len(columns) - 1):
            ratio, p = result.knox_ratio[r, c], result.p_value[r, c]
            if not (p <= SIGNIFICANT and ratio > 1):
                continue
            place = "At the same location" if r == 0 else f"{rows[r]} apart"
            found.append(
                f"{place}, {columns[c]} apart in time: {ratio:.2f} times as many pairs as "
                f"chance gives ({result.observed[r, c]} observed, {result.expected[r, c]:.1f} "
                f"expected; p = {p:.3f})."
            )
    if not found:
        return [
            f"No distance and time band holds more pairs than chance gives at p <= "
            f"{SIGNIFICANT}: no sign of near repeats at these bands."
        ]
    return [
        f"Near repeats: {len(found)} of the {(len(rows) - 1) * (len(columns) - 1)} near "
        f"cells hold more pairs than chance gives at p <= {SIGNIFICANT}.",
        *found,
    ]


def _floats(table: NDArray[np.float64]) -> list[list[float | None]]:
    return [[None if math.isnan(v) else float(v) for v in row] for row in table.tolist()]


def _table(result: Knox, table: NDArray[Any], form: str) -> list[str]:
    rows, columns = result.bands.row_labels(), result.bands.column_labels()
    cells = [["-" if math.isnan(v) else form.format(v) for v in row] for row in table.tolist()]
    first = max(len(label) for label in rows)
    widths = [max(len(columns[c]), *(len(row[c]) for row in cells)) for c in range(len(columns))]
    head = " " * first + "".join(
        f"  {label:>{w}}" for label, w in zip(columns, widths, strict=True)
    )
    body = [
        f"{label:<{first}}" + "".join(f"  {v:>{w}}" for v, w in zip(row, widths, strict=True))
        for label, row in zip(rows, cells, strict=True)
    ]
    return [head, *body]
