"""The Knox test for near repeats (bluelamp/prevention): NRC 1.3's table for the Chicago file,
its band edges by hand, the close pairs against every pair counted the slow way, the
permutations and p-values, and `bluelamp near-repeat` with its inputs and errors."""

import itertools
import json
import math
import re
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelamp.prevention import knox as knox_module
from bluelamp.prevention.knox import Bands, gap_totals, knox_test
from bluelamp.prevention.points import read_points, read_policeuk_points
from bluelamp.prevention.report import knox_words
from tests import needs

CHICAGO = Path(__file__).resolve().parents[2] / "shared" / "data" / "chicago-burglary"
BANDS = Bands(spatial_bandwidth=100, spatial_bands=2, temporal_bandwidth=7, temporal_bands=2)

# The Near Repeat Calculator 1.3's observed table for chicago_be_month1.csv with 3 bands of
# 100 m and 3 of 7 days, Manhattan distance, as the R package wsteenbeek/NearRepeat publishes
# it: inst/extdata/chicago_be_month1_NRverbose_2019-09-23_143005.csv. Rows: same location,
# 0-100 m, 100-200 m, 200-300 m, beyond; columns: 0-7, 7-14, 14-21 days, beyond 21 days.
NRC_MONTH1_OBSERVED = [
    [28, 5, 5, 2],
    [44, 13, 8, 4],
    [97, 56, 19, 16],
    [77, 67, 45, 20],
    [182194, 146149, 95237, 45879],
]


def near_repeat(*args: Any) -> str:
    out = StringIO()
    call_command("near_repeat", *[str(a) for a in args], stdout=out, stderr=StringIO())
    return out.getvalue()


def near_repeat_json(path: Path, *args: Any) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        near_repeat(path, "--spatial-bandwidth", 100, "--spatial-bands", 3,
                    "--temporal-bandwidth", 7, "--temporal-bands", 3, "--json", *args)
    )  # fmt: skip
    return found


def knox(points: list[tuple[float, float, int]], bands: Bands = BANDS, **kwargs: Any) -> Any:
    x, y, days = (np.array(column) for column in zip(*points, strict=True))
    return knox_test(x, y, days, bands=bands, **kwargs)


def slow_table(points: list[tuple[float, float, int]], bands: Bands, distance: str) -> Any:
    """Every pair, one at a time, by NRC 1.3's rules as written."""
    table = np.zeros(bands.shape, dtype=np.int64)
    b, t = bands.spatial_bandwidth, bands.temporal_bandwidth
    for (x1, y1, d1), (x2, y2, d2) in itertools.combinations(points, 2):
        dx, dy = abs(x1 - x2), abs(y1 - y2)
        apart = dx + dy if distance == "manhattan" else math.hypot(dx, dy)
        row = next((k for k in range(1, bands.spatial_bands + 1) if apart <= b * k), -1)
        row = 0 if apart == 0 else row
        gap = abs(d1 - d2)
        column = next((k - 1 for k in range(1, bands.temporal_bands + 1) if gap < t * k), -1)
        table[row, column] += 1
    return table


def test_chicago_month1_observed_is_the_near_repeat_calculators_table():
    path = CHICAGO / "chicago_be_month1.csv"
    needs.path(path, "the shared Chicago burglaries")
    found = near_repeat_json(path, "--permutations", 19, "--seed", 1)
    assert found["observed"] == NRC_MONTH1_OBSERVED
    assert found["crimes"] == 970 and found["skipped"] == 0
    assert sum(map(sum, found["observed"])) == 970 * 969 // 2


def test_chicago_2016_skips_the_row_without_a_date_and_says_so():
    path = CHICAGO / "chicago_be_2016.csv"
    needs.path(path, "the shared Chicago burglaries")
    text = near_repeat(path, "--spatial-bandwidth", 100, "--spatial-bands", 1,
                       "--temporal-bandwidth", 7, "--temporal-bands", 1, "--permutations", 1,
                       "--seed", 1)  # fmt: skip
    # Line 2364 has NA for its date; the header is line 1.
    assert "11700 crimes from 2015-12-31 to 2016-12-31; 1 row skipped" in text


