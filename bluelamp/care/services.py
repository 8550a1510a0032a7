"""Crimes in, Victims' Code duties and referrals out, and the referral workflow."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.care import rules
from bluelamp.care.defaults import DEFAULT_RULE_SET
from bluelamp.care.feedback import distress_phrases
from bluelamp.care.models import (
    SUSPECT_DECISIONS,
    Crime,
    CrimeEvent,
    Duty,
    NeedsAssessment,
    NeedsReview,
    Referral,
    ReferralActivity,
    RuleSetVersion,
    Victim,
)
from bluelamp.care.schemas import AssessmentIn, CrimeIn, EventIn, VictimIn
from bluelamp.forces.models import Force, StaffMember, Team, User
from bluelamp.intake.models import Contact
from bluelamp.intake.services import IntakeError, incident_type_get
from bluelamp.lib.contact import age_on, normalise_email, person_key
from bluelamp.lib.versions import version_save
from bluelamp.lib.workdays import add_working_days

if TYPE_CHECKING:
    from bluelamp.surveys.models import Response

REFERRAL_WORKING_DAYS = 2
DECISION_WORKING_DAYS = 5
DECISION_WORKING_DAYS_ENHANCED = 1
REPEAT_WINDOW = dt.timedelta(days=365)


@dataclass(frozen=True)
class CurrentRules:
    rule_set: rules.RuleSet
    version: int  # 0: the shipped defaults


def rules_current(force: Force) -> CurrentRules:
    """The force's active rule set, else the shipped defaults (version 0)."""
    found = (
        RuleSetVersion.objects.filter(Q(force=force) | Q(force=None), active=True)
        .order_by(F("force_id").asc(nulls_last=True), "-version")
        .first()
    )
    if found is None:
        return CurrentRules(rules.parse_rule_set(DEFAULT_RULE_SET), 0)
    return CurrentRules(rules.parse_rule_set(found.definition), found.version)


def rule_set_save(*, force: Force, definition: Any, user: User | None) -> RuleSetVersion:
    """A new version of the force's rules (checked first); the older ones stay for the record."""
    rules.parse_rule_set(definition)
    return version_save(
        RuleSetVersion, force=force, definition=definition, user=user, label="referral rules"
    )


@dataclass(frozen=True)
class CrimeIngested:
    crime: Crime
    created: bool


def _age(victim: VictimIn, day: dt.date) -> int | None:
    if victim.date_of_birth is not None:
        return age_on(victim.date_of_birth, day)
    return victim.age


def _earlier(force: Force, crime: Crime, victim: Victim) -> tuple[Victim | None, bool]:
    """An earlier victim record of the same person, and whether the address was hit before,
    both within 12 months before this crime."""
    window = Victim.objects.filter(
        force=force,
        crime__recorded_at__gte=crime.recorded_at - REPEAT_WINDOW,
        crime__recorded_at__lt=crime.recorded_at,
    ).exclude(crime=crime)
    same_person = Q(pk__in=[])
    if victim.phone_key:
        same_person |= Q(phone_key=victim.phone_key)
    if victim.email_key:
        same_person |= Q(email_key=victim.email_key)
    if victim.name and victim.date_of_birth:
        same_person |= Q(name__iexact=victim.name, date_of_birth=victim.date_of_birth)
    person = window.filter(same_person).order_by("-crime__recorded_at").first()
    address = (
        bool(crime.address_key) and window.filter(crime__address_key=crime.address_key).exists()
    )
    return person, address


def _facts(crime: Crime, victim: Victim) -> dict[str, Any]:
    return {
        "offence": crime.offence_id,
        "attempt": crime.attempt,
        "age": victim.age,
        "indicators": list(victim.indicators),
        "modus_operandi": list(crime.modus_operandi),
        "financial_loss": float(crime.financial_loss) if crime.financial_loss is not None else None,
        "consent": dict(victim.consent),
        "persistently_targeted": victim.persistently_targeted,
        "repeat_victim": victim.repeat_victim,
    }


