from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    """The basics of investigation: a checklist per crime, by offence family."""

    name = "bluelamp.investigations"
    label = "investigations"
