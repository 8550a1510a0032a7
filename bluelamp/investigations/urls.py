from django.urls import path

from bluelamp.investigations import views

urlpatterns = [
    path("", views.crime_list, name="investigation_list"),
    path("<int:checklist_id>/", views.crime_detail, name="investigation_detail"),
    path("missed/", views.missed, name="investigation_missed"),
    path("outcomes/", views.outcomes, name="investigation_outcomes"),
    path("satisfaction/", views.basics_satisfaction, name="investigation_satisfaction"),
]
