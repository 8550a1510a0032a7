"""Service-recovery cases: a dissatisfied caller with an owner and a deadline."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from bluelamp.forces.models import Force, Team


class RecoveryCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONTACTED = "contacted", "Contacted"
        CLOSED = "closed", "Closed"

    class Reason(models.TextChoices):
        DISSATISFIED = "dissatisfied", "Dissatisfied with the service"
        CALLBACK = "callback", "Asked for a call back"

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        COULD_NOT_CONTACT = "could_not_contact", "Could not contact"
        COMPLAINT = "complaint", "Referred as a complaint"
        NO_ACTION = "no_action", "No further action"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="+")
    response = models.OneToOneField(
        "surveys.Response", on_delete=models.CASCADE, related_name="recovery_case"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, help_text="Owner"
    )
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    deadline = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["deadline"]
        indexes = [models.Index(fields=["force", "status", "deadline"])]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """A case is overdue when it is not closed and its deadline has passed."""
        now = now or timezone.now()
        return self.status != self.Status.CLOSED and self.deadline < now


class CaseNote(models.Model):
    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    status_after = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"Note {self.pk}"
