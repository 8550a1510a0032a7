from django.urls import path

from bluelamp.recovery import views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
]
