"""Near repeats in the product: prevention zones and cocooning tasks opened by residential
burglaries pushed by the records system, later burglaries linked to them, the task meeting
the neighbours_warned basic, whether cocooning worked, and the Knox test of stored crimes
run on demand and by the nightly duty."""

import datetime as dt
import html
import math
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.care.models import Crime
from bluelamp.forces.models import Force, Role, Team
from bluelamp.investigations.models import BasicsItem
from bluelamp.ops.models import DailyDuty
from bluelamp.ops.schedule import DAILY, daily_duty_run
from bluelamp.prevention import analysis, selectors
from bluelamp.prevention.models import CocooningTask, NearRepeatRun, PreventionZone, ZoneLink
from bluelamp.prevention.services import (
    NIGHTLY,
    CocooningIn,
    cocooning_record,
    near_repeat_run,
    zone_open,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# A street in St Albans; offsets in metres are turned into degrees near it.
LATITUDE, LONGITUDE = 51.7520, -0.3360
METRES_PER_DEGREE_NORTH = 111_250.0
METRES_PER_DEGREE_EAST = 111_320.0 * math.cos(math.radians(LATITUDE))
BASE = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)  # a Monday, long before the test runs


def place(north: float = 0.0, east: float = 0.0) -> dict[str, float]:
    return {
        "latitude": LATITUDE + north / METRES_PER_DEGREE_NORTH,
        "longitude": LONGITUDE + east / METRES_PER_DEGREE_EAST,
    }


def burglary(
    reference: str,
    *,
    at: dt.datetime = BASE,
    north: float = 0.0,
    east: float = 0.0,
    offence: str = "burglary_residential",
    located: bool = True,
    team: str = "team-a",
) -> dict[str, Any]:
    location: dict[str, Any] = {"postcode": "AL1 3JS", "address_key": f"UPRN-{reference}"}
    if located:
        location.update(place(north, east))
    return {
        "reference": reference,
        "offence": offence,
        "occurred_at": at.isoformat(),
        "reported_at": (at + dt.timedelta(minutes=20)).isoformat(),
        "recorded_at": (at + dt.timedelta(minutes=50)).isoformat(),
        "location": location,
        "officer_in_charge": "PC1234",
        "team": team,
        "victims": [{"name": "Pat Example", "age": 40}],
    }


def push(api: Client, body: dict[str, Any]) -> Crime:
    r = api.post("/api/v1/crimes", body, content_type="application/json")
    assert r.status_code == 201, r.content
    return Crime.objects.get(reference=body["reference"])


def test_a_burglary_with_a_place_opens_a_zone_and_a_task_due_in_48_hours(api, force):
    crime = push(api, burglary("B-1"))
    zone = PreventionZone.objects.get(crime=crime)
    assert zone.force == force
    assert zone.team is not None and zone.team.code == "team-a"
    assert (zone.radius_metres, zone.days) == (200, 14)  # no analysis yet: the defaults
    assert zone.run is None
    assert zone.starts_at == BASE  # when it happened
    assert zone.ends_at == BASE + dt.timedelta(days=14)
    # Near St Albans on the British National Grid (about 515 km east, 207 km north).
    assert 514_000 < zone.easting < 517_000 and 206_000 < zone.northing < 209_000
    task = CocooningTask.objects.get(zone=zone)
    assert task.due_at == crime.recorded_at + dt.timedelta(hours=48)
    assert task.team == zone.team and task.done_at is None
    assert AuditEvent.objects.filter(object_type="preventionzone", action="create").count() == 1


def test_a_burglary_150_m_away_four_days_later_is_linked_to_the_zone(api, force):
    first = push(api, burglary("B-1"))
    second = push(api, burglary("B-2", at=BASE + dt.timedelta(days=4), north=150))
    link = ZoneLink.objects.get(zone__crime=first)
    assert link.crime == second
    assert link.metres == pytest.approx(150, abs=2)
    # Grid north is a degree or so off true north here: a few metres east or west at 150 m.
    assert link.north == pytest.approx(150, abs=2) and link.east == pytest.approx(0, abs=5)
    assert link.hours_after == pytest.approx(96)
    # The second opens its own zone, and the first is not linked back to it (it came before).
    assert not ZoneLink.objects.filter(zone__crime=second).exists()


