from django.apps import AppConfig
from django.core import checks


class ForcesConfig(AppConfig):
    name = "bluelamp.forces"
    label = "forces"
    verbose_name = "Forces, teams and people"

    def ready(self) -> None:
        from bluelamp.lib.checks import development_keys

        checks.register(development_keys, checks.Tags.security, deploy=True)
