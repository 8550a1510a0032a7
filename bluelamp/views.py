from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader

from bluelamp.forces.access import OUTBOX_ROLES
from bluelamp.forces.models import Role, User
from bluelamp.lib.params import BadQuery

# Where each role's own work starts: the supervisor's and analyst's live view, the victim-care
# officer's Victims' Code duties due, the specialist team's referrals to work on, the
# investigator's crimes. A role not listed (or a user of no force) gets the welcome page.
LANDING = {
    Role.SUPERVISOR: "live",
    Role.ANALYST: "live",
    Role.ADMINISTRATOR: "live",
    Role.VICTIM_CARE: "care_duties",
    Role.SPECIALIST: "referral_queue",
    Role.INVESTIGATOR: "investigation_list",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page their role's own work starts from."""
    user = request.user
    assert isinstance(user, User)
    landing = LANDING.get(Role(user.role)) if user.role in Role.values else None
    if landing and user.force_id:
        return redirect(landing)
    return render(
        request,
        "home.html",
        {"can_outbox": user.role in OUTBOX_ROLES, "is_staff": user.is_staff},
    )


# The site's error pages: branded pages for people, JSON ({"detail": ...}) under /api/,
# where force systems expect it. They name what was wrong but never echo the request (its
# path may hold a survey token, its parameters personal data).


def _for_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    errors = exception.errors if isinstance(exception, BadQuery) else {}
    if _for_api(request):
        body: dict[str, object] = {"detail": "Invalid input" if errors else "Bad request"}
        if errors:
            body["errors"] = [{"field": k, "message": v} for k, v in errors.items()]
        return JsonResponse(body, status=400)
    return render(request, "400.html", {"errors": errors}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "Not allowed"}, status=403)
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without its CSRF token (often one left open past its session): said in
    words, never Django's page naming the mechanism. ``reason`` is not shown. (The API takes
    bearer tokens, not cookies, so it never gets here.)"""
    return render(request, "403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: whatever failed (the database, a session)
    must not fail the error page too."""
    if _for_api(request):
        return JsonResponse({"detail": "Server error"}, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def api_json_errors(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[..., Any]:
    """Middleware: a method an API path does not take answers JSON, as every other API
    answer does (the router's own 405 is an empty text page), keeping its Allow header."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            response.status_code == 405
            and _for_api(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            response = JsonResponse({"detail": f"Method {request.method} not allowed"}, status=405)
            if allowed:
                response["Allow"] = allowed
        return response

    return middleware
