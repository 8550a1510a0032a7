"""Production settings pass ``check --deploy``; the built-in keys stop the production processes.

Every command runs in its own process with an environment of its own (the settings module reads
the environment once), against a throwaway SQLite file. *Production settings*: DEBUG off,
ALLOWED_HOSTS and an https SITE_URL, SECURE_COOKIES, SECRET_KEY and PERSON_KEY_SECRET set.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from bluelamp.lib.checks import DEVELOPMENT_SECRET_KEY, development_keys

ROOT = Path(__file__).resolve().parent.parent
HOST = "feedback.herts.police.example"


def production(tmp: Path, database_url: str = "", **changes: str | None) -> dict[str, str]:
    """The environment of a production deployment; a change of None leaves that name out."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECRET_KEY", "PERSON_KEY_SECRET", "SECURE_", "DJANGO_"))
        and key not in ("DEBUG", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "DATA_DIR")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bluelamp.settings",
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
        SECURE_COOKIES="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        PERSON_KEY_SECRET=secrets.token_urlsafe(50),
        DATA_DIR=str(tmp),
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'deploy.sqlite3'}",
        LOG_LEVEL="WARNING",
    )
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def bluelamp(
    env: dict[str, str], *args: str, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "bluelamp.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listens(env: dict[str, str], args: list[str], port: int, seconds: float = 60) -> bool:
    """Start a server command and say whether it came to listen on ``port`` (then stop it)."""
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bluelamp.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and process.poll() is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return True
            time.sleep(0.2)
        return False
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.slow(reason="about 4 s each: `check --deploy` in a child process")
@pytest.mark.parametrize(
    "database_url",
    ["", "postgresql://bluelamp:secret@127.0.0.1:5432/bluelamp"],
    ids=["sqlite", "postgresql"],
)
def test_production_settings_pass_check_deploy_at_warning_level(tmp_path, database_url):
    # check --deploy reads the settings and connects to no database, so PostgreSQL's need
    # not be running: the point is that nothing in the settings depends on the engine.
    done = bluelamp(
        production(tmp_path, database_url), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.slow(reason="about 5 s each: `check --deploy` in a child process")
@pytest.mark.parametrize("missing", ["SECRET_KEY", "PERSON_KEY_SECRET"])
def test_check_deploy_fails_naming_a_key_left_at_the_built_in_one(tmp_path, missing):
    # PERSON_KEY_SECRET falls back to SECRET_KEY, so leaving SECRET_KEY out leaves both built
    # in; PERSON_KEY_SECRET is built in on its own only when set to the development key.
    change = None if missing == "SECRET_KEY" else DEVELOPMENT_SECRET_KEY
    env = production(tmp_path, **{missing: change})
    done = bluelamp(env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    assert f"(bluelamp.E001) {missing} is the built-in development key" in done.stderr
    # The error stops it at the default fail level too.
    assert bluelamp(env, "check", "--deploy").returncode != 0


@pytest.mark.slow(reason="about 5 s: `check --deploy` in a child process")
def test_a_person_key_that_is_only_the_secret_key_is_a_warning(tmp_path):
    env = production(tmp_path, PERSON_KEY_SECRET=None)
    done = bluelamp(env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    assert "(bluelamp.W001) PERSON_KEY_SECRET is the same as SECRET_KEY" in done.stderr
    assert bluelamp(env, "check", "--deploy").returncode == 0  # a warning, not an error


@pytest.mark.slow(reason="about 20 s: starts serve and worker as child processes")
def test_serve_and_worker_refuse_the_built_in_keys_naming_them(tmp_path):
    env = production(tmp_path, SECRET_KEY=None, PERSON_KEY_SECRET=None)
    assert bluelamp(env, "migrate", "--no-input", "-v", "0").returncode == 0
    port = free_port()
    serve = bluelamp(env, "serve", "--port", str(port), timeout=60)
    assert serve.returncode != 0
    assert "serve will not start: SECRET_KEY and PERSON_KEY_SECRET are the built-in" in (
        serve.stderr
    )
    worker = bluelamp(env, "worker", "--once", timeout=60)
    assert worker.returncode != 0
    assert "worker will not start: SECRET_KEY and PERSON_KEY_SECRET" in worker.stderr
    only_person = production(tmp_path, PERSON_KEY_SECRET=DEVELOPMENT_SECRET_KEY)
    worker = bluelamp(only_person, "worker", "--once", timeout=60)
    assert worker.returncode != 0
    assert "worker will not start: PERSON_KEY_SECRET is the built-in" in worker.stderr
    # The demo's own server is let through on the loopback address only.
    assert bluelamp(env, "serve", "--demo", "--host", "0.0.0.0", "--port", str(port)).returncode  # noqa: S104
    # With keys set, the same worker runs.
    assert bluelamp(production(tmp_path), "worker", "--once", timeout=60).returncode == 0


@pytest.mark.slow(reason="about 25 s: starts several bluelamp commands as child processes")
def test_other_commands_run_without_a_key(tmp_path):
    env = production(
        tmp_path, SECRET_KEY=None, PERSON_KEY_SECRET=None, SECURE_COOKIES=None, SITE_URL=None
    )
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    migrate = bluelamp(env, "migrate", "--no-input", "-v", "0")
    assert migrate.returncode == 0, migrate.stderr
    demo = bluelamp(env, "demo", "--no-serve", "--no-policeuk", "--contacts", "15", timeout=300)
    assert demo.returncode == 0, demo.stderr
    token = bluelamp(env, "create-api-token", "--force", "demo", "--name", "test")
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("blp_")
    port = free_port()
    assert listens(env, ["runserver", f"127.0.0.1:{port}", "--noreload"], port)
    # `bluelamp demo` serves through `serve --demo` on the loopback address.
    port = free_port()
    assert listens(env, ["serve", "--demo", "--port", str(port), "--workers", "1"], port)


@pytest.mark.slow(reason="about 15 s: a production server in a child process")
def test_https_settings_redirect_and_send_hsts(tmp_path):
    """SECURE_COOKIES: plain HTTP is redirected, HTTPS answers carry HSTS; behind a proxy
    that ends TLS, its header (SECURE_PROXY_SSL_HEADER) says the request came over HTTPS."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "r = c.get('/login/')\n"
        "print(r.status_code, r.headers.get('Location'))\n"
        "r = c.get('/login/', secure=True)\n"
        "print(r.status_code, r.headers.get('Strict-Transport-Security'))\n"
        "r = c.get('/login/', headers={'X-Forwarded-Proto': 'https'})\n"
        "print(r.status_code, r.headers.get('Strict-Transport-Security'))\n"
    )
    env = production(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    env["ALLOWED_HOSTS"] = "testserver"
    assert bluelamp(env, "migrate", "--no-input", "-v", "0").returncode == 0
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    hsts = "max-age=31536000; includeSubDomains; preload"
    assert done.stdout.splitlines() == [
        "301 https://testserver/login/",
        f"200 {hsts}",
        f"200 {hsts}",
    ]
    # Without SECURE_COOKIES (development, tests): neither.
    plain = production(tmp_path, SECURE_COOKIES=None)
    plain["ALLOWED_HOSTS"] = "testserver"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=plain, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.stdout.splitlines()[0] == "200 None", done.stderr


@pytest.mark.parametrize(
    ("debug", "secret", "person", "ids"),
    [
        (True, DEVELOPMENT_SECRET_KEY, DEVELOPMENT_SECRET_KEY, []),
        (False, DEVELOPMENT_SECRET_KEY, DEVELOPMENT_SECRET_KEY, ["bluelamp.E001"] * 2),
        (False, "a" * 50, DEVELOPMENT_SECRET_KEY, ["bluelamp.E001"]),
        (False, "a" * 50, "a" * 50, ["bluelamp.W001"]),
        (False, "a" * 50, "b" * 50, []),
    ],
)
def test_the_key_check(debug: bool, secret: str, person: str, ids: list[Any]) -> None:
    with override_settings(DEBUG=debug, SECRET_KEY=secret, PERSON_KEY_SECRET=person):
        assert [m.id for m in development_keys()] == ids
