"""The investigation supervisor's pages: open crimes worst first, a crime's basics and
closing it, what was missed in a week; role and team scoping; totals against direct counts."""

import datetime as dt
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.forces.models import Role
from bluelamp.investigations import rules
from bluelamp.investigations.models import BasicsItem, BasicsWord, Checklist
from tests.conftest import make_user
from tests.test_investigations import crime_body, post, word


def push(api, reference: str, hours_ago: float = 30, team: str = "team-a", **more) -> Checklist:
    recorded = timezone.now() - dt.timedelta(hours=hours_ago)
    body = crime_body(
        reference, team=team, recorded_at=recorded.isoformat(),
        reported_at=(recorded - dt.timedelta(minutes=20)).isoformat(), **more,
    )  # fmt: skip
    assert post(api, "/api/v1/crimes", body).status_code == 201
    return Checklist.objects.get(crime__reference=reference)


@pytest.fixture
def ivan(force):
    """Ivan: an investigator, who sees the whole force."""
    return make_user(force, "ivan", Role.INVESTIGATOR)


def test_an_overdue_supervisor_review_shows_on_the_supervisors_page_within_a_second(
    api, force, alice, login
):
    client = login(alice)
    started = time.monotonic()
    checklist = push(api, "41/12345/26", hours_ago=25)  # the review was due 24 hours in
    page = client.get("/investigations/")
    assert time.monotonic() - started < 1.0
    assert page.status_code == 200
    text = page.content.decode()
    assert "41/12345/26" in text
    assert "Supervisor&#x27;s review and direction" in text and "overdue" in text
    review = checklist.items.get(item="supervisor_review")
    assert review.status_at(timezone.now()) == "overdue"


def test_another_teams_supervisor_and_another_force_cannot_see_it(
    api, force, alice, bob, carol, olga, ivan, dave, login
):
    checklist = push(api, "41/1/26")  # team A
    detail = f"/investigations/{checklist.pk}/"
    assert "41/1/26" in login(alice).get("/investigations/").content.decode()
    assert "41/1/26" in login(ivan).get("/investigations/").content.decode()
    assert "41/1/26" in login(dave).get("/investigations/").content.decode()
    assert "41/1/26" not in login(bob).get("/investigations/").content.decode()
    assert login(bob).get(detail).status_code == 404
    assert login(olga).get(detail).status_code == 404
    assert "41/1/26" not in login(olga).get("/investigations/").content.decode()
    for path in ("/investigations/", detail, "/investigations/missed/"):
        assert login(carol).get(path).status_code == 403
    assert login(bob).post(detail, {"decision": "close"}).status_code == 404


def test_the_navigation_links_the_page_for_the_roles_that_see_it(alice, carol, ivan, login):
    assert 'href="/investigations/"' in login(alice).get("/", follow=True).content.decode()
    assert 'href="/investigations/"' in login(ivan).get("/", follow=True).content.decode()
    assert 'href="/investigations/"' not in login(carol).get("/", follow=True).content.decode()


def test_the_list_puts_overdue_first_and_its_counts_match_a_direct_count(api, force, alice, login):
    push(api, "A-FRESH", hours_ago=0.1)  # only the first-call items overdue
    push(api, "A-OLD", hours_ago=200)  # nearly everything overdue
    push(api, "B-OTHER", hours_ago=200, team="team-b")
    settled = push(api, "A-SETTLED", hours_ago=30)
    for item in settled.items.all():
        r = post(api, "/api/v1/crimes/A-SETTLED/basics", word(item.item, "not_applicable",
                 at=timezone.now().isoformat(), rationale="test"))  # fmt: skip
        assert r.status_code == 201
    text = login(alice).get("/investigations/").content.decode()
    order = [text.index(ref) for ref in ("A-OLD", "A-FRESH", "A-SETTLED")]
    assert order == sorted(order)
    now = timezone.now()
    from bluelamp.investigations.access import checklists_for_user
    from bluelamp.investigations.selectors import open_checklists

    for c in open_checklists(checklists_for_user(alice), now):
        items = list(BasicsItem.objects.filter(checklist=c).select_related("checklist"))
        assert c.overdue == sum(i.status_at(now) == "overdue" for i in items), c.crime.reference
        assert c.missing == sum(i.status == "due" for i in items)
        overdue = [i.item for i in sorted(items, key=lambda i: i.position)
                   if i.status_at(now) == "overdue"]  # fmt: skip
        assert [i.item for i in c.overdue_items] == overdue
        assert f">{c.overdue}</td>" in text


