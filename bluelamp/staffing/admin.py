from django.contrib import admin

from bluelamp.forces.admin import ForceScopedAdmin
from bluelamp.staffing.models import Queue


@admin.register(Queue)
class QueueAdmin(ForceScopedAdmin):
    """Each queue's answer standard and planning assumptions; the advice follows at once."""

    list_display = [
        "code",
        "name",
        "target_share",
        "target_seconds",
        "shrinkage",
        "max_occupancy",
        "patience_seconds",
    ]
