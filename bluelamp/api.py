"""The versioned JSON API for force systems: /api/v1/, OpenAPI at /api/v1/openapi.json."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from bluelamp.forces.models import ApiToken, Force, hash_token


class ForceToken(HttpBearer):
    """A force system's bearer token; the request acts for that token's force only."""

    def authenticate(self, request: HttpRequest, token: str) -> Force | None:
        found = (
            ApiToken.objects.select_related("force")
            .filter(digest=hash_token(token), revoked_at=None)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
            # At most one write per token every five minutes, so intake stays fast.
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.api_token = found  # type: ignore[attr-defined]
        return found.force


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
    return api.create_response(
        request, {"detail": "Missing or unknown API token"}, status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def request_force(request: HttpRequest) -> Force:
    force = request.auth  # type: ignore[attr-defined]
    assert isinstance(force, Force)
    return force


def request_actor(request: HttpRequest) -> str:
    token = getattr(request, "api_token", None)
    return f"api:{token.name}" if token is not None else "api"


from bluelamp.intake.api import router as intake_router  # noqa: E402
from bluelamp.recovery.api import router as recovery_router  # noqa: E402

api.add_router("", intake_router)
api.add_router("", recovery_router)
