"""Crimes in, Victims' Code duties and referrals out, and the referral workflow."""

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bluelamp.audit.services import audit_event, audit_record, audit_records
from bluelamp.audit.versions import version_active, version_save
from bluelamp.care import rules
from bluelamp.care.defaults import DEFAULT_RULE_SET
from bluelamp.care.feedback import distress_phrases
from bluelamp.care.models import (
    CRIME_FLAGS,
    REPEAT_WINDOW,
    SUSPECT_DECISIONS,
    Crime,
    CrimeEvent,
    Decision,
    Duty,
    NeedsAssessment,
    NeedsReview,
    Referral,
    ReferralActivity,
    RuleSetVersion,
    Victim,
)
from bluelamp.care.schemas import CONSENT_PURPOSES, AssessmentIn, CrimeIn, EventIn, VictimIn
from bluelamp.forces.models import Force, StaffMember, Team, User
from bluelamp.intake.models import Contact
from bluelamp.intake.services import IntakeError, contact_flags_add
from bluelamp.lib.contact import age_on, normalise_email, person_key
from bluelamp.lib.workdays import add_working_days
from bluelamp.outcomes.services import OutcomeUnknown, outcome_get
from bluelamp.surveys.models import IncidentType
from bluelamp.surveys.services import invitation_schedule

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from bluelamp.surveys.models import Response

HOME_OFFENCES = frozenset({"burglary_residential"})
# A victim at risk from someone who may see their post, texts or email: Right 3's written
# confirmation goes by one of these, or not at all.
RISK_FLAGS = frozenset({"domestic_abuse", "honour_based_abuse"})
SAFE_CHANNELS = ("in_person", "visit", "safe_contact")
PARTNERS = "share_with_partners"
# Who hears of each crime pushed, with the actor, in the crime's own transaction: the basics
# checklist of ``investigations`` (above care, so ``flows.wiring`` adds it).
CRIME_LISTENERS: list[Callable[[Crime, str], None]] = []
# Who hears of each event recorded on a crime, in its transaction: the outcome counts of
# ``investigations`` (``flows.wiring`` adds them).
EVENT_LISTENERS: list[Callable[[CrimeEvent, str], None]] = []
# The survey after an outcome: the contact rules decide whether, when and how.
OUTCOME_STAGE = "outcome"


@dataclass(frozen=True)
class CurrentRules:
    rule_set: rules.RuleSet
    version: int  # 0: the shipped defaults


def rules_current(force: Force) -> CurrentRules:
    """The force's active rule set, else the shipped defaults (version 0)."""
    found = version_active(RuleSetVersion, force=force)
    if found is None:
        return CurrentRules(rules.parse_rule_set(DEFAULT_RULE_SET), 0)
    return CurrentRules(rules.parse_rule_set(found.definition), found.version)


def rule_set_check(definition: Any) -> rules.RuleSet:
    """Parse a rule set and refuse any offence or flag it names that is not known, naming
    each; ValueError with one problem per line."""
    rule_set = rules.parse_rule_set(definition)
    offences = set(IncidentType.objects.values_list("code", flat=True))
    problems = [
        f'{where}: unknown offence "{code}"'
        for where, code in rules.named_codes(rule_set, "offence")
        if code not in offences
    ] + [
        f'{where}: unknown flag "{code}" (known: {", ".join(sorted(CRIME_FLAGS))})'
        for where, code in rules.named_codes(rule_set, "flags")
        if code not in CRIME_FLAGS
    ]
    if problems:
        raise ValueError("\n".join(problems))
    return rule_set


def rule_set_save(*, force: Force, definition: Any, user: User | None) -> RuleSetVersion:
    """A new version of the force's rules (checked first); the older ones stay for the record."""
    rule_set_check(definition)
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
    """An earlier victim record of the same person (matched by keyed hashes only), and whether
    the same home was hit before, both within 12 months before this crime. Shops and other
    shared addresses never count: the next victim there is someone else."""
    window = Victim.objects.filter(
        force=force,
        crime__recorded_at__gte=crime.recorded_at - REPEAT_WINDOW,
        crime__recorded_at__lt=crime.recorded_at,
    ).exclude(crime=crime)
    same_person = Q(pk__in=[])
    for key in ("phone_key", "email_key", "name_key"):
        if getattr(victim, key):
            same_person |= Q(**{key: getattr(victim, key)})
    person = window.filter(same_person).order_by("-crime__recorded_at").first()
    # A residential burglary is recorded at a home (premises "home"), so premises says it all.
    home = (
        bool(crime.address_key)
        and crime.premises == "home"
        and window.filter(crime__address_key=crime.address_key, crime__premises="home").exists()
    )
    return person, home


