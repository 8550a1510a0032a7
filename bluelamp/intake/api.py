from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from bluelamp.delivery.models import Message
from bluelamp.forces.api_auth import request_actor, request_force
from bluelamp.intake.access import access_contact_for_force
from bluelamp.intake.models import Contact
from bluelamp.intake.schemas import ContactIn, ContactOut, InvitationOut, MessageOut
from bluelamp.intake.services import IntakeError, contact_ingest
from bluelamp.lib.api import ERRORS, NOT_FOUND, Id, Reference
from bluelamp.lib.pagination import PAGED, PageQuery, keyset_page, link_next
from bluelamp.surveys.defaults import FLAG_TYPES
from bluelamp.surveys.models import IncidentType, Invitation
from bluelamp.surveys.selectors import invitation_url

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


@router.get(
    "/incident-types",
    response={200: list[IncidentTypeOut], **ERRORS},
    tags=["reference"],
    openapi_extra=PAGED,
)
def incident_types(
    request: HttpRequest, response: HttpResponse, page: Query[PageQuery]
) -> list[IncidentTypeOut]:
    """The taxonomy of incident types: codes to send as a contact's `incident_type` and a
    crime's `offence`. Types are never removed; `added_in` says which version brought one."""
    found = keyset_page(
        IncidentType.objects.all(), order=["sort_order", "code"], limit=page.limit,
        cursor=page.cursor,
    )  # fmt: skip
    link_next(request, response, found)
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
        for t in found.items
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


def contacts_out(contacts: list[Contact]) -> list[ContactOut]:
    """Contacts with every stage decided and what was sent, in three queries whatever the
    number of contacts."""
    invitations: dict[int, list[Invitation]] = {}
    found = Invitation.objects.filter(contact__in=contacts).select_related("force")
    for i in found.order_by("created_at", "pk"):
        invitations.setdefault(i.contact_id, []).append(i)
    messages: dict[int, list[Message]] = {}
    sent = Message.objects.filter(invitation__contact__in=contacts).order_by("created_at", "pk")
    for m in sent:
        messages.setdefault(m.invitation_id or 0, []).append(m)
    return [
        _contact_out(c, [invitation_out(i, messages.get(i.pk)) for i in invitations.get(c.pk, [])])
        for c in contacts
    ]


def contact_out(contact: Contact) -> ContactOut:
    """A contact as just stored: its decision at first contact, no stages listed."""
    return _contact_out(contact, [])


def _contact_out(contact: Contact, stages: list[InvitationOut]) -> ContactOut:
    first = next((s for s in stages if s.stage == "first_contact"), None)
    return ContactOut(
        id=contact.pk,
        reference=contact.reference,
        received_at=contact.received_at,
        channel=contact.channel,
        incident_type=contact.incident_type_id,
        invitation=first or invitation_out(contact.invitation),
        invitations=stages,
    )


@router.post(
    "/contacts",
    response={200: ContactOut, 201: ContactOut, **ERRORS},
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


class ContactQuery(Schema):
    reference: Reference | None = Field(None, description="The force's own reference: at most one")


@router.get(
    "/contacts", response={200: list[ContactOut], **ERRORS}, summary="Contacts", openapi_extra=PAGED
)
def contact_list(
    request: HttpRequest,
    response: HttpResponse,
    query: Query[ContactQuery],
    page: Query[PageQuery],
) -> list[ContactOut]:
    """The force's contacts in the order they were stored, each with its decisions as
    `GET /contacts/{id}` gives them; `?reference=` finds one by the force's own reference
    (an empty list when it is not known)."""
    contacts = Contact.objects.filter(force=request_force(request))
    if query.reference is not None:
        contacts = contacts.filter(reference=query.reference)
    found = keyset_page(contacts, order=["pk"], limit=page.limit, cursor=page.cursor)
    link_next(request, response, found)
    return contacts_out(found.items)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS, **NOT_FOUND})
def contact_detail(request: HttpRequest, contact_id: Id) -> ContactOut:
    """A contact and the decisions taken on it: for each stage, whether it was surveyed, the
    contact rule (and its version) that decided and why in words, and what was sent."""
    (found,) = contacts_out([access_contact_for_force(request_force(request), contact_id)])
    return found
