"""Erasure past retention: a victim's record keeps what the statistics need, and nothing that
identifies them or says anything about their health or home.

Retention is ``PERSONAL_DATA_RETENTION_DAYS`` (365 by default; the command's ``--days``),
counted from when the crime was recorded. A force's ``contact_details_retention_days`` (90
by default) is a shorter clock for callers' phone numbers and emails only, run by the
worker's housekeeping (``intake.services.contact_details_purge``); nothing here uses it.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat

from bluelamp.audit.services import audit_counts
from bluelamp.care.models import (
    Crime,
    CrimeEvent,
    Duty,
    NeedsAssessment,
    NeedsReview,
    Referral,
    ReferralActivity,
    Victim,
)
from bluelamp.care.services import NOT_SHARED
from bluelamp.forces.models import Force
from bluelamp.intake.selectors import people_past_retention
from bluelamp.lib.erasure import Tally

# Referrals still being worked keep their victim's details (and the crime's place).
WORKED = [
    Referral.Status.AWAITING_CONSENT,
    Referral.Status.OPEN,
    Referral.Status.SENT,
    Referral.Status.ACCEPTED,
]
ERASED_REASON = "Erased after retention: rule "
# A missed duty's reason is free text and may name people; its words go, the count stays
# (the commissioner's return shows such duties under this reason).
ERASED_MISSED_REASON = "(reason erased after retention)"


def _erase(
    tally: Tally,
    force: Force,
    kind: str,
    rows: QuerySet[Any],
    empty: Q,
    values: dict[str, Any],
    check: bool,
) -> None:
    todo = rows.exclude(empty)
    tally.add(force.slug, kind, todo.count())
    if not check:
        todo.update(**values)


def _reasons_neutral(victims: QuerySet[Victim], check: bool) -> int:
    """Enhanced Rights grounds keep their codes (counts-level, like flags); their words,
    which name indicators ("vulnerable (dementia)") and ages, become the code's own."""
    changed = []
    for victim in victims.exclude(enhanced_reasons=[]).only("enhanced_reasons"):
        neutral = [[code, str(code).replace("_", " ")] for code, *_ in victim.enhanced_reasons]
        if neutral != victim.enhanced_reasons:
            victim.enhanced_reasons = neutral
            changed.append(victim)
    if changed and not check:
        Victim.objects.bulk_update(changed, ["enhanced_reasons"], batch_size=500)
    return len(changed)


def victim_data_purge(
    *, now: dt.datetime, days: int, check: bool = False, tally: Tally | None = None
) -> int:
    """Erase what identifies a victim, or tells of their health or home, once their crime was
    recorded more than ``days`` ago, unless a referral for them is still being worked
    (awaiting consent, open, sent or accepted): then the victim and their crime's place are
    kept until it is declined or closed.

    Goes: name, date of birth, phone, email, indicators (health data) and the words of the
    Enhanced Rights grounds; the needs assessment's notes, needs and support wanted; what
    was said at each event; a missed duty's reason; a referral's reason (it becomes "Erased
    after retention: rule <rule id>"), its lawful basis's words, decline reason and outcome
    (a refusal to share stays, in the standard words), and every activity's text; the
    crime's full postcode, UPRN or address key, and exact location (latitude and longitude).
    Feedback reviews (``NeedsReview``) lose the quoted words and the note once the caller
    is past retention and the review is done.

    Stays: the keyed hashes of phone, email and name with date of birth, so a later crime
    against the same person is still a repeat; age, language, consent answers, the repeat
    and Enhanced Rights decisions; the crime's offence, flags, hate strands, dates, district
    (``area``), premises kind, modus operandi, loss, team and officer; every duty, referral
    and event with its dates and status. Compliance, repeat rates and every count therefore
    stay as they were. The home's address key goes, so a later crime at the same home is no
    longer matched to an erased one: with the default retention (365 days, the repeat
    window) an erased crime is outside the window anyway.

    With ``check`` nothing changes: ``tally`` gets the counts of what would go. Returns how
    many victims are newly erased. One audit record of counts per force erased from.
    """
    cutoff = now - dt.timedelta(days=days)
    tally = tally if tally is not None else Tally()
    total = 0
    for force in Force.objects.all():
        with transaction.atomic():
            before = tally.total()
            victims = Victim.objects.filter(force=force, crime__recorded_at__lt=cutoff).exclude(
                referrals__status__in=WORKED
            )
            crimes = Crime.objects.filter(force=force, recorded_at__lt=cutoff).exclude(
                victims__referrals__status__in=WORKED
            )
            fresh = victims.filter(purged_at=None).count()
            tally.add(force.slug, "victim.record", fresh)
            _victims_erase(tally, force, victims, check)
            _crimes_erase(tally, force, crimes, victims, check)
            _reviews_erase(tally, force, cutoff, check)
            total += fresh
            if check or tally.total() == before:
                continue
            victims.filter(purged_at=None).update(purged_at=now)
            audit_counts(
                force=force,
                summary=f"victim care records past retention erased: {fresh} victims for the "
                f"first time, {tally.total() - before} fields in all "
                f"(crimes recorded before {cutoff:%Y-%m-%d})",
            )
    return total


