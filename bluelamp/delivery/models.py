"""Messages sent to callers and victims. The console channel keeps them in this outbox."""

from django.db import models

from bluelamp.forces.models import Force


class OutboxMessage(models.Model):
    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    invitation = models.ForeignKey(
        "surveys.Invitation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
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
