"""Bearer-token authentication for force systems calling the API."""

from django.http import HttpRequest
from django.utils import timezone
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


def request_force(request: HttpRequest) -> Force:
    force = request.auth  # type: ignore[attr-defined]
    assert isinstance(force, Force)
    return force


def request_actor(request: HttpRequest) -> str:
    token = getattr(request, "api_token", None)
    return f"api:{token.name}" if token is not None else "api"
