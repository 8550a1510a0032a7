"""In headless Chromium at 1920x1080: the wall board fits one screen with its lists full,
names the unit outside its limits first, passes axe-core, and says "signed out" in its own
words when the session ends, never showing the sign-in form inside itself."""

from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext

from bluelamp.forces.models import Force, Team, User
from bluelamp.insights.models import Alert
from tests.helpers import answer, roster_ahead, steady_history
from tests.test_browser import (  # the browser, live server and sign-in fixtures
    axe_clean,
    browser,  # noqa: F401
    new_context,  # noqa: F401
    signed_in_page,
    site,  # noqa: F401
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = (
    "{label}: 52 of 104 answers satisfied (50%) in the last 28 days, against 72% for the "
    "force on the same mix of incident types; chance would give a share this low about once "
    "in 2,000 such periods."
)


def busy_force(force: Force, team_a: Team, supervisor: User) -> None:
    """More of everything than the board shows: teams, open alerts, cases and two queues,
    all within the supervisor's teams."""
    teams = [team_a] + [
        Team.objects.create(force=force, code=f"t{i}", name=f"Response team {i}") for i in range(10)
    ]
    supervisor.teams.add(*teams)
    for i in range(12):
        answer(force, f"W-{i}", 7 if i % 3 else 1, team="team-a")
    for i, team in enumerate(teams[1:]):
        answer(force, f"X-{i}", 1 if i % 2 else 6, team=team.code)  # five more cases
    for team in teams[:7]:
        Alert.objects.create(
            force=force, dimension="team", key=str(team.pk), label=team.name,
            text=SENTENCE.format(label=team.name), method="funnel", run_n=104, run_x=52,
            expected_share=0.72, chance=0.0005, opened_at=timezone.now(),
        )  # fmt: skip
    for code in ("101", "999"):
        roster_ahead(steady_history(force, code, days=2), handlers=3)


def test_the_wall_board_fits_one_screen_and_names_the_failing_team_first(
    site: str,  # noqa: F811
    new_context: Callable[..., BrowserContext],  # noqa: F811
    force: Force,
    team_a: Team,
    alice: User,
) -> None:
    busy_force(force, team_a, alice)
    page = signed_in_page(new_context, site, alice, width=1920, height=1080)
    page.goto(f"{site}/live/wall/")
    page.get_by_role("heading", name="Outside their limits").wait_for()
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= 1920 and size[1] <= 1080, f"the board needs {size[0]}x{size[1]} px"
    assert page.get_by_test_id("wall-alert").count() == 4
    page.get_by_text("and 3 more on the live view.").wait_for()
    page.get_by_text("and 3 more teams.").wait_for()  # 11 teams, 8 shown
    page.get_by_text("and 3 more.").wait_for()  # 9 open cases, 6 shown
    first = page.get_by_role("table").first.get_by_role("row").nth(1)
    assert "Team A" in first.inner_text() and "outside limits" in first.inner_text()
    axe_clean(page)

    page.context.clear_cookies()  # the session ends; the next poll must say so
    page.get_by_role("heading", name="Signed out").wait_for(timeout=10_000)
    assert page.get_by_label("Password").count() == 0
    axe_clean(page)