def _facts(crime: Crime, victim: Victim) -> dict[str, Any]:
    return {
        "offence": crime.offence_id,
        "attempt": crime.attempt,
        "flags": list(crime.flags),
        "hate_strands": list(crime.hate_strands),
        "premises": crime.premises or None,
        "age": victim.age,
        "indicators": list(victim.indicators),
        "modus_operandi": list(crime.modus_operandi),
        "financial_loss": float(crime.financial_loss) if crime.financial_loss is not None else None,
        "consent": {p: victim.consent_given(p) for p in CONSENT_PURPOSES},
        # Rules act on the Code's judgement only once a person made it.
        "persistently_targeted": victim.persistently_targeted == Decision.CONFIRMED,
        "repeat_victim": victim.repeat_victim,
    }


def _enhanced_grounds(current: CurrentRules, crime: Crime, victim: Victim) -> list[list[str]]:
    facts = _facts(crime, victim)
    # A proposed "persistently targeted" proposes Enhanced Rights too, until a person decides.
    facts["persistently_targeted"] = victim.persistently_targeted in (
        Decision.PROPOSED,
        Decision.CONFIRMED,
    )
    return [list(r) for r in rules.enhanced_rights(current.rule_set, facts)]


def crime_ingest(*, force: Force, data: CrimeIn, actor: str) -> CrimeIngested:
    """Record a crime and its victims; flag repeats, propose Enhanced Rights, refer (holding
    partner referrals for consent) and start the Victims' Code clocks, all in one transaction.
    Idempotent on the force's reference."""
    existing = Crime.objects.filter(force=force, reference=data.reference).first()
    if existing is not None:
        return CrimeIngested(existing, created=False)
    try:
        with transaction.atomic():
            crime = _crime_create(force=force, data=data, actor=actor)
    except IntegrityError:
        existing = Crime.objects.filter(force=force, reference=data.reference).first()
        if existing is None:
            raise
        return CrimeIngested(existing, created=False)
    return CrimeIngested(crime, created=True)


def _crime_create(*, force: Force, data: CrimeIn, actor: str) -> Crime:
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
    reported_at = data.reported_at or (contact.received_at if contact else data.recorded_at)
    reported_at = min(reported_at, data.recorded_at)
    postcode = data.location.postcode
    premises = data.location.premises or ("home" if data.offence in HOME_OFFENCES else "")
    crime = Crime.objects.create(
        force=force,
        reference=data.reference,
        offence_id=data.offence,
        attempt=data.attempt,
        flags=data.flags,
        hate_strands=data.hate_strands,
        reported_at=reported_at,
        recorded_at=data.recorded_at,
        occurred_at=data.occurred_at,
        latitude=data.location.latitude,
        longitude=data.location.longitude,
        postcode=postcode,
        address_key=data.location.address_key,
        area=postcode.split(" ")[0] if " " in postcode else "",
        premises=premises,
        contact=contact,
        officer=officer,
        team=team,
        modus_operandi=data.modus_operandi,
        financial_loss=data.financial_loss,
    )
    current = rules_current(force)
    day = timezone.localtime(crime.recorded_at).date()
    victims = [
        _victim_create(crime=crime, data=v, age=_age(v, day), current=current, actor=actor)
        for v in data.victims
    ]
    if contact is not None:
        _contact_flags(crime, contact, victims, actor)
    for listener in CRIME_LISTENERS:
        listener(crime, actor)
    return crime


def _contact_flags(crime: Crime, contact: Contact, victims: list[Victim], actor: str) -> None:
    """The crime's flags (and a victim's "do not contact") reach the contact, so the contact
    rules never survey it."""
    flags = list(crime.flags)
    if any(v.consent_given("contact_by_force") is False for v in victims):
        flags.append("do_not_contact")
    if flags:
        contact_flags_add(contact=contact, flags=flags, now=timezone.now(), actor=actor)