@pytest.mark.parametrize(
    ("why", "later"),
    [
        ("outside the radius", {"north": 160, "east": 160}),  # 226 m
        ("after the window", {"at": BASE + dt.timedelta(days=14, minutes=1), "north": 50}),
        ("not a residential burglary", {"offence": "vehicle_crime", "north": 50}),
        ("before the zone's burglary", {"at": BASE - dt.timedelta(hours=1), "north": 50}),
    ],
)
def test_a_burglary_outside_the_zone_or_not_a_near_repeat_is_not_linked(api, force, why, later):
    push(api, burglary("B-1"))
    push(api, burglary("B-2", **later))
    zone = PreventionZone.objects.get(crime__reference="B-1")
    assert not zone.links.exists(), why


def test_a_burglary_without_a_place_opens_no_zone_and_is_never_linked(api, force):
    push(api, burglary("B-1"))
    push(api, burglary("B-2", at=BASE + dt.timedelta(days=1), located=False))
    assert not PreventionZone.objects.filter(crime__reference="B-2").exists()
    assert not ZoneLink.objects.exists()
    assert not CocooningTask.objects.filter(zone__crime__reference="B-2").exists()


def test_other_offences_open_no_zone(api, force):
    push(api, burglary("V-1", offence="vehicle_crime"))
    push(api, burglary("B-1", offence="burglary_other"))
    assert not PreventionZone.objects.exists()


def test_a_later_burglary_stored_first_is_linked_when_the_earlier_arrives(api, force):
    later = push(api, burglary("B-2", at=BASE + dt.timedelta(days=3), east=120))
    push(api, burglary("B-1"))
    zone = PreventionZone.objects.get(crime__reference="B-1")
    assert [link.crime for link in zone.links.all()] == [later]
    assert zone.links.get().metres == pytest.approx(120, abs=2)


def test_another_forces_zones_are_never_linked(api, other_api, force, other_force):
    push(api, burglary("B-1"))
    push(other_api, burglary("B-2", at=BASE + dt.timedelta(days=1), north=10))
    assert not ZoneLink.objects.exists()


def test_the_zone_takes_the_window_of_the_forces_latest_analysis(api, force):
    run = NearRepeatRun.objects.create(
        force=force, family="residential_burglary", first_day=dt.date(2025, 10, 1),
        last_day=dt.date(2026, 9, 30), parameters={}, result={}, crimes=100, no_location=0,
        window_metres=300, window_days=21, seconds=0.5, ran_at=BASE - dt.timedelta(days=2),
        ran_by=NIGHTLY,
    )  # fmt: skip
    # A team's own run, later, does not set the force's zones.
    NearRepeatRun.objects.create(
        force=force, family="residential_burglary", first_day=dt.date(2025, 10, 1),
        last_day=dt.date(2026, 9, 30), parameters={}, result={}, crimes=10, no_location=0,
        window_metres=100, window_days=7, seconds=0.5, ran_at=BASE - dt.timedelta(days=1),
        ran_by="alice", team=Team.objects.create(force=force, code="team-z", name="Z"),
    )  # fmt: skip
    push(api, burglary("B-1"))
    push(api, burglary("B-2", at=BASE + dt.timedelta(days=18), north=250))
    zone = PreventionZone.objects.get(crime__reference="B-1")
    assert (zone.radius_metres, zone.days, zone.run) == (300, 21, run)
    assert zone.links.count() == 1


# Cocooning


