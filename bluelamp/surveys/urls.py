"""The respondent's pages, at the links sent. ``submit`` is what stores an answer and all
that follows it, passed in by the project's URLs (the workflow sits above surveys)."""

from django.urls import URLPattern, path

from bluelamp.surveys import views
from bluelamp.surveys.services import Submit


def respondent_urls(*, submit: Submit) -> list[URLPattern]:
    return [
        path("<str:token>", views.respond, {"submit": submit}, name="respond"),
        path("<str:token>/stop", views.opt_out, name="opt_out"),
    ]
