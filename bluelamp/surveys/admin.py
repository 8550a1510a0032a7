from django.contrib import admin

from bluelamp.surveys.models import IncidentType, SurveyTemplate


@admin.register(IncidentType)
class IncidentTypeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "group", "sensitive", "template_key"]
    list_filter = ["group", "sensitive"]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["key", "stage", "version", "force", "active", "created_at"]
    list_filter = ["key", "stage", "active"]
