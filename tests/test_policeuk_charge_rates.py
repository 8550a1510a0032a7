"""``bluelamp charge-rates``: per crime type from police.uk's real files, checked against a
count of the same files made here with the csv module; and from the force's own crimes."""

import csv
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from bluelamp.lib.stats import wilson_interval
from bluelamp.outcomes.national import HOME_OFFICE_2023
from tests import needs

POLICEUK = Path(__file__).resolve().parents[2] / "shared" / "data" / "policeuk-hertfordshire"
MONTHS = ("2021-01", "2021-02")
CHARGED = {"Suspect charged", "Suspect charged as part of another case"}


def rates(*args: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("charge_rates", "--force", "herts", "--json", *args, stdout=out)
    found: list[dict[str, Any]] = json.loads(out.getvalue())
    return found


def expected(files: list[Path]) -> dict[str, tuple[int, int]]:
    """Distinct Crime IDs per crime type, and those charged by any row of either kind."""
    types: dict[str, str] = {}
    charged: set[str] = set()
    for path in files:
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                crime_id = row["Crime ID"]
                if not crime_id:
                    continue
                if "Crime type" in row:
                    types.setdefault(crime_id, row["Crime type"])
                    category = row["Last outcome category"]
                else:
                    category = row["Outcome type"]
                if category in CHARGED:
                    charged.add(crime_id)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for crime_id, crime_type in types.items():
        counts[crime_type][0] += 1
        counts[crime_type][1] += crime_id in charged
    return {t: (n, c) for t, (n, c) in counts.items()}


def test_police_uk_charge_rates_match_a_count_of_the_real_files(force, tmp_path):
    needs.path(POLICEUK, "the shared police.uk files")
    files = [POLICEUK / kind / f"{m}-hertfordshire-{kind}.csv"
             for m in MONTHS for kind in ("street", "outcomes")]  # fmt: skip
    for path in files:  # the real files, linked, not copied
        (tmp_path / path.name).symlink_to(path)
    call_command("import_policeuk", str(tmp_path), "--force", "herts", stdout=io.StringIO())

    rows = rates()
    *by_type, total = rows
    want = expected(files)
    assert {r["crime_type"]: (r["crimes"], r["charged"]) for r in by_type} == want
    assert [r["crime_type"] for r in by_type] == sorted(want)
    for r in by_type:
        assert r["rate"] == pytest.approx(r["charged"] / r["crimes"])
        assert (r["low"], r["high"]) == pytest.approx(wilson_interval(r["charged"], r["crimes"]))
    assert total["crime_type"] == "All crime types"
    assert total["crimes"] == sum(n for n, _ in want.values()) > 10_000
    assert total["charged"] == sum(c for _, c in want.values()) > 100
    assert (total["national_rate"], total["national_source"]) == (0.057, HOME_OFFICE_2023)
    robbery = next(r for r in by_type if r["crime_type"] == "Robbery")
    assert robbery["national_rate"] == 0.066

    january = rates("--from", "2021-01", "--to", "2021-01")[-1]
    assert january["crimes"] == sum(n for n, _ in expected(files[:1]).values())

    table = io.StringIO()
    call_command("charge_rates", "--force", "herts", stdout=table)
    lines = table.getvalue().splitlines()
    assert lines[0].split() == ["crime_type", "crimes", "charged", "rate", "low", "high",
                                "national"]  # fmt: skip
    assert any(line.startswith("Robbery ") and "6.6%" in line for line in lines)
    assert HOME_OFFICE_2023 in table.getvalue()


def post(api: Any, path: str, body: Any) -> Any:
    r = api.post(path, body, content_type="application/json")
    assert r.status_code in (200, 201), r.content
    return r


def test_own_charge_rates_count_crimes_recorded_and_those_with_a_charge_outcome(api, force):
    for n, code in enumerate(["1", "1A", "18", None]):
        reference = f"CR-RATE-{n}"
        post(api, "/api/v1/crimes", {
            "reference": reference, "offence": "burglary_residential",
            "recorded_at": "2026-03-02T10:00:00Z", "location": {"postcode": "AL1 3JS"},
            "victims": [{"name": f"Test Victim R{n}", "age": 40}],
        })  # fmt: skip
        if code:
            post(api, f"/api/v1/crimes/{reference}/events",
                 {"kind": "outcome_recorded", "at": "2026-03-09T10:00:00Z",
                  "outcome_code": code})  # fmt: skip
    *by_type, total = rates("--source", "own", "--from", "2026-03", "--to", "2026-03")
    ((crime_type, crimes, charged),) = [(r["crime_type"], r["crimes"], r["charged"])
                                        for r in by_type]  # fmt: skip
    assert (crimes, charged) == (4, 2) and "urglary" in crime_type
    assert (total["crimes"], total["charged"], total["rate"]) == (4, 2, 0.5)
    assert rates("--source", "own", "--from", "2026-04")[-1]["crimes"] == 0
