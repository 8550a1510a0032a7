from typing import Any

from django.contrib import admin

from bluelamp.audit.admin import RulesAdmin, RulesForm
from bluelamp.care import rules
from bluelamp.care.defaults import DEFAULT_RULE_SET
from bluelamp.care.models import RuleSetVersion
from bluelamp.care.services import rule_set_check, rule_set_save, rules_current
from bluelamp.forces.models import Force, User


class RuleSetForm(RulesForm):
    class Meta:
        model = RuleSetVersion
        fields = ["definition"]
        help_texts = {
            "definition": "Referral rules and Enhanced Rights, as JSON. Saving makes a new "
            "version for your force; earlier versions stay, and referrals name the version "
            "that made them."
        }

    def check(self, data: Any) -> None:
        """Raise ValueError naming what is wrong, and every offence or flag the rules name
        that is not known."""
        rule_set_check(data)


@admin.register(RuleSetVersion)
class RuleSetAdmin(RulesAdmin):
    """Referral and Enhanced Rights rules: data, per force, every change a new version."""

    form = RuleSetForm

    def initial_definition(self, force: Force | None) -> Any:
        current = rules_current(force) if force is not None else None
        return rules.dump_rule_set(current.rule_set) if current else DEFAULT_RULE_SET

    def rules_save(self, *, force: Force, definition: Any, user: User | None) -> Any:
        return rule_set_save(force=force, definition=definition, user=user)
