"""In headless Chromium: victim care ticks one referral on the review page and sends it.

The file the browser saves holds that referral only (a name written as a formula quoted), the
referral then shows as sent, and the one left unticked is still open and unsent.
"""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import BrowserContext

from bluelamp.care.models import Duty, Referral
from bluelamp.forces.models import Force, Role
from tests.conftest import make_user
from tests.test_browser import (  # the browser, live server and sign-in fixtures
    axe_clean,
    browser,  # noqa: F401
    new_context,  # noqa: F401
    signed_in_page,
    site,  # noqa: F401
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVIL = '=HYPERLINK("https://evil.example/","Click")'


def test_victim_care_ticks_one_referral_and_sends_it(
    site: str,  # noqa: F811
    new_context: Callable[..., BrowserContext],  # noqa: F811
    api: Client,
    force: Force,
    tmp_path: Path,
) -> None:
    body = {
        "reference": "CR-SEND-1",
        "offence": "burglary_residential",
        "recorded_at": "2026-08-28T10:00:00+01:00",
        "victims": [
            {"name": EVIL, "age": 40, "phone": "07700 900111"},
            {"name": "Sam Example", "age": 35, "phone": "07700 900222"},
        ],
    }
    assert api.post("/api/v1/crimes", body, content_type="application/json").status_code == 201
    chosen = Referral.objects.get(victim__name=EVIL, service="victim_support")
    left = Referral.objects.get(victim__name="Sam Example", service="victim_support")
    vera = make_user(force, "vera", Role.VICTIM_CARE)

    page = signed_in_page(new_context, site, vera, width=1280, height=900)
    page.goto(f"{site}/care/?service=victim_support")
    page.get_by_role("link", name="Choose referrals to send to victim support").click()
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Send referrals to victim support")
    )
    boxes = page.get_by_role("checkbox")
    assert boxes.count() == 2
    assert [boxes.nth(i).is_checked() for i in range(2)] == [False, False]
    axe_clean(page)

    page.get_by_label(f"Send referral {chosen.pk}").check()
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Send the ticked referrals to victim support").click()
    download = waiting.value
    assert download.suggested_filename.startswith("referrals-victim_support-sent-")
    saved = tmp_path / "sent.csv"
    download.save_as(saved)
    (row,) = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert row["referral"] == str(chosen.pk)
    assert row["name"] == "'" + EVIL
    # A phone in E.164 begins with "+": quoted too, so a spreadsheet keeps it as written.
    assert row["crime_reference"] == "CR-SEND-1" and row["phone"] == "'+447700900111"

    page.goto(f"{site}/care/referrals/{chosen.pk}/")
    assert "Sent" in page.get_by_role("row", name="Status").inner_text()
    page.goto(f"{site}/care/?service=victim_support&status=sent")
    assert page.get_by_role("link", name="CR-SEND-1").count() == 1
    page.goto(f"{site}/care/referrals/send/?service=victim_support")
    assert page.get_by_role("checkbox").count() == 1  # only Sam's is left to send

    chosen.refresh_from_db()
    left.refresh_from_db()
    assert chosen.status == Referral.Status.SENT and chosen.sent_by == "vera"
    assert Duty.objects.get(referral=chosen).met_at == chosen.sent_at
    assert left.status == Referral.Status.OPEN and left.sent_at is None
    assert Duty.objects.get(referral=left).met_at is None
