import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from bluelamp.forces.api_auth import request_force
from bluelamp.lib.api import ERRORS
from bluelamp.lib.pagination import PAGED, PageQuery, link_next, list_page
from bluelamp.staffing import planning
from bluelamp.staffing.schemas import CallIntervalBatch, RosterBatch, Stored
from bluelamp.staffing.services import BatchError, call_intervals_store, roster_store

router = Router(tags=["staffing"])


def _batch_error(e: BatchError) -> Status[object]:
    return Status(
        400, {"detail": "Invalid input", "errors": [{"field": e.field, "message": e.message}]}
    )


@router.post(
    "/call-intervals",
    response={200: Stored, **ERRORS},
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


@router.post("/roster", response={200: Stored, **ERRORS}, summary="Push rostered handlers")
def roster(request: HttpRequest, payload: RosterBatch) -> Status[object]:
    """Call handlers rostered per queue and interval, for today and the days ahead; a slot
    sent again replaces the stored number."""
    try:
        stored = roster_store(force=request_force(request), slots=payload.slots)
    except BatchError as e:
        return _batch_error(e)
    return Status(200, stored)


class SlotOut(Schema):
    start: dt.datetime
    calls: float = Field(description="Forecast calls offered")
    handle_seconds: float = Field(description="Forecast average handle time")
    on_phones: int = Field(description="Handlers needed answering calls")
    required: int = Field(description="Handlers to roster for that, after shrinkage")
    required_erlang_c: int
    rostered: int | None
    gap: int | None = Field(description="Rostered less required; negative when short")
    answered_within: float | None = Field(description="Expected share within target, as rostered")
    abandoned: float | None = Field(description="Expected share abandoned, as rostered")


class AccuracyOut(Schema):
    method_mase: float
    naive_mase: float = Field(description="Seasonal naive: the same slot a week before")
    method_mape: float
    naive_mape: float
    days: int


class QueueAdviceOut(Schema):
    queue: str
    name: str
    target_share: float
    target_seconds: int
    model: str
    patience_seconds: float | None
    patience_note: str
    advice: list[str]
    forecast_accuracy: AccuracyOut | None
    today_actual_calls: float
    today_forecast_so_far: float
    today_expected_total: float
    intervals: list[SlotOut]


class AdviceQuery(Schema):
    hours: int = Field(
        12, ge=1, le=336, description="How far ahead: up to 14 days (forecasts reach 14 days on)"
    )


@router.get(
    "/staffing",
    response={200: list[QueueAdviceOut], **ERRORS},
    summary="Staffing advice per queue",
    openapi_extra=PAGED,
)
def staffing(
    request: HttpRequest, response: HttpResponse, query: Query[AdviceQuery], page: Query[PageQuery]
) -> list[QueueAdviceOut]:
    """For each queue, in the order of its code: the forecast, handlers needed, rostered and
    the gap per 15 minutes for the hours ahead, with the advice in plain words and the
    forecast's error beside that of a seasonal-naive baseline."""
    plans = planning.force_plans(request_force(request), timezone.now(), query.hours)
    found = list_page(
        plans, scope="staffing", key=lambda p: (p.queue.code,), limit=page.limit,
        cursor=page.cursor,
    )  # fmt: skip
    link_next(request, response, found)
    return [
        QueueAdviceOut(
            queue=p.queue.code,
            name=p.queue.name,
            target_share=p.queue.target_share,
            target_seconds=p.queue.target_seconds,
            model=p.model,
            patience_seconds=p.patience.seconds,
            patience_note=p.patience.note,
            advice=[a.text for a in p.advice],
            forecast_accuracy=AccuracyOut(**vars(p.accuracy)) if p.accuracy else None,
            today_actual_calls=p.today_actual,
            today_forecast_so_far=p.today_forecast_so_far,
            today_expected_total=p.today_reforecast_total,
            intervals=[
                SlotOut(
                    start=s.start,
                    calls=round(s.calls, 2),
                    handle_seconds=round(s.handle_seconds, 1),
                    on_phones=s.on_phones,
                    required=s.required,
                    required_erlang_c=s.required_erlang_c,
                    rostered=s.rostered,
                    gap=s.gap,
                    answered_within=None if s.within is None else round(s.within, 4),
                    abandoned=None if s.abandoned is None else round(s.abandoned, 4),
                )
                for s in p.slots
            ],
        )
        for p in found.items
    ]
