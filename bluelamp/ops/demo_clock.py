"""The clock the demo's history is replayed on: events in time order, none after now."""

import datetime as dt
import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(order=True)
class Event:
    at: dt.datetime
    seq: int
    kind: str = field(compare=False)
    target: int = field(compare=False)  # contact index, invitation id or case id
    detail: str = field(compare=False, default="")


class Clock:
    """Events in time order: contacts arrive, people answer, supervisors work their cases."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self._heap: list[Event] = []
        self._seq = itertools.count()

    def add(self, at: dt.datetime, kind: str, target: int, detail: str = "") -> None:
        # What would happen after now has not happened yet: the invitation stays open, the
        # case stays open, as they would in a real control room.
        if at < self.now:
            heapq.heappush(self._heap, Event(at, next(self._seq), kind, target, detail))

    def __iter__(self) -> Iterator[Event]:
        while self._heap:
            yield heapq.heappop(self._heap)
