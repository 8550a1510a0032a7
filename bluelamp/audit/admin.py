from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from bluelamp.audit.models import AuditEvent
from bluelamp.forces.admin import RolePermissions


@admin.register(AuditEvent)
class AuditEventAdmin(RolePermissions, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the audit trail is never edited."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor", "object_id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(force_id=getattr(request.user, "force_id", None))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
