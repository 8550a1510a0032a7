from typing import Any

from django.contrib import admin

from bluelamp.audit.admin import RulesAdmin, RulesForm
from bluelamp.forces.models import Force, User
from bluelamp.investigations import rules
from bluelamp.investigations.defaults import DEFAULT_CHECKLISTS
from bluelamp.investigations.models import ChecklistRulesVersion
from bluelamp.investigations.services import (
    checklist_rules_check,
    checklist_rules_current,
    checklist_rules_save,
)


class ChecklistRulesForm(RulesForm):
    class Meta:
        model = ChecklistRulesVersion
        fields = ["definition"]
        help_texts = {
            "definition": "The basics checklist of each offence family, as JSON. Saving makes "
            "a new version for your force; crimes already open keep the items they opened "
            "with, and each names its version."
        }

    def check(self, data: Any) -> None:
        checklist_rules_check(data)


@admin.register(ChecklistRulesVersion)
class ChecklistRulesAdmin(RulesAdmin):
    """Basics checklists: data, per force, every change a new version."""

    form = ChecklistRulesForm

    def initial_definition(self, force: Force | None) -> Any:
        if force is None:
            return DEFAULT_CHECKLISTS
        return rules.dump_checklists(checklist_rules_current(force).rules)

    def rules_save(self, *, force: Force, definition: Any, user: User | None) -> Any:
        return checklist_rules_save(force=force, definition=definition, user=user)
