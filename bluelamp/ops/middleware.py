"""Every request gets an id (the proxy's ``X-Request-ID`` when it is a plain one) that log lines
carry and the answer repeats, and is counted and timed for ``/metrics``."""

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from bluelamp.lib import logscrub
from bluelamp.ops import metrics

_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestMiddleware:
    """First in the chain, so its time covers every other middleware and its count every
    answer, errors turned into pages included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _PLAIN_ID.fullmatch(given) else uuid.uuid4().hex
        context = logscrub.request_started(request_id, request.path)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            logscrub.request_finished(context)
        match = getattr(request, "resolver_match", None)
        metrics.request_observe(
            method=request.method or "",
            status=response.status_code,
            route=match.view_name if match is not None else "unmatched",
            seconds=time.perf_counter() - started,
        )
        response["X-Request-ID"] = request_id
        return response
