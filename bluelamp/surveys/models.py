"""Incident types, survey templates, invitations, responses and opt-outs."""

import secrets

from django.db import models
from django.db.models import Q

from bluelamp.forces.models import Force
from bluelamp.lib.versions import RulesVersion


class IncidentType(models.Model):
    """The national taxonomy of crime and incident types a force deals with.

    Codes are stable slugs that force systems send. A sensitive type is never surveyed by
    default (domestic abuse, sexual offences, ...).
    """

    code = models.SlugField(primary_key=True, max_length=40)
    name = models.CharField(max_length=100)
    name_cy = models.CharField(max_length=100, blank=True)
    group = models.CharField(max_length=40, help_text="Crime, incident or safeguarding")
    sensitive = models.BooleanField(default=False)
    template_key = models.SlugField(max_length=40, help_text="Which survey template it uses")
    sort_order = models.PositiveSmallIntegerField(default=100)
    added_in = models.PositiveSmallIntegerField(
        default=1, help_text="The taxonomy version it came in (surveys.defaults)"
    )

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    FIRST_CONTACT = "first_contact", "First contact"
    ATTENDANCE = "attendance", "Attendance"
    INVESTIGATION = "investigation", "Investigation"
    OUTCOME = "outcome", "Outcome"
    RECOVERY_FOLLOW_UP = "recovery_follow_up", "After service recovery"


class SurveyTemplate(models.Model):
    """One version of the survey for a template key (burglary, robbery, ...) and stage.

    A template never changes once answered: editing makes a new version, and each response
    records the version it answered. A force may have its own version; otherwise the shipped
    default (no force) is used.
    """

    force = models.ForeignKey(Force, null=True, blank=True, on_delete=models.CASCADE)
    key = models.SlugField(max_length=40)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.FIRST_CONTACT)
    version = models.PositiveIntegerField(default=1)
    definition = models.JSONField(help_text="Questions, text in English and Welsh, branching")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "stage", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "key", "stage", "version"], name="template_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}/{self.stage} v{self.version}"


def new_token() -> str:
    """128 random bits, URL-safe: 22 characters, short enough for a link in one SMS."""
    return secrets.token_urlsafe(16)


# The invitations the frequency cap can see (sent, even if withdrawn since; or scheduled or
# answered), as the condition of the partial indexes below and, word for word with its values
# written in, in the cap's queries: SQLite uses a partial index only for a query that repeats
# its condition (a bound parameter in its place would not do). The two copies below must say
# the same: tests/test_frequency_cap_plan.py
# reads the query plans on both databases.
LIVE_SQL = "(sent_at IS NOT NULL OR status IN ('answered', 'scheduled'))"
LIVE = Q(sent_at__isnull=False) | Q(status__in=["answered", "scheduled"])


RULE_WORDS = {
    "taxonomy.sensitive": "an incident type that is never surveyed",
    "excluded_incident_types": "the incident types this force does not survey",
    "minimum_age": "the minimum age",
    "opt_out": "the person's request not to be contacted",
    "channel_preference": "how messages may be sent",
    "frequency_days": "how often one person may be surveyed",
    "sampling": "the sampling rules",
}


def rule_words(rule: str) -> str:
    """A contact rule's code as words: "sampling.calls_101_half" as "the sampling rule
    'calls 101 half'", "excluded_flags.domestic_abuse" as "the flag 'domestic abuse'"."""
    head, _, name = rule.partition(".")
    named = name.replace("_", " ")
    if head == "sampling" and name:
        return f"the sampling rule '{named}'"
    if head == "excluded_flags" and name:
        return f"the flag '{named}'"
    return RULE_WORDS.get(rule, rule.replace("_", " ").replace(".", ": "))