def test_recording_the_task_on_the_zone_page_meets_the_neighbours_warned_basic(
    api, force, alice, login
):
    crime = push(api, burglary("B-1"))
    zone = PreventionZone.objects.get(crime=crime)
    client = login(alice)
    page = client.get(f"/prevention/zones/{zone.pk}/")
    assert page.status_code == 200
    assert b"Record the cocooning" in page.content
    form = {"homes_visited": "12", "leaflets": "20", "advice": "Locks, lights and the hotline"}
    r = client.post(f"/prevention/zones/{zone.pk}/", form)
    assert r.status_code == 302
    task = CocooningTask.objects.get(zone=zone)
    assert (task.homes_visited, task.leaflets, task.done_by) == (12, 20, "alice")
    assert task.advice == "Locks, lights and the hotline"
    item = BasicsItem.objects.get(checklist__crime=crime, item="neighbours_warned")
    assert item.status == "done"
    assert item.done_at == task.done_at
    assert item.done_by == "alice"
    assert "12 homes visited, 20 leaflets" in item.rationale
    assert AuditEvent.objects.filter(
        object_type="cocooningtask", object_id=str(task.pk), action="update", user=alice
    ).exists()
    again = client.post(f"/prevention/zones/{zone.pk}/", form)
    assert again.status_code == 400  # recorded once
    assert b"task: already recorded by alice" in again.content


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"leaflets": "3", "advice": "Locks"}, "homes_visited"),
        ({"homes_visited": "-1", "leaflets": "3", "advice": "Locks"}, "homes_visited"),
        ({"homes_visited": "4", "leaflets": "many", "advice": "Locks"}, "leaflets"),
        ({"homes_visited": "4", "leaflets": "3", "advice": "  "}, "advice"),
    ],
)
def test_a_task_without_its_values_is_refused_naming_the_field(
    api, force, alice, login, form, field
):
    zone = PreventionZone.objects.get(crime=push(api, burglary("B-1")))
    r = login(alice).post(f"/prevention/zones/{zone.pk}/", form)
    assert r.status_code == 400
    assert f"{field}:".encode() in r.content
    assert CocooningTask.objects.get(zone=zone).done_at is None
    assert BasicsItem.objects.get(item="neighbours_warned").status == "due"


def test_a_task_for_a_crime_with_no_checklist_is_recorded_all_the_same(force, dave):
    # A force whose checklists leave out burglary: the task is done, no basic to meet.
    crime = Crime.objects.create(
        force=force, reference="B-9", offence_id="burglary_residential", reported_at=BASE,
        recorded_at=BASE, latitude=LATITUDE, longitude=LONGITUDE,
    )  # fmt: skip
    zone = zone_open(crime=crime, actor="test")
    assert zone is not None
    done = cocooning_record(task=zone.task, data=CocooningIn(3, 3, "Locks"), user=dave, now=BASE)
    assert done.done_at == BASE
    assert not BasicsItem.objects.exists()


# Did it work?


def test_did_it_work_counts_match_a_direct_count(force, dave):
    """Zones closed: some cocooned in time, some late, some never; some followed."""
    rng = np.random.default_rng(7)
    crimes = []
    for i in range(40):
        at = BASE - dt.timedelta(days=200) + dt.timedelta(days=int(rng.integers(0, 150)))
        crimes.append(
            Crime.objects.create(
                force=force, reference=f"D-{i}", offence_id="burglary_residential",
                occurred_at=at, reported_at=at, recorded_at=at,
                latitude=LATITUDE + float(rng.normal(0, 0.002)),
                longitude=LONGITUDE + float(rng.normal(0, 0.003)),
            )
        )  # fmt: skip
    for crime in sorted(crimes, key=lambda c: c.reported_at):
        zone = zone_open(crime=crime, actor="test")
        assert zone is not None
        choice = int(rng.integers(0, 3))
        if choice == 0:  # in time
            when = zone.task.due_at - dt.timedelta(hours=1)
        elif choice == 1:  # late
            when = zone.task.due_at + dt.timedelta(hours=1)
        if choice < 2:
            cocooning_record(task=zone.task, data=CocooningIn(1, 1, "Locks"), user=dave, now=when)
    # One zone still open is left out.
    open_crime = Crime.objects.create(
        force=force, reference="D-open", offence_id="burglary_residential",
        reported_at=timezone.now(), recorded_at=timezone.now(), latitude=LATITUDE,
        longitude=LONGITUDE,
    )  # fmt: skip
    zone_open(crime=open_crime, actor="test")

    now = timezone.now()
    counts = {True: [0, 0], False: [0, 0]}
    for zone in PreventionZone.objects.select_related("task"):
        if zone.ends_at > now:
            continue
        task = zone.task
        cocooned = task.done_at is not None and task.done_at <= task.due_at
        counts[cocooned][0] += 1
        counts[cocooned][1] += ZoneLink.objects.filter(zone=zone).count() > 0
    worked = selectors.did_it_work(PreventionZone.objects.all(), now)
    assert (worked.cocooned.burglaries, worked.cocooned.followed) == tuple(counts[True])
    assert (worked.not_cocooned.burglaries, worked.not_cocooned.followed) == tuple(counts[False])
    assert worked.cocooned.burglaries + worked.not_cocooned.burglaries == 40
    assert worked.cocooned.followed + worked.not_cocooned.followed > 0  # some were followed
    low, high = worked.cocooned.interval
    assert low <= (worked.cocooned.share or 0) <= high


