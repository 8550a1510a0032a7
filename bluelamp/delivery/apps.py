from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "bluelamp.delivery"
    label = "delivery"
