from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "bluelamp.insights"
    label = "insights"
