from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "bluelamp.outcomes"
    label = "outcomes"
