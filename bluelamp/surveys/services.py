"""Invitations, responses and opt-outs."""

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.audit.versions import version_save
from bluelamp.lib.contact import age_on, is_mobile
from bluelamp.lib.rows import row_insert, row_new, rows_insert
from bluelamp.surveys import contact_rules, logic
from bluelamp.surveys.models import (
    ContactRuleSet,
    IncidentType,
    Invitation,
    OptOut,
    Response,
    new_token,
)
from bluelamp.surveys.selectors import (
    SurveyedIndex,
    contact_rules_cache_clear,
    contact_rules_current,
    invitation_state,
    opted_out_keys,
    person_opted_out,
    surveyed_index,
    surveyed_within,
    template_current,
)
from bluelamp.surveys.sending import invitation_enqueue, invitations_enqueue
from bluelamp.surveys.subjects import Contact

if TYPE_CHECKING:
    from bluelamp.forces.models import Force, User


def contact_rules_save(
    *, force: "Force", definition: object, user: "User | None"
) -> ContactRuleSet:
    """A new version of the force's contact rules (checked first); older ones stay."""
    contact_rules.parse_contact_rules(definition)
    saved = version_save(
        ContactRuleSet, force=force, definition=definition, user=user, label="contact rules"
    )
    contact_rules_cache_clear()
    return saved


def invitation_decide(
    *,
    contact: Contact,
    incident_type: IncidentType,
    age: int | None,
    has_mobile: bool,
    has_email: bool,
    now: dt.datetime,
    stage: str = "first_contact",
    event_at: dt.datetime | None = None,
    history: bool = False,
) -> Invitation:
    """Record, for a contact at a stage, whether its person is invited to a survey and why not.

    The invitation is scheduled for the stage's delay after its event (the contact itself for
    the first stage), outside quiet hours, and its sending is queued in the same transaction.
    ``history``: a contact imported as history, recorded as excluded and never surveyed.
    """
    return invitation_store(
        invitation=invitation_prepare(
            contact=contact,
            incident_type=incident_type,
            age=age,
            has_mobile=has_mobile,
            has_email=has_email,
            now=now,
            stage=stage,
            event_at=event_at,
            history=history,
        )
    )


def invitation_prepare(
    *,
    contact: Contact,
    incident_type: IncidentType,
    age: int | None,
    has_mobile: bool,
    has_email: bool,
    now: dt.datetime,
    stage: str = "first_contact",
    event_at: dt.datetime | None = None,
    history: bool = False,
) -> Invitation:
    """The decision for a contact at a stage, as an Invitation not yet stored.

    It reads (the force's rules, opt-outs, the frequency cap) and writes nothing, so intake
    takes it before its transaction opens and holds SQLite's one write lock only for the
    inserts. A contact of the same person stored in between is caught at sending, where the
    worker asks both questions again under the person's lock (delivery.dispatch).
    """
    person = contact.person
    keys = [k for k in (person.phone_key, person.email_key) if k]

    def surveyed(around: dt.datetime, days: int) -> bool:
        return surveyed_within(force_id=contact.force_id, keys=keys, around=around, days=days)

    return invitation_build(
        contact=contact,
        incident_type=incident_type,
        age=age,
        has_mobile=has_mobile,
        has_email=has_email,
        opted_out=not history and person_opted_out(person),
        surveyed=surveyed,
        now=now,
        stage=stage,
        event_at=event_at,
        history=history,
    )


