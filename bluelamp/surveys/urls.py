from django.urls import path

from bluelamp.surveys import views

urlpatterns = [
    path("<str:token>", views.respond, name="respond"),
    path("<str:token>/stop", views.opt_out, name="opt_out"),
]
