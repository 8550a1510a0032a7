from django.http import HttpRequest
from ninja import Router, Status

from bluelamp.forces.api_auth import request_force
from bluelamp.intake.api import ErrorOut
from bluelamp.staffing.schemas import CallIntervalBatch, RosterBatch, Stored
from bluelamp.staffing.services import BatchError, call_intervals_store, roster_store

router = Router(tags=["staffing"])


def _batch_error(e: BatchError) -> Status[object]:
    return Status(
        400, {"detail": "Invalid input", "errors": [{"field": e.field, "message": e.message}]}
    )


@router.post(
    "/call-intervals",
    response={200: Stored, 400: ErrorOut},
    summary="Push call statistics per queue and interval",
)
def call_intervals(request: HttpRequest, payload: CallIntervalBatch) -> Status[object]:
    """Up to 5,000 intervals at once. Idempotent per force, queue and interval start: an
    interval sent again replaces the stored figures (`updated`), or changes nothing
    (`unchanged`). A batch with any bad item stores nothing and names each bad field."""
    try:
        stored = call_intervals_store(force=request_force(request), intervals=payload.intervals)
    except BatchError as e:
        return _batch_error(e)
    return Status(200, stored)


@router.post("/roster", response={200: Stored, 400: ErrorOut}, summary="Push rostered handlers")
def roster(request: HttpRequest, payload: RosterBatch) -> Status[object]:
    """Call handlers rostered per queue and interval, for today and the days ahead; a slot
    sent again replaces the stored number."""
    try:
        stored = roster_store(force=request_force(request), slots=payload.slots)
    except BatchError as e:
        return _batch_error(e)
    return Status(200, stored)
