"""In headless Chromium: a home burglary pushed by the records system shows its overdue
supervisor review on the supervisor's page within a second; the supervisor opens the crime,
is told what blocks closing it, and the pages pass axe-core."""

import datetime as dt
import time
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext

from bluelamp.forces.models import User
from tests.test_browser import (  # the browser, live server and sign-in fixtures
    axe_clean,
    browser,  # noqa: F401
    new_context,  # noqa: F401
    signed_in_page,
    site,  # noqa: F401
)
from tests.test_investigations import crime_body

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_overdue_supervisor_review_shows_in_the_browser_within_a_second(
    site: str,  # noqa: F811
    new_context: Callable[..., BrowserContext],  # noqa: F811
    api: Client,
    alice: User,
) -> None:
    page = signed_in_page(new_context, site, alice, width=1280, height=900)
    page.goto(f"{site}/investigations/")
    page.get_by_text("No open crimes.").wait_for()
    recorded = timezone.now() - dt.timedelta(hours=25)
    body = crime_body(recorded_at=recorded.isoformat(), reported_at=recorded.isoformat())
    started = time.monotonic()
    r = api.post("/api/v1/crimes", body, content_type="application/json")
    assert r.status_code == 201, r.content
    page.goto(f"{site}/investigations/")
    row = page.get_by_role("row").filter(has_text="41/12345/26")
    row.get_by_text(
        "Supervisor's review and direction (then every 7 days while open) overdue"
    ).wait_for()
    assert time.monotonic() - started < 1.0
    axe_clean(page)

    page.get_by_role("link", name="41/12345/26").click()
    page.get_by_role("heading", name="41/12345/26: Residential burglary").wait_for()
    review = page.get_by_role("row").filter(has_text="Supervisor's review and direction")
    assert "overdue" in review.inner_text()
    page.get_by_label("Close the crime's basics").check()
    page.get_by_role("button", name="Record the decision").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Still to settle" in alert.inner_text()
    assert "Supervisor's review" in alert.inner_text()
    axe_clean(page)
