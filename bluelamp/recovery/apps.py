from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "bluelamp.recovery"
    label = "recovery"
