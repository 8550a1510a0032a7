"""What ``GET /metrics`` shows, in Prometheus' text format.

Requests and their latency are counted per process by ``prometheus_client``. Under
``bluelamp serve`` the gunicorn workers share them through ``PROMETHEUS_MULTIPROC_DIR``
(prometheus_client's multiprocess mode; serve creates the directory), so a scrape that lands
on any worker sees every worker's requests. Everything that is state (the queue, messages,
recovery cases, Victims' Code duties, the daily duties) is read from the database at the
scrape, so it is the same whichever process answers.

Not imported by the master process of ``bluelamp serve`` before it has set the directory:
``prometheus_client`` chooses per-process or shared values when it is first imported.
"""

import os
from collections.abc import Iterator

from django.db.models import Count
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bluelamp.care.models import Duty
from bluelamp.delivery.models import Message
from bluelamp.ops import health
from bluelamp.recovery.models import RecoveryCase

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
disable_created_metrics()  # type: ignore[no-untyped-call]  # the *_created series double the text and no dashboard uses them

# Requests, kept apart from prometheus_client's global registry (its process and platform
# figures mean little when several workers answer by turns).
_requests_registry = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "bluelamp_http_requests",
    "HTTP requests answered, by method, status class and route name",
    ["method", "status", "route"],
    registry=_requests_registry,
)
LATENCY = Histogram(
    "bluelamp_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route name",
    ["method", "route"],
    registry=_requests_registry,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def request_observe(*, method: str, status: int, route: str, seconds: float) -> None:
    method = method if method in _METHODS else "other"  # a client chooses the method
    REQUESTS.labels(method=method, status=f"{status // 100}xx", route=route).inc()
    LATENCY.labels(method=method, route=route).observe(seconds)


class StateCollector(Collector):
    """Figures read from the database at each scrape."""

    def collect(self) -> Iterator[Metric]:
        now = health.now()
        queue = health.queue_figures(now=now)
        jobs = GaugeMetricFamily(
            "bluelamp_queue_jobs",
            "Jobs in the worker queue: ready (waiting, due or not), due (ready and due now, "
            "or claimed by a worker whose lease ran out) and running",
            labels=["state"],
        )
        for state in ("ready", "due", "running"):
            jobs.add_metric([state], queue[state])
        yield jobs
        yield GaugeMetricFamily(
            "bluelamp_queue_oldest_due_seconds",
            "How long the oldest due job has waited for a worker (0 when none is due)",
            value=queue["oldest_due_seconds"],
        )

        messages = GaugeMetricFamily(
            "bluelamp_messages",
            "Messages by status and channel (sms or email)",
            labels=["status", "via"],
        )
        by_status = Message.objects.values_list("status", "via").annotate(n=Count("pk"))
        for status, via, n in by_status.order_by():
            messages.add_metric([status, via], n)
        yield messages

        cases = GaugeMetricFamily(
            "bluelamp_recovery_cases_open",
            "Service-recovery cases still being worked (open or contacted), by force",
            labels=["force"],
        )
        open_cases = RecoveryCase.objects.filter(status__in=RecoveryCase.ACTIVE)
        for force, n in open_cases.values_list("force__slug").annotate(n=Count("pk")).order_by():
            cases.add_metric([force], n)
        yield cases

        duties = GaugeMetricFamily(
            "bluelamp_victims_code_duties_overdue",
            "Victims' Code duties not met and past their deadline, by force and right",
            labels=["force", "right"],
        )
        overdue = Duty.objects.filter(met_at=None, due_at__lt=now)
        by_right = overdue.values_list("force__slug", "right").annotate(n=Count("pk"))
        for force, right, n in by_right.order_by():
            duties.add_metric([force, right], n)
        yield duties

        daily = GaugeMetricFamily(
            "bluelamp_daily_duty_last_success_timestamp_seconds",
            "When each daily duty of the worker (the personal-data purge) last finished",
            labels=["duty"],
        )
        for name, finished in health.daily_duties_finished().items():
            if finished is not None:
                daily.add_metric([name], finished.timestamp())
        yield daily


def exposition() -> bytes:
    """The text a scrape gets: requests of every worker process, and the database's state."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Requests())
    registry.register(StateCollector())
    return generate_latest(registry)


class _Requests(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from _requests_registry.collect()
