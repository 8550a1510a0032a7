"""Staffing advice from stored figures and rosters, and its place on the live view."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from bluelamp.staffing import planning
from bluelamp.staffing.models import CallInterval, RosterSlot
from tests import needs
from tests.helpers import answer, roster_ahead, steady_history

BANK = Path(__file__).resolve().parents[1].parent / "shared/data/bank-call-records"


def test_a_full_roster_meets_the_standard(force):
    queue = steady_history(force)
    roster_ahead(queue, 20)
    plan = planning.plan_queue(queue, timezone.now())
    assert plan.model == "Erlang A"
    assert plan.patience.seconds == pytest.approx((18 * 40 + 2 * 100) / 2)
    assert all(18 <= s.calls <= 22 for s in plan.slots), [round(s.calls) for s in plan.slots]
    assert all(s.gap is not None and s.gap >= 0 for s in plan.slots)
    assert len(plan.advice) == 1
    assert plan.advice[0].text.startswith("101: the roster meets the standard for the next 12")
    # The requirement is sane: more than the load on the phones, fewer than the full roster.
    load = 20 / 900 * 300
    assert all(load < s.on_phones < s.required <= 20 for s in plan.slots)


def test_a_gap_is_advised_in_plain_words(force):
    queue = steady_history(force)
    slots = roster_ahead(queue, 20)
    short = slots[8:16]  # two to four hours from now
    RosterSlot.objects.filter(pk__in=[s.pk for s in short]).update(handlers=6)
    plan = planning.plan_queue(queue, timezone.now())
    required = plan.slots[8].required
    assert len(plan.advice) == 1
    text = plan.advice[0].text
    start = timezone.localtime(short[0].start).strftime("%H:%M")
    end = timezone.localtime(short[-1].start + dt.timedelta(minutes=15)).strftime("%H:%M")
    assert text.startswith(f"101: short by {required - 6} from {start} to {end}; expected ")
    assert "answered within 90 s" in text
    block = plan.advice[0].block
    assert block is not None
    assert block.within < block.within_extra
    assert block.abandoned > block.abandoned_extra


def test_no_roster_is_said(force):
    queue = steady_history(force, code="999", days=7)
    plan = planning.plan_queue(queue, timezone.now())
    assert plan.advice[0].text.startswith("999: no roster from ")
    assert "needed at the busiest point" in plan.advice[0].text


def test_satisfaction_effect_needs_enough_responses(force):
    queue = steady_history(force)
    slots = roster_ahead(queue, 20)
    RosterSlot.objects.filter(pk__in=[s.pk for s in slots[4:12]]).update(handlers=7)
    block = planning.plan_queue(queue, timezone.now()).advice[0].block
    assert block is not None
    thin = planning.satisfaction_effect(block, [(3, 2)] * 6)
    assert thin.startswith("Not enough survey responses by answer time")
    # Quick answers satisfy, slow ones do not: the gap costs satisfaction.
    bands = [(100, 90), (100, 80), (100, 60), (100, 40), (100, 20), (100, 10)]
    effect = planning.satisfaction_effect(block, bands)
    assert effect.startswith("Expected satisfaction of answered callers ")
    before, after = (int(p.split("%")[0].split()[-1]) for p in effect.split(",")[:2])
    assert before < after


def test_live_view_shows_the_plan_and_moves_when_figures_arrive(login, alice, force, api):
    queue = steady_history(force, days=3)
    roster_ahead(queue, 20)
    answer(force, "S-1", 2, channel="101", answer_seconds=400)
    client = login(alice)
    html = client.get("/live/").content.decode()
    assert 'data-testid="staffing-101"' in html
    assert "101: the roster meets the standard" in html
    assert "Answer time and satisfaction, 101" in html
    board = client.get("/live/board")
    version = board.content.decode().split('data-version="')[1].split('"')[0]
    assert client.get(f"/live/board?v={version}").status_code == 204
    now = timezone.now()
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    r = api.post(
        "/api/v1/call-intervals",
        {"intervals": [{"queue": "101", "start": start.isoformat(), "offered": 90,
                        "answered": 60, "abandoned": 30, "answered_within_target": 10,
                        "average_handle_seconds": 300}]},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 200
    assert client.get(f"/live/board?v={version}").status_code == 200


def test_board_query_count_does_not_grow_with_figures(login, alice, force):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queue = steady_history(force, days=2)
    roster_ahead(queue, 20)
    client = login(alice)
    with CaptureQueriesContext(connection) as small:
        client.get("/live/board")
    CallInterval.objects.filter(force=force).delete()
    steady_history(force, days=20)
    with CaptureQueriesContext(connection) as large:
        client.get("/live/board")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_staffing_panel_says_how_to_send_figures_when_there_are_none(login, alice):
    html = login(alice).get("/live/").content.decode()
    assert "POST /api/v1/call-intervals" in html


OWN_RECORDS_HEADER = "queue_entry,queue_exit,outcome,handle_seconds,handler\n"


def test_backtest_prints_hours_and_the_mean_absolute_errors(tmp_path):
    lines = [OWN_RECORDS_HEADER]
    for i in range(40):  # one busy hour: 40 calls, two handlers
        t = dt.datetime(2026, 3, 2, 9, 0) + dt.timedelta(seconds=90 * i)
        wait = 5 if i % 4 else 45
        outcome = "abandoned" if i % 10 == 9 else "answered"
        lines.append(
            f"{t.isoformat()},{(t + dt.timedelta(seconds=wait)).isoformat()},{outcome},"
            f"170,H{i % 2}\n"
        )
    path = tmp_path / "calls.csv"
    path.write_text("".join(lines))
    out = StringIO()
    call_command("staffing_backtest", records=path, stdout=out)
    printed = out.getvalue().splitlines()
    row = next(line for line in printed if line.startswith("2026-03-02 09:00"))
    assert row.split()[2] == "40"
    assert printed[-1].startswith("MAE answered_20s=")
    assert " abandoned=" in printed[-1]


def test_erlang_a_predicts_abandonment_better_than_erlang_c_on_real_calls():
    needs.path(BANK, "the shared bank call records")
    out = StringIO()
    call_command("staffing_backtest", records=next(BANK.glob("*.csv")), stdout=out)
    last = out.getvalue().splitlines()
    a = dict(p.split("=") for p in last[-1].split()[1:])
    c = dict(p.split("=") for p in last[-2].split()[4:])
    assert float(a["abandoned"]) < float(c["abandoned"]) / 2
    assert float(a["answered_20s"]) < 0.2


def test_advice_through_the_api(api, other_api, force):
    queue = steady_history(force, days=3)
    roster_ahead(queue, 20)
    r = api.get("/api/v1/staffing?hours=6")
    assert r.status_code == 200
    (body,) = r.json()
    assert body["queue"] == "101"
    assert body["model"] == "Erlang A"
    assert len(body["intervals"]) == 24
    assert body["advice"][0].startswith("101: the roster meets the standard for the next 6")
    first = body["intervals"][0]
    assert first["rostered"] == 20 and first["gap"] == 20 - first["required"]
    assert other_api.get("/api/v1/staffing").json() == []
    assert api.get("/api/v1/staffing?hours=400").status_code == 400


def test_queue_settings_change_the_advice_at_once(force):
    queue = steady_history(force, days=3)
    roster_ahead(queue, 12)
    before = planning.plan_queue(queue, timezone.now()).slots[0].required
    queue.target_share = 0.99
    queue.target_seconds = 5
    queue.save()
    after = planning.plan_queue(queue, timezone.now()).slots[0].required
    assert after > before