def test_band_edges_by_hand():
    # Distance exactly B is band 1, distance 0 is same location; a gap of exactly T days is
    # band 2, of T - 1 days band 1.
    table = knox([(0, 0, 0), (100, 0, 7), (0, 0, 3), (1000, 0, 30)], permutations=1).observed
    assert table.tolist() == [
        [1, 0, 0],  # same location: the first and third, 3 days apart
        [1, 1, 0],  # 100 m: second and third 4 days apart, first and second 7 days
        [0, 0, 0],
        [0, 0, 3],  # the fourth is beyond, 23 days and more from every other
    ]
    # Just past an edge is the next band: 100.001 m is band 2, 250 m beyond.
    table = knox([(0, 0, 0), (100.001, 0, 13), (250, 0, 14)], permutations=1).observed
    assert table.tolist() == [[0, 0, 0], [0, 0, 0], [1, 1, 0], [0, 0, 1]]


def test_manhattan_by_default_and_euclidean_when_asked():
    # 60 m east and 80 m north: 100 m as the crow flies, 140 m along the streets.
    points = [(0, 0, 0), (60, 80, 1)]
    assert knox(points, permutations=1).observed[1:3, 0].tolist() == [0, 1]
    euclidean = knox(points, permutations=1, distance="euclidean").observed
    assert euclidean[1:3, 0].tolist() == [1, 0]


@pytest.mark.parametrize(
    ("distance", "span"), [("manhattan", 40), ("euclidean", 40), ("manhattan", 40_000)]
)
def test_the_close_pairs_and_beyond_match_every_pair_counted_the_slow_way(distance, span):
    rng = np.random.default_rng(5)
    # A 50 m grid and whole days, so many pairs fall exactly on the band edges; 40,000 days
    # (more than int16 holds) as well as 40.
    grid = rng.integers(0, 12, (300, 2)) * 50.0
    days = rng.integers(0, span, 300)
    points = [(float(x), float(y), int(d)) for (x, y), d in zip(grid, days, strict=True)]
    bands = Bands(spatial_bandwidth=100, spatial_bands=3, temporal_bandwidth=7, temporal_bands=3)
    result = knox(points, bands, permutations=5, distance=distance)
    assert result.observed.tolist() == slow_table(points, bands, distance).tolist()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 8), st.integers(0, 8), st.integers(0, 30)),
        min_size=2,
        max_size=40,
    ),
    st.sampled_from(["manhattan", "euclidean"]),
    st.floats(0.5, 4),
    st.integers(1, 4),
    st.sampled_from([1, 2.5, 7]),
    st.integers(1, 4),
)
def test_any_small_set_is_counted_as_every_pair_would_be(points, distance, b, n, t, m):
    bands = Bands(spatial_bandwidth=b, spatial_bands=n, temporal_bandwidth=t, temporal_bands=m)
    exact = [(float(x), float(y), d) for x, y, d in points]
    assert (knox(exact, bands, permutations=1, distance=distance).observed
            == slow_table(exact, bands, distance)).all()  # fmt: skip


def test_every_table_holds_all_pairs_and_shuffles_keep_the_time_totals():
    rng = np.random.default_rng(3)
    n = 2000
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    days = rng.integers(0, 365, n)
    bands = Bands(spatial_bandwidth=100, spatial_bands=4, temporal_bandwidth=7, temporal_bands=4)
    result = knox_test(x, y, days, bands=bands, permutations=30, seed=1)
    assert result.observed.sum() == n * (n - 1) // 2
    # Every permuted table has the same column totals, so their mean has them exactly.
    assert result.expected.sum(axis=0) == pytest.approx(gap_totals(days, bands=bands))
    assert result.observed.sum(axis=0).tolist() == gap_totals(days, bands=bands).tolist()
    gaps = np.abs(days[:, None] - days[None, :])[np.triu_indices(n, 1)]
    counted = [np.count_nonzero((gaps >= 7 * k) & (gaps < 7 * (k + 1))) for k in range(4)]
    assert gap_totals(days, bands=bands).tolist() == [*counted, np.count_nonzero(gaps >= 28)]


