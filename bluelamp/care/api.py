import datetime as dt
import re
from typing import Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from bluelamp.care.access import (
    access_crime_for_force,
    access_victim_for_force,
    referrals_for_force,
)
from bluelamp.care.models import Crime, Referral, Victim
from bluelamp.care.schemas import AssessmentIn, ConsentIn, CrimeIn, EventIn
from bluelamp.care.services import (
    MAX_SEND,
    ReferralSendRefused,
    crime_event_add,
    crime_ingest,
    needs_assessment_record,
    referral_send,
    victim_consent_record,
    victim_enhanced_decide,
    victim_persistent_decide,
)
from bluelamp.forces.api_auth import request_actor, request_force
from bluelamp.intake.services import IntakeError
from bluelamp.lib.api import ERRORS, MAX_ID, NOT_FOUND, PRINTABLE, Id, Reference
from bluelamp.lib.downloads import csv_text
from bluelamp.lib.inputs import Input, Integer
from bluelamp.lib.pagination import PAGED, PageQuery, keyset_page, link_next

router = Router(tags=["victim care"])


class ReferralOut(Schema):
    id: int
    service: str
    rule: str
    rule_version: int
    reason: str
    partner: bool = Field(description="The service is outside the force")
    status: str = Field(description="awaiting_consent, open, sent, accepted, declined, closed")
    basis: str = Field(description="Why the victim's details may go there; blank while waiting")
    outcome: str
    due_at: dt.datetime
    sent_at: dt.datetime | None


class EnhancedOut(Schema):
    eligible: bool = Field(description="True while proposed or confirmed")
    status: Literal["proposed", "confirmed", "declined"] | None = Field(
        description="Proposed by the rules until a person confirms or declines; null: the "
        "rules found no grounds and no one decided"
    )
    reasons: list[str] = Field(description="The grounds the rules found")
    confirmed_by: str | None


class ConsentOut(Schema):
    share_with_partners: bool | None
    contact_by_force: bool | None


class VictimOut(Schema):
    id: int
    flags: list[str]
    persistently_targeted: Literal["proposed", "confirmed", "declined"] | None
    enhanced_rights: EnhancedOut
    consent: ConsentOut
    referrals: list[ReferralOut]


class CrimeOut(Schema):
    id: int
    reference: str
    offence: str
    flags: list[str]
    hate_strands: list[str]
    reported_at: dt.datetime
    recorded_at: dt.datetime
    victims: list[VictimOut]


def _referral_out(r: Referral) -> ReferralOut:
    return ReferralOut(
        id=r.pk,
        service=r.service,
        rule=r.rule_id,
        rule_version=r.rule_version,
        reason=r.reason,
        partner=r.partner,
        status=r.status,
        basis=r.basis,
        outcome=r.outcome or r.basis_reason,
        due_at=r.due_at,
        sent_at=r.sent_at,
    )


def _victim_out(v: Victim) -> VictimOut:
    return VictimOut(
        id=v.pk,
        flags=v.flags,
        persistently_targeted=v.persistently_targeted or None,  # type: ignore[arg-type]
        enhanced_rights=EnhancedOut(
            eligible=v.enhanced,
            status=v.enhanced_rights or None,  # type: ignore[arg-type]
            reasons=[str(words) for _, words in v.enhanced_reasons],
            confirmed_by=v.enhanced_confirmed_by or None,
        ),
        consent=ConsentOut(
            share_with_partners=v.consent_given("share_with_partners"),
            contact_by_force=v.consent_given("contact_by_force"),
        ),
        referrals=[_referral_out(r) for r in v.referrals.order_by("pk")],
    )


def crime_out(crime: Crime) -> CrimeOut:
    return CrimeOut(
        id=crime.pk,
        reference=crime.reference,
        offence=crime.offence_id,
        flags=crime.flags,
        hate_strands=crime.hate_strands,
        reported_at=crime.reported_at,
        recorded_at=crime.recorded_at,
        victims=[_victim_out(v) for v in crime.victims.order_by("pk")],
    )


def _bad(e: IntakeError) -> Status[object]:
    return Status(
        400, {"detail": "Invalid input", "errors": [{"field": e.field, "message": e.message}]}
    )


@router.post("/crimes", response={200: CrimeOut, 201: CrimeOut, **ERRORS}, summary="Push a crime")
def crime_create(request: HttpRequest, payload: CrimeIn) -> Status[object]:
    """Record a crime and its victims. Repeat and persistently targeted victims are flagged,
    Enhanced Rights derived, referrals made by the force's rules (each with the rule and its
    reason) and the Victims' Code clocks started. `200` with the stored crime when the
    `reference` is already known; nothing is changed."""
    try:
        found = crime_ingest(
            force=request_force(request), data=payload, actor=request_actor(request)
        )
    except IntakeError as e:
        return _bad(e)
    return Status(201 if found.created else 200, crime_out(found.crime))


