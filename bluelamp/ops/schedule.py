"""Every duty the worker does on a clock, so that nothing needs cron beside it.

Each minute (whichever worker gets there, each step harmless when repeated): the
housekeeping of ``delivery.housekeeping`` (expired links closed, overdue recovery cases
escalated, contact details past their force's retention erased, old jobs forgotten).

Once a day, from ``DAILY_DUTIES_HOUR`` London time (02:00 by default), by one worker: the
personal-data purge past ``PERSONAL_DATA_RETENTION_DAYS`` (what ``bluelamp
purge-personal-data`` does). The day's run is taken with a lease row (``ops.DailyDuty``).
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bluelamp.delivery.housekeeping import housekeeping
from bluelamp.lib import clock
from bluelamp.ops.models import DailyDuty
from bluelamp.ops.retention import personal_data_purge_all

log = logging.getLogger(__name__)

# A failed daily duty is tried again after this, not at every minute's housekeeping.
RETRY_AFTER = dt.timedelta(minutes=15)


def personal_data_purge_daily(now: dt.datetime) -> str:
    return personal_data_purge_all(now=now, days=settings.PERSONAL_DATA_RETENTION_DAYS).summary()


DAILY: dict[str, Callable[[dt.datetime], str]] = {
    "purge-personal-data": personal_data_purge_daily,
}


def duties_run(now: dt.datetime, *, worker: str) -> None:
    """The worker's turn of scheduled duties: the minute's housekeeping, then any daily duty
    whose day has come and that no other worker has taken."""
    housekeeping(now)
    for name, duty in DAILY.items():
        daily_duty_run(name=name, duty=duty, now=now, worker=worker)


def daily_duty_run(
    *, name: str, duty: Callable[[dt.datetime], str], now: dt.datetime, worker: str
) -> bool:
    """Run ``duty`` if today's run (London day, from ``DAILY_DUTIES_HOUR``) has not finished
    and nobody holds its lease; True if this worker ran it to the end."""
    local = timezone.localtime(now)
    if local.hour < settings.DAILY_DUTIES_HOUR:
        return False
    today = local.date()
    if not DailyDuty.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                DailyDuty.objects.create(name=name)
        except IntegrityError:
            pass  # another worker made the row at the same moment
    lease = now + dt.timedelta(seconds=settings.DAILY_DUTY_LEASE_SECONDS)
    taken = (
        DailyDuty.objects.filter(name=name)
        .filter(Q(last_day__isnull=True) | Q(last_day__lt=today))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=lease, worker_id=worker, started_at=now)
    )
    if not taken:
        return False
    try:
        summary = duty(now)
    except Exception as e:
        log.exception("daily duty %s failed; tried again in %s", name, RETRY_AFTER)
        DailyDuty.objects.filter(name=name, lease_until=lease).update(
            lease_until=now + RETRY_AFTER, last_error=type(e).__qualname__[:200]
        )
        return False
    DailyDuty.objects.filter(name=name, lease_until=lease).update(
        last_day=today, finished_at=clock.now(), lease_until=None, last_error=""
    )
    log.info("daily duty %s done: %s", name, summary)
    return True