def test_the_shuffles_expect_what_theory_does():
    # A shuffle gives every pair of places a pair of dates drawn at random, so a cell expects
    # (pairs in its distance band) x (pairs in its time band) / (all pairs).
    rng = np.random.default_rng(11)
    n, permutations = 600, 300
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
    days = rng.integers(0, 60, n)
    # Half of them near repeats of the other half (50 m and 3 days at most), which the
    # observed table shows and the shuffles must not.
    x[300:], y[300:] = x[:300] + rng.uniform(-25, 25, 300), y[:300] + rng.uniform(-25, 25, 300)
    days[300:] = days[:300] + rng.integers(0, 4, 300)
    result = knox_test(x, y, days, bands=BANDS, permutations=permutations, seed=2)
    pairs = n * (n - 1) // 2
    theory = np.outer(result.observed.sum(axis=1), gap_totals(days, bands=BANDS)) / pairs
    assert theory[1:-1].min() > 50  # enough pairs in the bands for the comparison
    spread = 5 * np.sqrt(theory / permutations) + 0.5
    assert (np.abs(result.expected - theory) < spread).all(), result.expected - theory
    assert result.observed[1, 0] > 2 * theory[1, 0]


def test_a_seed_repeats_a_run_and_a_run_without_one_says_its_seed():
    rng = np.random.default_rng(9)
    x, y, days = rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300), rng.integers(0, 90, 300)
    first = knox_test(x, y, days, bands=BANDS, permutations=50, seed=42)
    again = knox_test(x, y, days, bands=BANDS, permutations=50, seed=42)
    other = knox_test(x, y, days, bands=BANDS, permutations=50, seed=43)
    assert (first.expected == again.expected).all() and (first.p_value == again.p_value).all()
    assert not (first.expected == other.expected).all()
    unseeded = knox_test(x, y, days, bands=BANDS, permutations=50)
    repeated = knox_test(x, y, days, bands=BANDS, permutations=50, seed=unseeded.seed)
    assert (unseeded.expected == repeated.expected).all()


def test_p_value_is_k_plus_1_over_p_plus_1():
    # Ten pairs, each two crimes at one place on one day, the places 10 km apart and the days
    # 100 apart: no shuffle of the dates puts two of a place within a week again.
    points = [(10_000.0 * i, 0.0, 100 * i) for i in range(10) for _ in range(2)]
    result = knox(points, permutations=99, seed=1)
    assert result.observed[0, 0] == 10
    assert result.p_value[0, 0] == pytest.approx(1 / 100)  # k = 0
    # A cell observed empty is reached by every permutation: k = P.
    assert result.p_value[1, 0] == 1.0 and result.observed[1, 0] == 0
    # Where all crimes share one date, every shuffle is the observed table: k = P everywhere.
    same_day = knox([(p[0], p[1], 0) for p in points], permutations=19, seed=1)
    assert (same_day.p_value == 1).all() and (same_day.expected == same_day.observed).all()
    assert math.isnan(same_day.knox_ratio[0, 1])  # nothing expected there
    assert knox_words(result)[1].startswith("At the same location, 0-7 days apart in time:")


