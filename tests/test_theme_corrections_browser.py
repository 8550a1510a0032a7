"""In headless Chromium: a supervisor corrects a comment's theme on its recovery case, in one
click each, and the live view's comments by theme count the correction."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page

from bluelamp.forces.models import Force, User
from bluelamp.insights.models import ThemeCorrection
from bluelamp.recovery.models import RecoveryCase
from tests.helpers import answer
from tests.test_browser import (  # the browser, live server and sign-in fixtures
    axe_clean,
    browser,  # noqa: F401
    new_context,  # noqa: F401
    signed_in_page,
    site,  # noqa: F401
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def counts(page: Page, code: str) -> list[int]:
    """Today, 7 days and 28 days of a theme's row on the live view."""
    cells = page.get_by_test_id(f"theme-count-{code}").locator("td").all_inner_texts()
    return [int(c) for c in cells]


def test_a_theme_corrected_on_a_case_moves_the_counts(
    site: str,  # noqa: F811
    new_context: Callable[..., BrowserContext],  # noqa: F811
    force: Force,
    alice: User,
) -> None:
    response = answer(
        force, "INC-THEME-1", 1, comment="The call handler was rude to me.", team="team-a"
    )
    case = RecoveryCase.objects.get(response=response)
    page = signed_in_page(new_context, site, alice, width=1280, height=900)

    page.goto(f"{site}/live/")
    assert counts(page, "handler_attitude") == [1, 1, 1]
    assert counts(page, "waiting") == [0, 0, 0]

    page.goto(f"{site}/cases/{case.pk}/")
    themes = page.get_by_test_id("themes")
    assert (
        themes.locator("[data-theme]")
        .all_inner_texts()[0]
        .startswith("Attitude of the call handler")
    )
    not_about = re.compile("^not about this.*attitude of the call handler$")
    themes.get_by_role("button", name=not_about).click()
    page.get_by_role("status").filter(has_text="No longer under").wait_for()
    assert page.get_by_test_id("themes").locator("[data-theme]").count() == 0
    add = re.compile("^add +waiting to get through$")
    page.get_by_test_id("themes").get_by_role("button", name=add).click()
    page.get_by_role("status").filter(has_text="Now under waiting").wait_for()
    assert page.get_by_test_id("themes").locator('[data-theme="waiting"]').is_visible()
    axe_clean(page, "[data-testid=themes]")

    page.goto(f"{site}/live/")
    assert counts(page, "handler_attitude") == [0, 0, 0]
    assert counts(page, "waiting") == [1, 1, 1]
    assert ThemeCorrection.objects.filter(response=response, by=alice).count() == 2
