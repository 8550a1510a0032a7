"""In headless Chromium: a residential burglary pushed by the records system opens a
prevention zone and a cocooning task, shown on the supervisor's zone list and the zone's
page; a second burglary 150 m away and four days later is linked to the zone and drawn on
its map; the neighbours warned are recorded on the page; the pages pass axe-core."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext

from bluelamp.forces.models import User
from bluelamp.investigations.models import BasicsItem
from tests.browser import snapshot
from tests.test_browser import (  # the browser, live server and sign-in fixtures
    axe_clean,
    browser,  # noqa: F401
    new_context,  # noqa: F401
    signed_in_page,
    site,  # noqa: F401
)
from tests.test_prevention import burglary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.slow(reason="about 6 s: five pages in Chromium, each checked by axe-core")
def test_a_pushed_burglary_opens_a_zone_and_a_near_repeat_is_linked_to_it(
    site: str,  # noqa: F811
    new_context: Callable[..., BrowserContext],  # noqa: F811
    api: Client,
    alice: User,
) -> None:
    page = signed_in_page(new_context, site, alice, width=1280, height=900)
    page.goto(f"{site}/prevention/zones/")
    page.get_by_text("No open zones.").wait_for()

    first_at = timezone.now() - dt.timedelta(days=5)
    r = api.post("/api/v1/crimes", burglary("41/100/26", at=first_at), "application/json")
    assert r.status_code == 201, r.content
    page.goto(f"{site}/prevention/zones/")
    row = page.get_by_role("row").filter(has_text="41/100/26")
    row.get_by_text("overdue").wait_for()  # recorded five days ago: 48 hours have passed
    assert "200 m, 14 days" in row.inner_text()
    axe_clean(page)

    row.get_by_role("link", name="41/100/26").click()
    page.get_by_role("heading", name="Zone of 41/100/26").wait_for()
    page.get_by_role("img", name="The zone: 200 m about 41/100/26, north up").wait_for()
    page.get_by_text("No later burglary inside the zone.").wait_for()

    second_at = first_at + dt.timedelta(days=4)
    body = burglary("41/200/26", at=second_at, north=150)
    r = api.post("/api/v1/crimes", body, "application/json")
    assert r.status_code == 201, r.content
    page.reload()
    linked = page.get_by_role("row").filter(has_text="41/200/26")
    linked.wait_for()
    cells = linked.inner_text()
    assert "150" in cells and "4.0" in cells  # metres away, days after
    assert page.locator("svg.zone-map circle.repeat").count() == 1
    snapshot(page, "prevention-zone")
    axe_clean(page)

    page.get_by_label("Homes visited").fill("14")
    page.get_by_label("Leaflets left").fill("20")
    page.get_by_label("Advice given").fill("Locks, lights, and call us about anyone loitering")
    page.get_by_role("button", name="Record the cocooning").click()
    page.get_by_role("status").get_by_text("Cocooning recorded.").wait_for()
    page.get_by_text("14 homes visited, 20 leaflets").wait_for()
    item = BasicsItem.objects.get(checklist__crime__reference="41/100/26", item="neighbours_warned")
    assert item.status == "done" and item.done_by == "alice"

    page.goto(f"{site}/prevention/zones/")
    row = page.get_by_role("row").filter(has_text="41/100/26")
    assert "done late" in row.inner_text()  # five days after, not within 48 hours
    page.goto(f"{site}/prevention/")
    page.get_by_role("heading", name="Did cocooning work?").wait_for()
    snapshot(page, "prevention-home")
    axe_clean(page)
