"""The CI guard on intake speed (``bench/intake.py --check``) fails on a slowdown.

``.ci/run`` runs the guard on main, where it must pass; here the same guard runs against a
server whose every contact spins 3 ms more of CPU (tests/slow_intake_settings.py), and must fail.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import child_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow(reason="about 30 s: the intake benchmark itself, five runs against a live server")
def test_the_guard_fails_when_each_contact_costs_three_milliseconds_more() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "bench/intake.py",
            "--check",
            "--db",
            "sqlite",
            "--settings",
            "tests.slow_intake_settings",
        ],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    (verdict,) = [line for line in done.stdout.splitlines() if line.startswith("guard: sqlite")]
    assert verdict.endswith(": FAIL")
    ratio = float(verdict.split("bare insert ")[1].split(",")[0])
    recorded = json.loads((ROOT / "bench/baseline.json").read_text())["sqlite"]
    assert ratio < recorded["ratio_to_bare_insert"] * 0.7
