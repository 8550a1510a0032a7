"""Per-call records, as telephony systems export them, turned into interval figures.

Two layouts are read, told apart by their header:

- Bluelamp's own: ``queue_entry, queue_exit, outcome, handle_seconds, handler`` (ISO 8601
  times, without an offset in the given time zone; outcome ``answered`` or ``abandoned``;
  optional ``arrival`` is ignored, as waiting starts at queue entry).
- The "Anonymous Bank" call-centre layout (``vru+line, call_id, ..., q_start, q_exit,
  q_time, outcome, ser_start, ser_exit, ser_time, server``): times are ``H:MM:SS`` on the
  row's date; AGENT is answered, HANG after queue entry is abandoned, HANG in the voice menu
  never reached the queue and PHANTOM is a line fault, so both are left out.
"""

import csv
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bluelamp.lib.inputs import date_check


@dataclass(frozen=True)
class CallRecord:
    queued_at: dt.datetime  # when the caller started waiting for a handler (aware)
    answered: bool
    wait_seconds: float  # until answered, or until they hung up
    handle_seconds: float  # 0 when not answered
    handler: str  # "" when unknown or not answered


@dataclass(frozen=True)
class Rejected:
    line: int
    message: str


class RecordsFileError(ValueError):
    """The file as a whole cannot be read (not UTF-8, broken quoting, a header missing
    columns); ``line`` is where the reading stopped."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


# A call waits, and is handled, for less than a day; longer is a fault in the export.
MAX_SECONDS = 86_400.0


def _seconds(name: str, text: str | None) -> float:
    try:
        value = float(text or 0)
    except ValueError:
        raise ValueError(f"{name}: not a number") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
        raise ValueError(f"{name}: should be from 0 to {MAX_SECONDS:,.0f} seconds")
    return value


def _day(name: str, text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{name}: not an ISO 8601 date") from None
    try:
        date_check(day)
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None
    return day


@dataclass
class IntervalFigures:
    """One interval's figures, in the shape of ``CallIntervalIn``."""

    start: dt.datetime
    minutes: int
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_within_target: int = 0
    handle_total: float = 0.0
    answer_wait_total: float = 0.0
    abandon_wait_total: float = 0.0
    handlers: set[str] = field(default_factory=set)
    # Handlers at work, time-weighted: 1.0 is one handler for the whole interval.
    logged_in: float = 0.0

    @property
    def average_handle_seconds(self) -> float | None:
        return self.handle_total / self.answered if self.answered else None

    @property
    def average_answer_seconds(self) -> float | None:
        return self.answer_wait_total / self.answered if self.answered else None

    @property
    def average_abandon_seconds(self) -> float | None:
        return self.abandon_wait_total / self.abandoned if self.abandoned else None

    @property
    def queue_wait_total(self) -> float:
        """Time every queued caller spent waiting, answered or not (for patience)."""
        return self.answer_wait_total + self.abandon_wait_total


def _clock(name: str, day: dt.date, text: str, tz: ZoneInfo) -> dt.datetime:
    try:
        h, m, s = (int(p) for p in text.split(":"))
        return dt.datetime.combine(day, dt.time(h, m, s), tzinfo=tz)
    except ValueError:
        raise ValueError(f"{name}: not a time H:MM:SS") from None


def _bank_row(row: dict[str, str], tz: ZoneInfo) -> CallRecord | None:
    outcome = row["outcome"].strip()
    entered = row["q_start"].strip() not in ("", "0:00:00")
    if outcome == "PHANTOM" or (outcome == "HANG" and not entered):
        return None
    if outcome not in ("AGENT", "HANG"):
        raise ValueError(f"outcome: unknown value {outcome!r}")
    day = _day("date", row["date"])
    answered = outcome == "AGENT"
    name = "q_start" if entered else "vru_exit"
    queued = _clock(name, day, row[name], tz)
    server = row["server"].strip()
    return CallRecord(
        queued_at=queued,
        answered=answered,
        wait_seconds=_seconds("q_time", row["q_time"]) if entered else 0.0,
        handle_seconds=_seconds("ser_time", row["ser_time"]) if answered else 0.0,
        handler="" if server == "NO_SERVER" or not answered else server,
    )


def _own_row(row: dict[str, str], tz: ZoneInfo) -> CallRecord:
    def when(name: str) -> dt.datetime:
        try:
            value = dt.datetime.fromisoformat(row[name].strip())
        except ValueError:
            raise ValueError(f"{name}: not an ISO 8601 date and time") from None
        try:
            date_check(value)
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None
        return value if value.tzinfo else value.replace(tzinfo=tz)

    outcome = row["outcome"].strip().lower()
    if outcome not in ("answered", "abandoned"):
        raise ValueError("outcome: should be answered or abandoned")
    entry, leave = when("queue_entry"), when("queue_exit")
    if leave < entry:
        raise ValueError("queue_exit: before queue_entry")
    if (leave - entry).total_seconds() > MAX_SECONDS:
        raise ValueError("queue_exit: more than a day after queue_entry")
    answered = outcome == "answered"
    handle = _seconds("handle_seconds", row.get("handle_seconds"))
    return CallRecord(
        queued_at=entry,
        answered=answered,
        wait_seconds=(leave - entry).total_seconds(),
        handle_seconds=handle if answered else 0.0,
        handler=(row.get("handler") or "").strip() if answered else "",
    )


