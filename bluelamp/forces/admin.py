from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from bluelamp.forces.models import ApiToken, Force, StaffMember, Team, User


class ForceScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An administrator sees and edits only their own force's rows; superusers see all."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        return qs.filter(force_id=getattr(user, "force_id", None))

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_exclude(request, obj)
        return ("force",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.force_id = getattr(request.user, "force_id", None)
        super().save_model(request, obj, form, change)


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["slug", "name", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Force]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=getattr(request.user, "force_id", None))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)


@admin.register(Team)
class TeamAdmin(ForceScopedAdmin):
    list_display = ["code", "name", "force"]
    search_fields = ["code", "name"]


@admin.register(StaffMember)
class StaffMemberAdmin(ForceScopedAdmin):
    list_display = ["number", "name", "kind", "team"]
    list_filter = ["kind"]
    search_fields = ["number", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ForceScopedAdmin):
    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made with `bluelamp create-api-token`, which shows them once


@admin.register(User)
class BluelampUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "first_name", "last_name", "force", "role", "is_active"]
    list_filter = ["role", "is_active", "force"]
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("Force and role", {"fields": ("force", "role", "teams")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(force_id=getattr(request.user, "force_id", None))
