"""Taking in contacts from force systems."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.forces.models import Force, StaffMember, Team
from bluelamp.intake.models import Contact, Person
from bluelamp.intake.schemas import ContactIn
from bluelamp.lib import clock
from bluelamp.lib.contact import age_on, is_mobile, normalise_email, person_key
from bluelamp.surveys.models import IncidentType
from bluelamp.surveys.services import invitation_decide


class IntakeError(ValueError):
    """Input that is well-formed but refers to something unknown; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Ingested:
    contact: Contact
    created: bool


@lru_cache(maxsize=1)
def _incident_types() -> dict[str, IncidentType]:
    return {t.code: t for t in IncidentType.objects.all()}


def incident_type_get(code: str) -> IncidentType:
    found = _incident_types().get(code)
    if found is None:
        _incident_types.cache_clear()
        found = _incident_types().get(code)
    if found is None:
        raise IntakeError("incident_type", f"unknown incident type {code!r}")
    return found


# Teams and call handlers by (kind, force, force created, code): force systems send codes,
# and looking each up on every contact was a fifth of intake time. A team deleted while
# cached fails the insert, which clears this and retries (see contact_ingest).
_known_ids: dict[tuple[str, int, str, str], int] = {}


def known_ids_clear() -> None:
    _known_ids.clear()


def _team_id(force: Force, code: str) -> int | None:
    if not code:
        return None
    key = ("team", force.pk, force.created_at.isoformat(), code)
    if key not in _known_ids:
        team, _ = Team.objects.get_or_create(force=force, code=code, defaults={"name": code})
        _known_ids[key] = team.pk
    return _known_ids[key]


def _call_handler_id(force: Force, number: str, team_id: int | None) -> int | None:
    if not number:
        return None
    key = ("staff", force.pk, force.created_at.isoformat(), number)
    if key not in _known_ids:
        staff, _ = StaffMember.objects.get_or_create(
            force=force, number=number, defaults={"name": "", "team_id": team_id}
        )
        _known_ids[key] = staff.pk
    return _known_ids[key]


def contact_ingest(*, force: Force, data: ContactIn, actor: str) -> Ingested:
    """Record a contact and decide, at once, whether its person is invited to a survey.

    Idempotent on the force's reference: sending the same reference again returns the contact
    already stored and changes nothing. The contact, its person, its decision and the audit
    record are written together or not at all.
    """
    # No look-up first: the unique constraint finds a known reference (the except below),
    # which saves a query on every new contact.
    incident_type = incident_type_get(data.incident_type)
    try:
        try:
            contact = _contact_create_audited(
                force=force, data=data, incident_type=incident_type, actor=actor
            )
        except IntegrityError:
            if Contact.objects.filter(force=force, reference=data.reference).exists():
                raise
            known_ids_clear()  # a cached team or call handler was deleted: look them up again
            contact = _contact_create_audited(
                force=force, data=data, incident_type=incident_type, actor=actor
            )
    except IntegrityError:
        # Another request stored the same reference a moment ago: that one stands.
        existing = Contact.objects.filter(force=force, reference=data.reference).first()
        if existing is None:
            raise
        return Ingested(existing, created=False)
    return Ingested(contact, created=True)


def _contact_create_audited(
    *, force: Force, data: ContactIn, incident_type: IncidentType, actor: str
) -> Contact:
    with transaction.atomic():
        contact = _contact_create(force=force, data=data, incident_type=incident_type)
        audit_record(
            force=force,
            action="create",
            obj=contact.person,
            actor=actor,
            summary=f"contact {contact.pk} taken in",
        )
    return contact


