"""Error reports with SENTRY_DSN set reach the service, and carry no survey token, phone number
or email: a fake Sentry on loopback receives what the real settings send."""

import gzip
import os
import secrets
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.test_ops_logs import personal, run_child


class FakeSentry(BaseHTTPRequestHandler):
    received: list[tuple[str, str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        type(self).received.append((self.path, body.decode("utf-8", "replace")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sentry() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    FakeSentry.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://publickey@127.0.0.1:{server.server_port}/7", FakeSentry.received
    finally:
        server.shutdown()
        server.server_close()


def test_an_error_reaches_sentry_without_personal_data(
    tmp_path: Path, sentry: tuple[str, list[tuple[str, str]]]
) -> None:
    dsn, received = sentry
    token = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bluelamp.settings",
        "SENTRY_DSN": dsn,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sentry.sqlite3'}",
        "DATA_DIR": str(tmp_path),
    }
    run_child(token, env)
    events = [body for path, body in received if path == "/api/7/envelope/"]
    errors = [body for body in events if '"type":"event"' in body.replace(" ", "")]
    assert errors, f"no event reached the fake Sentry: {[p for p, _ in received]}"
    report = "\n".join(errors)
    assert "RuntimeError" in report and "could not reach [phone] or [email]" in report
    # The CSRF warning before the error came along as a breadcrumb, scrubbed too.
    assert "django.security.csrf" in report and "/s/[link]" in report
    assert personal("\n".join(body for _, body in received), token) == []


def test_scrub_event_scrubs_every_string_and_the_repr_of_any_object() -> None:
    from bluelamp.lib.logscrub import scrub_event

    token = secrets.token_urlsafe(16)

    class Request:
        def __repr__(self) -> str:
            return f"<WSGIRequest: POST '/s/{token}'>"

    event = {
        "message": "texted 07700 900123",
        "timestamp": 1.5,
        "request": {"url": f"http://x/s/{token}", "query_string": "email=a@b.example"},
        "breadcrumbs": {"values": [{"data": {"request": Request(), "status_code": 403}}]},
    }
    assert scrub_event(event, None) == {
        "message": "texted [phone]",
        "timestamp": 1.5,
        "request": {"url": "http://x/s/[link]", "query_string": "email=[email]"},
        "breadcrumbs": {
            "values": [{"data": {"request": "<WSGIRequest: POST '/s/[link]'>", "status_code": 403}}]
        },
    }