def _victims_erase(tally: Tally, force: Force, victims: QuerySet[Victim], check: bool) -> None:
    for kind, empty, values in (
        ("victim.name", Q(name=""), {"name": ""}),
        ("victim.date_of_birth", Q(date_of_birth=None), {"date_of_birth": None}),
        ("victim.phone", Q(phone=""), {"phone": ""}),
        ("victim.email", Q(email=""), {"email": ""}),
        ("victim.indicators", Q(indicators=[]), {"indicators": []}),
    ):
        _erase(tally, force, kind, victims, empty, values, check)
    tally.add(force.slug, "victim.enhanced_reason_words", _reasons_neutral(victims, check))
    assessments = NeedsAssessment.objects.filter(victim__in=victims)
    for kind, empty, values in (
        ("needs_assessment.notes", Q(notes=""), {"notes": ""}),
        ("needs_assessment.needs", Q(needs=[]), {"needs": []}),
        ("needs_assessment.support_wanted", Q(support_wanted=[]), {"support_wanted": []}),
    ):
        _erase(tally, force, kind, assessments, empty, values, check)
    duties = Duty.objects.filter(victim__in=victims)
    _erase(
        tally, force, "duty.missed_reason", duties,
        Q(missed_reason="") | Q(missed_reason=ERASED_MISSED_REASON),
        {"missed_reason": ERASED_MISSED_REASON}, check,
    )  # fmt: skip
    referrals = Referral.objects.filter(victim__in=victims)
    _erase(
        tally, force, "referral.reason", referrals, Q(reason__startswith=ERASED_REASON),
        {"reason": Concat(Value(ERASED_REASON), F("rule_id"))}, check,
    )  # fmt: skip
    for kind, empty, values in (
        ("referral.basis_reason", Q(basis_reason=""), {"basis_reason": ""}),
        ("referral.declined_reason", Q(declined_reason=""), {"declined_reason": ""}),
        ("referral.outcome", Q(outcome__in=["", NOT_SHARED]), {"outcome": ""}),
    ):
        _erase(tally, force, kind, referrals, empty, values, check)
    activities = ReferralActivity.objects.filter(referral__in=referrals)
    _erase(tally, force, "referral_activity.text", activities, Q(text=""), {"text": ""}, check)


def _crimes_erase(
    tally: Tally, force: Force, crimes: QuerySet[Crime], victims: QuerySet[Victim], check: bool
) -> None:
    for kind, empty, values in (
        ("crime.full_postcode", Q(postcode=""), {"postcode": ""}),
        ("crime.address_key", Q(address_key=""), {"address_key": ""}),
        (
            "crime.exact_location",
            Q(latitude=None, longitude=None),
            {"latitude": None, "longitude": None},
        ),
    ):
        _erase(tally, force, kind, crimes, empty, values, check)
    events = CrimeEvent.objects.filter(Q(crime__in=crimes) | Q(victim__in=victims))
    _erase(tally, force, "crime_event.said", events, Q(said=""), {"said": ""}, check)


def _reviews_erase(tally: Tally, force: Force, cutoff: dt.datetime, check: bool) -> None:
    """A done review of a caller's feedback loses the words it quoted and the note."""
    people = people_past_retention(force=force, cutoff=cutoff)
    reviews = NeedsReview.objects.filter(
        force=force, contact__person__in=people, done_at__isnull=False
    )
    for kind, empty, values in (
        ("needs_review.quoted_words", Q(detail=""), {"detail": ""}),
        ("needs_review.note", Q(note=""), {"note": ""}),
    ):
        _erase(tally, force, kind, reviews, empty, values, check)
