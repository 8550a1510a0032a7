"""A force's rules kept as versions: every save is a new version (the older ones stay, since
decisions name theirs), made active, and audited. Referral, recovery and contact rules share
this (their models on ``bluelamp.lib.versions.RulesVersion``)."""

from typing import Any

from django.db import transaction
from django.db.models import F, Q

from bluelamp.audit.services import audit_record
from bluelamp.lib.versions import RulesVersion


def version_save[M: RulesVersion](
    model: type[M], *, force: Any, definition: Any, user: Any, label: str
) -> M:
    """Store ``definition`` (already checked) as the force's next active version, audited."""
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


def version_active[M: RulesVersion](model: type[M], *, force: Any) -> M | None:
    """The force's active version, else the active one shared by every force (force None),
    else None (the caller's shipped defaults)."""
    return (
        model._default_manager.filter(Q(force=force) | Q(force=None), active=True)
        .order_by(F("force_id").asc(nulls_last=True), "-version")
        .first()
    )