def invitation_build(
    *,
    contact: Contact,
    incident_type: IncidentType,
    age: int | None,
    has_mobile: bool,
    has_email: bool,
    opted_out: bool,
    surveyed: Callable[[dt.datetime, int], bool],
    now: dt.datetime,
    stage: str = "first_contact",
    event_at: dt.datetime | None = None,
    history: bool = False,
) -> Invitation:
    """The decision for a contact at a stage, as an invitation not yet stored: scheduled (with
    its token, template and send time) or excluded with the rule and the reason in words.

    The one place the rules are applied, for the API (``invitation_decide``) and for a batch
    of imported contacts alike. What needs the database comes in: ``opted_out``, and
    ``surveyed(around, days)``, whether the person was invited within ``days`` of ``around``
    (asked only when the rules would otherwise invite). ``history``: a contact imported as
    history, which is recorded as never surveyed.
    """
    current = contact_rules_current(contact.force)
    person = contact.person
    common = {
        "force": contact.force,
        "contact": contact,
        "stage": stage,
        "rules_version": current.version,
        "phone_key": person.phone_key,
        "email_key": person.email_key,
    }
    if history:
        return _excluded(common, contact_rules.IMPORTED_HISTORY, now)
    send_at = contact_rules.send_time(
        current.rules, stage=stage, event_at=event_at or contact.received_at, now=now
    )
    facts = contact_rules.Facts(
        force=contact.force.slug,
        reference=contact.reference,
        stage=stage,
        incident_type=incident_type.code,
        incident_name=incident_type.name,
        incident_sensitive=incident_type.sensitive,
        channel=contact.channel,
        flags=frozenset(contact.flags),
        age=age,
        opted_out=opted_out,
        has_mobile=has_mobile,
        has_email=has_email,
        repeat_victim="repeat_victim" in contact.flags,
    )
    decision = contact_rules.decide(current.rules, facts, secret=settings.PERSON_KEY_SECRET)
    if decision.scheduled and surveyed(send_at, current.rules.frequency_days):
        facts = dataclasses.replace(facts, surveyed_recently=True)
        decision = contact_rules.decide(current.rules, facts, secret=settings.PERSON_KEY_SECRET)
    if not decision.scheduled:
        return _excluded(common, decision, now)
    return row_new(
        Invitation,
        **common,
        rule=decision.rule,
        status=Invitation.Status.SCHEDULED,
        token=new_token(),
        template=template_current(
            force=contact.force,
            key=decision.template_key or incident_type.template_key,
            stage=stage,
        ),
        via=decision.via,
        language=person.language,
        send_at=send_at,
        expires_at=send_at + dt.timedelta(days=current.rules.expiry_days),
    )


def _excluded(
    common: dict[str, Any], decision: contact_rules.Decision, now: dt.datetime
) -> Invitation:
    return row_new(
        Invitation,
        **common,
        rule=decision.rule,
        status=Invitation.Status.EXCLUDED,
        reason=decision.reason,
        reason_text=decision.reason_text,
        closed_at=now,
    )


def invitation_store(*, invitation: Invitation) -> Invitation:
    """Insert a prepared invitation (its contact stored by now) and, when it is scheduled,
    queue its sending, in the caller's transaction."""
    invitation.contact = invitation.contact  # the contact's key, given since it was prepared
    row_insert(invitation)
    if invitation.status == Invitation.Status.SCHEDULED:
        invitation_enqueue(invitation)
    return invitation


@dataclass(frozen=True)
class InvitationAsk:
    """One contact of a batch whose first-contact invitation is to be decided."""

    contact: Contact
    incident_type: IncidentType
    age: int | None
    has_mobile: bool
    has_email: bool


def invitations_decide(
    *, asks: list[InvitationAsk], now: dt.datetime, history: bool = False
) -> list[Invitation]:
    """Record the first-contact decisions of a batch of new contacts of one force: the same
    decisions, rows and queued sends as ``invitation_decide`` would make for each in turn.

    Three statements however long the batch: the opt-outs of its people, their invitations
    that the frequency cap can see, and the inserts. The cap sees the batch's own earlier
    decisions too, as it would had the contacts come one after another.
    """
    if not asks:
        return []
    force = asks[0].contact.force
    keys = {k for a in asks for k in (a.contact.person.phone_key, a.contact.person.email_key) if k}
    opted_out = set() if history else opted_out_keys(force_id=force.pk, keys=keys)
    index = SurveyedIndex()
    rules = contact_rules_current(force).rules
    if not history and rules.frequency_days > 0:
        index = surveyed_index(
            force_id=force.pk,
            keys=keys,
            window=_send_window(rules, asks, now),
            days=rules.frequency_days,
        )
    invitations = [_invitation_of(ask, opted_out, index, now, history) for ask in asks]
    rows_insert(invitations)
    scheduled = [i for i in invitations if i.status == Invitation.Status.SCHEDULED]
    if scheduled:
        invitations_enqueue(scheduled)
    return invitations