def test_the_list_reads_the_same_number_of_queries_for_more_crimes(api, force, alice, login):
    client = login(alice)
    for n in range(3):
        push(api, f"Q-{n}")
    client.get("/investigations/")
    with CaptureQueriesContext(connection) as few:
        client.get("/investigations/")
    for n in range(3, 9):
        push(api, f"Q-{n}")
    with CaptureQueriesContext(connection) as more:
        client.get("/investigations/")
    assert len(more) == len(few)


def test_the_crime_page_shows_basics_and_timeline_and_a_get_changes_nothing(
    api, force, alice, login
):
    checklist = push(api, "41/7/26")
    post(api, "/api/v1/crimes/41/7/26/basics", word("cctv", "not_done", rationale="No cameras"))
    before = (BasicsWord.objects.count(), list(BasicsItem.objects.values_list("status", flat=True)))
    page = login(alice).get(f"/investigations/{checklist.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "CCTV (and ANPR) sought: Not done" in text and "No cameras" in text
    assert "Edna Example" in text
    after = (BasicsWord.objects.count(), list(BasicsItem.objects.values_list("status", flat=True)))
    assert after == before
    assert Checklist.objects.get(pk=checklist.pk).closed_at is None
    assert AuditEvent.objects.filter(
        action="view", object_type="crime", object_id=str(checklist.crime_id), actor="user:alice"
    ).exists()
    # The radio buttons of the decision: neither chosen.
    assert not re.search(r"<input[^>]*\bchecked", text)


def test_a_crime_closes_only_when_every_item_is_settled_by_a_decision(api, force, alice, login):
    checklist = push(api, "41/9/26")
    client = login(alice)
    url = f"/investigations/{checklist.pk}/"
    r = client.post(url, {})
    assert r.status_code == 400
    assert "decision: choose" in r.content.decode()
    r = client.post(url, {"decision": "close"})
    assert r.status_code == 400
    assert "Still to settle: " in r.content.decode()
    assert "Victim statement taken" in r.content.decode()
    at = timezone.now().isoformat()
    for item in checklist.items.exclude(item="cctv"):
        post(api, "/api/v1/crimes/41/9/26/basics", word(item.item, at=at))
    r = client.post(url, {"decision": "close"})
    assert r.status_code == 400
    text = r.content.decode()
    assert "Still to settle: CCTV (and ANPR) sought" in text
    post(api, "/api/v1/crimes/41/9/26/basics", word("cctv", "not_done", at=at, rationale="None"))
    assert client.post(url, {"decision": "keep_open"}).status_code == 302
    assert Checklist.objects.get(pk=checklist.pk).closed_at is None
    assert client.post(url, {"decision": "close"}).status_code == 302
    closed = Checklist.objects.get(pk=checklist.pk)
    assert closed.closed_at is not None and closed.closed_by == "alice"
    assert AuditEvent.objects.filter(object_type="checklist", action="update").exists()
    assert "41/9/26" not in client.get("/investigations/").content.decode()


def test_what_was_missed_this_week_matches_a_direct_count(api, force, alice, dave, login):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    # Recorded early this week (or now, on a Monday morning), some items done late, some on
    # time, some not applicable.
    start = dt.datetime.combine(monday, dt.time(0, 30), tzinfo=timezone.get_current_timezone())
    hours = max(0.5, (timezone.now() - start).total_seconds() / 3600 - 0.1)
    for n, team in enumerate(["team-a", "team-a", "team-b"]):
        push(api, f"W-{n}", hours_ago=hours, team=team, officer_in_charge=f"PC{n % 2}")
    first = Checklist.objects.get(crime__reference="W-0")
    due = first.items.get(item="scene_preservation_advice").due_at
    post(
        api,
        "/api/v1/crimes/W-0/basics",
        word("scene_preservation_advice", at=(due + dt.timedelta(hours=1)).isoformat()),
    )
    post(api, "/api/v1/crimes/W-1/basics", word("scene_preservation_advice", at=due.isoformat()))
    na = word("risk_assessment", "not_applicable", at=due.isoformat(), rationale="n/a")
    post(api, "/api/v1/crimes/W-1/basics", na)
    for user in (alice, dave):
        page = login(user).get(f"/investigations/missed/?week={monday:%Y-%m-%d}")
        assert page.status_code == 200
        report = page.context["report"]
        now = timezone.now()
        tz = timezone.get_current_timezone()
        begin = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
        end = begin + dt.timedelta(days=7)
        items = [
            i
            for i in BasicsItem.objects.filter(force=force).select_related("checklist__crime")
            if begin <= i.due_at < min(end, now) and i.status != "not_applicable"
        ]
        assert report.total.due == len(items)
        missed = [i for i in items if rules.missed(status=i.status, due=i.due_at,
                                                   done_at=i.done_at, now=now)]  # fmt: skip
        assert report.total.missed == len(missed)
        assert sum(r.due for r in report.by_item) == report.total.due
        assert sum(r.missed for r in report.by_team) == report.total.missed
        assert sum(r.missed for r in report.by_officer) == report.total.missed
        by_item = {r.label: r for r in report.by_item}
        spa = [i for i in missed if i.item == "scene_preservation_advice"]
        assert by_item["scene_preservation_advice"].missed == len(spa)
        low, high = by_item["scene_preservation_advice"].interval
        assert low <= by_item["scene_preservation_advice"].share <= high
    assert login(alice).get("/investigations/missed/?week=2026-02-30").status_code == 400


def test_the_list_comes_a_page_at_a_time_worst_first(api, force, alice, login):
    for n in range(51):
        push(api, f"P-{n:02}", hours_ago=200 if n == 50 else 0.1)
    client = login(alice)
    first = client.get("/investigations/")
    assert first.context["page"].total == Checklist.objects.filter(closed_at=None).count() == 51
    text = first.content.decode()
    assert "P-50" in text and "1 to 50 of 51" in text  # the most overdue on the first page
    second = client.get("/investigations/?sort=worst&page=2").content.decode()
    shown = [f"P-{n:02}" for n in range(51) if f"P-{n:02}<" in text + second]
    assert len(shown) == 51 and "51 to 51 of 51" in second
    assert client.get("/investigations/?page=3").status_code == 400


def test_a_basic_is_recorded_on_the_crime_page_by_the_person_signed_in(api, force, alice, login):
    checklist = push(api, "41/11/26")
    client = login(alice)
    url = f"/investigations/{checklist.pk}/"
    page = client.get(url).content.decode()
    assert '<option value="">Choose an item</option>' in page  # no default answer
    for form, field in (
        ({"item": "", "status": "done"}, "item"),
        ({"item": "cctv", "status": ""}, "status"),
        ({"item": "cctv", "status": "not_applicable", "rationale": " "}, "rationale"),
        ({"item": "made_up", "status": "done"}, "item"),
    ):
        r = client.post(url, {"decision": "record", **form})
        assert r.status_code == 400, form
        assert f"{field}:" in r.content.decode(), form
    assert not BasicsWord.objects.filter(item__checklist=checklist).exists()  # nothing stored

    r = client.post(url, {"decision": "record", "item": "cctv", "status": "not_applicable",
                          "rationale": "No cameras on the street"})  # fmt: skip
    assert r.status_code == 302
    item = BasicsItem.objects.get(checklist=checklist, item="cctv")
    assert (item.status, item.done_by, item.rationale) == (
        "not_applicable",
        "alice",
        "No cameras on the street",
    )
    word_ = BasicsWord.objects.get(item=item)
    assert word_.source == "page" and word_.actor == "user:alice"
    assert AuditEvent.objects.filter(object_type="basicsitem", object_id=str(item.pk)).exists()
    r = client.post(url, {"decision": "record", "item": "victim_statement", "status": "done"})
    assert r.status_code == 302
    assert BasicsItem.objects.get(checklist=checklist, item="victim_statement").status == "done"
    assert "Recorded on the page" in client.get(url).content.decode()  # in the timeline
