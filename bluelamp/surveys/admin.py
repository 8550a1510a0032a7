import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from pydantic import ValidationError

from bluelamp.audit.admin import RulesAdmin, RulesForm
from bluelamp.forces.admin import RolePermissions
from bluelamp.forces.models import Force, User
from bluelamp.surveys import contact_rules, logic
from bluelamp.surveys.models import ContactRuleSet, IncidentType, SurveyTemplate
from bluelamp.surveys.preview import preview_html
from bluelamp.surveys.selectors import template_cache_clear
from bluelamp.surveys.services import contact_rules_save


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
    readonly_fields = ["message_preview"]

    class Media:
        css = {"all": ["bluelamp/admin.css"]}

    @admin.display(description="The messages, as a person receives them")
    def message_preview(self, obj: SurveyTemplate | None) -> str:
        """Every text this template sends, in English and Welsh, by SMS and email, with its
        length in SMS segments, so an administrator sees them before the template is used."""
        if obj is None or obj.pk is None:
            return "Save the template to preview its messages."
        return preview_html(obj)

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


class ContactRulesForm(RulesForm):
    class Meta:
        model = ContactRuleSet
        fields = ["definition"]
        help_texts = {
            "definition": "Who may be surveyed, how many and when, as JSON: excluded flags and "
            "incident types, minimum age, channel preference, the frequency cap, sampling by "
            "incident type and channel, each stage's delay, quiet hours, reminder and expiry. "
            "Saving makes a new version for your force; every decision names its version."
        }

    def check(self, data: Any) -> None:
        contact_rules.parse_contact_rules(data)


@admin.register(ContactRuleSet)
class ContactRulesAdmin(RulesAdmin):
    """Contact rules: data, per force, every change a new version, audited."""

    form = ContactRulesForm
    readonly_fields = [*RulesAdmin.readonly_fields, "in_words"]

    @admin.display(description="These rules, in words")
    def in_words(self, obj: ContactRuleSet | None) -> str:
        if obj is None or obj.pk is None:
            return "Save to see the rules in words."
        return " ".join(contact_rules.explain(contact_rules.parse_contact_rules(obj.definition)))

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContactRuleSet]:
        qs = ContactRuleSet.objects.all()
        if request.user.is_superuser:
            return qs
        return qs.filter(force_id=getattr(request.user, "force_id", 0) or 0)

    def initial_definition(self, force: Force | None) -> Any:

        if force is None:
            return contact_rules.DEFAULT_CONTACT_RULES
        found = ContactRuleSet.objects.filter(force=force, active=True).first()
        return found.definition if found else contact_rules.DEFAULT_CONTACT_RULES

    def rules_save(self, *, force: Force, definition: Any, user: User | None) -> Any:
        return contact_rules_save(force=force, definition=definition, user=user)