def _crime(request: HttpRequest, reference: str) -> Crime:
    """The force's crime by its reference. Every stored reference is printable, so one with
    a control character names none (and PostgreSQL could not compare one holding a NUL)."""
    if not re.fullmatch(PRINTABLE, reference):
        raise Http404("No such crime")
    return access_crime_for_force(request_force(request), reference)


class EventOut(Schema):
    id: int
    kind: str
    at: dt.datetime
    duties_started: int = Field(description="Victims' Code clocks this event started")


# References are the force's own crime numbers, slashes and all (``41/12345/26``). The crime's
# own route, ``GET /crimes/{reference}``, is in ``investigations.api`` (it carries the basics),
# added after this router: its ``path`` would otherwise take this one.
@router.post(
    "/crimes/{path:reference}/events",
    response={201: EventOut, **ERRORS, **NOT_FOUND},
    summary="Record an event on a crime",
)
def crime_event(request: HttpRequest, reference: str, payload: EventIn) -> Status[object]:
    """A suspect decision starts a clock for each victim (5 working days, 1 under Enhanced
    Rights); `victim_updated` meets the clocks running for that victim (or every victim)."""
    crime = _crime(request, reference)
    try:
        event = crime_event_add(crime=crime, data=payload, actor=request_actor(request))
    except IntakeError as e:
        return _bad(e)
    started = event.duty_set.count()
    return Status(201, EventOut(id=event.pk, kind=event.kind, at=event.at, duties_started=started))


class ReferralListOut(ReferralOut):
    crime_reference: str
    victim_id: int


class ReferralQuery(Schema):
    # A code, as in the force's referral rules: no spaces, line breaks or NULs.
    service: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]+$", max_length=40)
    status: Literal["awaiting_consent", "open", "sent", "accepted", "declined", "closed"] | None = (
        None
    )


class CrimeReferenceQuery(Schema):
    crime_reference: Reference | None = Field(
        None, description="The force's reference of the crime"
    )


@router.get(
    "/referrals",
    response={200: list[ReferralListOut], **ERRORS},
    summary="Referrals to a service",
    openapi_extra=PAGED,
)
def referrals(
    request: HttpRequest,
    response: HttpResponse,
    query: Query[ReferralQuery],
    crime: Query[CrimeReferenceQuery],
    page: Query[PageQuery],
) -> list[ReferralListOut]:
    """The force's referrals, oldest due first, with the crime reference, the rule that made
    each and its reason in words, and the due time; `crime_reference=` those of one crime."""
    found = Referral.objects.filter(force=request_force(request)).select_related("victim__crime")
    if query.service:
        found = found.filter(service=query.service)
    if query.status:
        found = found.filter(status=query.status)
    if crime.crime_reference is not None:
        found = found.filter(victim__crime__reference=crime.crime_reference)
    listed = keyset_page(found, order=["due_at", "pk"], limit=page.limit, cursor=page.cursor)
    link_next(request, response, listed)
    return [
        ReferralListOut(
            **_referral_out(r).model_dump(),
            crime_reference=r.victim.crime.reference,
            victim_id=r.victim_id,
        )
        for r in listed.items
    ]


@router.post(
    "/victims/{victim_id}/needs-assessment",
    response={201: VictimOut, **ERRORS, **NOT_FOUND},
    summary="Record a needs assessment",
)
def needs_assessment(request: HttpRequest, victim_id: Id, payload: AssessmentIn) -> Status[object]:
    """Victims' Code right 4: needs found, support wanted and Enhanced Rights as confirmed by
    the person who asked. Referrals newly due are made, due two working days from it."""
    victim = access_victim_for_force(request_force(request), victim_id)
    needs_assessment_record(victim=victim, data=payload, user=None, actor=request_actor(request))
    victim.refresh_from_db()
    return Status(201, _victim_out(victim))


class DecisionsIn(Schema, Input):
    """A person's judgement on what the rules proposed; leave out what was not decided."""

    enhanced_rights: Literal["confirmed", "declined"] | None = None
    persistently_targeted: Literal["confirmed", "declined"] | None = None
    decided_by: str = Field(min_length=1, max_length=150, description="Who decided")


@router.post(
    "/victims/{victim_id}/consent",
    response={200: VictimOut, **ERRORS, **NOT_FOUND},
    summary="Record a victim's consent",
)
def victim_consent(request: HttpRequest, victim_id: Id, payload: ConsentIn) -> Status[object]:
    """Consent per purpose (`share_with_partners`, `contact_by_force`), each true, false or
    `{given, asked_at, how}`. A yes opens the referrals held for it; a no closes those not
    yet sent, with the reason, and for `contact_by_force` stops surveys."""
    victim = access_victim_for_force(request_force(request), victim_id)
    for purpose, record in payload.stored().items():
        victim_consent_record(
            victim=victim, purpose=purpose, given=bool(record["given"]),
            how=str(record.get("how", "")), user=None, actor=request_actor(request),
            now=timezone.now(),
        )  # fmt: skip
    victim.refresh_from_db()
    return Status(200, _victim_out(victim))