def _invitation_of(
    ask: InvitationAsk, opted_out: set[str], index: "SurveyedIndex", now: dt.datetime, history: bool
) -> Invitation:
    person = ask.contact.person
    keys = [k for k in (person.phone_key, person.email_key) if k]
    invitation = invitation_build(
        contact=ask.contact,
        incident_type=ask.incident_type,
        age=ask.age,
        has_mobile=ask.has_mobile,
        has_email=ask.has_email,
        opted_out=any(k in opted_out for k in keys),
        surveyed=lambda around, days: index.within(keys, around, days),
        now=now,
        history=history,
    )
    if invitation.status == Invitation.Status.SCHEDULED:
        assert invitation.send_at is not None
        index.add(keys, invitation.send_at)
    return invitation


def _send_window(
    rules: contact_rules.ContactRules, asks: list[InvitationAsk], now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """Bounds on the send times of a batch's invitations: at their stage's delay after their
    contact, not before now, and at most a day later for quiet hours."""
    delay = dt.timedelta(hours=rules.timing("first_contact").delay_hours)
    received = [a.contact.received_at for a in asks]
    return max(now, min(received) + delay), max(now, max(received) + delay) + dt.timedelta(days=1)


def invitation_schedule(
    *, contact: Contact, stage: str, now: dt.datetime, event_at: dt.datetime | None = None
) -> Invitation:
    """Decide a later stage's invitation for a contact (attendance, outcome, after recovery).

    Idempotent: a stage already decided for the contact is returned as it is.
    """
    existing = Invitation.objects.filter(contact_id=contact.pk, stage=stage).first()
    if existing is not None:
        return existing
    person = contact.person
    age = person.age
    if person.date_of_birth is not None:
        age = age_on(person.date_of_birth, timezone.localtime(contact.received_at).date())
    with transaction.atomic():
        return invitation_decide(
            contact=contact,
            incident_type=contact.incident_type,
            age=age,
            has_mobile=bool(person.phone) and is_mobile(person.phone),
            has_email=bool(person.email),
            now=now,
            stage=stage,
            event_at=event_at or now,
        )


class InvitationClosed(Exception):
    """The link has expired or was already used."""


@dataclass(frozen=True)
class Submitted:
    response: Response | None
    errors: dict[str, str]


class Submit(Protocol):
    """What stores a respondent's answers (``bluelamp.flows.responses.response_submit``)."""

    def __call__(
        self,
        *,
        invitation_id: int,
        form: Mapping[str, str],
        callback_requested: bool,
        language: str,
        now: dt.datetime,
    ) -> Submitted: ...


def invitation_open(*, invitation: Invitation, now: dt.datetime) -> None:
    """Note the first time the link was opened (used later for reminders and response rates)."""
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at=None).update(opened_at=now)


