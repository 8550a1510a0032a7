from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "bluelamp.staffing"
    label = "staffing"
