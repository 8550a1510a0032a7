import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from pydantic import ValidationError

from bluelamp.forces.admin import RolePermissions
from bluelamp.surveys import logic
from bluelamp.surveys.models import IncidentType, SurveyTemplate
from bluelamp.surveys.services import template_cache_clear


@admin.register(IncidentType)
class IncidentTypeAdmin(RolePermissions, admin.ModelAdmin):  # type: ignore[type-arg]
    """The national taxonomy: readable by every administrator, changed only by superusers."""

    list_display = ["code", "name", "group", "sensitive", "template_key"]
    list_filter = ["group", "sensitive"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SurveyTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SurveyTemplate
        fields = ["key", "stage", "definition", "active"]

    def clean_definition(self) -> Any:
        data = self.cleaned_data["definition"]
        try:
            logic.parse_definition(data if isinstance(data, dict) else json.loads(data))
        except (ValidationError, ValueError) as e:
            raise forms.ValidationError(f"This survey definition is not valid: {e}") from e
        return data


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(RolePermissions, admin.ModelAdmin):  # type: ignore[type-arg]
    """Templates are versioned: saving a change stores a new version, never edits an old one.

    A force's administrator sees the shipped defaults and their own force's templates, and
    changes only their own (saving a default makes a copy for their force).
    """

    form = SurveyTemplateForm
    list_display = ["key", "stage", "version", "force", "active", "created_at"]
    list_filter = ["key", "stage", "active"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SurveyTemplate]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(Q(force=None) | Q(force_id=getattr(request.user, "force_id", None)))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: SurveyTemplate, form: Any, change: bool
    ) -> None:
        force_id = (
            obj.force_id if request.user.is_superuser else getattr(request.user, "force_id", None)
        )
        same = SurveyTemplate.objects.filter(key=obj.key, stage=obj.stage)
        same = same.filter(force=None) if force_id is None else same.filter(force_id=force_id)
        latest = same.aggregate(v=Max("version"))["v"]
        obj.pk = None
        obj._state.adding = True
        obj.force_id = force_id
        obj.version = (latest or 0) + 1
        super().save_model(request, obj, form, False)
        template_cache_clear()
