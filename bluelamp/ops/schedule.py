"""Every duty the worker does on a clock, so that nothing needs cron beside it.

Each minute (whichever worker gets there, each step harmless when repeated): the
``housekeeping`` (expired links closed, overdue recovery cases
escalated, contact details past their force's retention erased, old jobs forgotten, units set
against the force for the funnel alerts).

Once a day, from ``DAILY_DUTIES_HOUR`` London time (02:00 by default), by one worker: the
personal-data purge past ``PERSONAL_DATA_RETENTION_DAYS`` (what ``bluelamp
purge-personal-data`` does), and each force's theme model retrained on its supervisors'
corrections (``insights.themes.theme_models_train_all``), and the Knox test of each
force's crimes over the year to yesterday (``prevention.services.near_repeats_nightly``,
whose window the next zones take). Each day's run is taken with a lease row
(``ops.DailyDuty``).
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bluelamp.delivery.queue import jobs_prune
from bluelamp.insights.notify import alert_notify
from bluelamp.insights.services import funnel_alerts_update_all
from bluelamp.insights.themes import theme_models_train_all
from bluelamp.intake.services import contact_details_purge
from bluelamp.lib import clock
from bluelamp.ops.models import DailyDuty
from bluelamp.ops.retention import personal_data_purge_all
from bluelamp.prevention.services import near_repeats_nightly
from bluelamp.recovery.services import cases_escalate_overdue
from bluelamp.surveys.services import invitations_close_expired

log = logging.getLogger(__name__)


def housekeeping(now: dt.datetime) -> None:
    """Close expired invitations, escalate overdue recovery cases, erase contact details past
    retention, forget old jobs, and set each unit against the force (funnel alerts, each new
    one sent to the duty supervisor).

    Each step is idempotent, so several workers running it at once do no harm (the funnel's
    open alerts are read under a row lock, so two workers do not open the same one twice).
    """
    for alert in funnel_alerts_update_all(now=now):
        alert_notify(alert)
    closed = invitations_close_expired(now=now)
    escalated = cases_escalate_overdue(now=now)
    erased = contact_details_purge(now=now)
    pruned = jobs_prune(now=now)
    if closed or escalated or erased or pruned:
        log.info(
            "housekeeping: %s invitations closed, %s cases escalated, %s people's details "
            "erased, %s jobs pruned",
            closed,
            escalated,
            erased,
            pruned,
        )


# A failed daily duty is tried again after this, not at every minute's housekeeping.
RETRY_AFTER = dt.timedelta(minutes=15)


def personal_data_purge_daily(now: dt.datetime) -> str:
    return personal_data_purge_all(now=now, days=settings.PERSONAL_DATA_RETENTION_DAYS).summary()


def theme_models_train_daily(now: dt.datetime) -> str:
    return theme_models_train_all(now=now)


DAILY: dict[str, Callable[[dt.datetime], str]] = {
    "purge-personal-data": personal_data_purge_daily,
    "train-theme-models": theme_models_train_daily,
    "near-repeats": near_repeats_nightly,
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
