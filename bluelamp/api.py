"""The versioned JSON API for force systems: /api/v1/, OpenAPI at /api/v1/openapi.json."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from bluelamp.apidocs import ReadableDocs
from bluelamp.care.api import router as care_router
from bluelamp.forces.api_auth import ForceToken
from bluelamp.insights.api import router as insights_router
from bluelamp.intake.api import router as intake_router
from bluelamp.investigations.api import router as investigations_router
from bluelamp.lib.errors import field_errors
from bluelamp.recovery.api import router as recovery_router
from bluelamp.staffing.api import router as staffing_router

api = NinjaAPI(
    title="Bluelamp API",
    version="1",
    description=(
        "Force systems push contacts and read decisions and service-recovery cases; "
        "telephony and workforce systems push call statistics and rosters and read "
        "staffing advice. "
        "Authenticate with `Authorization: Bearer <token>` from `bluelamp create-api-token`."
    ),
    auth=ForceToken(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=ReadableDocs(),
)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    found = field_errors(exc.errors)
    errors = [{"field": name, "message": message} for name, message in found.items()]
    return api.create_response(request, {"detail": "Invalid input", "errors": errors}, status=400)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Missing or unknown API token"}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("", intake_router)
api.add_router("", recovery_router)
api.add_router("", staffing_router)
api.add_router("", care_router)
# After care's: the crime's own route (``crimes/{path}``) would take care's events route.
api.add_router("", investigations_router)
api.add_router("", insights_router)