def _contact_create(*, force: Force, data: ContactIn, incident_type: IncidentType) -> Contact:
    p = data.person
    email = normalise_email(p.email) if p.email else ""
    person = Person.objects.create(
        force=force,
        name=p.name,
        phone=p.phone,
        email=email,
        date_of_birth=p.date_of_birth,
        age=p.age,
        language=p.language,
        postcode=p.postcode,
        phone_key=person_key(settings.PERSON_KEY_SECRET, p.phone),
        email_key=person_key(settings.PERSON_KEY_SECRET, email),
    )
    team_id = _team_id(force, data.team)
    contact = Contact.objects.create(
        force=force,
        reference=data.reference,
        received_at=data.received_at,
        channel=data.channel,
        incident_type=incident_type,
        call_handler_id=_call_handler_id(force, data.call_handler, team_id),
        team_id=team_id,
        answer_seconds=data.answer_seconds,
        person=person,
        flags=data.flags,
    )
    age = p.age
    if p.date_of_birth is not None:
        age = age_on(p.date_of_birth, timezone.localtime(data.received_at).date())
    contact.__dict__["invitation"] = invitation_decide(
        contact=contact,
        incident_type=incident_type,
        age=age,
        has_mobile=bool(p.phone) and is_mobile(p.phone),
        has_email=bool(email),
        now=clock.now(),
    )
    return contact


def personal_data_purge(*, now: dt.datetime, days: int) -> int:
    """Erase the personal details of people whose contact is older than the retention period.

    Names, phones, emails, dates of birth, postcodes and their fingerprints are cleared, and
    the outbox copies of messages to them lose their recipient. Contacts, answers and counts
    stay, so statistics do not change; opt-outs stay, held only as fingerprints. Each force
    gets one audit record of how many people were erased.
    """
    from bluelamp.audit.models import AuditEvent
    from bluelamp.delivery.models import OutboxMessage

    cutoff = now - dt.timedelta(days=days)
    total = 0
    for force in Force.objects.all():
        with transaction.atomic():
            people = Person.objects.filter(
                force=force, purged_at=None, contacts__received_at__lt=cutoff
            ).exclude(contacts__received_at__gte=cutoff)
            ids = list(people.values_list("pk", flat=True).distinct())
            if not ids:
                continue
            Person.objects.filter(pk__in=ids).update(
                name="",
                phone="",
                email="",
                date_of_birth=None,
                postcode="",
                phone_key="",
                email_key="",
                purged_at=now,
            )
            OutboxMessage.objects.filter(
                force=force, invitation__contact__person_id__in=ids
            ).update(to="[erased]")
            AuditEvent.objects.create(
                force=force,
                actor="system:retention",
                action="delete",
                object_type="person",
                object_id="*",
                summary=f"personal details of {len(ids)} people erased "
                f"(contacts before {cutoff:%Y-%m-%d})",
            )
            total += len(ids)
    return total


def contact_details_purge(*, now: dt.datetime) -> int:
    """Erase phone numbers and emails once every survey of the person has been closed for the
    force's ``contact_details_retention_days`` (90 by default).

    The person's keyed fingerprints stay (on the person and on each invitation), so opt-outs
    and the frequency cap still recognise them; responses and every count stay as they were.
    Copies of the address in messages and texts received are erased with it. One audit
    record per force.
    """
    from bluelamp.audit.models import AuditEvent
    from bluelamp.delivery.models import InboundMessage, Message, OutboxMessage
    from bluelamp.surveys.models import Invitation

    total = 0
    for force in Force.objects.all():
        cutoff = now - dt.timedelta(days=force.contact_details_retention_days)
        still_needed = Invitation.objects.filter(force=force).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=cutoff)
        )
        with transaction.atomic():
            ids = list(
                Person.objects.filter(force=force, contacts__isnull=False)
                .exclude(phone="", email="")
                .exclude(contacts__invitations__in=still_needed)
                .values_list("pk", flat=True)
                .distinct()
            )
            if not ids:
                continue
            Person.objects.filter(pk__in=ids).update(phone="", email="")
            mine = Q(invitation__contact__person_id__in=ids)
            Message.objects.filter(mine, force=force).update(to="[erased]")
            OutboxMessage.objects.filter(mine, force=force).update(to="[erased]")
            InboundMessage.objects.filter(mine, force=force).update(body="[erased]")
            AuditEvent.objects.create(
                force=force,
                actor="system:retention",
                action="delete",
                object_type="person",
                object_id="*",
                summary=f"phone numbers and emails of {len(ids)} people erased "
                f"(surveys closed before {cutoff:%Y-%m-%d})",
            )
            total += len(ids)
    return total
