"""The benchmark's settings with a deliberate slowdown of every contact posted, so that a test
can show the CI guard (``bench/intake.py --check``) failing on it."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from bench.peer.settings import *  # noqa: F403
from bench.peer.settings import MIDDLEWARE

SLEEP_SECONDS = 0.005


class SleepPerContact:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == "/api/v1/contacts":
            time.sleep(SLEEP_SECONDS)
        return self.get_response(request)


MIDDLEWARE = [*MIDDLEWARE, "tests.slow_intake_settings.SleepPerContact"]