def _victim_create(
    *, crime: Crime, data: VictimIn, age: int | None, current: CurrentRules, actor: str
) -> Victim:
    force = crime.force
    email = normalise_email(data.email) if data.email else ""
    name_key = ""
    if data.name and data.date_of_birth:
        name = " ".join(data.name.lower().split())
        name_key = person_key(settings.PERSON_KEY_SECRET, f"{name}|{data.date_of_birth}")
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
        name_key=name_key,
        indicators=sorted(set(data.indicators)),
        consent=data.consent.stored(),
    )
    earlier, home_hit = _earlier(force, crime, victim)
    victim.repeat_victim = earlier is not None or home_hit
    victim.repeat_of = earlier
    victim.persistently_targeted = Decision.PROPOSED if earlier is not None else ""
    victim.enhanced_reasons = _enhanced_grounds(current, crime, victim)
    victim.enhanced_rights = Decision.PROPOSED if victim.enhanced_reasons else ""
    assessment = data.needs_assessment
    if assessment is not None:
        victim.enhanced_rights = (
            Decision.CONFIRMED if assessment.enhanced_rights else Decision.DECLINED
        )
        victim.enhanced_confirmed_by = assessment.asked_by
        victim.enhanced_confirmed_at = assessment.asked_at
        victim.update_every_days = assessment.update_every_days
    victim.save()
    audit_record(
        force=force, action="create", obj=victim, actor=actor,
        summary=f"victim of crime {crime.pk} taken in",
    )  # fmt: skip
    update_from = crime.recorded_at
    if assessment is not None:
        _assessment_store(victim, assessment)
        update_from = assessment.asked_at
    clocks = current.rule_set.clocks
    _duty(
        victim, Duty.Right.WRITTEN_CONFIRMATION, "Confirm the report in writing (safe channel)",
        crime.reported_at, clocks.written_confirmation,
    )  # fmt: skip
    _refer(victim, _facts(crime, victim), current)
    _update_duty(victim, update_from)
    return victim


def _duty(
    victim: Victim,
    right: str,
    what: str,
    start: dt.datetime,
    clock: rules.Clock,
    event: CrimeEvent | None = None,
    referral: Referral | None = None,
) -> Duty:
    return Duty.objects.create(
        force=victim.force,
        victim=victim,
        right=right,
        what=what[:200],
        starts_at=start,
        due_at=add_working_days(start, clock.limit(victim.enhanced)),
        enhanced=victim.enhanced,
        event=event,
        referral=referral,
        team=victim.crime.team,
        officer=victim.crime.officer,
    )


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


NOT_SHARED = "Not shared: the victim said no to sharing their details with partners"


def _gate(
    victim: Victim, facts: dict[str, Any], decision: rules.Decision, rule_set: rules.RuleSet
) -> tuple[str, str, str]:
    """Whether a referral may go: (status, lawful basis, words). A partner outside the force
    gets a victim's details only with their agreement, or unless they object where the Code
    allows it; otherwise it waits for consent or for a person to record another basis."""
    if not decision.partner:
        return Referral.Status.OPEN, Referral.Basis.INTERNAL, ""
    given = victim.consent_given(PARTNERS)
    if given is True:
        return Referral.Status.OPEN, Referral.Basis.CONSENT, ""
    if given is False:
        return Referral.Status.CLOSED, "", NOT_SHARED
    explicit = rules.explicit_consent_needed(rule_set, facts)
    if decision.consent == "unless_objected" and explicit is None:
        return Referral.Status.OPEN, Referral.Basis.UNLESS_OBJECTED, ""
    return (
        Referral.Status.AWAITING_CONSENT,
        "",
        f"Waiting for the victim's agreement: {explicit or 'this service is outside the force'}",
    )


def _refer(victim: Victim, facts: dict[str, Any], current: CurrentRules) -> list[Referral]:
    """A referral for each service whose rule matches and that has none yet for the victim,
    due 2 working days (the force's Right 4 limit) from the report."""
    made = []
    already = set(victim.referrals.values_list("service", flat=True))
    now = timezone.now()
    clock = current.rule_set.clocks.referral
    start = victim.crime.reported_at
    for decision in rules.evaluate(current.rule_set, facts):
        if decision.service in already:
            continue
        status, basis, words = _gate(victim, facts, decision, current.rule_set)
        closed = status == Referral.Status.CLOSED
        referral = Referral.objects.create(
            force=victim.force,
            victim=victim,
            service=decision.service,
            rule_id=decision.rule_id,
            rule_version=current.version,
            reason=decision.reason,
            partner=decision.partner,
            status=status,
            basis=basis,
            basis_reason=words if not closed else "",
            outcome=words if closed else "",
            closed_at=now if closed else None,
            due_at=add_working_days(start, clock.limit(False)),
            created_at=now,
        )
        audit_record(
            force=victim.force, action="create", obj=referral, actor="system:referral-rules",
            summary=f"victim {victim.pk} referred to {decision.service} ({decision.rule_id}), "
            f"{status}",
        )  # fmt: skip
        _duty(
            victim, Duty.Right.REFERRAL, f"Referral to {decision.service.replace('_', ' ')}",
            start, clock, referral=referral,
        )  # fmt: skip
        if closed:
            # Offered and refused: the victim's choice meets the duty.
            _referral_actioned(referral, now)
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
        enhanced=victim.enhanced,
        team=victim.crime.team,
        officer=victim.crime.officer,
    )


