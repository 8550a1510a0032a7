from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operational commands: serving, the demonstration force and its simulator."""

    name = "bluelamp.ops"
    label = "ops"
