from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from bluelamp.forces.api_auth import token_cache_clear
from bluelamp.forces.models import (
    ApiToken,
    Force,
    IdentityMapping,
    Role,
    StaffMember,
    Team,
    User,
)


def is_force_administrator(request: HttpRequest) -> bool:
    """Staff with the administrator role manage their own force in the admin.

    The role grants the admin permissions, so nobody hands out Django permissions one by one.
    """
    user = request.user
    return bool(
        user.is_active
        and user.is_staff
        and getattr(user, "role", None) == Role.ADMINISTRATOR
        and getattr(user, "force_id", None)
    )


def administrator_force_id(request: HttpRequest) -> int | None:
    """The force whose rows the signed-in user may choose in the admin; None for superusers,
    who may choose any (a user with neither may choose none: force 0)."""
    if request.user.is_superuser:
        return None
    return getattr(request.user, "force_id", None) or 0


def force_rows(model: type[Model], force_id: int) -> QuerySet[Any] | None:
    """The rows of ``model`` that belong to the force, or None when it holds no force's rows
    (the national incident types, say)."""
    if model is Force:
        return Force.objects.filter(pk=force_id)
    if any(f.name == "force" for f in model._meta.get_fields()):
        return model._default_manager.filter(force_id=force_id)
    return None


def other_forces_rows(cleaned_data: dict[str, Any], force_id: int) -> list[tuple[str, str]]:
    """(field, problem) for each chosen row that belongs to another force."""
    problems = []
    for name, value in cleaned_data.items():
        rows = list(value) if isinstance(value, QuerySet | list | tuple) else [value]
        for row in rows:
            if not isinstance(row, Model):
                continue
            row_force = row.pk if isinstance(row, Force) else getattr(row, "force_id", force_id)
            if row_force != force_id:
                problems.append((name, f"“{row}” belongs to another force."))
    return problems


class ForceScopedChoices:
    """Every choice list in an administrator's forms (teams, staff, queues, users, rules: any
    foreign key or many-to-many to a model holding a force's rows) offers only their own
    force's rows, so the form field refuses any other one posted; and the form checks again
    on save, in case a field was given rows some other way. Superusers choose from all."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        force_id = administrator_force_id(request)
        if (
            force_id is not None
            and (rows := force_rows(db_field.related_model, force_id)) is not None
        ):
            kwargs["queryset"] = rows
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        force_id = administrator_force_id(request)
        if (
            force_id is not None
            and (rows := force_rows(db_field.related_model, force_id)) is not None
        ):
            kwargs["queryset"] = rows
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        force_id = administrator_force_id(request)
        if force_id is None:
            return form

        def clean(self: Any) -> Any:
            cleaned = form.clean(self)
            for name, problem in other_forces_rows(dict(self.cleaned_data), force_id):
                self.add_error(name, problem)
            return cleaned

        return type(form.__name__, (form,), {"clean": clean})


class RolePermissions(ForceScopedChoices):
    """Admin permissions from the administrator role, on top of Django's own; the
    administrator's choice lists hold only their own force's rows."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_force_administrator(request) or super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_force_administrator(request) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_force_administrator(request) or super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_force_administrator(request) or super().has_add_permission(request)  # type: ignore[misc]


class ForceScopedAdmin(RolePermissions, admin.ModelAdmin):  # type: ignore[type-arg]
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

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        token_cache_clear()  # a revocation takes effect at once in this process

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        super().delete_model(request, obj)
        token_cache_clear()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        super().delete_queryset(request, queryset)
        token_cache_clear()


class IdentityMappingForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = IdentityMapping
        fields = ["force", "issuer", "group", "role", "teams"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        force = data.get("force") or getattr(self.instance, "force", None)
        teams = data.get("teams") or []
        if force is not None and any(team.force_id != force.pk for team in teams):
            raise forms.ValidationError("The teams must be teams of the mapping's force.")
        return data


@admin.register(IdentityMapping)
class IdentityMappingAdmin(ForceScopedAdmin):
    """Which group in the force's identity provider gives which role and teams."""

    form = IdentityMappingForm
    list_display = ["group", "role", "issuer", "force"]
    list_filter = ["role"]
    search_fields = ["group", "issuer"]
    filter_horizontal = ["teams"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "teams" and not request.user.is_superuser:
            force_id: int = getattr(request.user, "force_id", 0) or 0
            kwargs["queryset"] = Team.objects.filter(force_id=force_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(User)
class BluelampUserAdmin(RolePermissions, UserAdmin):  # type: ignore[type-arg]
    """Users of the administrator's own force. Only a superuser grants superuser status,
    Django permissions or groups, or moves a user between forces."""

    list_display = ["username", "first_name", "last_name", "force", "role", "is_active"]
    list_filter = ["role", "is_active"]
    superuser_fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("Force and role", {"fields": ("force", "role", "teams")}),
        ("Identity provider", {"fields": ("idp_issuer", "idp_subject")}),
    )
    administrator_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Role", {"fields": ("role", "teams", "is_active", "is_staff")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return self.superuser_fieldsets
        return self.administrator_fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(force_id=getattr(request.user, "force_id", None), is_superuser=False)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.force_id = getattr(request.user, "force_id", None)
            obj.is_superuser = False
        super().save_model(request, obj, form, change)
