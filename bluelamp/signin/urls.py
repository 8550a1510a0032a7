"""Sign-in through the force's identity provider; the names are mozilla-django-oidc's own."""

from django.urls import path

from bluelamp.signin import oidc

urlpatterns = [
    path("authenticate/", oidc.SignInStart.as_view(), name="oidc_authentication_init"),
    path("callback/", oidc.SignInCallback.as_view(), name="oidc_authentication_callback"),
]
