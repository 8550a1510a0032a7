"""Taking in contacts from force systems."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TypedDict

from cachetools import LRUCache
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from bluelamp.audit.services import audit_counts, audit_event, audit_record, audit_records
from bluelamp.delivery.models import InboundMessage, Message, OutboxMessage
from bluelamp.forces.models import Force, StaffMember, Team
from bluelamp.intake.models import Contact, Person
from bluelamp.intake.schemas import ContactIn
from bluelamp.intake.selectors import people_past_retention
from bluelamp.lib import clock
from bluelamp.lib.contact import age_on, is_mobile, normalise_email, person_key
from bluelamp.lib.erasure import ERASED, Tally, postcode_district
from bluelamp.lib.rows import row_insert, row_new, rows_insert
from bluelamp.surveys.logic import parse_definition
from bluelamp.surveys.models import IncidentType, Invitation, Response
from bluelamp.surveys.services import (
    InvitationAsk,
    invitation_prepare,
    invitation_store,
    invitations_decide,
    invitations_withdraw_for_flags,
)


class IntakeError(ValueError):
    """Input that is well-formed but refers to something unknown; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvitationFacts(TypedDict):
    contact: Contact
    incident_type: IncidentType
    age: int | None
    has_mobile: bool
    has_email: bool


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
# cached fails the insert, which clears this and retries (see contact_ingest). Bounded: the
# least recently used go first.
_known_ids: LRUCache[tuple[str, int, str, str], int] = LRUCache(maxsize=20_000)


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


def contact_ingest(*, force: Force, data: ContactIn, actor: str, history: bool = False) -> Ingested:
    """Record a contact and decide, at once, whether its person is invited to a survey.

    Idempotent on the force's reference: sending the same reference again returns the contact
    already stored and changes nothing. The contact, its person, its decision and the audit
    record are written together or not at all. ``history``: a contact imported as history,
    never surveyed (its invitation is recorded as excluded).
    """
    # No look-up first: the unique constraint finds a known reference (the except below),
    # which saves a query on every new contact.
    incident_type = incident_type_get(data.incident_type)
    try:
        try:
            contact = _contact_store(
                force=force, data=data, incident_type=incident_type, actor=actor, history=history
            )
        except IntegrityError:
            if (known := contact_known(force=force, reference=data.reference)) is not None:
                return Ingested(known, created=False)
            known_ids_clear()  # a cached team or call handler was deleted: look them up again
            contact = _contact_store(
                force=force, data=data, incident_type=incident_type, actor=actor, history=history
            )
    except IntegrityError:
        # Another request stored the same reference a moment ago: that one stands.
        if (known := contact_known(force=force, reference=data.reference)) is None:
            raise
        return Ingested(known, created=False)
    return Ingested(contact, created=True)


def contact_known(*, force: Force, reference: str) -> Contact | None:
    """The contact stored under the force's reference, with its first decision.

    Two plain queries: one joining the two with ``select_related`` took Django longer to
    compose than the rest of the request together."""
    contact = Contact.objects.filter(force=force, reference=reference).first()
    if contact is None:
        return None
    contact.force = force
    invitation = contact.invitation  # a query: the decision at first contact
    invitation.force = force
    return contact


def _contact_store(
    *, force: Force, data: ContactIn, incident_type: IncidentType, actor: str, history: bool
) -> Contact:
    """Everything that only reads (fingerprints, the decision with its opt-out and frequency
    cap) happens first; the transaction holds the inserts alone, since on SQLite it holds the
    database's one write lock."""
    contact = _contact_unsaved(force=force, data=data, incident_type=incident_type)
    person = contact.person
    invitation = invitation_prepare(
        **_invitation_facts(contact, data), now=clock.now(), history=history
    )
    with transaction.atomic():
        row_insert(person)
        contact.person = person
        row_insert(contact)
        contact.__dict__["invitation"] = invitation_store(invitation=invitation)
        audit_record(
            force=force, action="create", obj=person, actor=actor,
            summary=f"contact {contact.pk} taken in",
        )  # fmt: skip
    return contact