# The Knox test of stored crimes


def clustered_burglaries(force: Force, *, n: int = 400, days: int = 360) -> None:
    """Burglaries over a town's 4 km square and a year, half of them a near repeat of an
    earlier one (within 100 m and a week), so the Knox test finds a window."""
    rng = np.random.default_rng(11)
    start = timezone.now() - dt.timedelta(days=days + 1)
    rows: list[tuple[float, float, dt.datetime]] = []
    for i in range(n):
        if rows and i % 2:
            north, east, at = rows[int(rng.integers(0, len(rows)))]
            north += float(rng.uniform(-60, 60))
            east += float(rng.uniform(-60, 60))
            at = min(at + dt.timedelta(days=int(rng.integers(1, 7))), start + dt.timedelta(days))
        else:
            north, east = float(rng.uniform(0, 4000)), float(rng.uniform(0, 4000))
            at = start + dt.timedelta(days=int(rng.integers(0, days - 10)))
        rows.append((north, east, at))
    Crime.objects.bulk_create(
        Crime(
            force=force, reference=f"K-{i}", offence_id="burglary_residential",
            occurred_at=at, reported_at=at, recorded_at=at, **place(north, east),
        )
        for i, (north, east, at) in enumerate(rows)
    )  # fmt: skip
    Crime.objects.create(  # no place: left out and counted
        force=force, reference="K-none", offence_id="burglary_residential",
        reported_at=start + dt.timedelta(days=5), recorded_at=start + dt.timedelta(days=5),
    )  # fmt: skip


def test_the_nightly_duty_stores_a_run_that_finds_the_window(force):
    clustered_burglaries(force)
    now = timezone.now()
    assert "near-repeats" in DAILY
    local = timezone.localtime(now).replace(hour=3)
    assert daily_duty_run(name="near-repeats", duty=DAILY["near-repeats"], now=local, worker="a")
    assert DailyDuty.objects.get(name="near-repeats").last_day == local.date()
    runs = NearRepeatRun.objects.filter(force=force)
    # Residential burglary and all burglary hold crimes; vehicle crime and robbery none.
    assert set(runs.values_list("family", flat=True)) == {"residential_burglary", "burglary"}
    run = runs.get(family="residential_burglary")
    assert run.ran_by == NIGHTLY and run.team is None and run.area == ""
    assert run.last_day == local.date() - dt.timedelta(days=1)
    assert (run.last_day - run.first_day).days == 364
    assert run.crimes == 400 and run.no_location == 1
    assert run.parameters["permutations"] == 999
    assert run.parameters["distance"] == "euclidean"
    assert len(run.result["observed"]) == 6 and len(run.result["observed"][0]) == 5
    # Near repeats within 100 m and a week were built in: the first band and week stand out.
    assert run.result["p_value"][1][0] == pytest.approx(0.001)
    assert run.result["knox_ratio"][1][0] > 3
    assert run.window_metres is not None and run.window_metres >= 100
    assert run.window_days is not None and run.window_days >= 7
    # The next zone takes that window.
    crime = Crime.objects.create(
        force=force, reference="K-new", offence_id="burglary_residential", reported_at=now,
        recorded_at=now, latitude=LATITUDE, longitude=LONGITUDE,
    )  # fmt: skip
    zone = zone_open(crime=crime, actor="test")
    assert zone is not None
    assert (zone.radius_metres, zone.days, zone.run) == (run.window_metres, run.window_days, run)


def test_a_run_with_too_few_crimes_is_stored_in_words(force):
    run = near_repeat_run(
        force=force, family="robbery", first_day=dt.date(2026, 1, 1),
        last_day=dt.date(2026, 6, 30), by="test",
    )  # fmt: skip
    assert run.crimes == 0
    assert run.result == {"words": ["Too few crimes with a place to test: 0."]}
    assert run.window_metres is None
    assert analysis.headline(run.result, "robbery").startswith("Too few crimes")


