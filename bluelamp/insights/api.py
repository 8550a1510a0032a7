import datetime as dt
from typing import Literal, cast

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from bluelamp.forces.api_auth import request_force
from bluelamp.insights import drill
from bluelamp.insights.models import Alert, Rollup
from bluelamp.insights.rollups import ALL_TEAMS
from bluelamp.insights.selectors import alerts_with_unit_codes
from bluelamp.lib.api import ERRORS
from bluelamp.lib.pagination import PAGED, PageQuery, keyset_page, link_next, list_page

router = Router(tags=["insights"])


class SatisfactionRow(Schema):
    key: str = Field(
        description="The force's own code for the unit: the team or incident-type code it "
        "sent, the call handler's staff number, the channel, stage or shift"
    )
    label: str
    answered: int
    satisfied: int
    dissatisfied: int
    satisfied_share: float | None
    interval: tuple[float, float] = Field(description="95% Wilson interval of the share")
    previous_answered: int
    previous_satisfied_share: float | None
    invitations_sent: int
    response_rate: float | None = Field(
        description="Of the invitations sent in the period, the share answered so far"
    )


class SatisfactionQuery(Schema):
    by: Literal["incident_type", "team", "call_handler", "channel", "stage", "shift"] = "team"
    days: int = Field(28, description="1 (today), 7, 28 or 90")

    @field_validator("days")
    @classmethod
    def _days(cls, value: int) -> int:
        if value not in drill.PERIODS:
            raise ValueError("should be 1, 7, 28 or 90")
        return value


@router.get(
    "/satisfaction",
    response={200: list[SatisfactionRow], **ERRORS},
    summary="Satisfaction by dimension",
    openapi_extra=PAGED,
)
def satisfaction(
    request: HttpRequest,
    response: HttpResponse,
    query: Query[SatisfactionQuery],
    page: Query[PageQuery],
) -> list[SatisfactionRow]:
    """The drill-down's table: answers, satisfied and dissatisfied per unit for the period
    (today, 7, 28 or 90 days) and the period before, from the rollups. Rows come in the
    order of their `key`, so that pages stay put while answers arrive."""
    rollups = Rollup.objects.filter(force=request_force(request))
    # The force's totals are counted under all teams; the teams' rows are their own.
    rollups = (
        rollups.filter(team_key__gte=0)
        if query.by == "team"
        else rollups.filter(team_key=ALL_TEAMS)
    )
    rows = drill.drill(rollups, query.by, query.days, timezone.now())
    found = list_page(
        rows, scope=f"satisfaction:{query.by}", key=lambda r: (r.code, r.key), limit=page.limit,
        cursor=page.cursor,
    )  # fmt: skip
    link_next(request, response, found)
    return [
        SatisfactionRow(
            key=r.code,
            label=r.now.label,
            answered=r.now.responses,
            satisfied=r.now.satisfied,
            dissatisfied=r.now.dissatisfied,
            satisfied_share=r.now.rate,
            interval=r.now.interval,
            previous_answered=r.before.responses,
            previous_satisfied_share=r.before.rate,
            invitations_sent=r.sent,
            response_rate=r.response_rate,
        )
        for r in found.items
    ]


AlertMethod = Literal["funnel", "cusum"]


class AlertOut(Schema):
    id: int
    method: AlertMethod = Field(
        description="`funnel`: against the force over the period; `cusum`: against the "
        "unit's own past"
    )
    dimension: str
    key: str
    unit: str = Field(
        description="The unit by the force's own code: the team's code, the call handler's "
        "number, the incident type's code or the channel"
    )
    label: str
    text: str
    answers: int
    dissatisfied: int
    expected_share: float
    force_share: float | None = Field(
        description="`funnel`: the force's share of answers not satisfied over the period "
        "(`dissatisfied` and `expected_share` are then of answers not satisfied too)"
    )
    chance: float
    opened_at: dt.datetime
    cleared_at: dt.datetime | None


class AlertQuery(Schema):
    status: Literal["open", "all"] = "open"


@router.get(
    "/alerts", response={200: list[AlertOut], **ERRORS}, summary="Alerts", openapi_extra=PAGED
)
def alert_list(
    request: HttpRequest, response: HttpResponse, query: Query[AlertQuery], page: Query[PageQuery]
) -> list[AlertOut]:
    """Units whose dissatisfaction is unusually high for their size, newest first."""
    found = alerts_with_unit_codes(Alert.objects.filter(force=request_force(request)))
    if query.status == "open":
        found = found.filter(cleared_at=None)
    page_found = keyset_page(
        found, order=["-opened_at", "-pk"], limit=page.limit, cursor=page.cursor
    )
    link_next(request, response, page_found)
    return [
        AlertOut(
            id=a.pk,
            method=cast(AlertMethod, a.method),
            dimension=a.dimension,
            key=a.key,
            unit=getattr(a, "unit_code", None) or a.key,  # annotated by alerts_with_unit_codes
            label=a.label,
            text=a.text,
            answers=a.run_n,
            dissatisfied=a.run_x,
            expected_share=a.expected_share,
            force_share=a.force_share,
            chance=a.chance,
            opened_at=a.opened_at,
            cleared_at=a.cleared_at,
        )
        for a in page_found.items
    ]
