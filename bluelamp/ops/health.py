"""The parts ``GET /healthz`` names and the figures ``/metrics`` shares with it.

A part is ``ok``, ``degraded`` (working, but someone should look: the queue has waited longer
than ``QUEUE_STALL_SECONDS`` for a worker, or a daily duty has not finished for two days) or
``down`` (its query failed). Only a part that is down makes the answer a 503, so a load
balancer takes a web process out of service when it cannot reach the database, not when the
workers are behind.
"""

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.utils import timezone

from bluelamp.delivery.models import Job
from bluelamp.ops.models import DailyDuty
from bluelamp.ops.schedule import DAILY

OK, DEGRADED, DOWN = "ok", "degraded", "down"
DAILY_LATE = dt.timedelta(hours=48)


def now() -> dt.datetime:
    return timezone.now()


def database_check() -> dict[str, Any]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations")
        (migrations,) = cursor.fetchone()
    return {
        "state": OK if migrations else DEGRADED,
        "vendor": connection.vendor,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


def queue_figures(*, now: dt.datetime) -> dict[str, Any]:
    """Jobs ready, due now and running, and how long the oldest due one has waited (a job
    claimed by a worker whose lease ran out is due again from the end of its lease)."""
    ready = Q(status=Job.Status.READY)
    due_ready = ready & Q(run_after__lte=now)
    lapsed = Q(status=Job.Status.RUNNING, lease_until__lt=now)
    found = Job.objects.filter(status__in=[Job.Status.READY, Job.Status.RUNNING]).aggregate(
        ready=Count("pk", filter=ready),
        due=Count("pk", filter=due_ready | lapsed),
        running=Count("pk", filter=Q(status=Job.Status.RUNNING)),
        oldest_ready=Min("run_after", filter=due_ready),
        oldest_lapsed=Min("lease_until", filter=lapsed),
    )
    since = [t for t in (found["oldest_ready"], found["oldest_lapsed"]) if t is not None]
    oldest = max(0.0, (now - min(since)).total_seconds()) if since else 0.0
    return {
        "ready": found["ready"],
        "due": found["due"],
        "running": found["running"],
        "oldest_due_seconds": round(oldest, 1),
    }


def queue_check(*, now: dt.datetime) -> dict[str, Any]:
    figures = queue_figures(now=now)
    stalled = figures["oldest_due_seconds"] > settings.QUEUE_STALL_SECONDS
    return {"state": DEGRADED if stalled else OK, **figures}


def daily_duties_finished() -> dict[str, dt.datetime | None]:
    finished = dict(DailyDuty.objects.values_list("name", "finished_at"))
    return {name: finished.get(name) for name in DAILY}


def daily_duties_check(*, now: dt.datetime) -> dict[str, Any]:
    finished = daily_duties_finished()
    late = [name for name, at in finished.items() if at is None or now - at > DAILY_LATE]
    return {
        "state": DEGRADED if late else OK,
        "last_finished": {name: at.isoformat() if at else None for name, at in finished.items()},
    }


def health_report() -> tuple[int, dict[str, Any]]:
    """(HTTP status, body): 503 when a part is down, else 200."""
    at = now()
    parts: dict[str, dict[str, Any]] = {}
    for name, check in (
        ("database", database_check),
        ("queue", lambda: queue_check(now=at)),
        ("daily_duties", lambda: daily_duties_check(now=at)),
    ):
        try:
            parts[name] = check()
        except DatabaseError as e:
            # The class names the failure (OperationalError, ProgrammingError); its text may
            # carry the database's address, so it stays in the server's log.
            parts[name] = {"state": DOWN, "error": type(e).__name__}
    states = {part["state"] for part in parts.values()}
    overall = DOWN if DOWN in states else DEGRADED if DEGRADED in states else OK
    return (503 if overall == DOWN else 200), {
        "status": overall,
        "time": at.isoformat(),
        "parts": parts,
    }