def test_a_supervisor_runs_the_analysis_for_a_team_from_the_page(force, alice, login, team_a):
    clustered_burglaries(force, n=120)
    Crime.objects.filter(reference__startswith="K-").update(team=team_a)
    client = login(alice)
    body = {"family": "residential_burglary", "days": "365", "team": "team-a", "area": ""}
    r = client.post("/prevention/run/", body)
    assert r.status_code == 302, r.content
    run = NearRepeatRun.objects.get()
    assert run.ran_by == "alice" and run.team == team_a and run.crimes == 120
    page = client.get(r["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Knox ratios by distance and time apart" in text
    assert html.escape(analysis.headline(run.result, "residential_burglary")) in text
    assert "Tested 120 crimes with a place" in text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"days": "365", "team": "team-a"}, "family"),
        ({"family": "residential_burglary", "team": "team-a"}, "days"),
        ({"family": "residential_burglary", "days": "30", "team": "team-a"}, "days"),
        ({"family": "residential_burglary", "days": "365", "team": "team-q"}, "team"),
        ({"family": "residential_burglary", "days": "365"}, "team"),  # a supervisor's teams
        ({"family": "residential_burglary", "days": "365", "team": "team-a", "area": "A?"},
         "area"),
    ],
)  # fmt: skip
def test_a_run_without_its_choices_is_refused_naming_the_field(
    force, alice, login, team_a, body, field
):
    r = login(alice).post("/prevention/run/", body)
    assert r.status_code == 400
    assert f"{field}:".encode() in r.content
    assert not NearRepeatRun.objects.exists()


def test_an_administrator_runs_for_every_team_and_an_investigator_may_not(force, dave, login):
    r = login(dave).post("/prevention/run/", {"family": "burglary", "days": "91", "team": ""})
    assert r.status_code == 302
    assert NearRepeatRun.objects.get().team is None
    ivan = make_user(force, "ivan", Role.INVESTIGATOR)
    r = login(ivan).post("/prevention/run/", {"family": "burglary", "days": "91", "team": ""})
    assert r.status_code == 403
    assert login(dave).get("/prevention/run/").status_code == 405  # a GET changes nothing


def test_significant_window_is_the_largest_raised_block_from_the_nearest_soonest():
    def result(raised: set[tuple[int, int]]) -> dict[str, Any]:
        shape = (6, 5)
        return {
            "parameters": {"spatial_bandwidth": 100, "spatial_bands": 4,
                           "temporal_bandwidth": 7, "temporal_bands": 4},
            "observed": [[10] * shape[1] for _ in range(shape[0])],
            "expected": [[5.0] * shape[1] for _ in range(shape[0])],
            "knox_ratio": [[2.0 if (r, c) in raised else 0.9 for c in range(shape[1])]
                           for r in range(shape[0])],
            "p_value": [[0.001 if (r, c) in raised else 0.6 for c in range(shape[1])]
                        for r in range(shape[0])],
        }  # fmt: skip

    assert analysis.significant_window(result(set())) is None
    assert analysis.significant_window(result({(0, 0)})) is None  # same place only: a repeat
    assert analysis.significant_window(result({(2, 0)})) is None  # not from the nearest
    assert analysis.significant_window(result({(1, 0)})) == analysis.Window(100, 7)
    # The run of the page's picture: 0-100 m raised for two weeks, 100-200 m for four, 200-300
    # m for three, 300-400 m for one; the largest block is 300 m by 14 days (six cells).
    raised = {(1, 0), (1, 1), (2, 0), (2, 1), (2, 2), (2, 3), (3, 0), (3, 1), (3, 2), (4, 0)}
    assert analysis.significant_window(result(raised)) == analysis.Window(300, 14)
    # A gap stops the block: band 2 not raised, however far band 3 reaches.
    found = analysis.significant_window(result({(1, 0), (1, 1), (3, 0), (3, 1), (0, 2)}))
    assert found == analysis.Window(100, 14)
    # Of blocks as large, the nearer: 100 m by 14 days against 200 m by 7 days.
    assert analysis.significant_window(result({(1, 0), (1, 1), (2, 0)})) == analysis.Window(100, 14)
    # The beyond row and column never count.
    assert analysis.significant_window(result({(1, 0), (5, 1), (1, 4)})) == analysis.Window(100, 7)
    words = analysis.headline(result({(1, 0), (2, 0), (1, 1), (2, 1)}), "residential_burglary")
    assert words.startswith(
        "Within 200 m, residential burglaries are 2.0 times as likely in the 14 days after one"
    )


