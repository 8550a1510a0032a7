"""``/healthz`` and ``/metrics``: for load balancers and monitoring, not for people."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from bluelamp.ops.health import health_report


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Each part and its state; no sign-in, nothing about any person or force."""
    status, body = health_report()
    return JsonResponse(body, status=status)


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text behind the bearer token ``METRICS_TOKEN``: 401 without a token, 403
    with another; 404 while no token is configured, as if there were no such page."""
    expected = settings.METRICS_TOKEN
    if not expected:
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        response = HttpResponse("A bearer token is needed\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        return HttpResponse("Wrong token\n", status=403, content_type="text/plain")
    # prometheus_client is imported by the web worker, after `bluelamp serve` has chosen
    # its shared directory (bluelamp/ops/metrics.py), not when the URLs are loaded.
    from bluelamp.ops import metrics as exposition

    return HttpResponse(exposition.exposition(), content_type=exposition.CONTENT_TYPE)
