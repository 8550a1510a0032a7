"""The time, for code that runs later than it was asked for (the worker's tasks).

Tasks read ``now()`` rather than the wall clock so that the demonstration can replay weeks of
history, and tests can run a day in a moment, through the same code that runs in production.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_frozen: list[dt.datetime] = []


def now() -> dt.datetime:
    return _frozen[-1] if _frozen else timezone.now()


@contextmanager
def frozen_at(at: dt.datetime) -> Iterator[None]:
    """Within the block, ``now()`` is ``at``."""
    _frozen.append(at)
    try:
        yield
    finally:
        _frozen.pop()
