"""The basics of a crime in the API: what force systems say was done, and the crime with its
checklist.

The crime's own route (``GET /crimes/{reference}``) is declared here, above care, so that it
can carry the basics; care's router holds the crime push and its events. References are the
force's crime numbers, slashes and all (``41/12345/26``): this router is added after care's,
whose ``/crimes/{reference}/events`` would otherwise be taken by the crime's route, and the
basics route comes before the crime's for the same reason.
"""

import datetime as dt
import re

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from bluelamp.care.access import access_crime_for_force
from bluelamp.care.api import CrimeOut, crime_out
from bluelamp.care.models import Crime
from bluelamp.forces.api_auth import request_actor, request_force
from bluelamp.intake.services import IntakeError
from bluelamp.investigations.access import checklist_items_for_force
from bluelamp.investigations.models import BasicsItem, BasicsWord
from bluelamp.investigations.schemas import BasicsIn
from bluelamp.investigations.services import basics_record
from bluelamp.lib.api import ERRORS, NOT_FOUND, PRINTABLE

router = Router(tags=["investigations"])


class BasicsItemOut(Schema):
    item: str
    title: str
    status: str = Field(description="due, overdue, done, not_applicable, not_done")
    due_at: dt.datetime = Field(description="For a repeating item done: when it is due again")
    done_by: str | None = Field(description="Who, by the latest word")
    done_at: dt.datetime | None = Field(description="When, by the latest word")
    rationale: str


class CrimeBasicsOut(CrimeOut):
    basics: list[BasicsItemOut] = Field(
        description="The checklist of its offence family; empty for an offence in none"
    )


def basics_item_out(item: BasicsItem, now: dt.datetime) -> BasicsItemOut:
    return BasicsItemOut(
        item=item.item,
        title=item.title,
        status=item.status_at(now),
        due_at=item.next_due_at or item.due_at,
        done_by=item.done_by or None,
        done_at=item.done_at,
        rationale=item.rationale,
    )


def _crime(request: HttpRequest, reference: str) -> Crime:
    if not re.fullmatch(PRINTABLE, reference):
        raise Http404("No such crime")
    return access_crime_for_force(request_force(request), reference)


@router.post(
    "/crimes/{path:reference}/basics",
    response={200: BasicsItemOut, 201: BasicsItemOut, **ERRORS, **NOT_FOUND},
    summary="Record an item of a crime's basics",
)
def basics_post(request: HttpRequest, reference: str, payload: BasicsIn) -> Status[object]:
    """Say that an item of the crime's checklist was done, is not applicable or was not done
    (the last two with a `rationale`). `201` when recorded; `200` and nothing changed when
    the same item and `at` were said before. The latest `at` is the item's status; every
    word stays in its history."""
    crime = _crime(request, reference)
    try:
        found = basics_record(
            crime=crime, data=payload, source=BasicsWord.Source.API,
            actor=request_actor(request),
        )  # fmt: skip
    except IntakeError as e:
        return Status(
            400, {"detail": "Invalid input", "errors": [{"field": e.field, "message": e.message}]}
        )
    return Status(201 if found.created else 200, basics_item_out(found.item, timezone.now()))


@router.get(
    "/crimes/{path:reference}",
    response={200: CrimeBasicsOut, **ERRORS, **NOT_FOUND},
    summary="A crime by the force's reference",
)
def crime_detail(request: HttpRequest, reference: str) -> CrimeBasicsOut:
    """A crime's victims, flags, Enhanced Rights and referrals, and its basics: every item
    of its checklist with its status (overdue from its due time and now), who and when."""
    crime = _crime(request, reference)
    now = timezone.now()
    items = checklist_items_for_force(crime.force, crime.pk)
    return CrimeBasicsOut(
        **crime_out(crime).model_dump(), basics=[basics_item_out(i, now) for i in items]
    )
