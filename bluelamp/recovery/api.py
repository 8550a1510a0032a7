import datetime as dt
from typing import Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from bluelamp.audit.services import audit_record
from bluelamp.forces.api_auth import request_actor, request_force
from bluelamp.forces.models import User
from bluelamp.lib.api import ERRORS, NOT_FOUND, Id, Reference
from bluelamp.lib.pagination import PAGED, PageQuery, keyset_page, link_next
from bluelamp.recovery import selectors
from bluelamp.recovery.access import access_recovery_case_for_force, recovery_cases_for_force
from bluelamp.recovery.models import CaseAction, RecoveryCase

router = Router(tags=["recovery"])

StatusName = Literal["open", "contacted", "resolved", "could_not_contact", "escalated", "closed"]


class RuleOut(Schema):
    id: str
    title: str
    reason: str = Field(description="Why this rule opened the case, in words")
    deadline_hours: int
    priority: str


class OwnerOut(Schema):
    username: str
    name: str


class CaseOut(Schema):
    id: int
    status: str
    reasons: list[str] = Field(description="Ids of the rules that opened the case")
    reason: str = Field(description="Why the case was opened, in words")
    rules: list[RuleOut]
    rule_version: int = Field(description="Version of the force's recovery rules; 0: shipped")
    priority: str
    contact_id: int
    contact_reference: str
    crime_references: list[str] = Field(description="Crimes recorded against the contact")
    incident_type: str
    team: str | None
    owner: OwnerOut | None = Field(description="The person who owns it; none: the team")
    opened_at: dt.datetime
    deadline: dt.datetime
    overdue: bool
    overdue_escalated_at: dt.datetime | None
    first_contacted_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: str | None
    whole_experience: int | None
    follow_up: bool = Field(description="Whether the caller gets a follow-up survey once resolved")


class ActionOut(Schema):
    at: dt.datetime
    kind: str
    by: str | None = Field(description="Username; none: Bluelamp (the rules or the overdue job)")
    text: str
    status_before: str | None
    status_after: str | None
    owner_before: str | None
    owner_after: str | None


class CaseDetailOut(CaseOut):
    timeline: list[ActionOut]


class ShareOut(Schema):
    count: int
    of: int
    share: float | None
    low: float | None = Field(description="95% Wilson interval")
    high: float | None


class MeasuresOut(Schema):
    since: dt.datetime
    opened: int
    recovered: ShareOut = Field(description="Closed cases resolved, of all closed")
    first_contact_median_hours: float | None
    first_contacted: int
    overdue: int = Field(description="Open or contacted cases past their deadline now")
    follow_ups: int
    satisfied_after_recovery: ShareOut = Field(
        description="Follow-up answers counted satisfied, of all follow-up answers"
    )
    follow_up_mean_score: float | None


def share_out(share: selectors.Share) -> ShareOut:
    low, high = share.interval
    return ShareOut(count=share.count, of=share.of, share=share.share, low=low, high=high)


def _owner(user: User | None) -> OwnerOut | None:
    if user is None:
        return None
    return OwnerOut(username=user.username, name=user.get_full_name())


def case_out(case: RecoveryCase, crimes: dict[int, list[str]], now: dt.datetime) -> CaseOut:
    return CaseOut(
        id=case.pk,
        status=case.status,
        reasons=case.reasons,
        reason=case.reason,
        rules=[RuleOut(**rule) for rule in case.rules],
        rule_version=case.rule_version,
        priority=case.priority,
        contact_id=case.contact_id,
        contact_reference=case.contact.reference,
        crime_references=crimes.get(case.contact_id, []),
        incident_type=case.contact.incident_type_id,
        team=case.team.code if case.team else None,
        owner=_owner(case.owner),
        opened_at=case.opened_at,
        deadline=case.deadline,
        overdue=case.is_overdue(now),
        overdue_escalated_at=case.overdue_escalated_at,
        first_contacted_at=case.first_contacted_at,
        closed_at=case.closed_at,
        outcome=case.outcome or None,
        whole_experience=case.response.whole_experience,
        follow_up=case.follow_up,
    )


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