# Role scoping


def test_another_forces_zone_is_not_found_and_a_teams_zone_is_its_own(
    api, force, alice, bob, carol, olga, login
):
    zone = PreventionZone.objects.get(crime=push(api, burglary("B-1")))
    path = f"/prevention/zones/{zone.pk}/"
    assert login(alice).get(path).status_code == 200
    assert login(olga).get(path).status_code == 404  # another force's administrator
    assert login(bob).get(path).status_code == 404  # a supervisor of team B only
    assert login(carol).get(path).status_code == 403  # a call handler
    form = {"homes_visited": "1", "leaflets": "1", "advice": "Locks"}
    assert login(olga).post(path, form).status_code == 404
    assert login(bob).post(path, form).status_code == 404
    analyst = make_user(force, "ann", Role.ANALYST)
    assert login(analyst).get(path).status_code == 200
    assert login(analyst).post(path, form).status_code == 403  # sees, does not record
    assert CocooningTask.objects.get(zone=zone).done_at is None
    assert b"B-1" in login(alice).get("/prevention/zones/").content
    assert b"B-1" not in login(bob).get("/prevention/zones/").content
    assert b"B-1" not in login(olga).get("/prevention/zones/").content


def test_the_zone_list_puts_overdue_tasks_first_in_few_queries(
    api, force, alice, login, django_assert_max_num_queries
):
    now = timezone.now()
    push(api, burglary("DUE", at=now - dt.timedelta(hours=2)))
    push(api, burglary("OVERDUE", at=now - dt.timedelta(days=3), north=5000))
    push(api, burglary("LONG-OVERDUE", at=now - dt.timedelta(days=4), north=9000))
    client = login(alice)
    with django_assert_max_num_queries(8):
        page = client.get("/prevention/zones/").content.decode()
    assert page.index("LONG-OVERDUE") < page.index(">OVERDUE<") < page.index(">DUE<")
    assert page.count("overdue</span>") == 2


def test_the_page_refuses_an_unknown_family_naming_it_and_a_call_handler(
    force, alice, carol, login
):
    assert login(alice).get("/prevention/").status_code == 200
    r = login(alice).get("/prevention/?family=arson")
    assert r.status_code == 400
    assert b"family" in r.content
    assert login(carol).get("/prevention/").status_code == 403
    assert login(carol).get("/prevention/zones/").status_code == 403


def test_a_zones_place_goes_with_its_crimes_exact_location_after_retention(
    api, force, alice, login
):
    from bluelamp.care.models import Referral
    from bluelamp.ops.retention import personal_data_purge_all

    push(api, burglary("B-1"))
    push(api, burglary("B-2", at=BASE + dt.timedelta(days=4), north=150))
    recent = timezone.now() - dt.timedelta(days=3)
    push(api, burglary("B-3", at=recent))
    push(api, burglary("B-4", at=recent + dt.timedelta(days=1), east=100))
    Referral.objects.update(status="closed")  # care keeps a place while a referral is worked
    days = (timezone.now() - BASE).days - 10  # B-1 and B-2 past retention, B-3 and B-4 not
    checked = personal_data_purge_all(now=timezone.now(), days=days, check=True)
    assert checked.tally.counts["herts"]["prevention_zone.place"] == 2
    assert PreventionZone.objects.filter(latitude=None).count() == 0  # a check changes nothing
    personal_data_purge_all(now=timezone.now(), days=days)
    old = PreventionZone.objects.get(crime__reference="B-1")
    assert (old.latitude, old.longitude, old.easting, old.northing) == (None, None, None, None)
    link = old.links.get()
    assert (link.east, link.north) == (None, None)
    assert link.metres == pytest.approx(150, abs=2)  # the counts stay
    kept = PreventionZone.objects.get(crime__reference="B-3")
    assert kept.latitude is not None and kept.links.get().east is not None
    page = login(alice).get(f"/prevention/zones/{old.pk}/")
    assert page.status_code == 200
    assert b"erased after retention" in page.content
    assert b"<svg" not in page.content
    # A zone without a place links nothing more.
    push(api, burglary("B-5", at=BASE + dt.timedelta(days=5), north=20))
    assert old.links.count() == 1
