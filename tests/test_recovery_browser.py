"""In headless Chromium: a service-recovery case's whole life, overdue escalation included.

A caller answers "completely dissatisfied" on the respondent page; the team's supervisor
contacts them; the case goes overdue and the escalation job hands it to the duty supervisor,
who reassigns it; the supervisor resolves and closes it, and the caller answers the
follow-up survey. Every step must be in the audit trail, and the pages must pass axe-core.
"""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from bluelamp.audit.models import AuditEvent
from bluelamp.forces.models import Force, Role, User
from bluelamp.recovery.defaults import default_rule_set
from bluelamp.recovery.models import RecoveryCase
from bluelamp.recovery.services import rules_save
from tests.conftest import make_user
from tests.test_browser import (  # the browser, live server and sign-in fixtures
    SUBMIT,
    WHOLE,
    axe_clean,
    browser,  # noqa: F401
    group,
    invite,  # noqa: F401
    new_context,  # noqa: F401
    signed_in_page,
    site,  # noqa: F401
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def move(page: Page, status: str, note: str) -> None:
    page.get_by_label("Move the case to").select_option(label=status)
    page.get_by_label("Note (needed for resolved, could not contact and escalated)").fill(note)
    page.get_by_role("button", name="Move the case").click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()


@pytest.mark.slow(
    reason="about 8 s: the longest browser test of a page, a case's whole life in Chromium"
)
def test_a_case_goes_through_its_whole_life_in_the_browser(
    site: str,  # noqa: F811
    new_context: Callable[..., BrowserContext],  # noqa: F811
    invite: Callable[..., str],  # noqa: F811
    force: Force,
    alice: User,
    dave: User,
) -> None:
    duty = make_user(force, "duty", Role.SUPERVISOR)  # no teams: sees what is given to them
    rules_save(force=force, definition={**default_rule_set(), "escalate_to": "duty"}, user=dave)

    # Opened by a dissatisfied answer on the respondent page.
    victim = new_context(viewport={"width": 390, "height": 844}).new_page()
    victim.goto(invite("INC-LIFE-1"))
    group(victim, WHOLE).get_by_label("1: Completely dissatisfied").check()
    victim.get_by_role("button", name=SUBMIT).click()
    victim.get_by_role("heading", name="Thank you").wait_for()
    case = RecoveryCase.objects.get(contact__reference="INC-LIFE-1")

    # The team's supervisor finds it in the list and opens it.
    page = signed_in_page(new_context, site, alice, width=1280, height=900)
    page.goto(f"{site}/cases/")
    page.get_by_role("link", name="INC-LIFE-1").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Recovery case: contact INC-LIFE-1"
    )
    reason = page.get_by_test_id("reason").inner_text()
    assert reason == "Dissatisfied with the service: rated the whole experience 1 out of 7."
    assert page.get_by_test_id("owner").inner_text() == "alice"
    assert page.get_by_test_id("contact-reference").inner_text() == "INC-LIFE-1"
    axe_clean(page)

    # A wrong move is refused with a clear error by the field.
    page.get_by_label("Move the case to").select_option(label="Escalated to professional standards")
    page.get_by_role("button", name="Move the case").click()
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    assert page.locator("#note-error").inner_text().startswith("Say why")
    axe_clean(page)

    # Contacted.
    move(page, "Contacted", "Spoke to the caller; they want to know what happens next.")
    assert page.get_by_test_id("status").inner_text() == "Contacted"

    # Made overdue (the deadline moved back in the database), escalated by the job.
    RecoveryCase.objects.filter(pk=case.pk).update(deadline=timezone.now() - dt.timedelta(hours=2))
    call_command("recovery_escalate")
    call_command("recovery_escalate")  # a second run changes nothing
    page.goto(f"{site}/cases/")
    row = page.get_by_test_id("case-INC-LIFE-1")
    assert "Overdue by 2" in row.inner_text()
    assert "escalated" in row.inner_text()
    assert page.get_by_test_id("measure-overdue").locator(".big").inner_text() == "1"
    axe_clean(page)

    # The duty supervisor sees it and gives it back to the team's supervisor.
    duty_page = signed_in_page(new_context, site, duty, width=1280, height=900)
    duty_page.goto(f"{site}/cases/{case.pk}/")
    assert duty_page.get_by_test_id("owner").inner_text() == "duty"
    assert "overdue" in duty_page.get_by_test_id("deadline").inner_text()
    duty_page.get_by_label("Reassign to").select_option(label="alice (supervisor)")
    duty_page.get_by_label("Why (optional)").fill("Alice has spoken to them already.")
    duty_page.get_by_role("button", name="Reassign").click()
    # The case has left the duty supervisor's hands, and their list.
    duty_page.get_by_role("status").filter(has_text="no longer in your list").wait_for()
    assert duty_page.url == f"{site}/cases/"
    assert duty_page.get_by_test_id("case-INC-LIFE-1").count() == 0

    # Resolved (which schedules the follow-up survey) and closed by the supervisor.
    page.goto(f"{site}/cases/{case.pk}/")
    move(page, "Resolved", "Explained the investigation plan; caller reassured.")
    assert "Bluelamp: Follow-up survey: Follow-up survey by sms from" in (
        page.get_by_test_id("timeline").inner_text()
    )
    move(page, "Closed", "")
    assert page.get_by_test_id("status").inner_text() == "Closed: resolved"
    assert page.locator("textarea").count() == 0
    timeline = page.get_by_test_id("timeline").inner_text()
    for words in (
        "Bluelamp: Opened",
        "alice: Status changed from open to contacted",
        "Bluelamp: Overdue: escalated (alice to duty)",
        "duty: Reassigned (duty to alice): Alice has spoken to them already.",
        "alice: Status changed from contacted to resolved",
        "alice: Status changed from resolved to closed",
    ):
        assert words in timeline, (words, timeline)
    axe_clean(page)

    # The caller answers the follow-up survey: did our call back put things right?
    follow_up = RecoveryCase.objects.get(pk=case.pk).follow_up_invitation
    assert follow_up is not None and follow_up.stage == "recovery_follow_up"
    victim.goto(f"{site}/s/{follow_up.token}")
    group(victim, re.compile("^Did our call back put things right")).get_by_label(
        "6: Very satisfied"
    ).check()
    victim.get_by_role("button", name=SUBMIT).click()
    victim.get_by_role("heading", name="Thank you").wait_for()
    page.goto(f"{site}/cases/{case.pk}/")
    assert "Follow-up answered: 6 of 7, very satisfied." in (
        page.get_by_test_id("timeline").inner_text()
    )
    page.goto(f"{site}/cases/?status=all")
    satisfaction = page.get_by_test_id("measure-satisfaction").inner_text()
    assert "100%" in satisfaction and "1 of 1 follow-up answer satisfied" in satisfaction
    recovered = page.get_by_test_id("measure-recovered").inner_text()
    assert "1 resolved of 1 closed" in recovered

    # Every step is in the audit trail, in order, with who did it.
    steps = list(
        AuditEvent.objects.filter(object_type="recoverycase", object_id=str(case.pk))
        .exclude(action="view")
        .order_by("pk")
        .values_list("actor", "action", "summary")
    )
    assert steps == [
        ("recovery-rules", "create", "opened by recovery rules v1: dissatisfied"),
        ("user:alice", "update", "status open -> contacted"),
        ("recovery-escalate", "update", "overdue; owner -> duty"),
        ("user:duty", "update", "owner duty -> alice"),
        ("user:alice", "update", "status contacted -> resolved"),
        ("recovery-rules", "update", f"follow-up invitation {follow_up.pk} scheduled"),
        ("user:alice", "update", "status resolved -> closed"),
        ("respondent", "update", f"follow-up answered (response {follow_up.response.pk})"),
    ]
    viewed = AuditEvent.objects.filter(
        action="view", object_type="person", summary=f"recovery case {case.pk}"
    )
    assert set(viewed.values_list("actor", flat=True)) == {"user:alice", "user:duty"}
