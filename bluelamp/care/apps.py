from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "bluelamp.care"
    label = "care"