OWN_COLUMNS = {"queue_entry", "queue_exit", "outcome"}
BANK_COLUMNS = {"date", "vru_exit", "q_start", "q_time", "outcome", "ser_time", "server"}


def read_records(
    path: Path, tz: ZoneInfo, *, not_after: dt.datetime | None = None
) -> Iterator[CallRecord | Rejected]:
    """Each call of the file, or a line-numbered reason it was refused; a call that joined the
    queue after ``not_after`` (in the future, for an import) is refused.

    Raises RecordsFileError, after any calls already given, for a file that is not UTF-8 or
    whose quoting is broken: read the whole file before storing anything from it.
    """
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f, strict=True)
        try:
            yield from _read(reader, tz, not_after)
        except UnicodeDecodeError:
            raise RecordsFileError(reader.line_num + 1, "the file is not UTF-8 text") from None
        except csv.Error as e:
            raise RecordsFileError(reader.line_num, f"not valid CSV: {e}") from None


def _read(
    reader: "csv.DictReader[str]", tz: ZoneInfo, not_after: dt.datetime | None
) -> Iterator[CallRecord | Rejected]:
    columns = set(reader.fieldnames or [])
    parse: Callable[[dict[str, str], ZoneInfo], CallRecord | None]
    if columns >= BANK_COLUMNS:
        parse = _bank_row
    elif columns >= OWN_COLUMNS:
        parse = _own_row
    else:
        missing = sorted(OWN_COLUMNS - columns)
        raise RecordsFileError(1, f"header: missing column(s) {', '.join(missing)}")
    for row in reader:
        if None in row:
            yield Rejected(reader.line_num, "row: more cells than the header has columns")
            continue
        if None in row.values():
            yield Rejected(reader.line_num, "row: fewer cells than the header has columns")
            continue
        try:
            record = parse(row, tz)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as e:
            yield Rejected(reader.line_num, str(e) or type(e).__name__)
            continue
        if record is not None and not_after is not None and record.queued_at > not_after:
            yield Rejected(reader.line_num, "queue_entry: in the future")
            continue
        if record is not None:
            yield record


def interval_start(moment: dt.datetime, minutes: int) -> dt.datetime:
    return moment.replace(minute=moment.minute - moment.minute % minutes, second=0, microsecond=0)


# A handler idle for longer than this between two calls is taken to be away (a break, the
# end of a shift); shorter gaps count as time at work waiting for the next call.
IDLE_GAP_SECONDS = 600.0


def aggregate(
    records: Iterable[CallRecord],
    *,
    minutes: int,
    target_seconds: float,
    idle_gap_seconds: float = IDLE_GAP_SECONDS,
) -> list[IntervalFigures]:
    """Interval figures from calls, by the interval in which each caller joined the queue.

    Handlers at work (``logged_in``) are inferred from the calls they answered, as records
    carry no log-in times: a handler is at work from the start of a call to its end, and
    through any gap before their next call of up to ``idle_gap_seconds``; the time at work
    falling in each interval is summed and divided by the interval's length.
    """
    found: dict[dt.datetime, IntervalFigures] = {}
    served: dict[tuple[str, dt.date], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)

    def figures_at(start: dt.datetime) -> IntervalFigures:
        figures = found.get(start)
        if figures is None:
            figures = found[start] = IntervalFigures(start=start, minutes=minutes)
        return figures

    for r in records:
        figures = figures_at(interval_start(r.queued_at, minutes))
        figures.offered += 1
        if r.answered:
            figures.answered += 1
            figures.handle_total += r.handle_seconds
            figures.answer_wait_total += r.wait_seconds
            if r.wait_seconds <= target_seconds:
                figures.answered_within_target += 1
            if r.handler:
                figures.handlers.add(r.handler)
                begin = r.queued_at + dt.timedelta(seconds=r.wait_seconds)
                end = begin + dt.timedelta(seconds=r.handle_seconds)
                served[(r.handler, begin.date())].append((begin, end))
        else:
            figures.abandoned += 1
            figures.abandon_wait_total += r.wait_seconds

    length = dt.timedelta(minutes=minutes)
    for spans in served.values():
        spans.sort()
        at_work: list[list[dt.datetime]] = []
        for begin, end in spans:
            if at_work and (begin - at_work[-1][1]).total_seconds() <= idle_gap_seconds:
                at_work[-1][1] = max(at_work[-1][1], end)
            else:
                at_work.append([begin, end])
        for begin, end in at_work:
            start = interval_start(begin, minutes)
            while start < end:
                overlap = min(end, start + length) - max(begin, start)
                if overlap.total_seconds() > 0 and start in found:
                    found[start].logged_in += overlap / length
                start += length
    return [found[k] for k in sorted(found)]
