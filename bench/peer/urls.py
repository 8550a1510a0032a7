from django.urls import include, path

from bench.peer.views import bare_insert

urlpatterns = [
    path("bench/bare-insert", bare_insert),
    path("", include("bluelamp.urls")),
]
