"""The shape of a force's versioned rules (referral, recovery and contact rules); saving a
version, audited, is ``bluelamp.audit.versions.version_save``."""

from django.db import models


class RulesVersion(models.Model):
    """One version of a force's rules, as JSON (the concrete model adds its ``force``)."""

    version = models.PositiveIntegerField()
    definition = models.JSONField()
    active = models.BooleanField(default=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-version"]
