"""Call queues, what happened on them interval by interval, and who is rostered to answer."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from bluelamp.forces.models import Force

# Answer standards a queue starts with when its code is first seen; each force edits its own.
QUEUE_DEFAULTS: dict[str, dict[str, float | int | str]] = {
    "999": {"name": "999 emergency", "target_share": 0.9, "target_seconds": 10},
    "101": {"name": "101 non-emergency", "target_share": 0.8, "target_seconds": 90},
}
QUEUE_DEFAULT = {"target_share": 0.8, "target_seconds": 60}


class Queue(models.Model):
    """A telephone or contact queue with its answer standard and planning assumptions."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="queues")
    code = models.CharField(max_length=20, help_text="999, 101, online, or the force's own code")
    name = models.CharField(max_length=80)
    target_share = models.FloatField(
        default=0.8,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text="Share of calls to answer within the target time, e.g. 0.9",
    )
    target_seconds = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1)], help_text="e.g. 10 for 999"
    )
    shrinkage = models.FloatField(
        default=0.3,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.9)],
        help_text="Share of rostered time not on the phones (breaks, training, leave), 0 to 0.9",
    )
    max_occupancy = models.FloatField(
        default=0.85,
        validators=[MinValueValidator(0.1), MaxValueValidator(1.0)],
        help_text="Busiest a handler should be, as a share of their time",
    )
    patience_seconds = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1.0)],
        help_text="Mean time callers wait before hanging up; blank to estimate it from the "
        "queue's own abandoned calls",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["force", "code"], name="queue_code_unique")]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class CallInterval(models.Model):
    """What a queue did in one interval, as the telephony system reports it."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="intervals")
    start = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    offered = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    abandoned = models.PositiveIntegerField()
    answered_within_target = models.PositiveIntegerField()
    handle_seconds = models.FloatField(null=True, blank=True, help_text="Average handle time")
    answer_seconds = models.FloatField(null=True, blank=True, help_text="Average speed of answer")
    abandon_seconds = models.FloatField(
        null=True, blank=True, help_text="Average wait of callers who hung up"
    )
    logged_in = models.FloatField(null=True, blank=True)
    rostered = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "queue", "start"], name="call_interval_unique")
        ]
        indexes = [
            models.Index(fields=["queue", "start"]),
            models.Index(fields=["force", "updated_at"]),  # the live view's "anything new?"
        ]

    def __str__(self) -> str:
        return f"{self.queue_id} {self.start:%Y-%m-%d %H:%M}"


class RosterSlot(models.Model):
    """How many call handlers are rostered on a queue for an interval (past or future)."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="roster")
    start = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    handlers = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "queue", "start"], name="roster_slot_unique")
        ]
        indexes = [models.Index(fields=["force", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.queue_id} {self.start:%Y-%m-%d %H:%M}: {self.handlers}"