def _relimit(victim: Victim, current: CurrentRules) -> None:
    """Open event clocks follow the victim's Enhanced Rights as they now stand."""
    clocks = current.rule_set.clocks
    for duty in Duty.objects.filter(victim=victim, met_at=None).exclude(
        right__in=[Duty.Right.UPDATE, Duty.Right.REFERRAL]
    ):
        clock = getattr(clocks, duty.right)
        due = add_working_days(duty.starts_at, clock.limit(victim.enhanced))
        if (due, victim.enhanced) != (duty.due_at, duty.enhanced):
            Duty.objects.filter(pk=duty.pk).update(due_at=due, enhanced=victim.enhanced)


_TELL = "Tell the victim: {}"
# Events that meet duties by themselves (a victim update meets those of the events it names).
MEETS: dict[str, list[str]] = {
    CrimeEvent.Kind.REPORT_CONFIRMED: [Duty.Right.WRITTEN_CONFIRMATION],
    CrimeEvent.Kind.VPS_OFFERED: [Duty.Right.VPS_OFFER],
    CrimeEvent.Kind.REVIEW_ACKNOWLEDGED: [Duty.Right.REVIEW_ACKNOWLEDGE],
    CrimeEvent.Kind.REVIEW_DECIDED: [Duty.Right.REVIEW_ACKNOWLEDGE, Duty.Right.REVIEW_DECIDE],
    CrimeEvent.Kind.COMPLAINT_ANSWERED: [Duty.Right.COMPLAINT],
}


