"""Crimes, their victims, the Victims' Code duties owed to them, and referrals to support.

A victim's name, date of birth, phone and email are personal data: loaded only through
``forces/access.py``, audited when viewed or changed, erased on the retention schedule.
"""

import datetime as dt

from django.db import models

from bluelamp.forces.models import Force, StaffMember, Team
from bluelamp.intake.models import Contact
from bluelamp.lib.versions import RulesVersion
from bluelamp.surveys.models import IncidentType

# A victim is a repeat victim when the same person or home was a victim within this long.
REPEAT_WINDOW = dt.timedelta(days=365)

# Flags on a crime: what it is about, beside the offence (Counting Rules: domestic abuse and
# hate crime are flags, not offences). They decide who is never surveyed, Enhanced Rights,
# when explicit consent is needed before sharing, and they are counted in the reports.
CRIME_FLAGS = {
    "domestic_abuse": "Domestic abuse",
    "hate_crime": "Hate crime",
    "honour_based_abuse": "Honour-based abuse",
    "child_victim": "Child victim",
}
# The five strands monitored nationally; a hate crime names at least one.
HATE_STRANDS = {
    "race": "Race or ethnicity",
    "religion": "Religion or belief",
    "sexual_orientation": "Sexual orientation",
    "disability": "Disability",
    "transgender": "Transgender identity",
}
# Where a crime happened: an address counts towards repeat victimisation only for a home.
PREMISES = ("home", "shop", "business", "public_place", "other")


class Decision(models.TextChoices):
    """A judgement the rules propose and a person confirms or declines."""

    PROPOSED = "proposed", "Proposed by the rules, not yet confirmed"
    CONFIRMED = "confirmed", "Confirmed by a person"
    DECLINED = "declined", "Declined by a person"


class Crime(models.Model):
    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    reference = models.CharField(max_length=60, help_text="The force's crime reference")
    offence = models.ForeignKey(IncidentType, on_delete=models.PROTECT)
    attempt = models.BooleanField(default=False)
    flags = models.JSONField(default=list, blank=True, help_text="Codes from CRIME_FLAGS")
    hate_strands = models.JSONField(default=list, blank=True, help_text="Codes from HATE_STRANDS")
    reported_at = models.DateTimeField(
        help_text="When the victim reported it: the Victims' Code clocks start here"
    )
    recorded_at = models.DateTimeField()
    occurred_at = models.DateTimeField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    address_key = models.CharField(
        max_length=64, blank=True, help_text="UPRN, or the force's own normalised address key"
    )
    area = models.CharField(max_length=8, blank=True, help_text="Postcode district, e.g. AL1")
    premises = models.CharField(
        max_length=20, blank=True, help_text="home, shop, business, public_place, other"
    )
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL)
    officer = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    modus_operandi = models.JSONField(default=list, blank=True)
    financial_loss = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "reference"], name="crime_reference_unique")
        ]
        indexes = [
            models.Index(fields=["force", "address_key"]),
            models.Index(fields=["force", "recorded_at"]),
        ]

    def __str__(self) -> str:
        return self.reference


