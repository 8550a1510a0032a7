"""Keeping the rollups: one upsert per response or sending, and a rebuild from raw rows.

The upsert is ``INSERT ... ON CONFLICT DO UPDATE`` with the counts added, which SQLite (3.24
and newer) and PostgreSQL both run as one statement: two responses counted at once never lose
one. Call it inside the transaction that stores the response or marks the invitation sent.
"""

import datetime as dt
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from bluelamp.insights.models import Rollup
from bluelamp.staffing.planning import ANSWER_BANDS
from bluelamp.surveys.models import Invitation, Response

SCORES = tuple(f"score_{n}" for n in range(1, 8))
COUNTS = (
    "responses", "answered", "satisfied", "dissatisfied", "score_sum", "sent", "responded",
    *SCORES,
)  # fmt: skip
KEY = ("force_id", "dimension", "day", "team_key", "key")
Key = tuple[int, str, dt.date, int, str]
# Each unit is counted twice: under its team (or 0 for none), and under ALL_TEAMS, so that
# a force-wide page reads one row per unit and day, not one per team.
ALL_TEAMS = -1
DIMENSIONS = ("all", "incident_type", "call_handler", "channel", "stage", "shift", "answer_band")
# The drill-down's dimensions are counted per week too (under ``week:<dimension>``, on the
# week's Monday), so that 90 days by call handler sums some 13 rows a unit, not 90.
WEEKLY = ("all", "incident_type", "call_handler", "channel", "stage", "shift")
WEEK = "week:"


def week_of(day: dt.date) -> dt.date:
    """The Monday of the local week a day is in: the ``day`` of its weekly rows."""
    return day - dt.timedelta(days=day.weekday())


def _with_weeks(day: dt.date, units: list[tuple[str, str]]) -> list[tuple[str, dt.date, str]]:
    monday = week_of(day)
    return [(dimension, day, key) for dimension, key in units] + [
        (WEEK + dimension, monday, key) for dimension, key in units if dimension in WEEKLY
    ]


# Shifts by the local hour a response came in: early 07:00-15:00, late 15:00-23:00, night.
SHIFTS = (
    ("early", "Early (07:00 to 15:00)", range(7, 15)),
    ("late", "Late (15:00 to 23:00)", range(15, 23)),
    ("night", "Night (23:00 to 07:00)", (*range(23, 24), *range(7))),
)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(timezone.get_default_timezone()).date()


def shift_of(local_hour: int) -> str:
    return next(code for code, _, hours in SHIFTS if local_hour in hours)


def answer_band(seconds: int) -> int:
    """Which of ``planning.BAND_LABELS`` a wait falls in: up to 10 s is 0, over 5 min 5."""
    return bisect_left(ANSWER_BANDS, seconds)


@dataclass(frozen=True)
class Unit:
    """What one response or sending is counted under."""

    force_id: int
    moment: dt.datetime
    team_id: int | None
    incident_type: str
    call_handler_id: int | None
    channel: str
    stage: str
    answer_seconds: int | None

    def counted_under(self) -> list[Key]:
        local = self.moment.astimezone(timezone.get_default_timezone())
        day, team = local.date(), self.team_id or 0
        units = [
            ("all", ""),
            ("incident_type", self.incident_type),
            ("call_handler", str(self.call_handler_id or 0)),
            ("channel", self.channel),
            ("stage", self.stage),
            ("shift", shift_of(local.hour)),
        ]
        if self.answer_seconds is not None:
            units.append(("answer_band", f"{self.channel}:{answer_band(self.answer_seconds)}"))
        return [
            (self.force_id, dimension, when, t, key)
            for t in (team, ALL_TEAMS)
            for dimension, when, key in _with_weeks(day, units)
        ]


# Comments by theme: dimension ``theme``, key the theme's code, counted as ``responses`` on
# the response's local day (daily rows only), from its effective themes ("other", no theme,
# is not counted); a correction moves the count the moment it is made.
THEME = "theme"


def theme_keys(force_id: int, moment: dt.datetime, team_id: int | None, code: str) -> list[Key]:
    day = local_day(moment)
    return [(force_id, THEME, day, t, code) for t in (team_id or 0, ALL_TEAMS)]


def _theme_codes(themes: list[dict[str, Any]]) -> list[str]:
    return sorted({str(t.get("code")) for t in themes} - {"other"})


