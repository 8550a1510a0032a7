"""A test whose outside need is missing skips on a developer's machine and fails under CI."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NEEDY = """
from pathlib import Path
from tests import needs

def test_wants_the_shared_data():
    needs.path(Path("/nowhere/shared/data"), "the shared data")

def test_wants_a_tool():
    needs.tool("no-such-program-here", "apt-get install it")
"""


def run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    test = tmp_path / "test_needy.py"
    test.write_text(NEEDY)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    # Run from the temporary folder, so that none of the project's conftest (Django) loads.
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {
        "PYTHONPATH": str(ROOT),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(  # noqa: S603 (our own interpreter and a file we wrote)
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rsf",
         "-c", str(tmp_path / "pytest.ini"), str(test)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_missing_needs_skip_saying_what_is_missing(tmp_path: Path) -> None:
    done = run(tmp_path, None)
    assert done.returncode == 0, done.stdout
    assert "2 skipped" in done.stdout
    assert "the shared data not found at /nowhere/shared/data" in done.stdout


def test_under_ci_missing_needs_fail_naming_what_is_missing(tmp_path: Path) -> None:
    done = run(tmp_path, "true")
    assert done.returncode == 1, done.stdout
    assert "2 failed" in done.stdout
    assert "CI=true and this test cannot run: no-such-program-here is not installed" in done.stdout
