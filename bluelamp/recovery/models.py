"""Service-recovery cases: a caller the rules say we must go back to, with an owner, a
deadline and a timeline of what was done."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from bluelamp.forces.models import Force, Team
from bluelamp.lib.versions import RulesVersion


class RecoveryRuleSetVersion(RulesVersion):
    """A force's recovery rules (``recovery.rules``); every save is a new version."""

    force = models.ForeignKey(Force, null=True, blank=True, on_delete=models.CASCADE)

    class Meta(RulesVersion.Meta):
        verbose_name = "recovery rules version"
        constraints = [
            models.UniqueConstraint(
                fields=["force", "version"], name="recovery_rule_set_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Recovery rules v{self.version}"


class RecoveryCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONTACTED = "contacted", "Contacted"
        RESOLVED = "resolved", "Resolved"
        COULD_NOT_CONTACT = "could_not_contact", "Could not contact"
        ESCALATED = "escalated", "Escalated to professional standards"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        COULD_NOT_CONTACT = "could_not_contact", "Could not contact"
        COMPLAINT = "complaint", "Referred as a complaint"
        NO_ACTION = "no_action", "No further action"

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        NORMAL = "normal", "Normal"
        LOW = "low", "Low"

    # Cases still waiting for someone to act: these run against the deadline.
    ACTIVE = (Status.OPEN, Status.CONTACTED)
    # The moves a case may make, from each state. A case is closed from the state that says
    # how it ended; closing a contacted case means the caller wanted nothing further.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.OPEN: (Status.CONTACTED, Status.COULD_NOT_CONTACT, Status.ESCALATED),
        Status.CONTACTED: (Status.RESOLVED, Status.ESCALATED, Status.CLOSED),
        Status.COULD_NOT_CONTACT: (Status.CONTACTED, Status.CLOSED),
        Status.RESOLVED: (Status.CLOSED, Status.CONTACTED),
        Status.ESCALATED: (Status.CLOSED,),
        Status.CLOSED: (),
    }
    OUTCOME_ON_CLOSING: dict[str, str] = {
        Status.CONTACTED: Outcome.NO_ACTION,
        Status.RESOLVED: Outcome.RESOLVED,
        Status.COULD_NOT_CONTACT: Outcome.COULD_NOT_CONTACT,
        Status.ESCALATED: Outcome.COMPLAINT,
    }

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="+")
    response = models.OneToOneField(
        "surveys.Response", on_delete=models.CASCADE, related_name="recovery_case"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, help_text="The contact's team"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person who owns the case; none: the team does",
    )
    reasons = models.JSONField(default=list, help_text="Ids of the rules that opened it")
    rules = models.JSONField(
        default=list, help_text="The rules that opened it: id, title, reason, deadline, priority"
    )
    rule_version = models.PositiveIntegerField(default=0, help_text="0: the shipped rules")
    reason = models.TextField(blank=True, help_text="Why it was opened, in words")
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    follow_up = models.BooleanField(default=False, help_text="Survey the caller once resolved")
    follow_up_invitation = models.OneToOneField(
        "surveys.Invitation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_case",
        help_text="The survey after recovery (stage recovery_follow_up)",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    deadline = models.DateTimeField()
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    overdue_escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["deadline"]
        indexes = [
            models.Index(fields=["force", "status", "deadline"]),
            # The cases not closed, by deadline: the board's list and version read only
            # these, however many closed cases pile up behind them.
            models.Index(
                fields=["force", "deadline"],
                condition=~models.Q(status="closed"),
                name="case_not_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    def next_statuses(self) -> tuple[str, ...]:
        return self.TRANSITIONS[self.status]

    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """A case is overdue when nobody has finished with it (open or contacted) and its
        deadline has passed."""
        now = now or timezone.now()
        return self.is_active() and self.deadline < now


class CaseAction(models.Model):
    """One entry of a case's timeline: who did what, and when."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        NOTE = "note", "Note"
        CONTACT_ATTEMPT = "contact_attempt", "Call attempt, not reached"
        STATUS = "status", "Status changed"
        REASSIGNED = "reassigned", "Reassigned"
        OVERDUE = "overdue", "Overdue: escalated"
        FOLLOW_UP = "follow_up", "Follow-up survey"

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="actions")
    at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="None: Bluelamp itself (the rules or the overdue job)",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(blank=True)
    status_before = models.CharField(max_length=20, blank=True)
    status_after = models.CharField(max_length=20, blank=True)
    owner_before = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_after = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"