def crime_event_add(*, crime: Crime, data: EventIn, actor: str) -> CrimeEvent:
    """Record what happened on a crime and run the Code's clocks: a suspect decision starts
    a Right 6 clock for each victim, a charge a Right 7 offer, an outcome a Right 9 clock, a
    review request its 10 and 30 working-day clocks, a complaint its answer; telling a victim
    meets only the clocks of the events the update names (and the regular update)."""
    victims = list(crime.victims.all())
    if data.victim_id is not None:
        victims = [v for v in victims if v.pk == data.victim_id]
        if not victims:
            raise IntakeError("victim_id", "not a victim of this crime")
    reported = list(crime.events.filter(pk__in=data.reports))
    if len(reported) != len(set(data.reports)):
        missing = sorted(set(data.reports) - {e.pk for e in reported})
        raise IntakeError("reports", f"not events of this crime: {missing}")
    kind: str = data.kind
    K = CrimeEvent.Kind
    risky = bool(RISK_FLAGS & set(crime.flags))
    if (
        kind == K.REPORT_CONFIRMED
        and data.how not in SAFE_CHANNELS
        and any(risky or "suspect_may_share_phone" in v.indicators for v in victims)
    ):
        raise IntakeError(
            "how",
            "the victim may be at risk from someone who sees their post, texts or email: "
            "confirm in person, on a visit or by the safe contact they gave (in_person, "
            "visit, safe_contact)",
        )
    outcome_name = ""
    if kind == K.OUTCOME_RECORDED:
        try:
            outcome_name = outcome_get(code=data.outcome_code).name
        except OutcomeUnknown as e:
            raise IntakeError("outcome_code", str(e)) from None
    current = rules_current(crime.force)
    clocks = current.rule_set.clocks
    earlier = list(crime.events.filter(at__lte=data.at))
    review_of: CrimeEvent | None = None
    if kind == K.REVIEW_REQUESTED:
        review_of = next((e for e in reversed(earlier) if e.review_eligible), None)
        if review_of is None:
            raise IntakeError(
                "kind",
                "no decision on this crime is open to review: the Victims' Right to Review "
                "follows no further action after a suspect was interviewed under caution (not "
                "an out-of-court disposal)",
            )
    with transaction.atomic():
        event = CrimeEvent.objects.create(
            force=crime.force,
            crime=crime,
            kind=kind,
            at=data.at,
            victim=victims[0] if data.victim_id is not None else None,
            outcome_code=data.outcome_code,
            how=data.how,
            said=data.said,
            actor=actor,
            review_eligible=kind == K.NO_FURTHER_ACTION
            and any(e.kind == K.SUSPECT_INTERVIEWED for e in earlier),
        )
        if reported:
            event.reports.set(reported)
        label = event.get_kind_display().lower()
        for victim in victims:
            if kind in SUSPECT_DECISIONS:
                what = _TELL.format(label)
                if event.review_eligible:
                    what += ", and of their right to ask for a review"
                _duty(victim, Duty.Right.SUSPECT_DECISION, what, data.at, clocks.suspect_decision,
                      event=event)  # fmt: skip
            if (
                kind == K.CHARGED
                and not crime.events.filter(
                    Q(victim=victim) | Q(victim=None), kind=K.VPS_OFFERED
                ).exists()
            ):
                _duty(victim, Duty.Right.VPS_OFFER, "Offer a victim personal statement",
                      data.at, clocks.vps_offer, event=event)  # fmt: skip
            if kind == K.OUTCOME_RECORDED:
                outcome = f"Home Office outcome {data.outcome_code}: {outcome_name}"
                _duty(victim, Duty.Right.OUTCOME, _TELL.format(f"the outcome ({outcome})"),
                      data.at, clocks.outcome, event=event)  # fmt: skip
            if kind == K.REVIEW_REQUESTED:
                assert review_of is not None
                late = ""
                window = _months_after(review_of.at, clocks.review_request_months)
                if data.at > window:
                    late = f" (asked after {clocks.review_request_months} months)"
                _duty(victim, Duty.Right.REVIEW_ACKNOWLEDGE,
                      f"Acknowledge the review request{late}", data.at,
                      clocks.review_acknowledge, event=event)  # fmt: skip
                _duty(victim, Duty.Right.REVIEW_DECIDE, f"Decide the review{late}",
                      data.at, clocks.review_decide, event=event)  # fmt: skip
            if kind == K.COMPLAINT_RECEIVED:
                _duty(victim, Duty.Right.COMPLAINT, "Answer the complaint about rights not met",
                      data.at, clocks.complaint, event=event)  # fmt: skip
        meets = MEETS.get(kind)
        if meets:
            Duty.objects.filter(
                victim__in=victims, met_at=None, right__in=meets, starts_at__lte=data.at
            ).update(met_at=data.at, met_by=event)
        if kind == K.VICTIM_UPDATED:
            closed = crime.events.filter(kind=K.OUTCOME_RECORDED, at__lte=data.at).exists()
            for victim in victims:
                Duty.objects.filter(
                    victim=victim, met_at=None, event__in=reported,
                    right__in=[Duty.Right.SUSPECT_DECISION, Duty.Right.OUTCOME],
                ).update(met_at=data.at, met_by=event)  # fmt: skip
                met = Duty.objects.filter(
                    victim=victim, met_at=None, right=Duty.Right.UPDATE, starts_at__lte=data.at
                ).update(met_at=data.at, met_by=event)
                if met and not closed:
                    _update_duty(victim, data.at)
        if kind == K.OUTCOME_RECORDED and crime.contact_id is not None:
            _outcome_survey(crime, data.at)
        for listener in EVENT_LISTENERS:
            listener(event, actor)
        audit_record(
            force=crime.force, action="update", obj=crime, actor=actor,
            summary=f"event {kind}",
        )  # fmt: skip
    return event


def _outcome_survey(crime: Crime, at: dt.datetime) -> None:
    """Ask the linked contact's person about the outcome: the invitation for stage
    ``outcome``, decided by the force's contact rules like every other (a sensitive offence
    or flag, such as the domestic abuse flag the crime gave its contact, is excluded with
    its reason). Once per contact: a later outcome finds the stage decided."""
    assert crime.contact is not None
    invitation_schedule(contact=crime.contact, stage=OUTCOME_STAGE, now=timezone.now(), event_at=at)


def _months_after(at: dt.datetime, months: int) -> dt.datetime:
    local = timezone.localtime(at)
    month = local.month - 1 + months
    year, month = local.year + month // 12, month % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def needs_assessment_record(
    *, victim: Victim, data: AssessmentIn, user: User | None, actor: str = ""
) -> NeedsAssessment:
    """A (re-)assessment: Enhanced Rights confirmed or declined by a person, and any new
    referrals due two working days from the report."""
    with transaction.atomic():
        assessment = _assessment_store(victim, data)
        victim.enhanced_rights = Decision.CONFIRMED if data.enhanced_rights else Decision.DECLINED
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
        current = rules_current(victim.force)
        _relimit(victim, current)
        _refer(victim, _facts(victim.crime, victim), current)
        audit_record(
            force=victim.force, action="update", obj=victim, user=user, actor=actor,
            summary="needs assessment recorded",
        )  # fmt: skip
    return assessment


