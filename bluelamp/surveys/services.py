"""Invitations, responses and opt-outs."""

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.lib.rows import row_insert, row_new, rows_insert
from bluelamp.lib.versions import version_save
from bluelamp.surveys import contact_rules, logic
from bluelamp.surveys.models import (
    LIVE_SQL,
    ContactRuleSet,
    IncidentType,
    Invitation,
    OptOut,
    Response,
    SurveyTemplate,
    new_token,
)

if TYPE_CHECKING:
    from bluelamp.forces.models import Force, User
    from bluelamp.intake.models import Contact, Person


# The current template per force, key and stage, for TEMPLATE_CACHE_SECONDS: looking it up
# for every contact was a fifth of intake time. The admin clears it on save; other processes
# see a new version within the TTL.
TEMPLATE_CACHE_SECONDS = 30.0
_templates: dict[tuple[int, str, str, str], tuple[float, SurveyTemplate]] = {}


def template_cache_clear() -> None:
    _templates.clear()


def template_current(*, force: "Force", key: str, stage: str = "first_contact") -> SurveyTemplate:
    """The force's own active template for the key and stage, else the shipped default."""
    cache_key = (force.pk, force.created_at.isoformat(), key, stage)
    cached = _templates.get(cache_key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = _template_lookup(force=force, key=key, stage=stage)
    _templates[cache_key] = (time.monotonic() + TEMPLATE_CACHE_SECONDS, found)
    return found


def _template_lookup(*, force: "Force", key: str, stage: str) -> SurveyTemplate:
    found = (
        SurveyTemplate.objects.filter(
            Q(force=force) | Q(force=None), key=key, stage=stage, active=True
        )
        .order_by(F("force_id").asc(nulls_last=True), "-version")
        .first()
    )
    if found is None and key != "general":
        return _template_lookup(force=force, key="general", stage=stage)
    if found is None:
        raise SurveyTemplate.DoesNotExist(f"no template for {key}/{stage}")
    return found


def person_opted_out(person: "Person") -> bool:
    """Whether the person (by any fingerprint) asked never to be contacted again.

    Asked on every contact, so written as the one statement it is (the ORM took longer to
    compose it than the database to answer it)."""
    keys = [k for k in (person.phone_key, person.email_key) if k]
    if not keys:
        return False
    marks = ", ".join(["%s"] * len(keys))
    sql = f"SELECT 1 FROM {OptOut._meta.db_table} WHERE force_id = %s AND key IN ({marks})"  # noqa: S608 (names are ours, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT 1", [person.force_id, *keys])
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class CurrentContactRules:
    rules: contact_rules.ContactRules
    version: int  # 0: the shipped defaults


# Read for every contact, so cached per process like the templates; the admin clears it on
# save and other processes see a new version within the TTL.
_contact_rules: dict[tuple[int, str], tuple[float, CurrentContactRules]] = {}


def contact_rules_cache_clear() -> None:
    _contact_rules.clear()


def contact_rules_current(force: "Force") -> CurrentContactRules:
    """The force's active contact rules, else the shipped defaults (version 0)."""
    cache_key = (force.pk, force.created_at.isoformat())
    cached = _contact_rules.get(cache_key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = ContactRuleSet.objects.filter(force=force, active=True).order_by("-version").first()
    current = (
        CurrentContactRules(contact_rules.parse_contact_rules(found.definition), found.version)
        if found is not None
        else CurrentContactRules(
            contact_rules.parse_contact_rules(contact_rules.DEFAULT_CONTACT_RULES), 0
        )
    )
    _contact_rules[cache_key] = (time.monotonic() + TEMPLATE_CACHE_SECONDS, current)
    return current


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


def persons_lock(keys: list[str]) -> None:
    """Within a transaction, one sender at a time per person (by fingerprint), so that two
    workers cannot both find nobody surveyed and send to the same person at once. SQLite
    writes one transaction at a time already; PostgreSQL takes an advisory lock per key."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):  # one order, so two senders never wait on each other
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


def surveyed_within(
    *,
    force_id: int,
    keys: list[str],
    around: dt.datetime,
    days: int,
    exclude_pk: int | None = None,
    sent_only: bool = False,
) -> bool:
    """Whether the person (by phone or email fingerprint) has a live invitation within ``days``
    of ``around``, before or after (with ``sent_only``, one already sent).

    An invitation sent is placed at the moment it went, not the moment it was due: a worker
    that was down, or a night in between, can send it a day late. Sent counts even if
    withdrawn since (an opt-out by another of the person's numbers); an invitation that could
    not be delivered does not.

    One statement, an EXISTS per fingerprint column, so that each is a search of its index
    (force, key, send_at): written as ``phone_key IN ... OR email_key IN ...`` the planner
    read every invitation of the force, and intake slowed as they grew.
    """
    keys = [k for k in keys if k]
    if not keys or days <= 0:
        return False
    window = dt.timedelta(days=days)
    ops = connection.ops
    lo = ops.adapt_datetimefield_value(around - window)
    hi = ops.adapt_datetimefield_value(around + window)
    S = Invitation.Status
    marks = ", ".join(["%s"] * len(keys))
    live = f"(sent_at IS NOT NULL OR status = '{S.ANSWERED.value}')" if sent_only else LIVE_SQL
    condition = (
        f"force_id = %s AND {{column}} IN ({marks}) AND status <> %s AND {live}"
        " AND ((sent_at IS NOT NULL AND sent_at > %s AND sent_at < %s)"
        " OR (sent_at IS NULL AND send_at > %s AND send_at < %s))"
    )
    params: list[Any] = [force_id, *keys, S.FAILED.value, lo, hi, lo, hi]
    if exclude_pk is not None:
        condition += " AND id <> %s"
        params.append(exclude_pk)
    table = Invitation._meta.db_table
    exists = [
        f"EXISTS (SELECT 1 FROM {table} WHERE {condition.format(column=column)})"  # noqa: S608 (names are ours, values are parameters)
        for column in ("phone_key", "email_key")
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {' OR '.join(exists)}", params * 2)
        (found,) = cursor.fetchone()
    return bool(found)


def invitation_decide(
    *,
    contact: "Contact",
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
    contact: "Contact",
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
    contact: "Contact",
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
        from bluelamp.delivery.dispatch import invitation_enqueue

        invitation_enqueue(invitation)
    return invitation


@dataclass(frozen=True)
class InvitationAsk:
    """One contact of a batch whose first-contact invitation is to be decided."""

    contact: "Contact"
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
        from bluelamp.delivery.dispatch import invitations_enqueue

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


def opted_out_keys(*, force_id: int, keys: set[str]) -> set[str]:
    """Which of these fingerprints opted out (``person_opted_out`` for many people at once)."""
    if not keys:
        return set()
    found = OptOut.objects.filter(force_id=force_id, key__in=keys).values_list("key", flat=True)
    return set(found)


class SurveyedIndex:
    """The live invitations of a batch's people, by fingerprint, each at its moment (sent, or
    due): ``within`` answers as ``surveyed_within`` does, with the same window."""

    def __init__(self) -> None:
        self._at: dict[str, list[dt.datetime]] = {}

    def add(self, keys: list[str], at: dt.datetime) -> None:
        for key in dict.fromkeys(k for k in keys if k):
            self._at.setdefault(key, []).append(at)

    def within(self, keys: list[str], around: dt.datetime, days: int) -> bool:
        if days <= 0:
            return False
        window = dt.timedelta(days=days)
        return any(abs(at - around) < window for key in keys if key for at in self._at.get(key, ()))


def surveyed_index(
    *, force_id: int, keys: set[str], window: tuple[dt.datetime, dt.datetime], days: int
) -> SurveyedIndex:
    """The invitations ``surveyed_within`` would find for any of these fingerprints around any
    moment in ``window``: live (sent, even if withdrawn since; or scheduled, or answered; never
    one that could not be delivered), placed at the moment sent, else the moment due.

    One statement, a search of each fingerprint's index as in ``surveyed_within``.
    """
    index = SurveyedIndex()
    if not keys:
        return index
    lo, hi = window[0] - dt.timedelta(days=days), window[1] + dt.timedelta(days=days)
    live = (
        Invitation.objects.filter(force_id=force_id)
        .exclude(status=Invitation.Status.FAILED)
        # Word for word, see LIVE_SQL (our constant, no values from outside).
        .filter(RawSQL(LIVE_SQL, (), output_field=BooleanField()))  # noqa: S611
        .filter(
            Q(sent_at__gt=lo, sent_at__lt=hi)
            | Q(sent_at__isnull=True, send_at__gt=lo, send_at__lt=hi)
        )
    )
    fields = ("phone_key", "email_key", "sent_at", "send_at")
    by_phone = live.filter(phone_key__in=keys).values_list(*fields)
    by_email = live.filter(email_key__in=keys).values_list(*fields)
    for phone_key, email_key, sent_at, send_at in by_phone.union(by_email, all=True):
        index.add([phone_key, email_key], sent_at or send_at)
    return index


def invitation_schedule(
    *, contact: "Contact", stage: str, now: dt.datetime, event_at: dt.datetime | None = None
) -> Invitation:
    """Decide a later stage's invitation for a contact (attendance, outcome, after recovery).

    Idempotent: a stage already decided for the contact is returned as it is.
    """
    from bluelamp.lib.contact import is_mobile

    existing = Invitation.objects.filter(contact=contact, stage=stage).first()
    if existing is not None:
        return existing
    person = contact.person
    age = person.age
    if person.date_of_birth is not None:
        from bluelamp.lib.contact import age_on

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


def invitation_url(invitation: Invitation) -> str:
    """The survey link, in full, on the force's own address (never a link shortener)."""
    base = (invitation.force.site_url or settings.SITE_URL).rstrip("/")
    return f"{base}/s/{invitation.token}"


class InvitationClosed(Exception):
    """The link has expired or was already used."""


@dataclass(frozen=True)
class Submitted:
    response: Response | None
    errors: dict[str, str]


def invitation_state(invitation: Invitation, now: dt.datetime) -> str:
    """``open``, ``answered`` or ``expired``: what a respondent following the link may do."""
    if invitation.status == Invitation.Status.ANSWERED:
        return "answered"
    if invitation.status == Invitation.Status.EXCLUDED:
        return "expired"
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return "expired"
    return "open"


def invitation_open(*, invitation: Invitation, now: dt.datetime) -> None:
    """Note the first time the link was opened (used later for reminders and response rates)."""
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at=None).update(opened_at=now)


def _text_insight(comment: str) -> dict[str, object]:
    """Sentiment and themes of what the respondent wrote, or nothing if they wrote nothing."""
    from bluelamp.insights.text import analyse

    if not comment.strip():
        return {}
    found = analyse(comment)
    return {
        "sentiment": round(found.sentiment, 4),
        "themes": [{"code": t.code, "evidence": t.evidence} for t in found.themes],
    }


def response_submit(
    *,
    invitation_id: int,
    form: Mapping[str, str],
    callback_requested: bool,
    language: str,
    now: dt.datetime,
) -> Submitted:
    """Store a respondent's answers; one submission per invitation.

    A dissatisfied whole-experience answer or a call-back request opens a service-recovery
    case in the same transaction, so a dissatisfied caller is never left without an owner.
    """
    from bluelamp.care.services import needs_review_if_needed
    from bluelamp.delivery.dispatch import alert_notify
    from bluelamp.insights.rollups import response_count
    from bluelamp.insights.services import alerts_update
    from bluelamp.recovery.services import case_open_if_needed

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
            **_text_insight(comment),
            submitted_at=now,
            incident_type_id=contact.incident_type_id,
            team_id=contact.team_id,
            call_handler_id=contact.call_handler_id,
            channel=contact.channel,
        )
        response_count(response, invitation.template.stage)
        for alert in alerts_update(response=response, now=now):
            alert_notify(alert)
        invitation.status = Invitation.Status.ANSWERED
        invitation.answered_at = now
        invitation.closed_at = now
        invitation.save(update_fields=["status", "answered_at", "closed_at"])
        case_open_if_needed(response=response, now=now)
        needs_review_if_needed(response=response, now=now)
    return Submitted(response, {})


