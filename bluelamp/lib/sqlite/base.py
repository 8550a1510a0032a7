"""Django's SQLite backend, with writers queued on a file lock.

SQLite lets one writer in at a time; a second process that finds the database locked sleeps
and retries with growing pauses (1, 2, 5, 10 ms, ...) and often wakes long after the lock
was free. Two gunicorn workers taking in contacts spent more time asleep than working. Here a
transaction first takes an exclusive ``flock`` on ``<database>.writer-lock``: a waiting
process is woken by the kernel the moment the holder commits or rolls back, and a process
that dies lets go of it with its file descriptors. In-memory databases (the tests) have one
connection and need no lock. Writes outside a transaction still rely on SQLite's own timeout.
"""

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock: int | None = None
    _writer_locked = False

    def _writer_lock_acquire(self) -> None:
        if self.is_in_memory_db():
            return
        if self._writer_lock is None:
            path = f"{self.settings_dict['NAME']}.writer-lock"
            self._writer_lock = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._writer_lock, fcntl.LOCK_EX)
        self._writer_locked = True

    def _writer_lock_release(self) -> None:
        if self._writer_locked and self._writer_lock is not None:
            fcntl.flock(self._writer_lock, fcntl.LOCK_UN)
        self._writer_locked = False

    def _start_transaction_under_autocommit(self) -> None:
        self.ensure_connection()  # connecting first: a failed connect must not hold the lock
        self._writer_lock_acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._writer_lock_release()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._writer_lock_release()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._writer_lock_release()

    def _close(self) -> Any:
        self._writer_lock_release()
        if self._writer_lock is not None:
            os.close(self._writer_lock)
            self._writer_lock = None
        return super()._close()  # type: ignore[misc]