def victim_enhanced_decide(
    *, victim: Victim, confirmed: bool, user: User | None, actor: str = "", now: dt.datetime
) -> None:
    """A person confirms or declines the Enhanced Rights the rules proposed; open clocks
    follow (1 working day while proposed or confirmed, the standard limit once declined)."""
    with transaction.atomic():
        victim.enhanced_rights = Decision.CONFIRMED if confirmed else Decision.DECLINED
        victim.enhanced_confirmed_by = user.username if user else actor
        victim.enhanced_confirmed_at = now
        victim.save(
            update_fields=["enhanced_rights", "enhanced_confirmed_by", "enhanced_confirmed_at"]
        )
        _relimit(victim, rules_current(victim.force))
        audit_record(
            force=victim.force, action="update", obj=victim, user=user, actor=actor,
            summary=f"Enhanced Rights {victim.enhanced_rights}",
        )  # fmt: skip


def victim_persistent_decide(
    *, victim: Victim, confirmed: bool, user: User | None, actor: str = "", now: dt.datetime
) -> None:
    """A person makes the Code's "persistently targeted" judgement. Until then it only
    proposes Enhanced Rights; confirmed, referral rules may act on it."""
    with transaction.atomic():
        victim.persistently_targeted = Decision.CONFIRMED if confirmed else Decision.DECLINED
        victim.persistent_decided_by = user.username if user else actor
        victim.persistent_decided_at = now
        current = rules_current(victim.force)
        victim.enhanced_reasons = _enhanced_grounds(current, victim.crime, victim)
        if victim.enhanced_rights in ("", Decision.PROPOSED):
            victim.enhanced_rights = Decision.PROPOSED if victim.enhanced_reasons else ""
        victim.save(
            update_fields=[
                "persistently_targeted", "persistent_decided_by", "persistent_decided_at",
                "enhanced_reasons", "enhanced_rights",
            ]
        )  # fmt: skip
        _relimit(victim, current)
        _refer(victim, _facts(victim.crime, victim), current)
        audit_record(
            force=victim.force, action="update", obj=victim, user=user, actor=actor,
            summary=f"persistently targeted {victim.persistently_targeted}",
        )  # fmt: skip


def victim_consent_record(
    *,
    victim: Victim,
    purpose: str,
    given: bool,
    how: str,
    user: User | None,
    actor: str = "",
    now: dt.datetime,
) -> list[Referral]:
    """Record the victim's answer for a purpose. For sharing with partners, referrals held
    for consent open (yes) or close with the reason (no), and a "no" stops any referral not
    yet sent; for contact by the force, a "no" stops surveys. Returns the referrals changed."""
    if purpose not in CONSENT_PURPOSES:
        raise IntakeError("purpose", f"unknown consent purpose {purpose!r}")
    changed: list[Referral] = []
    with transaction.atomic():
        victim.consent = {
            **victim.consent,
            purpose: {"given": given, "asked_at": now.isoformat(), "how": how,
                      "by": user.username if user else actor},
        }  # fmt: skip
        victim.save(update_fields=["consent"])
        if purpose == PARTNERS:
            waiting = victim.referrals.filter(partner=True, sent_at=None).filter(
                Q(status=Referral.Status.AWAITING_CONSENT)
                | Q(
                    status=Referral.Status.OPEN,
                    basis__in=[Referral.Basis.UNLESS_OBJECTED, Referral.Basis.CONSENT],
                )
            )
            changed = list(waiting)
            for referral in changed:
                if given:
                    referral.status, referral.basis = Referral.Status.OPEN, Referral.Basis.CONSENT
                    referral.basis_reason = ""
                else:
                    referral.status, referral.outcome = Referral.Status.CLOSED, NOT_SHARED
                    referral.closed_at = now
                    referral.basis = ""
                    _referral_actioned(referral, now)
                referral.save(
                    update_fields=["status", "basis", "basis_reason", "outcome", "closed_at"]
                )
        elif purpose == "contact_by_force" and not given and victim.crime.contact_id:
            contact = victim.crime.contact
            assert contact is not None
            contact_flags_add(contact=contact, flags=["do_not_contact"], now=now,
                              actor=user.username if user else actor)  # fmt: skip
        audit_record(
            force=victim.force, action="update", obj=victim, user=user, actor=actor,
            summary=f"consent {purpose}: {'yes' if given else 'no'}; "
            f"{len(changed)} referral(s) changed",
        )  # fmt: skip
    return changed


