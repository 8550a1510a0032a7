"""Every staff page, as a person meets it: axe finds no WCAG 2.2 AA violation (the API's
documentation page included), and at a phone's width (390 px) no page is wider than the
screen: a wide table scrolls inside its own box, the page itself never sideways."""

from typing import Any

import pytest
from django.test import Client

from bluelamp.forces.models import Force
from tests.test_access_walk import PAGES
from tests.test_browser import axe_clean
from tests.test_csp import browser, site, staff_pages, staff_world, visit, watched  # noqa: F401

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}
# The control room's wall board is one 1920x1080 screen by design (tests/test_wall_browser.py).
NOT_ON_A_PHONE = {"live_wall", "live_wall_board"}


@pytest.mark.slow(reason="about 40 s: axe on every staff page, and each again at a phone's width")
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_staff_page_passes_axe_and_fits_a_phone(
    site: str,  # noqa: F811
    watched: Any,  # noqa: F811
    force: Force,
    api: Client,
) -> None:
    world_rows, administrator = staff_world(force, api)
    page, console = watched(administrator)
    failures: list[str] = []
    pages = staff_pages(world_rows)
    assert len(pages) >= 20, pages
    for name, path in [*pages, ("api_docs", "/api/v1/docs")]:
        page.set_viewport_size(DESK)
        visit(page, console, site + path)
        if name in PAGES and PAGES[name].polled:
            continue  # a board's poll: a fragment swapped into its page, checked there
        try:
            axe_clean(page)
        except AssertionError as e:
            failures.append(f"{name}: {e}")
        desk = page.evaluate("document.documentElement.scrollWidth")
        if desk > DESK["width"]:
            failures.append(f"{name}: {desk} px wide on a {DESK['width']} px screen")
        if name in NOT_ON_A_PHONE or name == "api_docs":
            continue
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(50)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide = page.evaluate(
                """(limit) => [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > limit + 1)
                .slice(0, 3).map(e => e.tagName + ' ' + e.textContent.slice(0, 30))""",
                PHONE["width"],
            )
            failures.append(f"{name}: {width} px wide on a phone: {wide}")
    assert not failures, "\n\n".join(failures)