def crime_ingest(*, force: Force, data: CrimeIn, actor: str) -> CrimeIngested:
    """Record a crime and its victims; flag repeats, derive Enhanced Rights, refer and start
    the Victims' Code clocks, all in one transaction. Idempotent on the force's reference."""
    try:
        offence = incident_type_get(data.offence)
    except IntakeError as e:
        raise IntakeError("offence", e.message) from None
    existing = Crime.objects.filter(force=force, reference=data.reference).first()
    if existing is not None:
        return CrimeIngested(existing, created=False)
    try:
        with transaction.atomic():
            crime = _crime_create(force=force, data=data, offence_code=offence.code, actor=actor)
    except IntegrityError:
        existing = Crime.objects.filter(force=force, reference=data.reference).first()
        if existing is None:
            raise
        return CrimeIngested(existing, created=False)
    return CrimeIngested(crime, created=True)


def _crime_create(*, force: Force, data: CrimeIn, offence_code: str, actor: str) -> Crime:
    officer = None
    if data.officer_in_charge:
        officer, _ = StaffMember.objects.get_or_create(
            force=force,
            number=data.officer_in_charge,
            defaults={"name": "", "kind": StaffMember.Kind.OFFICER},
        )
    team = None
    if data.team:
        team, _ = Team.objects.get_or_create(
            force=force, code=data.team, defaults={"name": data.team}
        )
    elif officer is not None:
        team = officer.team
    contact = None
    if data.contact_reference:
        contact = Contact.objects.filter(force=force, reference=data.contact_reference).first()
        if contact is None:
            raise IntakeError("contact_reference", "no contact with this reference")
    postcode = data.location.postcode
    crime = Crime.objects.create(
        force=force,
        reference=data.reference,
        offence_id=offence_code,
        attempt=data.attempt,
        recorded_at=data.recorded_at,
        occurred_at=data.occurred_at,
        latitude=data.location.latitude,
        longitude=data.location.longitude,
        postcode=postcode,
        address_key=data.location.address_key,
        area=postcode.split(" ")[0] if " " in postcode else "",
        contact=contact,
        officer=officer,
        team=team,
        modus_operandi=data.modus_operandi,
        financial_loss=data.financial_loss,
    )
    current = rules_current(force)
    day = timezone.localtime(crime.recorded_at).date()
    for v in data.victims:
        _victim_create(crime=crime, data=v, age=_age(v, day), current=current, actor=actor)
    return crime


def _victim_create(
    *, crime: Crime, data: VictimIn, age: int | None, current: CurrentRules, actor: str
) -> Victim:
    force = crime.force
    email = normalise_email(data.email) if data.email else ""
    victim = Victim(
        force=force,
        crime=crime,
        name=data.name,
        date_of_birth=data.date_of_birth,
        age=age,
        phone=data.phone,
        email=email,
        language=data.language,
        phone_key=person_key(settings.PERSON_KEY_SECRET, data.phone),
        email_key=person_key(settings.PERSON_KEY_SECRET, email),
        indicators=sorted(set(data.indicators)),
        consent=data.consent.model_dump(exclude_none=True),
    )
    earlier, address_hit = _earlier(force, crime, victim)
    victim.repeat_victim = earlier is not None
    victim.repeat_of = earlier
    victim.persistently_targeted = earlier is not None or address_hit
    facts = _facts(crime, victim)
    derived = rules.enhanced_rights(current.rule_set, facts)
    victim.enhanced_reasons = [list(r) for r in derived]
    victim.enhanced_rights = bool(derived)
    assessment = data.needs_assessment
    if assessment is not None:
        victim.enhanced_rights = assessment.enhanced_rights
        victim.enhanced_confirmed_by = assessment.asked_by
        victim.enhanced_confirmed_at = assessment.asked_at
        victim.update_every_days = assessment.update_every_days
    victim.save()
    audit_record(
        force=force, action="create", obj=victim, actor=actor,
        summary=f"victim of crime {crime.pk} taken in",
    )  # fmt: skip
    start = crime.recorded_at
    if assessment is not None:
        _assessment_store(victim, assessment)
        start = assessment.asked_at
    _refer(victim, facts, current, start)
    _update_duty(victim, start)
    return victim


def _assessment_store(victim: Victim, data: AssessmentIn) -> NeedsAssessment:
    return NeedsAssessment.objects.create(
        force=victim.force,
        victim=victim,
        asked_at=data.asked_at,
        asked_by=data.asked_by,
        needs=data.needs,
        support_wanted=data.support_wanted,
        enhanced_rights=data.enhanced_rights,
        notes=data.notes,
    )


