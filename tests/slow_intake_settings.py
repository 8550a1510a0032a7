"""The benchmark's settings with a deliberate slowdown of every contact posted, so that a test
can show the CI guard (``bench/intake.py --check``) failing on it.

The slowdown spins on the CPU rather than sleeping, as a regression in code does: a sleeping
worker leaves its CPU to the other one, so on a busy machine a sleep hides in the queue."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from bench.peer.settings import *  # noqa: F403
from bench.peer.settings import MIDDLEWARE

SPIN_CPU_SECONDS = 0.003


class SpinPerContact:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == "/api/v1/contacts":
            start = time.process_time()
            while time.process_time() - start < SPIN_CPU_SECONDS:
                pass
        return self.get_response(request)


MIDDLEWARE = [*MIDDLEWARE, "tests.slow_intake_settings.SpinPerContact"]
