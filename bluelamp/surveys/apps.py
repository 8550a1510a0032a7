from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "bluelamp.surveys"
    label = "surveys"
