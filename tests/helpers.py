"""Building blocks for tests: a contact, its invitation, a submitted response."""

import datetime as dt
from typing import Any

from django.utils import timezone

from bluelamp.flows.responses import response_submit
from bluelamp.forces.models import Force
from bluelamp.intake.schemas import ContactIn
from bluelamp.intake.services import contact_ingest
from bluelamp.staffing import planning
from bluelamp.staffing.models import CallInterval, Queue, RosterSlot
from bluelamp.staffing.services import queue_get_or_create
from bluelamp.surveys.models import Invitation, Response
from tests.conftest import contact_body


def make_contact(force: Force, reference: str, **overrides: Any) -> Invitation:
    data = ContactIn.model_validate(contact_body(reference, **overrides))
    contact = contact_ingest(force=force, data=data, actor="test").contact
    return Invitation.objects.get(contact=contact)


def answer(
    force: Force,
    reference: str,
    score: int,
    *,
    callback: bool = False,
    comment: str = "",
    now: dt.datetime | None = None,
    **overrides: Any,
) -> Response:
    invitation = make_contact(force, reference, **overrides)
    form = {"whole_experience": str(score), "comment": comment}
    result = response_submit(
        invitation_id=invitation.pk,
        form=form,
        callback_requested=callback,
        language="en",
        now=now or timezone.now(),
    )
    assert result.response is not None, result.errors
    return result.response


def send_scheduled() -> int:
    """The worker's turns: each scheduled invitation's job runs at its time. Returns how many
    invitations were sent."""
    from bluelamp.delivery.queue import run_due

    times = sorted(
        set(
            Invitation.objects.filter(status=Invitation.Status.SCHEDULED).values_list(
                "send_at", flat=True
            )
        )
    )
    before = Invitation.objects.filter(status=Invitation.Status.SENT).count()
    for at in times:
        run_due(now=at)
    return Invitation.objects.filter(status=Invitation.Status.SENT).count() - before


def survey_path(invitation: Invitation) -> str:
    return f"/s/{invitation.token}"


def steady_history(force: Force, code: str = "101", days: int = 21, calls: int = 20) -> Queue:
    """Every 15 minutes for ``days`` up to now: the same calls, handle time and waits."""
    queue = queue_get_or_create(force, code)
    today, now_slot = planning.local_slot(timezone.now())
    rows = []
    for back in range(days, -1, -1):
        day = today - dt.timedelta(days=back)
        for slot in range(planning.SLOTS_PER_DAY if back else now_slot):
            rows.append(
                CallInterval(
                    force=force, queue=queue, start=planning.slot_start(day, slot), minutes=15,
                    offered=calls, answered=calls - 2, abandoned=2,
                    answered_within_target=calls - 5, handle_seconds=300.0,
                    answer_seconds=40.0, abandon_seconds=100.0, updated_at=timezone.now(),
                )
            )  # fmt: skip
    CallInterval.objects.bulk_create(rows)
    return queue


def roster_ahead(queue: Queue, handlers: int, hours: int = 13) -> list[RosterSlot]:
    today, now_slot = planning.local_slot(timezone.now())
    start = planning.slot_start(today, now_slot)
    slots = [
        RosterSlot(
            force=queue.force, queue=queue, start=start + dt.timedelta(minutes=15 * i),
            minutes=15, handlers=handlers, updated_at=timezone.now(),
        )
        for i in range(hours * 4)
    ]  # fmt: skip
    return RosterSlot.objects.bulk_create(slots)
