"""A force's rules kept as versions: referral, recovery and contact rules share this shape.

Every save is a new version (the older ones stay, since decisions name theirs), made active,
and audited.
"""

from typing import Any

from django.db import models, transaction


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


def version_save[M: "RulesVersion"](
    model: type[M], *, force: Any, definition: Any, user: Any, label: str
) -> M:
    """Store ``definition`` (already checked) as the force's next active version, audited."""
    from bluelamp.audit.services import audit_record

    with transaction.atomic():
        versions = model._default_manager.select_for_update().filter(force=force)
        latest = max(versions.values_list("version", flat=True), default=0)
        versions.filter(active=True).update(active=False)
        saved = model._default_manager.create(
            force=force,
            version=latest + 1,
            definition=definition,
            active=True,
            created_by=user.username if user else "",
        )
        audit_record(
            force=force, action="update", obj=saved, user=user,
            summary=f"{label} version {saved.version}",
        )  # fmt: skip
    return saved
