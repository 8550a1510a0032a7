"""The worker's scheduled jobs, run every minute by whichever worker gets there."""

import datetime as dt
import logging

from bluelamp.delivery.queue import jobs_prune
from bluelamp.intake.services import contact_details_purge
from bluelamp.recovery.services import cases_escalate_overdue
from bluelamp.surveys.services import invitations_close_expired

log = logging.getLogger(__name__)


def housekeeping(now: dt.datetime) -> None:
    """Close expired invitations, escalate overdue recovery cases, erase contact details past
    retention, forget old jobs.

    Each step is idempotent, so several workers running it at once do no harm.
    """
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