LAWFUL_BASES = (
    Referral.Basis.SAFEGUARDING,
    Referral.Basis.LEGAL_OBLIGATION,
    Referral.Basis.VITAL_INTERESTS,
)


def referral_basis_record(
    *, referral: Referral, basis: str, reason: str, user: User, now: dt.datetime
) -> None:
    """A person records a lawful basis other than consent (a safeguarding duty, say), with
    the reason, for a referral waiting for consent; it may then be sent."""
    if basis not in LAWFUL_BASES:
        raise IntakeError("basis", "choose safeguarding, legal_obligation or vital_interests")
    if not reason.strip():
        raise IntakeError("reason", "say why this basis applies")
    if referral.status != Referral.Status.AWAITING_CONSENT:
        raise IntakeError("referral", "only a referral waiting for consent takes another basis")
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(
            status=Referral.Status.OPEN, basis=basis, basis_reason=reason.strip()[:2000],
            basis_by=user.username,
        )  # fmt: skip
        audit_record(
            force=referral.force, action="update", obj=referral, user=user,
            summary=f"lawful basis recorded: {basis}",
        )  # fmt: skip


def duty_missed_reason_record(*, duty: Duty, reason: str, user: User) -> None:
    """Why a duty was not met in time, for the commissioner's return."""
    if not reason.strip():
        raise IntakeError("reason", "say why the duty was missed")
    with transaction.atomic():
        Duty.objects.filter(pk=duty.pk).update(
            missed_reason=reason.strip()[:2000], missed_reason_by=user.username
        )
        audit_record(
            force=duty.force, action="update", obj=duty.victim, user=user,
            summary=f"reason recorded for missed duty {duty.pk}",
        )  # fmt: skip


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


RECEIVED = (Referral.Status.OPEN, Referral.Status.SENT)
REFERRAL_WORK = ("accept", "decline", "activity", "close")
CANNOT_NOW = "That cannot be done to this referral now."


def referral_work(
    *, referral: Referral, user: User, action: str, text: str, kind: str, now: dt.datetime
) -> None:
    """The team's work on a referral, each step allowed only where it makes sense: accept or
    decline one received (a decline says why), record an activity (what was done, in words)
    unless it is closed, close one accepted with its outcome. IntakeError names the field at
    fault, or ``action`` with ``CANNOT_NOW`` when the step cannot be taken in the referral's
    state."""
    if action == "accept" and referral.status in RECEIVED:
        referral_accept(referral=referral, user=user, now=now)
    elif action == "decline" and referral.status in RECEIVED:
        if not text:
            raise IntakeError("text", "say why the referral is declined")
        referral_decline(referral=referral, user=user, reason=text, now=now)
    elif action == "activity" and referral.status != Referral.Status.CLOSED:
        if kind not in ReferralActivity.Kind.values:
            raise IntakeError("kind", "choose what was done")
        if not text:
            raise IntakeError("text", "say what was done: who, when and what came of it")
        referral_activity_add(referral=referral, user=user, kind=kind, text=text, at=now)
    elif action == "close" and referral.status == Referral.Status.ACCEPTED:
        if not text:
            raise IntakeError("text", "record the outcome")
        referral_close(referral=referral, user=user, outcome=text, now=now)
    else:
        raise IntakeError("action", CANNOT_NOW)


# --- Sending referrals to a partner ----------------------------------------------------------

PARTNER_FILE_HEADER = [
    "referral", "crime_reference", "offence", "recorded", "name", "phone", "email", "language",
    "reason", "basis", "due",
]  # fmt: skip
MAX_SEND = 5000


def partner_file_row(referral: Referral) -> list[object]:
    """One line of the file a partner receives (load ``victim__crime__offence`` with it)."""
    victim = referral.victim
    crime = victim.crime
    return [
        referral.pk, crime.reference, crime.offence.name,
        f"{timezone.localtime(crime.recorded_at):%Y-%m-%d}", victim.name, victim.phone,
        victim.email, victim.language, referral.reason, referral.basis,
        f"{timezone.localtime(referral.due_at):%Y-%m-%d %H:%M}",
    ]  # fmt: skip


class ReferralSendRefused(Exception):
    """Referrals that may not be sent, each with why; none of those asked for was sent."""

    def __init__(self, message: str, problems: dict[int, str] | None = None) -> None:
        self.message = message
        self.problems = problems or {}
        words = "; ".join(f"referral {pk}: {why}" for pk, why in self.problems.items())
        super().__init__(f"{message}: {words}" if words else message)