def action_out(action: CaseAction) -> ActionOut:
    return ActionOut(
        at=action.at,
        kind=action.kind,
        by=_username(action.author),
        text=action.text,
        status_before=action.status_before or None,
        status_after=action.status_after or None,
        owner_before=_username(action.owner_before),
        owner_after=_username(action.owner_after),
    )


class ContactReferenceQuery(Schema):
    contact_reference: Reference | None = Field(
        None, description="The force's reference of the contact"
    )


@router.get("/recovery-cases", response={200: list[CaseOut], **ERRORS}, openapi_extra=PAGED)
def case_list(
    request: HttpRequest,
    response: HttpResponse,
    contact: Query[ContactReferenceQuery],
    page: Query[PageQuery],
    status: StatusName | None = None,
    overdue: bool | None = None,
) -> list[CaseOut]:
    """The force's service-recovery cases, soonest deadline first, each with the rules that
    opened it, its owner and its contact and crime references.

    `overdue=true` gives the open or contacted cases past their deadline;
    `contact_reference=` the cases opened on that contact."""
    now = timezone.now()
    cases = recovery_cases_for_force(request_force(request)).select_related(
        "contact", "team", "response", "owner"
    )
    if status:
        cases = cases.filter(status=status)
    if overdue is not None:
        late = selectors.overdue(now)
        cases = cases.filter(late) if overdue else cases.exclude(late)
    if contact.contact_reference is not None:
        cases = cases.filter(contact__reference=contact.contact_reference)
    found = keyset_page(cases, order=["deadline", "pk"], limit=page.limit, cursor=page.cursor)
    link_next(request, response, found)
    crimes = selectors.crime_references(found.items)
    return [case_out(c, crimes, now) for c in found.items]


@router.get("/recovery-cases/{case_id}", response={200: CaseDetailOut, **ERRORS, **NOT_FOUND})
def case_detail(request: HttpRequest, case_id: Id) -> CaseDetailOut:
    """One case with its timeline: notes, call attempts, state changes, reassignments,
    overdue escalation and the follow-up survey, each with who and when. Reading the notes
    is recorded in the audit trail."""
    force = request_force(request)
    case = access_recovery_case_for_force(force, case_id)
    now = timezone.now()
    actions = case.actions.select_related("author", "owner_before", "owner_after")
    with transaction.atomic():
        audit_record(
            force=force, action="view", obj=case, actor=request_actor(request),
            summary="recovery case and timeline through the API",
        )  # fmt: skip
    base = case_out(case, selectors.crime_references([case]), now)
    return CaseDetailOut(**base.model_dump(), timeline=[action_out(a) for a in actions])


class MeasuresQuery(Schema):
    days: int = Field(90, ge=1, le=3650, description="Cases opened in the last this many days")


@router.get("/recovery-measures", response={200: MeasuresOut, **ERRORS})
def recovery_measures(request: HttpRequest, query: Query[MeasuresQuery]) -> MeasuresOut:
    """How service recovery is going for cases opened in the last `days` days: share
    recovered, median time to first contact, cases overdue now, satisfaction after recovery
    (from the follow-up surveys)."""
    m = selectors.measures(
        recovery_cases_for_force(request_force(request)), now=timezone.now(), days=query.days
    )
    return MeasuresOut(
        since=m.since,
        opened=m.opened,
        recovered=share_out(m.recovered),
        first_contact_median_hours=m.first_contact_median_hours,
        first_contacted=m.first_contacted,
        overdue=m.overdue,
        follow_ups=m.satisfied_after.of,
        satisfied_after_recovery=share_out(m.satisfied_after),
        follow_up_mean_score=m.follow_up_mean_score,
    )
