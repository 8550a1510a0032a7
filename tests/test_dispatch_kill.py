"""Workers killed with SIGKILL at random, mid-send, lose and duplicate nothing.

Two real ``bluelamp worker`` processes send N invitations through the real Notify client to
the Notify fake (its own process, which writes down every message it accepts); one of them is
killed every 2 to 6 seconds, whatever it is doing, and started again. Every invitation must
reach the fake exactly once. N is 10,000 on SQLite (the README's test command) and 2,000 on
PostgreSQL, where the claim is the same code with SKIP LOCKED (``bench/dispatch.py`` runs
10,000 on both).
"""

import os
import random

import pytest
from django.db import connection

from bench import dispatch


@pytest.mark.slow(
    reason="about 100 s: real worker processes killed at random points, over and over"
)
def test_kill_9_at_random_points_neither_loses_nor_duplicates():
    kind = "postgres" if connection.vendor == "postgresql" else "sqlite"
    default = 10_000 if kind == "sqlite" else 2_000
    n = int(os.environ.get("BLUELAMP_KILL_INVITATIONS", default))
    url, drop = dispatch.database(kind)
    try:
        result = dispatch.run(
            database_url=url, invitations=n, workers=2, kill=True, rng=random.Random(n),
            timeout=900, kill_every=(2.0, 6.0), log=lambda line: None,
        )  # fmt: skip
    finally:
        drop()
    print(f"{kind}: {result}")
    assert result.kills >= 3, "the run was too short to kill anything"
    assert result.duplicates == 0
    assert result.missing == 0
    assert result.accepted == n
    assert result.db_sent == n