def _refer(
    victim: Victim, facts: dict[str, Any], current: CurrentRules, start: dt.datetime
) -> list[Referral]:
    """A referral for each service whose rule matches and that has none yet for the victim."""
    made = []
    already = set(victim.referrals.values_list("service", flat=True))
    now = timezone.now()
    for decision in rules.evaluate(current.rule_set, facts):
        if decision.service in already:
            continue
        due = add_working_days(start, REFERRAL_WORKING_DAYS)
        referral = Referral.objects.create(
            force=victim.force,
            victim=victim,
            service=decision.service,
            rule_id=decision.rule_id,
            rule_version=current.version,
            reason=decision.reason,
            due_at=due,
            created_at=now,
        )
        audit_record(
            force=victim.force, action="create", obj=referral, actor="system:referral-rules",
            summary=f"victim {victim.pk} referred to {decision.service} ({decision.rule_id})",
        )  # fmt: skip
        Duty.objects.create(
            force=victim.force,
            victim=victim,
            right=Duty.Right.REFERRAL,
            what=f"Referral to {decision.service.replace('_', ' ')}",
            starts_at=start,
            due_at=due,
            referral=referral,
            team=victim.crime.team,
            officer=victim.crime.officer,
        )
        made.append(referral)
    return made


def _update_duty(victim: Victim, after: dt.datetime) -> Duty:
    return Duty.objects.create(
        force=victim.force,
        victim=victim,
        right=Duty.Right.UPDATE,
        what=f"Update the victim (agreed: every {victim.update_every_days} days)",
        starts_at=after,
        due_at=after + dt.timedelta(days=victim.update_every_days),
        enhanced=victim.enhanced_rights,
        team=victim.crime.team,
        officer=victim.crime.officer,
    )


def crime_event_add(*, crime: Crime, data: EventIn, actor: str) -> CrimeEvent:
    """Record what happened on a crime; a suspect decision starts a Right 6 clock for each
    victim, and telling a victim meets the clocks running for them."""
    victims = list(crime.victims.all())
    if data.victim_id is not None:
        victims = [v for v in victims if v.pk == data.victim_id]
        if not victims:
            raise IntakeError("victim_id", "not a victim of this crime")
    with transaction.atomic():
        event = CrimeEvent.objects.create(
            force=crime.force,
            crime=crime,
            kind=data.kind,
            at=data.at,
            victim=victims[0] if data.victim_id is not None else None,
            outcome_code=data.outcome_code,
            how=data.how,
            said=data.said,
            actor=actor,
        )
        if data.kind in SUSPECT_DECISIONS:
            for victim in victims:
                days = (
                    DECISION_WORKING_DAYS_ENHANCED if victim.enhanced_rights
                    else DECISION_WORKING_DAYS
                )  # fmt: skip
                Duty.objects.create(
                    force=crime.force,
                    victim=victim,
                    right=Duty.Right.SUSPECT_DECISION,
                    what=f"Tell the victim: {event.get_kind_display().lower()}",
                    starts_at=data.at,
                    due_at=add_working_days(data.at, days),
                    enhanced=victim.enhanced_rights,
                    event=event,
                    team=crime.team,
                    officer=crime.officer,
                )
        if data.kind == "victim_updated":
            closed = crime.events.filter(kind=CrimeEvent.Kind.OUTCOME_RECORDED).exists()
            for victim in victims:
                met = Duty.objects.filter(
                    victim=victim,
                    met_at=None,
                    right__in=[Duty.Right.SUSPECT_DECISION, Duty.Right.UPDATE],
                    starts_at__lte=data.at,
                ).update(met_at=data.at)
                if met and not closed:
                    _update_duty(victim, data.at)
        audit_record(
            force=crime.force, action="update", obj=crime, actor=actor,
            summary=f"event {data.kind}",
        )  # fmt: skip
    return event


def needs_assessment_record(
    *, victim: Victim, data: AssessmentIn, user: User | None, actor: str = ""
) -> NeedsAssessment:
    """A (re-)assessment: Enhanced Rights confirmed by a person, and any new referrals due
    two working days from it."""
    with transaction.atomic():
        assessment = _assessment_store(victim, data)
        victim.enhanced_rights = data.enhanced_rights
        victim.enhanced_confirmed_by = data.asked_by
        victim.enhanced_confirmed_at = data.asked_at
        victim.update_every_days = data.update_every_days
        victim.save(
            update_fields=[
                "enhanced_rights",
                "enhanced_confirmed_by",
                "enhanced_confirmed_at",
                "update_every_days",
            ]
        )
        _refer(victim, _facts(victim.crime, victim), rules_current(victim.force), data.asked_at)
        audit_record(
            force=victim.force, action="update", obj=victim, user=user, actor=actor,
            summary="needs assessment recorded",
        )  # fmt: skip
    return assessment


