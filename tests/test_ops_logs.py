"""No survey link, token, phone number or email reaches a log line: the real settings' logging
in a process of its own (tests/ops_child.py), JSON and text, with Django's CSRF warning on a
survey page and the error log of a page that raises."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from bluelamp.lib.logscrub import scrub
from tests.ops_urls import EMAIL, PHONE

ROOT = Path(__file__).resolve().parent.parent


def personal(text: str, token: str) -> list[str]:
    """Which of the token, the phone number (as written or normalised) and the email appear."""
    found = [token, PHONE, PHONE.replace(" ", ""), "+447700900123", "7700900123", EMAIL]
    return [value for value in found if value in text]


def child_logs(tmp_path: Path, log_format: str, token: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bluelamp.settings",
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'logs.sqlite3'}",
        "DATA_DIR": str(tmp_path),
    }
    env.pop("SENTRY_DSN", None)
    return run_child(token, env)


def run_child(token: str, env: dict[str, str]) -> str:
    """tests/ops_child.py in a process of its own; what it wrote to standard error."""
    done = subprocess.run(  # noqa: S603 (our own child script, by module name)
        [sys.executable, "-m", "tests.ops_child", token],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def test_json_logs_name_no_token_phone_or_email(tmp_path: Path) -> None:
    token = secrets.token_urlsafe(16)
    logs = child_logs(tmp_path, "json", token)
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]
    assert lines, "no log output at all"
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line), line
    csrf = [line for line in lines if line["logger"] == "django.security.csrf"]
    assert len(csrf) == 1 and csrf[0]["level"] == "WARNING"
    assert csrf[0]["path"] == "/s/[link]" and "/s/[link]" in csrf[0]["message"]
    assert csrf[0]["status_code"] == 403 and len(csrf[0]["request_id"]) == 32
    errors = [line for line in lines if line["logger"] == "django.request"]
    assert len(errors) == 1 and errors[0]["level"] == "ERROR"
    assert "RuntimeError: could not reach [phone] or [email]" in errors[0]["exception"]
    assert errors[0]["request_id"] != csrf[0]["request_id"]
    mine = [line for line in lines if line["logger"] == "bluelamp.test"]
    assert mine[0]["message"] == "texted [phone] and mailed [email]"
    assert personal(logs, token) == []


def test_text_logs_name_no_token_phone_or_email(tmp_path: Path) -> None:
    token = secrets.token_urlsafe(16)
    logs = child_logs(tmp_path, "text", token)
    assert "WARNING django.security.csrf: Forbidden (CSRF cookie not set.): /s/[link]" in logs
    assert "ERROR django.request: Internal Server Error:" in logs
    assert "RuntimeError: could not reach [phone] or [email]" in logs
    assert personal(logs, token) == []


@pytest.mark.parametrize(
    "phone",
    ["07700 900123", "07700900123", "+44 7700 900123", "+447700900123", "447700900123",
     "07700+900123", "%2B447700900123",
     "020 7946 0000", "0117 496 0123", "+44 (0)20 7946 0000", "0044 7700 900123"],
)  # fmt: skip
def test_phone_numbers_are_scrubbed(phone: str) -> None:
    assert scrub(f"sent to {phone}.") == "sent to [phone]."


def test_tokens_and_emails_are_scrubbed_and_ordinary_words_kept() -> None:
    for _ in range(500):
        token = secrets.token_urlsafe(16)
        assert scrub(f"GET /s/{token}/stop?x=1") == "GET /s/[link]/stop?x=1"
        assert scrub(f"invitation {token} opened") == "invitation [token] opened"
    # A random token that happens to read as CamelCase is still a token; real names are kept.
    assert scrub("invitation AacSlVkiozFostukIntZvw opened") == "invitation [token] opened"
    assert scrub("raised DjangoValidationErrorHandler") == "raised DjangoValidationErrorHandler"
    api = "blp_" + secrets.token_urlsafe(32)
    assert scrub(f"Authorization: Bearer {api}") == "Authorization: Bearer [token]"
    assert scrub(f"key {api}") == "key [token]"
    assert scrub("?token=abc&password=hunter2 ok") == "?token=[secret]&password=[secret] ok"
    assert scrub("write to a.b+c@mail.example.co.uk now") == "write to [email] now"
    assert scrub("?email=a.b%40example.org&x=1") == "?email=[email]&x=1"
    kept = [
        "job 12345 of task bluelamp.delivery.dispatch.send_invitation failed after 1234567 ms",
        "at 2026-11-27T09:15:00+00:00 (1.5 s), 10.0.0.1:8000",
        "KeyError: 'whole_experience'",
        "ContactRuleSetVersion matching query does not exist",
        "contact_details_retention_days must be a whole number",
    ]
    for line in kept:
        assert scrub(line) == line
    assert scrub(scrub(f"/s/{token} {PHONE} {EMAIL}")) == "/s/[link] [phone] [email]"
