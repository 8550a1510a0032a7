"""What a test needs from outside the repository: skip where it is absent, fail under CI.

A developer's machine may lack the shared data folder, Chromium or the PostgreSQL client
tools, and the test says which and skips. Under ``CI=true`` a skip would hide a test that never
ran, so the same call fails the test, naming what is missing.
"""

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(what: str) -> NoReturn:
    """Skip naming ``what``; under CI=true fail naming it instead."""
    if IN_CI:
        pytest.fail(f"CI=true and this test cannot run: {what}", pytrace=False)
    pytest.skip(what)


def path(where: Path, what: str) -> None:
    """The file or folder at ``where`` (for example the shared data) must exist."""
    if not where.exists():
        missing(f"{what} not found at {where}")


def tool(name: str, install: str) -> None:
    """The program ``name`` must be on the PATH; ``install`` says how to get it."""
    if shutil.which(name) is None:
        missing(f"{name} is not installed ({install})")