def response_store(
    *,
    invitation_id: int,
    form: Mapping[str, str],
    callback_requested: bool,
    language: str,
    now: dt.datetime,
    insight: Callable[[str, int, str], Mapping[str, object]],
) -> Submitted:
    """Store a respondent's answers, checked against the template, and close the invitation;
    one submission per invitation. ``insight`` gives the sentiment and themes of the comment
    (called with the comment, the force's id and the page's language).

    Call it in a transaction with what follows a response (``bluelamp.flows.responses``):
    the invitation stays locked until that ends.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("template", "contact")
            .get(pk=invitation_id)
        )
        if invitation_state(invitation, now) != "open":
            raise InvitationClosed(invitation_state(invitation, now))
        assert invitation.template is not None
        definition = logic.parse_definition(invitation.template.definition)
        checked = logic.check_answers(definition, form, language)
        if checked.errors:
            return Submitted(None, checked.errors)
        score = checked.answers.get(logic.WHOLE_EXPERIENCE)
        whole = score if isinstance(score, int) else None
        contact = invitation.contact
        comment = logic.free_text(definition, checked.answers)
        response = Response.objects.create(
            force_id=invitation.force_id,
            invitation=invitation,
            contact=contact,
            template=invitation.template,
            answers=checked.answers,
            whole_experience=whole,
            outcome=logic.classify(whole, settings.SATISFIED_FROM, settings.DISSATISFIED_TO),
            callback_requested=callback_requested,
            comment=comment,
            language=language if language in ("en", "cy") else "en",
            **insight(comment, invitation.force_id, language),
            submitted_at=now,
            incident_type_id=contact.incident_type_id,
            team_id=contact.team_id,
            call_handler_id=contact.call_handler_id,
            channel=contact.channel,
        )
        invitation.status = Invitation.Status.ANSWERED
        invitation.answered_at = now
        invitation.closed_at = now
        invitation.save(update_fields=["status", "answered_at", "closed_at"])
    return Submitted(response, {})


def keys_opt_out(*, force: "Force", keys: list[str], source: str, now: dt.datetime) -> bool:
    """Opt the person with these fingerprints out of everything, at once.

    Their fingerprints join the force's opt-out list and every invitation of theirs not yet
    answered is withdrawn. Returns whether this was news (False if already opted out).
    """
    keys = [k for k in keys if k]
    if not keys:
        return False
    with transaction.atomic():
        created = [
            OptOut.objects.get_or_create(force=force, key=key, defaults={"source": source})[1]
            for key in keys
        ]
        # The person's contacts by the fingerprints on the person, then on the invitations.
        same_person = Q(contact__person__phone_key__in=keys) | Q(
            contact__person__email_key__in=keys
        )
        withdrawn = Invitation.objects.filter(
            same_person | Q(phone_key__in=keys) | Q(email_key__in=keys),
            force=force,
            status__in=[Invitation.Status.SCHEDULED, Invitation.Status.SENT],
        ).update(
            status=Invitation.Status.EXCLUDED,
            reason="opted_out",
            reason_text="The person asked not to be contacted again",
            closed_at=now,
        )
        theirs = (
            Invitation.objects.filter(same_person, force=force)
            .select_related("contact__person")
            .order_by("contact__person_id")
            .first()
        )
        person = theirs.contact.person if theirs is not None else None
        if any(created) and person is not None:
            audit_record(
                force=force,
                action="update",
                obj=person,
                actor="respondent",
                summary=f"opted out ({source}); {withdrawn} invitation(s) withdrawn",
            )
    return any(created)


def person_opt_out(*, invitation_id: int, now: dt.datetime) -> int:
    """Honour "please do not contact me again" from the survey page, for every future contact.

    Returns how many of the person's invitations were withdrawn.
    """
    invitation = Invitation.objects.select_related("contact__person", "force").get(pk=invitation_id)
    person = invitation.contact.person
    keys = [k for k in (person.phone_key, person.email_key, invitation.phone_key,
                        invitation.email_key) if k]  # fmt: skip
    pending = Invitation.objects.filter(
        Q(phone_key__in=keys) | Q(email_key__in=keys) | Q(contact__person=person),
        force=invitation.force,
        status__in=[Invitation.Status.SCHEDULED, Invitation.Status.SENT],
    ).count()
    keys_opt_out(force=invitation.force, keys=keys, source="respondent_page", now=now)
    return pending


def invitations_close_expired(*, now: dt.datetime) -> int:
    """Sent invitations whose link has expired are closed (retention runs from then)."""
    return Invitation.objects.filter(
        status=Invitation.Status.SENT, closed_at=None, expires_at__lte=now
    ).update(closed_at=F("expires_at"))


def invitations_withdraw_for_flags(*, contact: Contact, flags: list[str], now: dt.datetime) -> int:
    """Flags learnt later (a crime recorded as domestic abuse, a victim who asked not to be
    contacted): any invitation of the contact not yet sent that the contact rules now exclude
    is withdrawn with the rule's reason. Returns how many were withdrawn."""
    rules = contact_rules_current(contact.force).rules
    excluding = [f for f in rules.excluded_flags if f in flags]
    if not excluding:
        return 0
    return Invitation.objects.filter(
        contact_id=contact.pk, status=Invitation.Status.SCHEDULED
    ).update(
        status=Invitation.Status.EXCLUDED,
        reason=f"flag_{excluding[0]}",
        reason_text=rules.excluded_flags[excluding[0]],
        closed_at=now,
    )