def _contact_unsaved(*, force: Force, data: ContactIn, incident_type: IncidentType) -> Contact:
    """The contact and its person as they will be stored, neither saved yet."""
    p = data.person
    email = normalise_email(p.email) if p.email else ""
    person = row_new(
        Person,
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
    return row_new(
        Contact,
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
        advice_given=data.advice_given,
        thrive=data.thrive,
    )


def _invitation_facts(contact: Contact, data: ContactIn) -> InvitationFacts:
    """What the first-contact decision needs to know of a contact besides its rows."""
    p = data.person
    age = p.age
    if p.date_of_birth is not None:
        age = age_on(p.date_of_birth, timezone.localtime(data.received_at).date())
    return {
        "contact": contact,
        "incident_type": contact.incident_type,
        "age": age,
        "has_mobile": bool(p.phone) and is_mobile(p.phone),
        "has_email": bool(contact.person.email),
    }


def contacts_ingest(
    *, force: Force, items: list[ContactIn], actor: str, history: bool = False
) -> list[Contact | None]:
    """Record a batch of contacts as ``contact_ingest`` would one after another, in a few
    statements: for each item its new contact (with its decision), or None when its reference
    is already known (stored before, or earlier in the batch), which changes nothing.

    Raises IntakeError for an unknown incident type (check each item with
    ``incident_type_get`` first), and the database's error if any row cannot be stored, in
    which case the caller rolls back the whole batch.
    """
    known = set(
        Contact.objects.filter(force=force, reference__in={d.reference for d in items}).values_list(
            "reference", flat=True
        )
    )
    new: list[tuple[Contact, ContactIn]] = []
    results: list[Contact | None] = []
    for data in items:
        if data.reference in known:
            results.append(None)
            continue
        known.add(data.reference)
        contact = _contact_unsaved(
            force=force, data=data, incident_type=incident_type_get(data.incident_type)
        )
        new.append((contact, data))
        results.append(contact)
    _contacts_store(force=force, new=new, actor=actor, history=history)
    return results


def _contacts_store(
    *, force: Force, new: list[tuple[Contact, ContactIn]], actor: str, history: bool
) -> None:
    rows_insert([contact.person for contact, _ in new])
    for contact, _ in new:
        contact.person = contact.person  # its key, now that it has one
    rows_insert([contact for contact, _ in new])
    asks = [InvitationAsk(**_invitation_facts(contact, data)) for contact, data in new]
    invitations = invitations_decide(asks=asks, now=clock.now(), history=history)
    for (contact, _), invitation in zip(new, invitations, strict=True):
        contact.__dict__["invitation"] = invitation
    audit_records(
        events=[
            audit_event(
                force=force,
                action="create",
                obj=contact.person,
                actor=actor,
                summary=f"contact {contact.pk} taken in",
            )
            for contact, _ in new
        ]
    )


def personal_data_purge(
    *, now: dt.datetime, days: int, check: bool = False, tally: Tally | None = None
) -> int:
    """Erase what identifies a caller once every contact of theirs is older than ``days``
    (``PERSONAL_DATA_RETENTION_DAYS``, 365 by default; the command's ``--days``).

    Goes: name, phone, email and date of birth; the full postcode (only its district stays);
    the respondent's own words in survey answers (the comment, every free-text answer, and
    the words that put a comment under a theme); the recipient of every message to them
    and the text of every message from them. Stays: the keyed fingerprints of phone and
    email (opt-outs and the frequency cap still recognise the person), age, language, the
    contact with its flags, every score, outcome, theme and sentiment, so statistics do not
    change. With ``check`` nothing changes: ``tally`` gets the counts of what would go.
    Returns how many people are newly erased; each force with something erased gets one
    audit record of counts.
    """
    cutoff = now - dt.timedelta(days=days)
    tally = tally if tally is not None else Tally()
    total = 0
    for force in Force.objects.all():
        with transaction.atomic():
            ids = list(
                people_past_retention(force=force, cutoff=cutoff).values_list("pk", flat=True)
            )
            if not ids:
                continue
            before = tally.total()
            people = Person.objects.filter(pk__in=ids)
            fresh = people.filter(purged_at=None).count()
            tally.add(force.slug, "person.record", fresh)
            for kind, empty, erased in (
                ("person.name", Q(name=""), {"name": ""}),
                ("person.phone", Q(phone=""), {"phone": ""}),
                ("person.email", Q(email=""), {"email": ""}),
                ("person.date_of_birth", Q(date_of_birth=None), {"date_of_birth": None}),
            ):
                todo = people.exclude(empty)
                tally.add(force.slug, kind, todo.count())
                if not check:
                    todo.update(**erased)
            _postcodes_to_district(force, people, check, tally)
            _free_text_erase(
                force, Response.objects.filter(contact__person_id__in=ids), check, tally
            )
            mine = Q(invitation__contact__person_id__in=ids, force=force)
            for kind, messages, erased_field in (
                ("message.recipient", Message.objects.filter(mine), "to"),
                ("outbox.recipient", OutboxMessage.objects.filter(mine), "to"),
                ("inbound.text", InboundMessage.objects.filter(mine), "body"),
            ):
                unerased = messages.exclude(**{erased_field: ERASED})
                tally.add(force.slug, kind, unerased.count())
                if not check:
                    unerased.update(**{erased_field: ERASED})
            total += fresh
            if check or tally.total() == before:
                continue
            people.filter(purged_at=None).update(purged_at=now)
            audit_counts(
                force=force,
                of_every="person",
                summary=f"personal details of {len(ids)} people erased, {fresh} for the "
                f"first time (contacts before {cutoff:%Y-%m-%d})",
            )
    return total


def _postcodes_to_district(
    force: Force, people: QuerySet[Person], check: bool, tally: Tally
) -> None:
    """A full postcode is cut to its district, the level statistics use."""
    by_district: dict[str, list[int]] = {}
    for pk, postcode in people.exclude(postcode="").values_list("pk", "postcode"):
        district = postcode_district(postcode)
        if district != postcode:
            by_district.setdefault(district, []).append(pk)
    tally.add(force.slug, "person.full_postcode", sum(len(v) for v in by_district.values()))
    if not check:
        for district, pks in by_district.items():
            Person.objects.filter(pk__in=pks).update(postcode=district)


def _free_text_erase(
    force: Force, responses: QuerySet[Response], check: bool, tally: Tally
) -> None:
    """The respondent's own words go; their scores, outcome, themes and sentiment stay."""
    changed = []
    comments = answers = words = 0
    for response in responses.select_related("template"):
        texts = {
            q.id
            for q in parse_definition(response.template.definition).questions
            if q.kind == "text" and response.answers.get(q.id)
        }
        themes = [{**t, "evidence": []} for t in response.themes]
        if not (response.comment or texts or themes != response.themes):
            continue
        comments += bool(response.comment)
        answers += len(texts)
        words += themes != response.themes
        response.comment = ""
        response.answers = {k: "" if k in texts else v for k, v in response.answers.items()}
        response.themes = themes
        changed.append(response)
    tally.add(force.slug, "response.comment", comments)
    tally.add(force.slug, "response.free_text_answer", answers)
    tally.add(force.slug, "response.theme_words", words)
    if changed and not check:
        Response.objects.bulk_update(changed, ["comment", "answers", "themes"], batch_size=500)


def contact_details_purge(*, now: dt.datetime) -> int:
    """Erase phone numbers and emails once every survey of the person has been closed for the
    force's ``contact_details_retention_days`` (90 by default).

    The person's keyed fingerprints stay (on the person and on each invitation), so opt-outs
    and the frequency cap still recognise them; responses and every count stay as they were.
    Copies of the address in messages and texts received are erased with it. One audit
    record per force.
    """
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
            audit_counts(
                force=force,
                of_every="person",
                summary=f"phone numbers and emails of {len(ids)} people erased "
                f"(surveys closed before {cutoff:%Y-%m-%d})",
            )
            total += len(ids)
    return total


def contact_flags_add(*, contact: Contact, flags: list[str], now: dt.datetime, actor: str) -> int:
    """Flags learnt later (a crime recorded as domestic abuse, a victim who asked not to be
    contacted) join the contact's, and any invitation not yet sent that the contact rules
    now exclude is withdrawn with the rule's reason. Returns how many were withdrawn."""
    new = sorted(set(flags) - set(contact.flags))
    if not new:
        return 0
    with transaction.atomic():
        contact.flags = sorted({*contact.flags, *new})
        Contact.objects.filter(pk=contact.pk).update(flags=contact.flags)
        withdrawn = invitations_withdraw_for_flags(contact=contact, flags=new, now=now)
        audit_record(
            force=contact.force, action="update", obj=contact, actor=actor,
            summary=f"flags added: {', '.join(new)}; {withdrawn} invitation(s) withdrawn",
        )  # fmt: skip
    return withdrawn
