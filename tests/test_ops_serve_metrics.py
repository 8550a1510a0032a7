"""Under ``bluelamp serve`` with several gunicorn workers, /metrics counts every worker's
requests, whichever worker answers the scrape (prometheus_client's multiprocess mode)."""

import json
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.processes import child_env
from tests.test_ops_logs import ROOT

BIN = Path(ROOT) / ".venv" / "bin" / "bluelamp"
TOKEN = "serve-metrics-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)  # noqa: S310 (http on loopback only)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310 (loopback only)
        return r.status, r.read().decode()


def healthz_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "bluelamp_http_requests_total" and s.labels.get("route") == "healthz":
                return s.value
    return 0.0


@pytest.mark.slow(reason="about 12 s: a gunicorn server with two workers")
def test_requests_are_counted_across_gunicorn_workers(tmp_path: Path) -> None:
    """And gunicorn's own log lines, JSON with LOG_FORMAT=json, name no survey link."""
    shared = tmp_path / "metrics"
    env = {**child_env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
           "DATA_DIR": str(tmp_path), "METRICS_TOKEN": TOKEN, "LOG_FORMAT": "json",
           "PROMETHEUS_MULTIPROC_DIR": str(shared)}  # fmt: skip
    env.pop("SENTRY_DSN", None)
    subprocess.run([BIN, "migrate", "-v0"], env=env, check=True, timeout=300)  # noqa: S603
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"left by an earlier run")  # serve empties it
    port = free_port()
    out = (tmp_path / "serve.log").open("w")  # the access log is on stdout, the rest stderr
    server = subprocess.Popen(  # noqa: S603 (our own command)
        [BIN, "serve", "--workers", "3", "--threads", "1", "--port", str(port)],
        env=env, stdout=out, stderr=out,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        asked = 60
        for _ in range(asked - 1):  # one already asked
            status, _ = get(f"{base}/healthz")
            assert status == 200
        counters = sorted(p.name for p in shared.glob("counter_*.db"))
        assert len(counters) >= 2, f"one worker answered every request: {counters}"
        seen = {healthz_count(get(f"{base}/metrics", TOKEN)[1]) for _ in range(10)}
        assert seen == {asked}, seen
        token = secrets.token_urlsafe(16)
        try:
            get(f"{base}/s/{token}?email=someone@example.org")
        except urllib.error.HTTPError as e:
            assert e.code == 404  # no such invitation
    finally:
        server.terminate()
        server.wait(timeout=30)
        out.close()
    logs = (tmp_path / "serve.log").read_text()
    assert token not in logs and "someone@example.org" not in logs
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert any('"GET /s/[link]" 404' in line["message"] for line in access), access[-3:]
