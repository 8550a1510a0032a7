from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from bluelamp.care import rules
from bluelamp.care.defaults import DEFAULT_RULE_SET
from bluelamp.care.models import RuleSetVersion
from bluelamp.care.services import rule_set_check, rule_set_save, rules_current
from bluelamp.forces.admin import RolePermissions
from bluelamp.forces.models import Force, User


class RuleSetForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = RuleSetVersion
        fields = ["definition"]
        help_texts = {
            "definition": "Referral rules and Enhanced Rights, as JSON. Saving makes a new "
            "version for your force; earlier versions stay, and referrals name the version "
            "that made them."
        }

    def check(self, data: Any) -> None:
        """Raise ValueError naming what is wrong (each kind of rules has its own parser), and
        every offence or flag the rules name that is not known."""
        rule_set_check(data)

    def clean_definition(self) -> Any:
        data = self.cleaned_data["definition"]
        try:
            self.check(data)
        except ValueError as e:
            raise forms.ValidationError(f"These rules are not valid: {e}") from e
        return data


@admin.register(RuleSetVersion)
class RuleSetAdmin(RolePermissions, admin.ModelAdmin):  # type: ignore[type-arg]
    """Referral and Enhanced Rights rules: data, per force, every change a new version."""

    form = RuleSetForm
    list_display = ["version", "force", "active", "created_by", "created_at"]
    readonly_fields = ["version", "active", "created_by", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RuleSetVersion]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(Q(force=None) | Q(force_id=getattr(request.user, "force_id", None)))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        force = getattr(request.user, "force", None)
        return {"definition": self.initial_definition(force if isinstance(force, Force) else None)}

    def initial_definition(self, force: Force | None) -> Any:
        """What a new version starts from: the force's current rules."""
        current = rules_current(force) if force is not None else None
        return rules.dump_rule_set(current.rule_set) if current else DEFAULT_RULE_SET

    def rules_save(self, *, force: Force, definition: Any, user: User | None) -> Any:
        """Store a new version (checked, versioned and audited by the service)."""
        return rule_set_save(force=force, definition=definition, user=user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: RuleSetVersion, form: Any, change: bool
    ) -> None:
        force = getattr(request.user, "force", None)
        if not isinstance(force, Force):
            raise PermissionError("rules belong to a force")
        user = request.user if isinstance(request.user, User) else None
        saved = self.rules_save(force=force, definition=form.cleaned_data["definition"], user=user)
        obj.pk = saved.pk
        obj.version = saved.version
