"""Opening, working and closing service-recovery cases."""

import datetime as dt

from django.conf import settings
from django.db import transaction

from bluelamp.audit.services import audit_record
from bluelamp.forces.models import User
from bluelamp.recovery.models import CaseNote, RecoveryCase
from bluelamp.surveys.models import Response


def case_open_if_needed(*, response: Response, now: dt.datetime) -> RecoveryCase | None:
    """A dissatisfied whole-experience answer or a call-back request opens a case.

    The owner is the contact's team; the deadline is RECOVERY_DEADLINE_HOURS after the
    response (24 hours by default).
    """
    reasons = []
    if response.outcome == Response.Outcome.DISSATISFIED:
        reasons.append(RecoveryCase.Reason.DISSATISFIED.value)
    if response.callback_requested:
        reasons.append(RecoveryCase.Reason.CALLBACK.value)
    if not reasons:
        return None
    return RecoveryCase.objects.create(
        force_id=response.force_id,
        contact_id=response.contact_id,
        response=response,
        team_id=response.team_id,
        reasons=reasons,
        opened_at=now,
        deadline=now + dt.timedelta(hours=settings.RECOVERY_DEADLINE_HOURS),
    )


def case_note_add(
    *, case: RecoveryCase, user: User, text: str, status: str, outcome: str, now: dt.datetime
) -> CaseNote:
    """Add a note to the case's timeline, moving it on to ``status`` if given.

    Closing needs an outcome; a closed case stays closed.
    """
    if case.status == RecoveryCase.Status.CLOSED:
        raise ValueError("This case is closed.")
    if status == RecoveryCase.Status.CLOSED and not outcome:
        raise ValueError("Choose an outcome to close the case.")
    if status and status not in RecoveryCase.Status.values:
        raise ValueError("Choose a valid status.")
    if outcome and outcome not in RecoveryCase.Outcome.values:
        raise ValueError("Choose a valid outcome.")
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, author=user, text=text, status_after=status)
        if status:
            case.status = status
        if status == RecoveryCase.Status.CLOSED:
            case.closed_at = now
            case.outcome = outcome
        case.save(update_fields=["status", "closed_at", "outcome"])
        audit_record(
            force=case.force,
            action="update",
            obj=case,
            user=user,
            summary=f"note added; status {case.status}",
        )
    return note
