from django.apps import AppConfig


class PreventionConfig(AppConfig):
    """Near repeats: the Knox test over a force's burglaries, and the neighbours warned."""

    name = "bluelamp.prevention"
    label = "prevention"
