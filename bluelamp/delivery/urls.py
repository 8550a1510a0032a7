from django.urls import path

from bluelamp.delivery import views

urlpatterns = [path("", views.outbox, name="outbox")]
