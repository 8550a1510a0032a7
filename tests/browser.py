"""Headless Chromium for the browser tests: Debian's own build, never a downloaded one.

Playwright drives ``/usr/bin/chromium``; the tests skip (with the reason) only when it is
absent, and fail instead under CI=true (tests/needs.py). Every context is guarded: a request
that leaves the live server is aborted and recorded, so a page that reaches for a third-party
file fails its test instead of quietly working on a developer's machine.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from tests import needs

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Set BROWSER_SCREENSHOTS=/some/dir to keep a picture of each page the tests look at.
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS", "")


def share_database_with(live_server: Any) -> None:
    """Give the live server's threads this thread's connection to an in-memory test database.

    pytest-django hands the server the in-memory SQLite connection only when the test
    database exists before the server starts, which depends on fixture order. Without it each
    server thread opens its own connection to the shared-cache database, and a page read
    during a write fails with "database table is locked". The server reads the same dict on
    every request, so filling it in later works. Other databases need nothing.
    """
    override = live_server.thread.connections_override
    for connection in connections.all():
        if connection.alias in override:
            continue
        if isinstance(connection, SQLiteWrapper) and connection.is_in_memory_db():
            connection.inc_thread_sharing()  # LiveServer.stop() takes it back
            override[connection.alias] = connection


@contextmanager
def chromium() -> Iterator[Browser]:
    """Launch Debian's Chromium headless, or skip when it is not installed."""
    if not CHROMIUM.exists():
        needs.missing(f"{CHROMIUM} is not installed (make chromium); no browser tests")
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses
    # ORM calls from a thread with a running loop unless told the code is really synchronous.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # With that loop running Django also keys this thread's connections by asyncio context
    # and would open fresh ones; keep the ones the test database was set up with.
    current = {connection.alias: connection for connection in connections.all()}
    try:
        with sync_playwright() as playwright:
            for alias, connection in current.items():
                connections[alias] = connection
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@dataclass
class Guard:
    """Lets requests to ``origin`` through and aborts (and remembers) every other one."""

    origin: str
    blocked: list[str] = field(default_factory=list)

    def __call__(self, route: Route) -> None:
        url = route.request.url
        if url == self.origin or url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")


def guarded_context(browser: Browser, origin: str, **options: Any) -> tuple[BrowserContext, Guard]:
    """A fresh context (own cookies, no cache) that may talk to ``origin`` only."""
    context = browser.new_context(**options)
    guard = Guard(origin.rstrip("/"))
    context.route("**/*", guard)
    return context, guard


def snapshot(page: Page, name: str) -> None:
    """Keep a full-page screenshot when BROWSER_SCREENSHOTS names a folder."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
