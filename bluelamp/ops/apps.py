from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: serving, the worker and its scheduled duties, health and metrics, the
    demonstration force and its simulator."""

    name = "bluelamp.ops"
    label = "ops"

    def ready(self) -> None:
        from bluelamp.lib import logscrub

        # Handlers that a library added outside LOGGING scrub too.
        logscrub.install()
