from django.db import models


class BareContact(models.Model):
    """The peer's one row per request: what a plain Django view would store of a contact."""

    reference = models.CharField(max_length=60)
    received_at = models.DateTimeField()
    body = models.JSONField()

    def __str__(self) -> str:
        return self.reference
