from django.urls import path

from bluelamp.prevention import views

urlpatterns = [
    path("", views.home, name="prevention_home"),
    path("run/", views.run, name="prevention_run"),
    path("zones/", views.zone_list, name="prevention_zones"),
    path("zones/<int:zone_id>/", views.zone_detail, name="prevention_zone"),
]
