"""The project's URLs and one page that fails, for the tests of what an error leaves in the
logs and in an error report (tests/test_ops_logs.py, tests/test_ops_sentry.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bluelamp.urls import urlpatterns as project_urlpatterns

PHONE = "07700 900123"
EMAIL = "victim.person@example.org"


def fails(request: HttpRequest, token: str) -> HttpResponse:
    raise RuntimeError(f"could not reach {PHONE} or {EMAIL} for link /s/{token}")


urlpatterns = [*project_urlpatterns, path("fails/<str:token>", fails)]
