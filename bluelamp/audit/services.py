from typing import Any

from bluelamp.audit.models import AuditEvent
from bluelamp.forces.models import Force, User
from bluelamp.lib.rows import row_insert, row_new, rows_insert


def audit_event(
    *,
    force: Force,
    action: str,
    obj: Any,
    user: User | None = None,
    actor: str = "",
    summary: str = "",
) -> AuditEvent:
    """The audit record of one view, export or change, not yet stored (see ``audit_record``)."""
    label = actor or (f"user:{user.username}" if user is not None else "system")
    return row_new(
        AuditEvent,
        force=force,
        user=user,
        actor=label[:120],
        action=action,
        object_type=type(obj)._meta.model_name if hasattr(obj, "_meta") else str(type(obj)),
        object_id=str(getattr(obj, "pk", obj)),
        summary=summary[:200],
    )


def audit_record(
    *,
    force: Force,
    action: str,
    obj: Any,
    user: User | None = None,
    actor: str = "",
    summary: str = "",
) -> AuditEvent:
    """Record that someone viewed, exported or changed a record that holds personal data.

    Call it inside the same transaction as the change, so that no change goes unrecorded.
    """
    return row_insert(
        audit_event(force=force, action=action, obj=obj, user=user, actor=actor, summary=summary)
    )


def audit_records(*, events: list[AuditEvent]) -> None:
    """Store many records built by ``audit_event`` at once (a batch of imported contacts),
    inside the same transaction as the changes they record."""
    rows_insert(events)


def audit_counts(*, force: Force, summary: str, of_every: str = "") -> AuditEvent:
    """The one audit record a retention purge writes for each force it erased from, inside the
    purge's transaction: a deletion by ``system:retention`` whose summary says what went, in
    counts (never a value). It is about the force, or with ``of_every`` ("person") about
    every record of that kind (object id ``*``)."""
    if not of_every:
        return audit_record(
            force=force, action="delete", obj=force, actor="system:retention", summary=summary
        )
    return row_insert(
        row_new(
            AuditEvent,
            force=force,
            user=None,
            actor="system:retention",
            action="delete",
            object_type=of_every,
            object_id="*",
            summary=summary[:200],
        )
    )
