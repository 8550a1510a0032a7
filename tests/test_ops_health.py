"""GET /healthz names each part and its state (503 only when one is down); GET /metrics gives
Prometheus text behind METRICS_TOKEN, its figures read from the database."""

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from bluelamp.care.models import Duty
from bluelamp.delivery.models import Job, Message
from bluelamp.recovery.models import RecoveryCase
from tests.helpers import answer, make_contact, send_scheduled
from tests.test_care import crime_body
from tests.test_ops_logs import ROOT

TOKEN = "metrics-token-for-the-tests"


def job(**fields: Any) -> Job:
    now = timezone.now()
    return Job.objects.create(task_path="bluelamp.delivery.dispatch.send_invitation",
                              enqueued_at=now, **{"run_after": now, **fields})  # fmt: skip


def test_healthz_names_each_part_without_sign_in_or_cache(force: Any) -> None:
    r = Client().get("/healthz")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert "no-store" in r["Cache-Control"]
    body = r.json()
    assert set(body["parts"]) == {"database", "queue", "daily_duties"}
    assert body["parts"]["database"]["state"] == "ok"
    assert body["parts"]["queue"] == {"state": "ok", "ready": 0, "due": 0, "running": 0,
                                      "oldest_due_seconds": 0.0}  # fmt: skip
    # No worker has run the daily purge yet: working, but someone should look.
    assert body["parts"]["daily_duties"]["state"] == "degraded"
    assert body["status"] == "degraded"
    assert force.name not in r.content.decode() and force.slug not in r.content.decode()
    assert Client().post("/healthz").status_code == 405


@pytest.mark.usefixtures("own_keys")
def test_healthz_counts_the_queue_and_calls_a_stalled_one_degraded(db: Any, settings: Any) -> None:
    settings.DAILY_DUTIES_HOUR = 0
    call_command("worker", "--once")  # the daily duties done, so only the queue speaks
    now = timezone.now()
    job(run_after=now - dt.timedelta(minutes=10))
    job(run_after=now - dt.timedelta(minutes=1))
    job(run_after=now + dt.timedelta(hours=1))  # not due yet
    job(status=Job.Status.RUNNING, lease_until=now + dt.timedelta(seconds=50))
    job(status=Job.Status.RUNNING, lease_until=now - dt.timedelta(minutes=2))  # worker died
    body = Client().get("/healthz").json()
    queue = body["parts"]["queue"]
    assert (queue["ready"], queue["due"], queue["running"]) == (3, 3, 2)
    assert 600 <= queue["oldest_due_seconds"] < 660
    assert queue["state"] == "degraded" and body["status"] == "degraded"
    assert body["parts"]["daily_duties"]["state"] == "ok"
    settings.QUEUE_STALL_SECONDS = 900
    r = Client().get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_healthz_answers_503_when_the_database_is_down(tmp_path: Any) -> None:
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bluelamp.settings", "DATA_DIR": str(tmp_path),
           "DATABASE_URL": "postgres://postgres@127.0.0.1:1/bluelamp"}  # fmt: skip
    env.pop("SENTRY_DSN", None)
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["status"] == "down"
    assert answer["body"]["parts"]["database"] == {"state": "down", "error": "OperationalError"}
    assert "127.0.0.1" not in done.stdout  # the error's text stays out of the answer


@pytest.fixture
def metrics_on(settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN


def scrape() -> dict[str, list[Any]]:
    r = Client(headers={"authorization": f"Bearer {TOKEN}"}).get("/metrics")
    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "no-store" in r["Cache-Control"]
    return {f.name: f.samples for f in text_string_to_metric_families(r.content.decode())}


def value(samples: list[Any], name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and s.labels == labels]
    return found[0] if found else 0.0


def test_metrics_is_404_without_a_configured_token(db: Any, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    assert Client(headers={"authorization": "Bearer "}).get("/metrics").status_code == 404


def test_metrics_wants_the_bearer_token(db: Any, metrics_on: None, login: Any, dave: Any) -> None:
    r = Client().get("/metrics")
    assert r.status_code == 401 and r["WWW-Authenticate"].startswith("Bearer")
    assert login(dave).get("/metrics").status_code == 401  # a signed-in administrator too
    assert Client(headers={"authorization": f"Basic {TOKEN}"}).get("/metrics").status_code == 401
    for wrong in (TOKEN[:-1], TOKEN + "x", "x" * len(TOKEN), "ünïcode"):
        r = Client(headers={"authorization": f"Bearer {wrong}"}).get("/metrics")
        assert r.status_code == 403, wrong
    assert scrape()


def test_metrics_counts_requests_by_method_status_and_route(db: Any, metrics_on: None) -> None:
    before = scrape()
    Client().get("/healthz")
    Client().get("/healthz")
    Client().get("/no-such-page")
    Client().post("/metrics")
    after = scrape()
    name = "bluelamp_http_requests_total"

    def grew(**labels: str) -> float:
        return value(after["bluelamp_http_requests"], name, **labels) - value(
            before["bluelamp_http_requests"], name, **labels
        )

    assert grew(method="GET", status="2xx", route="healthz") == 2
    assert grew(method="GET", status="4xx", route="unmatched") == 1
    assert grew(method="POST", status="4xx", route="metrics") == 1
    latency = after["bluelamp_http_request_duration_seconds"]
    count = value(latency, "bluelamp_http_request_duration_seconds_count",
                  method="GET", route="healthz")  # fmt: skip
    assert count >= 2
    assert value(latency, "bluelamp_http_request_duration_seconds_bucket",
                 method="GET", route="healthz", le="+Inf") == count  # fmt: skip


def test_metrics_read_state_from_the_database(force: Any, api: Client, metrics_on: None) -> None:
    answer(force, "UNHAPPY-1", 1, team="team-a")  # opens a recovery case
    answer(force, "UNHAPPY-2", 2, team="team-a")
    make_contact(force, "SENT-1")
    send_scheduled()
    assert api.post("/api/v1/crimes", crime_body(), content_type="application/json").status_code
    job(run_after=timezone.now() - dt.timedelta(minutes=5))

    got = scrape()
    queue = got["bluelamp_queue_jobs"]
    assert (
        value(queue, "bluelamp_queue_jobs", state="due")
        == Job.objects.filter(status=Job.Status.READY, run_after__lte=timezone.now()).count()
    )
    oldest = value(got["bluelamp_queue_oldest_due_seconds"], "bluelamp_queue_oldest_due_seconds")
    assert oldest >= 300
    messages = Message.objects.values_list("status", "via").annotate(n=Count("pk"))
    assert messages
    for status, via, n in messages.order_by():
        assert value(got["bluelamp_messages"], "bluelamp_messages", status=status, via=via) == n
    open_cases = RecoveryCase.objects.filter(status__in=RecoveryCase.ACTIVE, force=force).count()
    assert open_cases >= 1
    assert value(got["bluelamp_recovery_cases_open"], "bluelamp_recovery_cases_open",
                 force=force.slug) == open_cases  # fmt: skip
    overdue = Duty.objects.filter(force=force, met_at=None, due_at__lt=timezone.now())
    assert overdue.exists()
    total = sum(s.value for s in got["bluelamp_victims_code_duties_overdue"])
    assert total == overdue.count()
