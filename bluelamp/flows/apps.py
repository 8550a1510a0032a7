from django.apps import AppConfig


class FlowsConfig(AppConfig):
    """Workflows that cross apps (a response end to end, replies by text), and the wiring by
    which lower apps are told whom to ask: the one place the layers are connected."""

    name = "bluelamp.flows"
    label = "flows"

    def ready(self) -> None:
        # Django loads every app's models before ready(), and not before: hence here.
        from bluelamp.flows.wiring import connect

        connect()
