"""The product's near-repeat analysis, without the database: which offences a family holds,
the bands every stored run uses, and the significant window a run gives the zones.

A prevention zone is a circle, so the product's runs measure straight-line (Euclidean)
distance, and the window they find is one a circle can apply; ``bluelamp near-repeat`` keeps
NRC 1.3's Manhattan default for comparing with a force's old results.
"""

from dataclasses import dataclass
from typing import Any, Final

from bluelamp.prevention.knox import Bands, Distance
from bluelamp.prevention.report import SIGNIFICANT


@dataclass(frozen=True)
class Family:
    title: str
    plural: str  # in a sentence: "burglaries are 1.7 times as likely"
    offences: tuple[str, ...]


# Offence families the analysis is run for.
FAMILIES: Final[dict[str, Family]] = {
    "residential_burglary": Family(
        "Residential burglary", "residential burglaries", ("burglary_residential",)
    ),
    "burglary": Family(
        "All burglary",
        "burglaries",
        ("burglary_residential", "burglary_unconnected_building", "burglary_other"),
    ),
    "vehicle_crime": Family("Vehicle crime", "vehicle crimes", ("vehicle_crime",)),
    "robbery": Family("Personal robbery", "personal robberies", ("robbery_personal",)),
}
# The family whose latest force-wide run gives the zones their window.
ZONE_FAMILY: Final = "residential_burglary"
# The offences that open a zone, and that are linked to one.
ZONE_OFFENCES: Final = frozenset(FAMILIES[ZONE_FAMILY].offences)

# Four bands of 100 m and four of 7 days: the 0-400 m and one month where the research finds
# raised risk (Johnson and Bowers), fine enough to see a first week next door.
BANDS: Final = Bands(spatial_bandwidth=100, spatial_bands=4, temporal_bandwidth=7, temporal_bands=4)
DISTANCE: Final[Distance] = "euclidean"
PERMUTATIONS: Final = 999

# Without an analysis that finds a window: the zone of the issue (within 200 m, 14 days).
DEFAULT_METRES: Final = 200.0
DEFAULT_DAYS: Final = 14


@dataclass(frozen=True)
class Window:
    metres: float
    days: int


def significant_window(result: dict[str, Any]) -> Window | None:
    """The reach of raised risk in a stored result: the largest block of cells from the
    nearest and soonest (spatial bands 1 to k, time bands 1 to m) in every one of which more
    pairs than chance fall at p <= 0.05; of blocks as large, the one nearer. "Same location"
    and "beyond" are left out of the block (a repeat at one address is not a near repeat,
    and the rest is no window). None when the first spatial and time band is not raised, or
    the result holds no tables."""
    if "p_value" not in result:
        return None
    parameters = result["parameters"]
    ratio, p = result["knox_ratio"], result["p_value"]
    spatial, temporal = parameters["spatial_bands"], parameters["temporal_bands"]

    def raised(row: int, column: int) -> bool:
        r, q = ratio[row][column], p[row][column]
        return r is not None and q is not None and q <= SIGNIFICANT and r > 1

    best = (0, 0, 0)  # cells, rows, columns
    columns = temporal
    for rows in range(1, spatial + 1):
        # The soonest bands raised in every row so far: a block's columns only shrink.
        reach = 0
        while reach < columns and raised(rows, reach):
            reach += 1
        columns = reach
        if columns == 0:
            break
        if rows * columns > best[0]:
            best = (rows * columns, rows, columns)
    if best[0] == 0:
        return None
    _, rows, columns = best
    return Window(
        metres=float(parameters["spatial_bandwidth"] * rows),
        days=int(parameters["temporal_bandwidth"] * columns),
    )


def window_ratio(result: dict[str, Any], window: Window) -> float | None:
    """Observed over expected pairs, pooled over the window's cells (same location and each
    spatial band within its reach, each time band within its days)."""
    parameters = result["parameters"]
    rows = round(window.metres / parameters["spatial_bandwidth"]) + 1
    columns = round(window.days / parameters["temporal_bandwidth"])
    observed = sum(result["observed"][r][c] for r in range(rows) for c in range(columns))
    expected = sum(result["expected"][r][c] or 0 for r in range(rows) for c in range(columns))
    return observed / expected if expected > 0 else None


def headline(result: dict[str, Any], family: str) -> str:
    """The run in one sentence: "Within 200 m, residential burglaries are 1.7 times as likely
    in the 14 days after one as chance would give"."""
    if "p_value" not in result:
        return str(result.get("words", ["No result."])[0])
    title = FAMILIES[family].plural if family in FAMILIES else family
    window = significant_window(result)
    if window is None:
        return (
            f"No sign of near repeats among {title} at these bands: no distance and time band "
            f"from the first holds more pairs than chance gives at p <= {SIGNIFICANT}."
        )
    ratio = window_ratio(result, window)
    times = f"{ratio:.1f} times as likely" if ratio is not None else "more likely"
    return (
        f"Within {window.metres:g} m, {title} are {times} in the {window.days} days "
        f"after one as chance would give (p <= {SIGNIFICANT} in each band)."
    )
