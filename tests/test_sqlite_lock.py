"""SQLite writers queue on a file lock and wake as soon as the holder commits."""

import fcntl
import threading
import time

import pytest
from django.db.utils import ConnectionHandler

from bluelamp.settings import DATABASES


def _connection(path: str, alias: str):  # type: ignore[no-untyped-def]
    options = dict(DATABASES["default"].get("OPTIONS", {}))
    if "transaction_mode" not in options:  # the suite is running on PostgreSQL
        options = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    handler = ConnectionHandler(
        {"default": {"ENGINE": "bluelamp.lib.sqlite", "NAME": path, "OPTIONS": options}}
    )
    connection = handler["default"]
    connection.alias = alias
    return connection


def _lock_is_free(path: str) -> bool:
    with open(f"{path}.writer-lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(f, fcntl.LOCK_UN)
        return True


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):  # type: ignore[no-untyped-def]
    """These tests open their own database files, outside the test database."""
    with django_db_blocker.unblock():
        yield


def test_second_writer_waits_for_the_first_and_wakes_at_its_commit(tmp_path):
    path = str(tmp_path / "lock.sqlite3")
    first = _connection(path, "first")
    first.ensure_connection()
    first.cursor().execute("CREATE TABLE t (n integer)")
    second_done = threading.Event()
    woke_after: list[float] = []

    def second_writer() -> None:
        second = _connection(path, "second")
        second.ensure_connection()
        second._start_transaction_under_autocommit()
        woke_after.append(time.monotonic())
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second._commit()
        second.close()
        second_done.set()

    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")
    assert not _lock_is_free(path)
    thread = threading.Thread(target=second_writer)
    thread.start()
    assert not second_done.wait(0.3), "the second writer began while the first held the lock"
    released = time.monotonic()
    first._commit()
    assert second_done.wait(5)
    thread.join()
    # Woken by the kernel, not by SQLite's sleep-and-retry (whose pauses grow to 100 ms).
    assert woke_after[0] - released < 0.05
    rows = first.cursor().execute("SELECT n FROM t ORDER BY n").fetchall()
    assert rows == [(1,), (2,)]
    first.close()


def test_rollback_releases_the_lock(tmp_path):
    path = str(tmp_path / "lock.sqlite3")
    first = _connection(path, "first")
    first.ensure_connection()
    first._start_transaction_under_autocommit()
    assert not _lock_is_free(path)
    first._rollback()
    assert _lock_is_free(path)
    done = threading.Event()

    def begin() -> None:
        second = _connection(path, "second")
        second._start_transaction_under_autocommit()
        second._rollback()
        second.close()
        done.set()

    threading.Thread(target=begin).start()
    assert done.wait(5)
    first.close()