class Victim(models.Model):
    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="victims")
    name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="On the day recorded")
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, blank=True, help_text="en, cy; blank: not known")
    phone_key = models.CharField(max_length=64, blank=True, db_index=True)
    email_key = models.CharField(max_length=64, blank=True, db_index=True)
    name_key = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Keyed hash of name and birth date"
    )
    indicators = models.JSONField(default=list, blank=True)
    consent = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per purpose: {"share_with_partners": {"given": true, "asked_at": ..., '
        '"how": ...}}; a purpose missing was not asked',
    )
    repeat_victim = models.BooleanField(
        default=False,
        help_text="The same person, or the same home, was a victim within the last 12 months",
    )
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    persistently_targeted = models.CharField(
        max_length=10,
        blank=True,
        choices=Decision.choices,
        help_text="The Code's judgement: proposed when the same person was a victim within 12 "
        "months, confirmed or declined by a person; blank when not proposed",
    )
    persistent_decided_by = models.CharField(max_length=150, blank=True)
    persistent_decided_at = models.DateTimeField(null=True, blank=True)
    enhanced_rights = models.CharField(
        max_length=10,
        blank=True,
        choices=Decision.choices,
        help_text="Proposed by the rules (the shorter limits apply meanwhile), confirmed or "
        "declined by a person; blank when not proposed",
    )
    enhanced_reasons = models.JSONField(default=list, blank=True)
    enhanced_confirmed_by = models.CharField(max_length=150, blank=True)
    enhanced_confirmed_at = models.DateTimeField(null=True, blank=True)
    update_every_days = models.PositiveSmallIntegerField(
        default=28, help_text="How often the victim agreed to be updated"
    )
    purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Victim {self.pk}"

    @property
    def enhanced(self) -> bool:
        """Whether the Enhanced Rights limits apply: proposed or confirmed."""
        return self.enhanced_rights in (Decision.PROPOSED, Decision.CONFIRMED)

    @property
    def flags(self) -> list[str]:
        found = []
        if self.repeat_victim:
            found.append("repeat_victim")
        if self.persistently_targeted in (Decision.PROPOSED, Decision.CONFIRMED):
            found.append("persistently_targeted")
        return found

    def consent_given(self, purpose: str) -> bool | None:
        """True or False as recorded for the purpose; None when the victim was not asked."""
        found = self.consent.get(purpose)
        if isinstance(found, dict):
            found = found.get("given")
        return found if isinstance(found, bool) else None


class NeedsAssessment(models.Model):
    """Victims' Code right 4: what the victim needs, asked and recorded by a person."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="assessments")
    asked_at = models.DateTimeField()
    asked_by = models.CharField(max_length=150)
    needs = models.JSONField(default=list, blank=True)
    support_wanted = models.JSONField(default=list, blank=True)
    enhanced_rights = models.BooleanField(help_text="Enhanced Rights, as confirmed by a person")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return f"Needs assessment {self.pk}"


class CrimeEvent(models.Model):
    class Kind(models.TextChoices):
        ATTENDED = "attended", "Attended"
        SUSPECT_ARRESTED = "suspect_arrested", "Suspect arrested"
        SUSPECT_INTERVIEWED = "suspect_interviewed", "Suspect interviewed under caution"
        RELEASED_WITHOUT_CHARGE = "released_without_charge", "Released without charge"
        BAILED = "bailed", "Bailed"
        RELEASED_UNDER_INVESTIGATION = (
            "released_under_investigation",
            "Released under investigation",
        )
        BAIL_CONDITIONS_CHANGED = "bail_conditions_changed", "Bail conditions changed"
        BAIL_CANCELLED = "bail_cancelled", "Bail cancelled"
        CHARGED = "charged", "Charged"
        CAUTION = "caution", "Cautioned"
        CONDITIONAL_CAUTION = "conditional_caution", "Conditional caution"
        COMMUNITY_RESOLUTION = "community_resolution", "Community resolution"
        OUTCOME_22 = "outcome_22", "Diversionary or intervention activity (outcome 22)"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        NOT_INVESTIGATED = "decision_not_to_investigate", "Decision not to investigate"
        OUTCOME_RECORDED = "outcome_recorded", "Outcome recorded"
        REPORT_CONFIRMED = "report_confirmed", "Written confirmation of the report given"
        VPS_OFFERED = "vps_offered", "Victim personal statement offered"
        REVIEW_REQUESTED = "review_requested", "Review of the decision requested (VRR)"
        REVIEW_ACKNOWLEDGED = "review_acknowledged", "Review request acknowledged"
        REVIEW_DECIDED = "review_decided", "Review decided"
        COMPLAINT_RECEIVED = "complaint_received", "Complaint received (rights not met)"
        COMPLAINT_ANSWERED = "complaint_answered", "Complaint answered"
        VICTIM_UPDATED = "victim_updated", "Victim updated"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    at = models.DateTimeField()
    victim = models.ForeignKey(
        Victim, null=True, blank=True, on_delete=models.CASCADE, help_text="Blank: every victim"
    )
    outcome_code = models.CharField(max_length=4, blank=True, help_text="Home Office outcome")
    how = models.CharField(max_length=20, blank=True, help_text="How the victim was updated")
    reports = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="reported_by",
        help_text="For victim_updated: the events the victim was told of",
    )  # fmt: skip
    review_eligible = models.BooleanField(
        default=False,
        help_text="No further action after an interview under caution: the victim may ask for "
        "a review (Victims' Right to Review)",
    )
    said = models.TextField(blank=True)
    actor = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


K = CrimeEvent.Kind
# Out-of-court disposals: told under Right 6; never open to the Victims' Right to Review.
OUT_OF_COURT_DISPOSALS = frozenset(
    {K.CAUTION, K.CONDITIONAL_CAUTION, K.COMMUNITY_RESOLUTION, K.OUTCOME_22}
)
# Right 6: the victim is told of these within 5 working days (1 under Enhanced Rights).
SUSPECT_DECISIONS = frozenset(
    {
        K.SUSPECT_ARRESTED,
        K.SUSPECT_INTERVIEWED,
        K.RELEASED_WITHOUT_CHARGE,
        K.BAILED,
        K.RELEASED_UNDER_INVESTIGATION,
        K.BAIL_CONDITIONS_CHANGED,
        K.BAIL_CANCELLED,
        K.CHARGED,
        K.NO_FURTHER_ACTION,
        K.NOT_INVESTIGATED,
        *OUT_OF_COURT_DISPOSALS,
    }
)


class Duty(models.Model):
    """A Victims' Code timer: something owed to a victim by a deadline."""

    class Right(models.TextChoices):
        WRITTEN_CONFIRMATION = "written_confirmation", "Right 3: written confirmation of the report"
        REFERRAL = "referral", "Right 4: referral to support"
        SUSPECT_DECISION = "suspect_decision", "Right 6: told of a suspect decision"
        UPDATE = "update", "Right 6: updated as often as agreed"
        VPS_OFFER = "vps_offer", "Right 7: offered a victim personal statement"
        OUTCOME = "outcome", "Right 9: told the outcome"
        REVIEW_ACKNOWLEDGE = "review_acknowledge", "Right to Review: request acknowledged"
        REVIEW_DECIDE = "review_decide", "Right to Review: request decided"
        COMPLAINT = "complaint", "Right 12: complaint answered"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="duties")
    right = models.CharField(max_length=20, choices=Right.choices)
    what = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    enhanced = models.BooleanField(default=False)
    event = models.ForeignKey(CrimeEvent, null=True, blank=True, on_delete=models.CASCADE)
    referral = models.OneToOneField(
        "Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="duty"
    )
    met_by = models.ForeignKey(
        CrimeEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="duties_met",
        help_text="The event that met it",
    )  # fmt: skip
    missed_reason = models.TextField(blank=True, help_text="Why it was not met in time")
    missed_reason_by = models.CharField(max_length=150, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    officer = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [models.Index(fields=["force", "due_at"])]

    def __str__(self) -> str:
        return self.what

    def is_missed(self, now: dt.datetime) -> bool:
        """Missed: met after its deadline, or not met and the deadline has passed."""
        if self.met_at is None:
            return self.due_at < now
        return self.met_at > self.due_at


class RuleSetVersion(RulesVersion):
    """A force's referral and Enhanced Rights rules; every save is a new version."""

    force = models.ForeignKey(Force, null=True, blank=True, on_delete=models.CASCADE)

    class Meta(RulesVersion.Meta):
        constraints = [
            models.UniqueConstraint(fields=["force", "version"], name="rule_set_version_unique")
        ]

    def __str__(self) -> str:
        return f"Referral rules v{self.version}"


class Referral(models.Model):
    class Status(models.TextChoices):
        AWAITING_CONSENT = "awaiting_consent", "Awaiting the victim's consent or a lawful basis"
        OPEN = "open", "Open: to be sent"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CLOSED = "closed", "Closed"

    class Basis(models.TextChoices):
        """Why a victim's details may go to this service."""

        INTERNAL = "internal", "Within the force"
        CONSENT = "consent", "The victim consented"
        UNLESS_OBJECTED = "unless_objected", "The Code refers unless the victim objects"
        SAFEGUARDING = "safeguarding", "A safeguarding duty"
        LEGAL_OBLIGATION = "legal_obligation", "A legal obligation"
        VITAL_INTERESTS = "vital_interests", "To protect someone's life"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="referrals")
    service = models.SlugField(max_length=40, help_text="The receiving team's code")
    rule_id = models.CharField(max_length=80)
    rule_version = models.PositiveIntegerField()
    reason = models.TextField()
    partner = models.BooleanField(default=True, help_text="The service is outside the force")
    status = models.CharField(max_length=20, choices=Status.choices)
    basis = models.CharField(max_length=20, blank=True, choices=Basis.choices)
    basis_reason = models.TextField(blank=True)
    basis_by = models.CharField(max_length=150, blank=True)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_reason = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["victim", "service"], name="referral_once_per_service")
        ]
        indexes = [models.Index(fields=["force", "service", "status"])]

    def __str__(self) -> str:
        return f"Referral {self.pk} to {self.service}"


class ReferralActivity(models.Model):
    class Kind(models.TextChoices):
        CONTACT = "contact", "Contact with the victim"
        VISIT = "visit", "Visit"
        SUPPORT = "support", "Support given"
        REVICTIMISATION_CHECK = "revictimisation_check", "Re-victimisation check"
        NOTE = "note", "Note"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField()
    by = models.CharField(max_length=150)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class NeedsReview(models.Model):
    """Feedback that feeds care: a survey answer asking for support, or words in a comment
    that suggest danger or distress, put before the victim-care team at once."""

    class Reason(models.TextChoices):
        ASKED_FOR_SUPPORT = "asked_for_support", "Asked for support in the survey"
        SAFEGUARDING = "safeguarding", "Words that suggest danger or distress"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE)
    response = models.ForeignKey(
        "surveys.Response", on_delete=models.CASCADE, related_name="needs_reviews"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "reason"], name="needs_review_once")
        ]

    def __str__(self) -> str:
        return f"Needs review {self.pk}"