def test_json_has_four_tables_and_the_parameters(tmp_path):
    path = tmp_path / "crimes.csv"
    path.write_text("x,y,date\n0,0,2024-01-01\n50,0,2024-01-03\n5000,0,2024-03-01\n")
    found = near_repeat_json(path, "--permutations", 9, "--seed", 7, "--distance", "euclidean")
    assert found["parameters"] == {
        "spatial_bandwidth": 100.0, "spatial_bands": 3, "temporal_bandwidth": 7.0,
        "temporal_bands": 3, "distance": "euclidean", "permutations": 9, "seed": 7,
    }  # fmt: skip
    assert found["rows"] == ["same location", "0-100 m", "100-200 m", "200-300 m",
                             "beyond 300 m"]  # fmt: skip
    assert found["columns"] == ["0-7 days", "7-14 days", "14-21 days", "beyond 21 days"]
    for name in ("observed", "expected", "knox_ratio", "p_value"):
        assert len(found[name]) == 5 and all(len(row) == 4 for row in found[name]), name
    assert found["observed"][1][0] == 1 and found["observed"][4][3] == 2
    assert found["crimes"] == 3 and found["skipped"] == 0
    assert all(0 < p <= 1 for row in found["p_value"] for p in row)


def test_text_has_the_tables_and_words(tmp_path):
    path = tmp_path / "crimes.csv"
    path.write_text("0,0,2024-01-01\n0,0,2024-01-02\n3000,0,2024-06-01\n")
    text = near_repeat(path, "--spatial-bandwidth", 100, "--spatial-bands", 2,
                       "--temporal-bandwidth", 7, "--temporal-bands", 2,
                       "--permutations", 9)  # fmt: skip
    assert "3 crimes from 2024-01-01 to 2024-06-01; 0 rows skipped" in text
    for title in ("Observed pairs", "Expected pairs", "Knox ratio", "p-value"):
        assert title in text
    assert "same location" in text and "beyond 200 m" in text and "beyond 14 days" in text
    assert "With 9 permutations no p-value can be below 0.100" in text


def test_missing_values_are_skipped_and_counted(tmp_path):
    path = tmp_path / "crimes.csv"
    path.write_text("1,2,2024-01-01\nNA,2,2024-01-02\n1,,2024-01-02\n1,2,NA\n3,4,2024-01-05\n")
    points = read_points([path])
    assert points.skipped == 3 and points.x.tolist() == [1, 3]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1,2,2024-01-01\n1,abc,2024-01-02\n", "crimes.csv, line 2: y: 'abc' is not a number"),
        ("x,y,date\n1,2,2024-01-01\n1,2,01/02/2024\n", "line 3: date: '01/02/2024' is not a date"),
        ("1,2,2024-01-01\n1,2\n", "line 2: 2 fields, expected 3 (x, y, date)"),
        ("1,2,2024-01-01\ninf,2,2024-01-02\n", "line 2: x: 'inf' is not finite"),
        ("1,2,2024-01-01\n", "too few crimes to test: 1 read (0 rows skipped"),
    ],
)
def test_a_bad_row_is_named_by_its_line_and_field(tmp_path, content, message):
    path = tmp_path / "crimes.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        near_repeat_json(path, "--permutations", 9)


def test_a_missing_file_and_bad_bands_are_refused(tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.csv: no such file"):
        near_repeat_json(tmp_path / "nowhere.csv")
    path = tmp_path / "crimes.csv"
    path.write_text("0,0,2024-01-01\n1,1,2024-01-02\n")
    for bad, message in [
        (["--spatial-bandwidth", "0"], "--spatial-bandwidth: '0': must be a number more than 0"),
        (["--temporal-bandwidth", "week"], "--temporal-bandwidth: 'week' is not a number"),
        (["--spatial-bands", "0"], "--spatial-bands: '0': must be 1 to 100"),
        (["--permutations", "0"], "--permutations: '0': must be 1 to 99,999"),
    ]:
        options = {"--spatial-bandwidth": "100", "--spatial-bands": "3",
                   "--temporal-bandwidth": "7", "--temporal-bands": "3"}  # fmt: skip
        options[bad[0]] = bad[1]
        with pytest.raises(CommandError, match=message):
            near_repeat(path, *itertools.chain(*options.items()))


def test_bands_that_take_in_nearly_every_pair_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(knox_module, "CLOSE_PAIRS_AT_MOST", 2)
    path = tmp_path / "crimes.csv"
    path.write_text("0,0,2024-01-01\n1,1,2024-01-02\n2,2,2024-01-03\n")
    with pytest.raises(CommandError, match="3 pairs are within 300 m, more than 2: narrow"):
        near_repeat_json(path)


POLICEUK_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
)