class Invitation(models.Model):
    """The decision taken on a contact at one stage: a survey invitation scheduled, or why not.

    A contact has one invitation per stage (first contact, attendance, outcome, after service
    recovery). The decision names the contact-rules version and the rule that took it.
    ``phone_key`` and ``email_key`` are the person's keyed fingerprints, kept after their
    details are erased so that the frequency cap still matches them.
    """

    class Status(models.TextChoices):
        EXCLUDED = "excluded", "Excluded"
        SCHEDULED = "scheduled", "Scheduled"
        SENT = "sent", "Sent"
        ANSWERED = "answered", "Answered"
        FAILED = "failed", "Could not be delivered"

    class Via(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "Email"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    contact = models.ForeignKey(
        "intake.Contact", on_delete=models.CASCADE, related_name="invitations"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.FIRST_CONTACT)
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=40, blank=True, help_text="Why excluded (a code)")
    reason_text = models.CharField(max_length=200, blank=True)
    rules_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The contact-rules version that decided (0: shipped)"
    )
    rule = models.CharField(max_length=80, blank=True, help_text="The rule that decided")
    phone_key = models.CharField(max_length=64, blank=True)
    email_key = models.CharField(max_length=64, blank=True)
    token = models.CharField(max_length=32, unique=True, null=True, blank=True)
    template = models.ForeignKey(SurveyTemplate, null=True, blank=True, on_delete=models.PROTECT)
    via = models.CharField(max_length=8, choices=Via.choices, blank=True)
    # The person's language when scheduled: 'en', 'cy', or '' when not known, and then
    # ``Force.languages_for`` decides (Welsh and English for a bilingual Welsh-first force).
    language = models.CharField(max_length=2, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    send_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="Answered, expired or withdrawn: retention runs from here"
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "send_at"]),
            models.Index(fields=["force", "phone_key", "send_at"]),
            models.Index(fields=["force", "email_key", "send_at"]),
            # The frequency cap's (LIVE_SQL): a frequent caller's many excluded contacts are
            # not in them, so the cap's search does not read them.
            models.Index(
                fields=["force", "phone_key", "send_at"],
                condition=LIVE,
                name="invitation_live_phone",
            ),
            models.Index(
                fields=["force", "email_key", "send_at"],
                condition=LIVE,
                name="invitation_live_email",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["contact", "stage"], name="invitation_stage_unique")
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} ({self.status})"

    def decided_by(self) -> str:
        """The rule that decided, in words: "the force's contact rules, version 2: the sampling
        rule 'calls 101 half'"; version 0 is the rules as shipped."""
        if self.rules_version is None:
            return "no recorded rules (decided before contact rules were kept)"
        rules = (
            "the contact rules as shipped (the force had set none of its own)"
            if self.rules_version == 0
            else f"the force's contact rules, version {self.rules_version}"
        )
        return f"{rules}: {rule_words(self.rule)}" if self.rule else rules


class Response(models.Model):
    """A respondent's answers, by question id, with what is derived from them.

    Incident type, team, call handler and channel are copied from the contact so that the
    live view groups responses without joins.
    """

    class Outcome(models.TextChoices):
        SATISFIED = "satisfied", "Satisfied"
        NEUTRAL = "neutral", "Neither"
        DISSATISFIED = "dissatisfied", "Dissatisfied"
        UNANSWERED = "unanswered", "Not answered"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT)
    answers = models.JSONField()
    whole_experience = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    callback_requested = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(db_index=True)
    incident_type = models.ForeignKey(IncidentType, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "forces.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    call_handler = models.ForeignKey(
        "forces.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=16)
    # Of the free-text answers (``insights/text.py``): VADER's compound score, -1 to 1, and
    # the themes with the words that put each there.
    sentiment = models.FloatField(null=True, blank=True)
    themes = models.JSONField(default=list, blank=True)
    # The language of the page it was answered on ('en' or 'cy'), so a Welsh comment is read
    # with the Welsh cues.
    language = models.CharField(max_length=2, default="en")

    class Meta:
        indexes = [models.Index(fields=["force", "submitted_at"])]

    def __str__(self) -> str:
        return f"Response {self.pk} ({self.outcome})"


class OptOut(models.Model):
    """A person who asked never to be contacted again, by keyed fingerprint of phone or email.

    Only the fingerprint is kept, so the opt-out outlives the contact's personal data.
    """

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=40, default="respondent_page")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["force", "key"], name="optout_unique")]

    def __str__(self) -> str:
        return f"Opt-out {self.key[:8]}…"


class ContactRuleSet(RulesVersion):
    """A force's contact rules (``contact_rules.py``), as JSON; every save is a new version."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)

    class Meta(RulesVersion.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["force", "version"], name="contact_rule_set_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Contact rules v{self.version}"
