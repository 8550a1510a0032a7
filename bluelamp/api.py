"""The versioned JSON API for force systems: /api/v1/, OpenAPI at /api/v1/openapi.json."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from bluelamp.forces.api_auth import ForceToken
from bluelamp.intake.api import router as intake_router
from bluelamp.recovery.api import router as recovery_router

api = NinjaAPI(
    title="Bluelamp API",
    version="1",
    description=(
        "Force systems push contacts and read decisions and service-recovery cases. "
        "Authenticate with `Authorization: Bearer <token>` from `bluelamp create-api-token`."
    ),
    auth=ForceToken(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _location(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": "Invalid input", "errors": errors}, status=400)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Missing or unknown API token"}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("", intake_router)
api.add_router("", recovery_router)
