"""Bearer-token authentication for force systems calling the API."""

from cachetools import TTLCache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from bluelamp.forces.models import ApiToken, Force, hash_token

# Tokens found valid, by digest, for TOKEN_CACHE_SECONDS: the look-up was a quarter of
# intake time. A token revoked or deleted in the admin stops working at once in the process
# that saved it and within this many seconds in every other worker.
TOKEN_CACHE_SECONDS = 5.0
_tokens: TTLCache[str, ApiToken] = TTLCache(maxsize=1024, ttl=TOKEN_CACHE_SECONDS)


def token_cache_clear() -> None:
    _tokens.clear()


def _token_valid(digest: str) -> ApiToken | None:
    cached = _tokens.get(digest)
    if cached is not None:
        return cached
    found = ApiToken.objects.select_related("force").filter(digest=digest, revoked_at=None).first()
    if found is None:
        _tokens.pop(digest, None)
    else:
        _tokens[digest] = found
    return found


class ForceToken(HttpBearer):
    """A force system's bearer token; the request acts for that token's force only."""

    def authenticate(self, request: HttpRequest, token: str) -> Force | None:
        found = _token_valid(hash_token(token))
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
            # At most one write per token every five minutes, so intake stays fast.
            found.last_used_at = now
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