@router.post(
    "/victims/{victim_id}/decisions",
    response={200: VictimOut, **ERRORS, **NOT_FOUND},
    summary="Confirm or decline Enhanced Rights and persistently targeted",
)
def victim_decisions(request: HttpRequest, victim_id: Id, payload: DecisionsIn) -> Status[object]:
    """Until a person decides, a proposed Enhanced Rights runs the shorter limits."""
    victim = access_victim_for_force(request_force(request), victim_id)
    actor = f"{request_actor(request)}:{payload.decided_by}"
    now = timezone.now()
    if payload.persistently_targeted:
        victim_persistent_decide(
            victim=victim, confirmed=payload.persistently_targeted == "confirmed", user=None,
            actor=actor, now=now,
        )  # fmt: skip
        victim.refresh_from_db()
    if payload.enhanced_rights:
        victim_enhanced_decide(
            victim=victim, confirmed=payload.enhanced_rights == "confirmed", user=None,
            actor=actor, now=now,
        )  # fmt: skip
        victim.refresh_from_db()
    return Status(200, _victim_out(victim))


class ReferralSendIn(Schema, Input):
    service: str = Field(
        pattern=r"^[A-Za-z0-9_-]+$", max_length=40, description="The partner service's code"
    )
    referrals: list[Integer] = Field(
        min_length=1, max_length=MAX_SEND, description="The open referrals a person chose to send"
    )
    sent_by: str = Field(default="", max_length=100, description="Who chose them")


class PartnerReferralOut(Schema):
    """A referral as the partner receives it."""

    referral: int
    crime_reference: str
    offence: str
    recorded_at: dt.datetime
    name: str
    phone: str
    email: str
    language: str
    reason: str
    basis: str
    due_at: dt.datetime


def _partner_out(r: Referral) -> PartnerReferralOut:
    crime, victim = r.victim.crime, r.victim
    return PartnerReferralOut(
        referral=r.pk,
        crime_reference=crime.reference,
        offence=crime.offence.name,
        recorded_at=crime.recorded_at,
        name=victim.name,
        phone=victim.phone,
        email=victim.email,
        language=victim.language,
        reason=r.reason,
        basis=r.basis,
        due_at=r.due_at,
    )


class ReferralsSentOut(Schema):
    service: str
    sent_at: dt.datetime
    sent_by: str
    referrals: list[PartnerReferralOut]
    csv: str = Field(description="The same referrals as the CSV file the partner receives")


@router.post(
    "/referrals/send",
    response={200: ReferralsSentOut, **ERRORS},
    summary="Send chosen referrals to a partner",
)
def referrals_send(request: HttpRequest, payload: ReferralSendIn) -> Status[object]:
    """Send the referrals a person chose to a service outside the force: each is marked sent
    and its Right 4 duty met, and the export is audited. Only open referrals to that partner
    service go; if any id is not one (waiting for consent, closed, sent already, another
    service or force, unknown), nothing is sent and `400` names each. Listing referrals
    (`GET /referrals`) sends nothing."""
    # An id outside the database's range names no referral, and asking the database for it
    # would fail the request rather than refuse it.
    beyond = [
        {"field": f"referrals[{i}]", "message": f"referral {pk}: no such referral"}
        for i, pk in enumerate(payload.referrals)
        if not 1 <= pk <= MAX_ID
    ]
    if beyond:
        return Status(400, {"detail": "Nothing was sent", "errors": beyond})
    actor = request_actor(request) + (f":{payload.sent_by}" if payload.sent_by else "")
    try:
        sent = referral_send(
            referrals=referrals_for_force(request_force(request)), ids=payload.referrals,
            service=payload.service, user=None, actor=actor, now=timezone.now(),
        )  # fmt: skip
    except ReferralSendRefused as e:
        position = {pk: i for i, pk in reversed(list(enumerate(payload.referrals)))}
        errors = [
            {"field": f"referrals[{position[pk]}]", "message": f"referral {pk}: {why}"}
            for pk, why in e.problems.items()
        ] or [{"field": "referrals", "message": e.message}]
        return Status(400, {"detail": "Nothing was sent", "errors": errors})
    return Status(
        200,
        ReferralsSentOut(
            service=sent.service,
            sent_at=sent.sent_at,
            sent_by=sent.sent_by,
            referrals=[_partner_out(r) for r in sent.referrals],
            csv=csv_text(sent.header, sent.rows),
        ),
    )
