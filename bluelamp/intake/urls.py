from django.urls import path

from bluelamp.intake import views

urlpatterns = [path("", views.contact_decisions, name="contact_decisions")]