def policeuk_row(month: str, longitude: str, latitude: str, crime_type: str = "Burglary") -> str:
    return (
        f"abc,{month},Norfolk Constabulary,Norfolk Constabulary,{longitude},{latitude},"
        f"On or near Tower Road,E01026000,Great Yarmouth 001A,{crime_type},Under investigation,\n"
    )


def test_policeuk_files_are_read_for_the_crime_types_asked(tmp_path):
    path = tmp_path / "2024-01-norfolk-street.csv"
    path.write_text(
        POLICEUK_HEADER
        + policeuk_row("2024-01", "1.7", "52.6")
        + policeuk_row("2024-01", "1.7", "52.601")
        + policeuk_row("2024-01", "1.701", "52.6", crime_type="Shoplifting")
        + policeuk_row("2024-02", "1.7", "52.6", crime_type="Vehicle crime")
    )
    every = near_repeat_json(tmp_path, "--policeuk", "--permutations", 9, "--seed", 1)
    assert every["crimes"] == 4
    burglary = near_repeat_json(
        tmp_path, "--policeuk", "--crime-type", "Burglary", "--permutations", 9, "--seed", 1
    )
    assert burglary["crimes"] == 2
    two = near_repeat_json(
        tmp_path, "--policeuk", "--crime-type", "Burglary", "--crime-type", "Shoplifting",
        "--permutations", 9, "--seed", 1,
    )  # fmt: skip
    assert two["crimes"] == 3
    with pytest.raises(CommandError, match="--crime-type: only with --policeuk"):
        near_repeat_json(path, "--crime-type", "Burglary")


def test_policeuk_files_are_projected_to_british_national_grid(tmp_path):
    # Caister water tower, Ordnance Survey's worked example: ETRS89 52°39'28.8282"N
    # 1°42'57.8663"E is about E 651409.8, N 313177.4 by OSTN15. PROJ's Helmert way is within
    # a few metres of it.
    latitude = 52 + 39 / 60 + 28.8282 / 3600
    longitude = 1 + 42 / 60 + 57.8663 / 3600
    path = tmp_path / "2024-01-norfolk-street.csv"
    path.write_text(
        POLICEUK_HEADER
        + policeuk_row("2024-01", f"{longitude:.7f}", f"{latitude:.7f}")
        # 0.0009 degrees north: about 100 m (111.3 km a degree of latitude here).
        + policeuk_row("2024-01", f"{longitude:.7f}", f"{latitude + 0.0009:.7f}")
        + policeuk_row("2024-02", "", "")  # police.uk's crimes with no location
    )
    found = near_repeat_json(tmp_path, "--policeuk", "--permutations", 9, "--seed", 1)
    assert found["crimes"] == 2 and found["skipped"] == 1
    assert found["first_date"] == found["last_date"] == "2024-01-01"
    assert found["observed"][2][0] == 1  # 100-200 m (Manhattan), the same month
    points = read_policeuk_points([path])
    assert points.x[0] == pytest.approx(651409.8, abs=5)
    assert points.y[0] == pytest.approx(313177.4, abs=5)
    assert math.hypot(points.x[1] - points.x[0], points.y[1] - points.y[0]) == pytest.approx(
        100.2, abs=0.5
    )


def test_a_file_that_is_not_policeuks_is_named(tmp_path):
    path = tmp_path / "crimes.csv"
    path.write_text("x,y,date\n0,0,2024-01-01\n")
    with pytest.raises(CommandError, match=r"not a police\.uk street file \(no Month, Longitude"):
        near_repeat_json(path, "--policeuk")
    path.write_text(POLICEUK_HEADER + policeuk_row("January", "1.7", "52.6"))
    with pytest.raises(CommandError, match="line 2: Month: 'January' is not a month"):
        near_repeat_json(path, "--policeuk")