def _upsert(
    *parts: tuple[Unit, dict[str, int]], more: dict[Key, Counter[str]] | None = None
) -> None:
    """Add each unit's counts to its rows in every dimension (and ``more``, counts by row):
    one statement, whose rows are always in the same order (so two transactions lock them in
    the same order). Rows that two parts share are added up first: one statement may not
    update a row twice."""
    table = Rollup._meta.db_table
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    rows_counts: dict[Key, Counter[str]] = {k: Counter(v) for k, v in (more or {}).items()}
    for unit, counts in parts:
        for found in unit.counted_under():
            rows_counts.setdefault(found, Counter()).update(counts)
    values: list[Any] = []
    for (force_id, dimension, day, team, key), counts in sorted(rows_counts.items()):
        values += [force_id, dimension, ops.adapt_datefield_value(day), team, key]
        values += [*(counts.get(c, 0) for c in COUNTS), now]
    columns = [*KEY, *COUNTS, "updated_at"]
    row = f"({', '.join(['%s'] * len(columns))})"
    rows = ", ".join([row] * (len(values) // len(columns)))
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTS)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {rows} "  # noqa: S608 (names are ours)
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {added}, updated_at = excluded.updated_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def response_count(response: Response, stage: str) -> None:
    """Count one response (call it in the response's transaction): on the day it came, and
    as ``responded`` on the day and unit its invitation was counted as sent."""
    answered = response.whole_experience is not None
    invitation = response.invitation
    sending = (
        [] if invitation.sent_at is None else [(_sending_unit(invitation, stage), {"responded": 1})]
    )
    _upsert(
        *sending,
        (Unit(
            response.force_id,
            response.submitted_at,
            response.team_id,
            response.incident_type_id,
            response.call_handler_id,
            response.channel,
            stage,
            response.contact.answer_seconds,
        ),
        {
            "responses": 1,
            "answered": int(answered),
            "satisfied": int(answered and response.outcome == Response.Outcome.SATISFIED),
            "dissatisfied": int(answered and response.outcome == Response.Outcome.DISSATISFIED),
            "score_sum": response.whole_experience or 0,
            **({f"score_{response.whole_experience}": 1} if answered else {}),
        }),
        more={
            key: Counter(responses=1)
            for code in _theme_codes(response.themes)
            for key in theme_keys(response.force_id, response.submitted_at, response.team_id, code)
        },
    )  # fmt: skip


def theme_count_change(response: Response, code: str, added: bool) -> None:
    """A correction's move of the theme counts (call it in the correction's transaction):
    one more comment under ``code``, or one fewer. A row already at nought stays there."""
    keys = theme_keys(response.force_id, response.submitted_at, response.team_id, code)
    if added:
        _upsert(more={key: Counter(responses=1) for key in keys})
        return
    for force_id, dimension, day, team, key in keys:
        Rollup.objects.filter(
            force_id=force_id, dimension=dimension, day=day, team_key=team, key=key, responses__gt=0
        ).update(responses=F("responses") - 1, updated_at=timezone.now())


def _sending_unit(invitation: Invitation, stage: str) -> Unit:
    contact = invitation.contact
    assert invitation.sent_at is not None
    return Unit(
        invitation.force_id,
        invitation.sent_at,
        contact.team_id,
        contact.incident_type_id,
        contact.call_handler_id,
        contact.channel,
        stage,
        contact.answer_seconds,
    )


def sending_count(invitation: Invitation, stage: str) -> None:
    """Count one invitation sent (call it in the sending's transaction)."""
    _upsert((_sending_unit(invitation, stage), {"sent": 1}))


def _band_case(field: str) -> Case:
    """The answer band in SQL, for the rebuild (the same edges as ``answer_band``); NULL
    when the wait is not known."""
    return Case(
        When(**{f"{field}__isnull": True}, then=Value(None)),
        *(When(**{f"{field}__lte": edge}, then=Value(i)) for i, edge in enumerate(ANSWER_BANDS)),
        default=Value(len(ANSWER_BANDS)),
        output_field=IntegerField(),
    )


def _grouped(
    rows: QuerySet[Any], moment: str, prefix: str, counts: dict[str, Any]
) -> Iterator[tuple[Key, dict[str, int]]]:
    """Counts of ``rows`` (responses, or invitations with ``prefix="contact__"``) under each
    unit they are counted in: one query grouped by local day and hour, team and every
    dimension's field, folded here into one row per dimension (the local time is worked out
    once a row, which on SQLite is a Python function per row)."""
    tz = timezone.get_default_timezone()
    fields = {
        "d": TruncDate(moment, tzinfo=tz),
        "h": ExtractHour(moment, tzinfo=tz),
        "b": _band_case("contact__answer_seconds"),
    }
    grouped = (
        rows.annotate(**fields)
        .values(
            "force_id", "d", "h", f"{prefix}team_id", f"{prefix}incident_type_id",
            f"{prefix}call_handler_id", f"{prefix}channel", "template__stage", "b",
        )
        .annotate(**counts)
        .order_by()
    )  # fmt: skip
    for r in grouped.iterator(chunk_size=20000):
        day, team, channel = r["d"], r[f"{prefix}team_id"] or 0, r[f"{prefix}channel"]
        units = [
            ("all", ""),
            ("incident_type", r[f"{prefix}incident_type_id"]),
            ("call_handler", str(r[f"{prefix}call_handler_id"] or 0)),
            ("channel", channel),
            ("stage", r["template__stage"] or "first_contact"),  # no template: first contact
            ("shift", shift_of(r["h"])),
        ]
        if r["b"] is not None:
            units.append(("answer_band", f"{channel}:{r['b']}"))
        for t in (team, ALL_TEAMS):
            for dimension, when, unit in _with_weeks(day, units):
                yield (r["force_id"], dimension, when, t, unit), r


def _from_raw(force_id: int | None = None) -> Counter[tuple[Key, str]]:
    """Every count recomputed from the responses and invitations themselves."""
    found: Counter[tuple[Key, str]] = Counter()
    responses = Response.objects.all()
    invitations = Invitation.objects.filter(sent_at__isnull=False)
    if force_id is not None:
        responses = responses.filter(force_id=force_id)
        invitations = invitations.filter(force_id=force_id)
    answered = Q(whole_experience__isnull=False)
    response_counts = {
        "responses": Count("pk"),
        "answered": Count("pk", filter=answered),
        "satisfied": Count("pk", filter=answered & Q(outcome="satisfied")),
        "dissatisfied": Count("pk", filter=answered & Q(outcome="dissatisfied")),
        "score_sum": Sum("whole_experience", default=0),
        **{f"score_{n}": Count("pk", filter=Q(whole_experience=n)) for n in range(1, 8)},
    }
    for key, r in _grouped(responses, "submitted_at", "", response_counts):
        for c in response_counts:
            if r[c]:
                found[(key, c)] += r[c]
    # Themes are a JSON list: counted here, a response at a time (only those with themes).
    themed = responses.exclude(themes=[]).values_list(
        "force_id", "submitted_at", "team_id", "themes"
    )
    for force, submitted_at, team_id, themes in themed.iterator(chunk_size=5000):
        for code in _theme_codes(themes):
            for key in theme_keys(force, submitted_at, team_id, code):
                found[(key, "responses")] += 1
    sendings = {"n": Count("pk"), "answered": Count("response")}
    for key, r in _grouped(invitations, "sent_at", "contact__", sendings):
        found[(key, "sent")] += r["n"]
        if r["answered"]:
            found[(key, "responded")] += r["answered"]
    return found


def _stored(force_id: int | None = None) -> Counter[tuple[Key, str]]:
    found: Counter[tuple[Key, str]] = Counter()
    rows = Rollup.objects.all() if force_id is None else Rollup.objects.filter(force_id=force_id)
    for r in rows.values(*KEY, *COUNTS):
        key: Key = (r["force_id"], r["dimension"], r["day"], r["team_key"], r["key"])
        for c in COUNTS:
            if r[c]:
                found[(key, c)] += r[c]
    return found


@dataclass(frozen=True)
class Difference:
    key: Key
    count: str
    stored: int
    recomputed: int

    def __str__(self) -> str:
        force, dimension, day, team, key = self.key
        return (
            f"force {force} {day} team {team} {dimension} {key!r}: {self.count} stored "
            f"{self.stored}, recomputed {self.recomputed}"
        )


def rollups_check(force_id: int | None = None) -> list[Difference]:
    raw, stored = _from_raw(force_id), _stored(force_id)
    return [
        Difference(key, count, stored[(key, count)], raw[(key, count)])
        for key, count in sorted(set(raw) | set(stored), key=str)
        if raw[(key, count)] != stored[(key, count)]
    ]


def rollups_rebuild(force_id: int | None = None) -> int:
    """Replace the stored rollups with counts recomputed from the raw rows; how many rows."""
    raw = _from_raw(force_id)
    rows: dict[Key, dict[str, int]] = {}
    for (key, count), value in raw.items():
        rows.setdefault(key, {})[count] = value
    now = timezone.now()
    with transaction.atomic():
        existing = (
            Rollup.objects.all() if force_id is None else Rollup.objects.filter(force_id=force_id)
        )
        existing.delete()
        Rollup.objects.bulk_create(
            [
                Rollup(**dict(zip(KEY, key, strict=True)), **counts, updated_at=now)
                for key, counts in rows.items()
            ],
            batch_size=1000,
        )
    return len(rows)
