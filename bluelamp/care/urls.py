from django.urls import path

from bluelamp.care import views

urlpatterns = [
    path("", views.referral_queue, name="referral_queue"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/export.csv", views.referral_export, name="referral_export"),
    path("referrals/send/", views.referral_send_review, name="referral_send"),
    path("duties/", views.duties, name="care_duties"),
    path("compliance/", views.compliance, name="care_compliance"),
    path("repeats/", views.repeats, name="care_repeats"),
    path("repeats/victims/", views.repeat_victims, name="care_repeat_victims"),
    path("reviews/", views.reviews, name="care_reviews"),
]
