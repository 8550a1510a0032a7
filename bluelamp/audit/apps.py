from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bluelamp.audit"
    label = "audit"
