"""Addresses the message providers call: delivery receipts and texts received."""

from django.urls import path

from bluelamp.delivery import views

urlpatterns = [
    path("notify/receipt", views.notify_receipt, name="notify-receipt"),
    path("notify/inbound", views.notify_inbound, name="notify-inbound"),
    path("twilio/status", views.twilio_status, name="twilio-status"),
    path("twilio/inbound", views.twilio_inbound, name="twilio-inbound"),
]
