from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from bluelamp.audit.models import AuditEvent
from bluelamp.forces.admin import RolePermissions
from bluelamp.forces.models import Force, User


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


class RulesForm(forms.ModelForm):  # type: ignore[type-arg]
    """The form of a versioned rule set: the JSON, checked by the kind's own parser."""

    def check(self, data: Any) -> None:
        """Raise ValueError naming what is wrong (each kind of rules has its own parser)."""
        raise NotImplementedError

    def clean_definition(self) -> Any:
        data = self.cleaned_data["definition"]
        try:
            self.check(data)
        except ValueError as e:
            raise forms.ValidationError(f"These rules are not valid: {e}") from e
        return data


class RulesAdmin(RolePermissions, admin.ModelAdmin):  # type: ignore[type-arg]
    """The admin of a versioned rule set: per force, every save a new version (stored by the
    kind's own service, which checks, versions and audits it), never deleted."""

    list_display = ["version", "force", "active", "created_by", "created_at"]
    readonly_fields = ["version", "active", "created_by", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(Q(force=None) | Q(force_id=getattr(request.user, "force_id", None)))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        force = getattr(request.user, "force", None)
        return {"definition": self.initial_definition(force if isinstance(force, Force) else None)}

    def initial_definition(self, force: Force | None) -> Any:
        """What a new version starts from: the force's current rules."""
        raise NotImplementedError

    def rules_save(self, *, force: Force, definition: Any, user: User | None) -> Any:
        """Store a new version through the kind's service."""
        raise NotImplementedError

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        force = getattr(request.user, "force", None)
        if not isinstance(force, Force):
            raise PermissionError("rules belong to a force")
        user = request.user if isinstance(request.user, User) else None
        saved = self.rules_save(force=force, definition=form.cleaned_data["definition"], user=user)
        obj.pk = saved.pk
        obj.version = saved.version
