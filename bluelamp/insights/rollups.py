"""Keeping the rollups: one upsert per response or sending, and a rebuild from raw rows.

The upsert is ``INSERT ... ON CONFLICT DO UPDATE`` with the counts added, which SQLite (3.24
and newer) and PostgreSQL both run as one statement: two responses counted at once never lose
one. Call it inside the transaction that stores the response or marks the invitation sent.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from bluelamp.insights.models import Rollup
from bluelamp.surveys.models import Invitation, Response

SCORES = tuple(f"score_{n}" for n in range(1, 8))
COUNTS = ("responses", "answered", "satisfied", "dissatisfied", "score_sum", "sent", *SCORES)
KEY = ("force_id", "hour", "incident_type", "team_key", "handler_key", "channel", "stage")
Key = tuple[int, dt.datetime, str, int, int, str, str]


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _upsert(key: Key, counts: dict[str, int]) -> None:
    table = Rollup._meta.db_table
    ops = connection.ops
    force_id, hour, *rest = key
    values: list[Any] = [
        force_id,
        ops.adapt_datetimefield_value(hour),
        *rest,
        *(counts.get(c, 0) for c in COUNTS),
        ops.adapt_datetimefield_value(timezone.now()),
    ]
    columns = ", ".join([*KEY, *COUNTS, "updated_at"])
    marks = ", ".join(["%s"] * len(values))
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTS)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 (names are ours)
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {added}, updated_at = excluded.updated_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def response_count(response: Response, stage: str) -> None:
    """Count one response (call it in the response's transaction)."""
    answered = response.whole_experience is not None
    _upsert(
        (
            response.force_id,
            hour_of(response.submitted_at),
            response.incident_type_id,
            response.team_id or 0,
            response.call_handler_id or 0,
            response.channel,
            stage,
        ),
        {
            "responses": 1,
            "answered": int(answered),
            "satisfied": int(answered and response.outcome == Response.Outcome.SATISFIED),
            "dissatisfied": int(answered and response.outcome == Response.Outcome.DISSATISFIED),
            "score_sum": response.whole_experience or 0,
            **({f"score_{response.whole_experience}": 1} if answered else {}),
        },
    )


def sending_count(invitation: Invitation, stage: str) -> None:
    """Count one invitation sent (call it in the sending's transaction)."""
    contact = invitation.contact
    assert invitation.sent_at is not None
    _upsert(
        (
            invitation.force_id,
            hour_of(invitation.sent_at),
            contact.incident_type_id,
            contact.team_id or 0,
            contact.call_handler_id or 0,
            contact.channel,
            stage,
        ),
        {"sent": 1},
    )


def _from_raw(force_id: int | None = None) -> Counter[tuple[Key, str]]:
    """Every count recomputed from the responses and invitations themselves."""
    found: Counter[tuple[Key, str]] = Counter()
    responses = Response.objects.all()
    invitations = Invitation.objects.filter(sent_at__isnull=False)
    if force_id is not None:
        responses = responses.filter(force_id=force_id)
        invitations = invitations.filter(force_id=force_id)
    answered = Q(whole_experience__isnull=False)
    rows = (
        responses.annotate(h=TruncHour("submitted_at", tzinfo=dt.UTC))
        .values("force_id", "h", "incident_type_id", "team_id", "call_handler_id", "channel",
                "template__stage")
        .annotate(
            responses=Count("pk"),
            answered=Count("pk", filter=answered),
            satisfied=Count("pk", filter=answered & Q(outcome="satisfied")),
            dissatisfied=Count("pk", filter=answered & Q(outcome="dissatisfied")),
            score_sum=Sum("whole_experience", default=0),
            **{f"score_{n}": Count("pk", filter=Q(whole_experience=n)) for n in range(1, 8)},
        )
    )  # fmt: skip
    for r in rows:
        key: Key = (
            r["force_id"], r["h"], r["incident_type_id"], r["team_id"] or 0,
            r["call_handler_id"] or 0, r["channel"], r["template__stage"],
        )  # fmt: skip
        for c in ("responses", "answered", "satisfied", "dissatisfied", "score_sum", *SCORES):
            if r[c]:  # type: ignore[literal-required]
                found[(key, c)] += r[c]  # type: ignore[literal-required]
    sent = (
        invitations.annotate(h=TruncHour("sent_at", tzinfo=dt.UTC))
        .values("force_id", "h", "contact__incident_type_id", "contact__team_id",
                "contact__call_handler_id", "contact__channel", "template__stage")
        .annotate(n=Count("pk"))
    )  # fmt: skip
    for one in sent:
        key = (
            one["force_id"], one["h"], one["contact__incident_type_id"],
            one["contact__team_id"] or 0, one["contact__call_handler_id"] or 0,
            one["contact__channel"], one["template__stage"] or "first_contact",
        )  # fmt: skip
        found[(key, "sent")] += one["n"]
    return found


def _stored(force_id: int | None = None) -> Counter[tuple[Key, str]]:
    found: Counter[tuple[Key, str]] = Counter()
    rows = Rollup.objects.all() if force_id is None else Rollup.objects.filter(force_id=force_id)
    for r in rows.values(*KEY, *COUNTS):
        key: Key = tuple(r[k] for k in KEY)
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
        force, hour, incident_type, team, handler, channel, stage = self.key
        return (
            f"force {force} {hour:%Y-%m-%d %H}:00 {incident_type} team {team} handler "
            f"{handler} {channel} {stage}: {self.count} stored {self.stored}, "
            f"recomputed {self.recomputed}"
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
