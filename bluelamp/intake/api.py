from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from bluelamp.delivery.models import Message
from bluelamp.forces.access import access_contact_for_force
from bluelamp.forces.api_auth import request_actor, request_force
from bluelamp.intake.models import Contact
from bluelamp.intake.schemas import ContactIn, ContactOut, InvitationOut, MessageOut
from bluelamp.intake.services import IntakeError, contact_ingest
from bluelamp.surveys.models import IncidentType, Invitation
from bluelamp.surveys.services import invitation_url

router = Router(tags=["contacts"])


class IncidentTypeOut(Schema):
    code: str
    name: str
    name_cy: str
    group: str
    sensitive: bool
    template: str
    added_in: int = Field(description="The taxonomy version it came in")
    offence: bool = Field(
        description="May be a crime's offence; false for old types that are flags now "
        "(send the offence with the flag, e.g. flags: [domestic_abuse])"
    )


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, str]] = []


@router.get("/incident-types", response=list[IncidentTypeOut], tags=["reference"])
def incident_types(request: HttpRequest) -> list[IncidentTypeOut]:
    """The taxonomy of incident types: codes to send as a contact's `incident_type` and a
    crime's `offence`. Types are never removed; `added_in` says which version brought one."""
    from bluelamp.surveys.defaults import FLAG_TYPES

    return [
        IncidentTypeOut(
            code=t.code,
            name=t.name,
            name_cy=t.name_cy,
            group=t.group,
            sensitive=t.sensitive,
            template=t.template_key,
            added_in=t.added_in,
            offence=t.code not in FLAG_TYPES,
        )
        for t in IncidentType.objects.all()
    ]


def invitation_out(inv: Invitation, messages: list[Message] | None = None) -> InvitationOut:
    closed = inv.status in (Invitation.Status.EXCLUDED, Invitation.Status.FAILED)
    return InvitationOut(
        stage=inv.stage,
        status=inv.status,  # type: ignore[arg-type]
        reason=inv.reason or None,
        reason_text=inv.reason_text or None,
        rule=inv.rule or None,
        rules_version=inv.rules_version,
        url=None if closed or not inv.token else invitation_url(inv),
        via=inv.via or None,
        send_at=inv.send_at,
        sent_at=inv.sent_at,
        expires_at=inv.expires_at,
        messages=[
            MessageOut(
                purpose=m.purpose,
                via=m.via,
                provider=m.provider,
                status=m.status,
                reason=m.reason or None,
                sent_at=m.sent_at,
                delivered_at=m.delivered_at,
            )
            for m in messages or []
        ],
    )


def contact_out(contact: Contact, *, with_stages: bool = False) -> ContactOut:
    first = contact.invitation
    stages: list[InvitationOut] = []
    if with_stages:
        invitations = list(contact.invitations.select_related("force").order_by("created_at"))
        messages: dict[int, list[Message]] = {}
        for m in Message.objects.filter(invitation__in=invitations).order_by("created_at"):
            messages.setdefault(m.invitation_id or 0, []).append(m)
        stages = [invitation_out(i, messages.get(i.pk)) for i in invitations]
    return ContactOut(
        id=contact.pk,
        reference=contact.reference,
        received_at=contact.received_at,
        channel=contact.channel,
        incident_type=contact.incident_type_id,
        invitation=next((s for s in stages if s.stage == first.stage), invitation_out(first)),
        invitations=stages,
    )


@router.post(
    "/contacts",
    response={200: ContactOut, 201: ContactOut, 400: ErrorOut},
    summary="Push a contact",
)
def contact_create(request: HttpRequest, payload: ContactIn) -> Status[object]:
    """Record a contact and decide at once whether its person is invited to a survey.

    Answers `201` with the new contact, or `200` with the stored one when the force's
    `reference` is already known (nothing is duplicated or changed).
    """
    force = request_force(request)
    try:
        result = contact_ingest(force=force, data=payload, actor=request_actor(request))
    except IntakeError as e:
        errors = [{"field": e.field, "message": e.message}]
        return Status(400, {"detail": "Invalid input", "errors": errors})
    return Status(201 if result.created else 200, contact_out(result.contact))


@router.get("/contacts/{contact_id}", response=ContactOut)
def contact_detail(request: HttpRequest, contact_id: int) -> ContactOut:
    """A contact and the decisions taken on it: for each stage, whether it was surveyed, the
    contact rule (and its version) that decided and why in words, and what was sent."""
    contact = access_contact_for_force(request_force(request), contact_id)
    return contact_out(contact, with_stages=True)