def keys_opt_out(*, force: "Force", keys: list[str], source: str, now: dt.datetime) -> bool:
    """Opt the person with these fingerprints out of everything, at once.

    Their fingerprints join the force's opt-out list and every invitation of theirs not yet
    answered is withdrawn. Returns whether this was news (False if already opted out).
    """
    from bluelamp.intake.models import Person

    keys = [k for k in keys if k]
    if not keys:
        return False
    with transaction.atomic():
        created = [
            OptOut.objects.get_or_create(force=force, key=key, defaults={"source": source})[1]
            for key in keys
        ]
        same_person = Person.objects.filter(force=force).filter(
            Q(phone_key__in=keys) | Q(email_key__in=keys)
        )
        withdrawn = Invitation.objects.filter(
            Q(contact__person__in=same_person) | Q(phone_key__in=keys) | Q(email_key__in=keys),
            force=force,
            status__in=[Invitation.Status.SCHEDULED, Invitation.Status.SENT],
        ).update(
            status=Invitation.Status.EXCLUDED,
            reason="opted_out",
            reason_text="The person asked not to be contacted again",
            closed_at=now,
        )
        person = same_person.first()
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


def contact_flags_add(*, contact: "Contact", flags: list[str], now: dt.datetime, actor: str) -> int:
    """Flags learnt later (a crime recorded as domestic abuse, a victim who asked not to be
    contacted) join the contact's, and any invitation not yet sent that the contact rules
    now exclude is withdrawn with the rule's reason. Returns how many were withdrawn."""
    new = sorted(set(flags) - set(contact.flags))
    if not new:
        return 0
    rules = contact_rules_current(contact.force).rules
    excluding = [f for f in rules.excluded_flags if f in new]
    with transaction.atomic():
        contact.flags = sorted({*contact.flags, *new})
        type(contact).objects.filter(pk=contact.pk).update(flags=contact.flags)
        withdrawn = 0
        if excluding:
            withdrawn = Invitation.objects.filter(
                contact=contact, status=Invitation.Status.SCHEDULED
            ).update(
                status=Invitation.Status.EXCLUDED,
                reason=f"flag_{excluding[0]}",
                reason_text=rules.excluded_flags[excluding[0]],
                closed_at=now,
            )
        audit_record(
            force=contact.force, action="update", obj=contact, actor=actor,
            summary=f"flags added: {', '.join(new)}; {withdrawn} invitation(s) withdrawn",
        )  # fmt: skip
    return withdrawn
