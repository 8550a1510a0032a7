"""Messages to callers and victims, the texts they send back, and the task queue that sends.

A ``Message`` is one SMS or email, written before it is handed to a provider and moved on by
the worker: queued, sending (handed over, answer not yet recorded), sent, delivered or failed.
Its ``reference`` is given to the provider, so after a crash the worker asks the provider
whether it already has the message before sending it again: at least once inside, exactly
once to the person. The console provider keeps what it "sends" in ``OutboxMessage``.
"""

import uuid

from django.db import models
from django.db.models import Q

from bluelamp.forces.models import Force


def new_reference() -> str:
    return uuid.uuid4().hex


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Purpose(models.TextChoices):
        INVITATION = "invitation", "Survey invitation"
        REMINDER = "reminder", "Reminder"
        OPT_OUT_CONFIRMATION = "opt_out", "Opt-out confirmation"
        ALERT = "alert", "Alert to a supervisor"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    invitation = models.ForeignKey(
        "surveys.Invitation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    via = models.CharField(max_length=8, help_text="sms or email")
    provider = models.CharField(max_length=12)
    to = models.CharField(max_length=254, help_text="Personal data: erased on schedule")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    reference = models.CharField(max_length=32, unique=True, default=new_reference)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    reason = models.CharField(max_length=300, blank=True, help_text="The provider's words")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One invitation message and one reminder per invitation, whatever the workers do.
            models.UniqueConstraint(
                fields=["invitation", "purpose"],
                condition=Q(invitation__isnull=False),
                name="message_purpose_once_per_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.via} message {self.pk} ({self.status})"


class InboundMessage(models.Model):
    """A text a person sent us: an answer, a STOP, or a comment. Only a fingerprint of the
    sender's number is kept."""

    class Action(models.TextChoices):
        ANSWER = "answer", "Answer recorded"
        OPT_OUT = "opt_out", "Opted out"
        COMMENT = "comment", "Kept as a comment"
        UNMATCHED = "unmatched", "No invitation found"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    invitation = models.ForeignKey(
        "surveys.Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.CharField(max_length=12)
    provider_id = models.CharField(max_length=100)
    from_key = models.CharField(max_length=64)
    body = models.TextField(help_text="May hold personal data: erased with the invitation's")
    action = models.CharField(max_length=10, choices=Action.choices)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_id"], name="inbound_once")
        ]

    def __str__(self) -> str:
        return f"Inbound {self.pk} ({self.action})"


class OutboxMessage(models.Model):
    """What the console provider "sent": for development and the demonstration force."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    invitation = models.ForeignKey(
        "surveys.Invitation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reference = models.CharField(max_length=32, blank=True, db_index=True)
    channel = models.CharField(max_length=20, default="console")
    via = models.CharField(max_length=8, help_text="sms or email")
    to = models.CharField(max_length=254, help_text="Personal data: shown only to administrators")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.via} message {self.pk}"


class Job(models.Model):
    """A task queued through Django's tasks API (``delivery/queue.py``).

    A worker claims a job for a lease; a worker killed mid-job leaves its lease to run out, and
    another worker takes the job over. Tasks are written so that running twice is harmless.
    """

    class Status(models.TextChoices):
        READY = "READY", "Ready"
        RUNNING = "RUNNING", "Running"
        SUCCESSFUL = "SUCCESSFUL", "Successful"
        FAILED = "FAILED", "Failed"

    task_path = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    queue_name = models.CharField(max_length=32, default="default")
    priority = models.SmallIntegerField(default=0)
    backend = models.CharField(max_length=32, default="default")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    run_after = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    last_attempted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=100, blank=True, help_text="Who claimed it last")
    attempts = models.PositiveSmallIntegerField(default=0)
    return_value = models.JSONField(null=True, blank=True)
    errors = models.JSONField(default=list)

    class Meta:
        indexes = [
            models.Index(fields=["status", "run_after"]),
            models.Index(fields=["status", "lease_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.task_path} ({self.status})"