# --- The referral workflow -------------------------------------------------------------------


def _referral_actioned(referral: Referral, at: dt.datetime) -> None:
    Duty.objects.filter(referral=referral, met_at=None).update(met_at=at)


def referral_accept(*, referral: Referral, user: User, now: dt.datetime) -> None:
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(
            status=Referral.Status.ACCEPTED, accepted_at=now
        )
        _referral_actioned(referral, now)
        audit_record(
            force=referral.force, action="update", obj=referral, user=user, summary="accepted"
        )


def referral_decline(*, referral: Referral, user: User, reason: str, now: dt.datetime) -> None:
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(
            status=Referral.Status.DECLINED, declined_reason=reason, closed_at=now
        )
        _referral_actioned(referral, now)
        audit_record(
            force=referral.force, action="update", obj=referral, user=user, summary="declined"
        )


def referral_activity_add(
    *, referral: Referral, user: User, kind: str, text: str, at: dt.datetime
) -> ReferralActivity:
    with transaction.atomic():
        activity = ReferralActivity.objects.create(
            referral=referral, kind=kind, at=at, by=user.username, text=text
        )
        audit_record(
            force=referral.force,
            action="update",
            obj=referral,
            user=user,
            summary=f"activity {kind}",
        )
    return activity


def referral_close(*, referral: Referral, user: User, outcome: str, now: dt.datetime) -> None:
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(
            status=Referral.Status.CLOSED, outcome=outcome, closed_at=now
        )
        _referral_actioned(referral, now)
        audit_record(
            force=referral.force, action="update", obj=referral, user=user, summary="closed"
        )


# --- Feedback feeds care ---------------------------------------------------------------------


def needs_review_if_needed(*, response: "Response", now: dt.datetime) -> list[NeedsReview]:
    """A needs review for the victim-care team when the respondent asked for support, or when
    a comment holds words that suggest danger or distress. Call it in the response's
    transaction, so the review exists the moment the answer does."""
    made = []
    if response.answers.get("wants_support") == "yes":
        made.append(
            NeedsReview.objects.create(
                force_id=response.force_id,
                contact_id=response.contact_id,
                response=response,
                reason=NeedsReview.Reason.ASKED_FOR_SUPPORT,
                created_at=now,
            )
        )
    texts = " ".join(str(v) for v in response.answers.values() if isinstance(v, str))
    found = distress_phrases(texts)
    if found:
        made.append(
            NeedsReview.objects.create(
                force_id=response.force_id,
                contact_id=response.contact_id,
                response=response,
                reason=NeedsReview.Reason.SAFEGUARDING,
                detail=", ".join(f"“{p}”" for p in found)[:300],
                created_at=now,
            )
        )
    return made


def needs_review_done(*, review: NeedsReview, user: User, note: str, now: dt.datetime) -> None:
    with transaction.atomic():
        NeedsReview.objects.filter(pk=review.pk).update(
            done_at=now, done_by=user.username, note=note
        )
        audit_record(force=review.force, action="update", obj=review, user=user, summary="reviewed")


def victim_data_purge(*, now: dt.datetime, days: int) -> int:
    """Erase the personal details of victims of crimes recorded longer ago than the retention
    period, unless a referral for them is still being worked. Crimes, referrals, clocks and
    their counts stay, so compliance reports and repeat rates do not change. One audit record
    per force."""
    cutoff = now - dt.timedelta(days=days)
    total = 0
    for force in Force.objects.all():
        with transaction.atomic():
            victims = Victim.objects.filter(
                force=force, purged_at=None, crime__recorded_at__lt=cutoff
            ).exclude(referrals__status__in=[Referral.Status.OPEN, Referral.Status.ACCEPTED])
            ids = list(victims.values_list("pk", flat=True))
            if not ids:
                continue
            Victim.objects.filter(pk__in=ids).update(
                name="", date_of_birth=None, phone="", email="", phone_key="", email_key="",
                purged_at=now,
            )  # fmt: skip
            audit_record(
                force=force, action="delete", obj=force, actor="system:retention",
                summary=f"personal details of {len(ids)} victims erased "
                f"(crimes recorded before {cutoff:%Y-%m-%d})",
            )  # fmt: skip
            total += len(ids)
    return total
