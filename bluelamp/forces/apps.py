from django.apps import AppConfig


class ForcesConfig(AppConfig):
    name = "bluelamp.forces"
    label = "forces"
    verbose_name = "Forces, teams and people"
