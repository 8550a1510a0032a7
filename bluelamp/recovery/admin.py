from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bluelamp.audit.admin import RulesAdmin, RulesForm
from bluelamp.forces.models import Force, User
from bluelamp.recovery import rules
from bluelamp.recovery.models import RecoveryRuleSetVersion
from bluelamp.recovery.services import rules_check, rules_current, rules_save


class RecoveryRulesForm(RulesForm):
    force_id: int | None = None  # the administrator's force, set per request by the admin

    class Meta:
        model = RecoveryRuleSetVersion
        fields = ["definition"]
        help_texts = {
            "definition": "Which survey answers open a service-recovery case, with a deadline "
            "and priority per rule, who takes overdue cases (escalate_to: a username) and the "
            "follow-up survey, as JSON. Saving makes a new version for your force; cases name "
            "the version that opened them."
        }

    def check(self, data: Any) -> None:
        if self.force_id is None:
            rules.parse_rule_set(data)
        else:
            rules_check(force_id=self.force_id, definition=data)


@admin.register(RecoveryRuleSetVersion)
class RecoveryRulesAdmin(RulesAdmin):
    """Recovery rules: data, per force, every change a new version (as referral rules)."""

    form = RecoveryRulesForm

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.force_id = getattr(request.user, "force_id", None)
        return form

    def initial_definition(self, force: Force | None) -> Any:
        if force is None:
            return {}
        return rules.dump_rule_set(rules_current(force.pk).rule_set)

    def rules_save(self, *, force: Force, definition: Any, user: User | None) -> Any:
        return rules_save(force=force, definition=definition, user=user)
