from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "bluelamp.intake"
    label = "intake"
