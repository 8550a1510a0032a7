import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from bluelamp.forces.access import access_recovery_case_for_force, recovery_cases_for_force
from bluelamp.forces.api_auth import request_force
from bluelamp.recovery.models import RecoveryCase

router = Router(tags=["recovery"])


class CaseOut(Schema):
    id: int
    status: str
    reasons: list[str]
    contact_id: int
    contact_reference: str
    incident_type: str
    team: str | None
    opened_at: dt.datetime
    deadline: dt.datetime
    overdue: bool
    closed_at: dt.datetime | None
    outcome: str | None
    whole_experience: int | None


def case_out(case: RecoveryCase) -> CaseOut:
    return CaseOut(
        id=case.pk,
        status=case.status,
        reasons=case.reasons,
        contact_id=case.contact_id,
        contact_reference=case.contact.reference,
        incident_type=case.contact.incident_type_id,
        team=case.team.code if case.team else None,
        opened_at=case.opened_at,
        deadline=case.deadline,
        overdue=case.is_overdue(),
        closed_at=case.closed_at,
        outcome=case.outcome or None,
        whole_experience=case.response.whole_experience,
    )


@router.get("/recovery-cases", response=list[CaseOut])
def case_list(
    request: HttpRequest,
    status: Literal["open", "contacted", "closed"] | None = None,
    limit: int = 200,
) -> list[CaseOut]:
    """The force's service-recovery cases, soonest deadline first."""
    cases = recovery_cases_for_force(request_force(request)).select_related(
        "contact", "team", "response"
    )
    if status:
        cases = cases.filter(status=status)
    return [case_out(c) for c in cases[: max(1, min(limit, 1000))]]


@router.get("/recovery-cases/{case_id}", response=CaseOut)
def case_detail(request: HttpRequest, case_id: int) -> CaseOut:
    case = access_recovery_case_for_force(request_force(request), case_id)
    return case_out(case)
