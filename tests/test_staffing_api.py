"""Call statistics and rosters in: batches, idempotency, bad input, force scoping."""

import datetime as dt
from typing import Any

from bluelamp.staffing.models import CallInterval, Queue, RosterSlot


def interval(start: str = "2026-11-20T18:00:00Z", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "queue": "101",
        "start": start,
        "minutes": 15,
        "offered": 40,
        "answered": 34,
        "abandoned": 6,
        "answered_within_target": 21,
        "average_handle_seconds": 312.5,
        "average_answer_seconds": 74.0,
        "average_abandon_seconds": 95.0,
        "handlers_logged_in": 9.5,
        "handlers_rostered": 12,
    }
    body.update(overrides)
    return body


def post(api: Any, path: str, body: Any) -> Any:
    return api.post(path, body, content_type="application/json")


def test_batch_is_stored_and_sending_it_again_changes_nothing(api, force):
    batch = {"intervals": [interval(), interval("2026-11-20T18:15:00Z", offered=52)]}
    r = post(api, "/api/v1/call-intervals", batch)
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert post(api, "/api/v1/call-intervals", batch).json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }
    assert CallInterval.objects.filter(force=force).count() == 2
    queue = Queue.objects.get(force=force, code="101")
    assert (queue.target_share, queue.target_seconds) == (0.8, 90)  # the 101 defaults
    row = CallInterval.objects.get(start=dt.datetime(2026, 11, 20, 18, 15, tzinfo=dt.UTC))
    assert (row.offered, row.handle_seconds, row.rostered) == (52, 312.5, 12)


def test_corrected_figures_replace_the_stored_ones(api, force):
    post(api, "/api/v1/call-intervals", {"intervals": [interval()]})
    r = post(api, "/api/v1/call-intervals", {"intervals": [interval(answered=35, abandoned=5)]})
    assert r.json() == {"created": 0, "updated": 1, "unchanged": 0}
    row = CallInterval.objects.get(force=force)
    assert (row.answered, row.abandoned) == (35, 5)


def test_local_time_without_offset_is_uk_time(api, force):
    post(api, "/api/v1/call-intervals", {"intervals": [interval("2026-07-01T18:00:00")]})
    row = CallInterval.objects.get(force=force)
    assert row.start == dt.datetime(2026, 7, 1, 17, 0, tzinfo=dt.UTC)  # BST


def test_bad_items_are_named_and_nothing_is_stored(api, force):
    batch = {
        "intervals": [
            interval(),
            interval("2026-11-20T18:15:00Z", answered=50),  # more than offered
            interval("2026-11-20T18:30:00Z", offered=-1),
            interval("2026-11-20T18:40:00Z"),  # not on a 15-minute boundary
            interval("2026-11-20T18:45:00Z", answered_within_target=99),
        ]
    }
    r = post(api, "/api/v1/call-intervals", batch)
    assert r.status_code == 400
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert set(fields) == {
        "intervals[1].answered",
        "intervals[2].offered",
        "intervals[3].start",
        "intervals[4].answered_within_target",
    }
    assert "more than offered" in fields["intervals[1].answered"]
    assert "15-minute boundary" in fields["intervals[3].start"]
    assert CallInterval.objects.count() == 0


def test_the_same_interval_twice_in_one_batch_is_refused(api):
    r = post(api, "/api/v1/call-intervals", {"intervals": [interval(), interval(offered=41)]})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "intervals[1].start"
    assert CallInterval.objects.count() == 0


def test_figures_from_the_future_and_empty_batches_are_refused(api):
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).replace(minute=0, second=0)
    r = post(api, "/api/v1/call-intervals", {"intervals": [interval(future.isoformat())]})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "intervals[0].start"
    assert post(api, "/api/v1/call-intervals", {"intervals": []}).status_code == 400


def test_roster_for_the_hours_ahead(api, force):
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    slots = [
        {
            "queue": "999",
            "start": (start + dt.timedelta(minutes=15 * i)).isoformat(),
            "handlers": 14,
        }
        for i in range(8)
    ]
    r = post(api, "/api/v1/roster", {"slots": slots})
    assert r.json() == {"created": 8, "updated": 0, "unchanged": 0}
    slots[0]["handlers"] = 12
    assert post(api, "/api/v1/roster", {"slots": slots}).json()["updated"] == 1
    assert RosterSlot.objects.filter(force=force).count() == 8
    queue = Queue.objects.get(force=force, code="999")
    assert (queue.target_share, queue.target_seconds) == (0.9, 10)
    r = post(api, "/api/v1/roster", {"slots": [{**slots[0], "handlers": -2}]})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "slots[0].handlers"


def test_one_forces_figures_are_its_own(api, other_api, force, other_force):
    post(api, "/api/v1/call-intervals", {"intervals": [interval()]})
    r = post(other_api, "/api/v1/call-intervals", {"intervals": [interval(offered=99)]})
    assert r.json()["created"] == 1
    assert CallInterval.objects.get(force=force).offered == 40
    assert CallInterval.objects.get(force=other_force).offered == 99


def test_no_token_no_figures(client, db):
    r = client.post(
        "/api/v1/call-intervals", {"intervals": [interval()]}, content_type="application/json"
    )
    assert r.status_code == 401


def test_administrator_sets_a_queue_standard_in_the_admin(login, dave, force, other_force):
    from bluelamp.staffing.services import queue_get_or_create

    dave.is_staff = True
    dave.save()
    queue = queue_get_or_create(force, "101")
    theirs = queue_get_or_create(other_force, "101")
    client = login(dave)
    form = {
        "code": "101",
        "name": "101 non-emergency",
        "target_share": "0.8",
        "target_seconds": "60",
        "shrinkage": "1.5",
        "max_occupancy": "0.85",
        "patience_seconds": "",
    }
    page = client.post(f"/admin/staffing/queue/{queue.pk}/change/", form)
    assert page.status_code == 200  # the form again, with the error
    assert "less than or equal to 0.9" in page.content.decode()
    form["shrinkage"] = "0.35"
    assert client.post(f"/admin/staffing/queue/{queue.pk}/change/", form).status_code == 302
    queue.refresh_from_db()
    assert (queue.target_seconds, queue.shrinkage) == (60, 0.35)
    assert client.get(f"/admin/staffing/queue/{theirs.pk}/change/").status_code == 302