def referral_send_problem(referral: Referral | None, service: str) -> str:
    """Why a referral may not go to partner ``service`` now; "" when it may. Only an open
    referral to a service outside the force goes: one awaiting consent must not (the victim
    has not agreed), nor a closed one (the victim may have said no), nor one sent already."""
    if referral is None:
        return "no such referral"
    if referral.service != service:
        return f"it is to {referral.service}, not {service}"
    if not referral.partner:
        return "the service is within the force; nothing is sent as a file"
    if referral.status == Referral.Status.SENT:
        at = f" {timezone.localtime(referral.sent_at):%Y-%m-%d %H:%M}" if referral.sent_at else ""
        return f"already sent{at} by {referral.sent_by or 'someone'}"
    if referral.status == Referral.Status.AWAITING_CONSENT:
        return "waiting for the victim's agreement or another lawful basis"
    if referral.status != Referral.Status.OPEN:
        return f"it is {referral.get_status_display().lower()}, not open"
    return ""


@dataclass(frozen=True)
class ReferralsSent:
    service: str
    sent_at: dt.datetime
    sent_by: str
    referrals: list[Referral]
    header: list[str]
    rows: list[list[object]]


def referral_send(
    *,
    referrals: "QuerySet[Referral]",
    ids: Sequence[int],
    service: str,
    user: User | None,
    actor: str = "",
    now: dt.datetime,
) -> ReferralsSent:
    """Send the referrals a person chose to partner ``service``: the file the partner
    receives, each referral marked sent (when, by whom), its Right 4 duty met, and one audit
    record of the export. ``referrals`` are those the caller may see. If any id chosen is not
    among them, or may not be sent (``referral_send_problem``), nothing is sent and each is
    named. Downloading a list sends nothing: only this marks a referral sent."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise ReferralSendRefused("choose at least one referral to send")
    if len(wanted) > MAX_SEND:
        raise ReferralSendRefused(f"at most {MAX_SEND} referrals at a time")
    by = user.username if user is not None else actor
    with transaction.atomic():
        found = {
            r.pk: r
            for r in referrals.select_for_update(of=("self",))
            .filter(pk__in=wanted)
            .select_related("victim__crime__offence", "force")
        }
        problems = {
            pk: why for pk in wanted if (why := referral_send_problem(found.get(pk), service))
        }
        if problems:
            raise ReferralSendRefused("these referrals cannot be sent", problems)
        chosen = sorted(found.values(), key=lambda r: (r.due_at, r.pk))
        force = chosen[0].force
        assert all(r.force_id == force.pk for r in chosen)
        marked = Referral.objects.filter(pk__in=wanted, status=Referral.Status.OPEN).update(
            status=Referral.Status.SENT, sent_at=now, sent_by=by[:150]
        )
        if marked != len(wanted):
            # Sent by someone else between the check and now: refuse the lot.
            raise ReferralSendRefused("some of these referrals were sent meanwhile; look again")
        Duty.objects.filter(referral_id__in=wanted, met_at=None).update(met_at=now)
        audit_record(
            force=force, action="export", obj=force, user=user, actor=actor,
            summary=f"{len(chosen)} referral{'s' if len(chosen) != 1 else ''} sent to "
            f"{service}: " + ", ".join(str(r.pk) for r in chosen),
        )  # fmt: skip
    for r in chosen:
        r.status, r.sent_at, r.sent_by = Referral.Status.SENT, now, by[:150]
    return ReferralsSent(
        service=service,
        sent_at=now,
        sent_by=by[:150],
        referrals=chosen,
        header=PARTNER_FILE_HEADER,
        rows=[partner_file_row(r) for r in chosen],
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


def needs_reviews_view_record(*, reviews: Sequence[NeedsReview], user: User) -> None:
    """An open review shows the respondent's name and phone for the call: each one shown is
    a view of their personal data, audited in one transaction. A review done is not."""
    with transaction.atomic():
        for review in reviews:
            if review.done_at is None:
                audit_record(
                    force=review.force, action="view", obj=review.contact.person, user=user,
                    summary=f"needs review {review.pk}",
                )  # fmt: skip


def victims_view_record(
    *, force: Force, victims: Sequence[Victim], user: User, summary: str
) -> None:
    """Each victim a list shows by name is a view of their personal data: audited in one
    transaction, the list's filter in the summary."""
    with transaction.atomic():
        audit_records(
            events=[
                audit_event(force=force, action="view", obj=v, user=user, summary=summary)
                for v in victims
            ]
        )
