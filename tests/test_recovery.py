"""Service recovery: opening by rules, owners, states, timeline, overdue escalation, measures,
references, access and the API."""

import datetime as dt
import json
import statistics
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.care.models import Crime
from bluelamp.forces.models import Role
from bluelamp.recovery.defaults import default_rule_set
from bluelamp.recovery.models import RecoveryCase, RecoveryRuleSetVersion
from bluelamp.recovery.selectors import measures
from bluelamp.recovery.services import (
    CaseError,
    case_note_add,
    case_reassign,
    case_transition,
    cases_escalate_overdue,
    rules_save,
)
from tests.conftest import make_user
from tests.helpers import answer

S = RecoveryCase.Status
T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def open_case(force, reference="R-1", score=2, **kwargs) -> RecoveryCase:
    kwargs.setdefault("now", T0)
    return RecoveryCase.objects.get(response=answer(force, reference, score, **kwargs))


def audits(case: RecoveryCase) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="recoverycase", object_id=str(case.pk))
        .order_by("pk")
        .values_list("summary", flat=True)
    )


# --- Opening ---------------------------------------------------------------------------------


def test_a_dissatisfied_answer_opens_a_case_owned_by_the_teams_own_supervisor(
    force, team_a, team_b, alice, bob
):
    # Alice supervises both teams and Bob only team B: Bob is team B's own supervisor.
    case = open_case(force, "B-1", team="team-b")
    assert case.owner == bob
    assert case.reasons == ["dissatisfied"]
    assert case.rule_version == 0
    assert case.reason == "Dissatisfied with the service: rated the whole experience 2 out of 7."
    assert case.rules[0]["title"] == "Dissatisfied with the service"
    assert case.priority == "normal"
    assert case.deadline - case.opened_at == dt.timedelta(hours=24)
    assert case.follow_up
    [opened] = case.actions.all()
    assert (opened.kind, opened.author, opened.owner_after) == ("opened", None, bob)
    assert audits(case) == ["opened by recovery rules v0: dissatisfied"]
    assert open_case(force, "A-1", team="team-a").owner == alice


def test_without_a_supervisor_the_team_owns_the_case(force, team_a):
    case = open_case(force)
    assert case.owner is None
    assert case.team == team_a


def test_words_of_distress_open_a_high_priority_case_due_in_four_hours(force, team_a):
    case = open_case(force, score=6, comment="They came back last night and I am scared.")
    assert case.reasons == ["safeguarding"]
    assert case.priority == "high"
    assert case.deadline - case.opened_at == dt.timedelta(hours=4)
    assert "it says came back and scared" in case.reason
    assert not case.follow_up  # the phone may not be safe to text


def test_a_strongly_negative_comment_opens_a_case_whatever_the_score(force, team_a):
    case = open_case(
        force, score=5, comment="Absolutely useless, rude and a total waste of my time. Awful."
    )
    assert case.reasons == ["negative_comment"]
    assert case.response.sentiment <= -0.6
    assert "strongly negative: sentiment -0." in case.reason
    assert case.deadline - case.opened_at == dt.timedelta(hours=48)


def test_a_satisfied_answer_without_a_call_back_opens_nothing(force, team_a):
    answer(force, "OK-1", 6, now=T0)
    assert not RecoveryCase.objects.exists()


def test_the_force_rules_are_versioned_and_the_case_names_its_version(force, team_a, dave):
    stricter = default_rule_set()
    stricter["rules"][1]["deadline_hours"] = 8
    stricter["rules"][1]["priority"] = "high"
    saved = rules_save(force=force, definition=stricter, user=dave)
    assert saved.version == 1
    case = open_case(force)
    assert (case.rule_version, case.priority) == (1, "high")
    assert case.deadline - case.opened_at == dt.timedelta(hours=8)
    rules_save(force=force, definition=default_rule_set(), user=dave)
    assert list(
        RecoveryRuleSetVersion.objects.filter(force=force).values_list("version", "active")
    ) == [(2, True), (1, False)]
    assert open_case(force, "R-2").rule_version == 2
    assert case.pk != open_case(force, "R-3").pk


def test_rules_are_edited_in_the_admin_by_the_forces_administrator(force, team_a, login, dave):
    dave.is_staff = True
    dave.save()
    client = login(dave)
    form = client.get("/admin/recovery/recoveryrulesetversion/add/")
    assert form.status_code == 200
    assert "negative_comment" in form.content.decode()  # starts from the current rules
    url = "/admin/recovery/recoveryrulesetversion/add/"
    broken = {**default_rule_set(), "escalate_to": "nobody-here"}
    r = client.post(url, {"definition": json.dumps(broken)})
    assert r.status_code == 200
    assert "escalate_to: &quot;nobody-here&quot; is not an active supervisor" in r.content.decode()
    bad_deadline = default_rule_set()
    bad_deadline["rules"][0]["deadline_hours"] = -1
    r = client.post(url, {"definition": json.dumps(bad_deadline)})
    assert "rules[0].deadline_hours" in r.content.decode()
    assert not RecoveryRuleSetVersion.objects.exists()
    good = {**default_rule_set(), "escalate_to": "dave"}
    r = client.post(url, {"definition": json.dumps(good)})
    assert r.status_code == 302, r.content.decode()[:2000]
    saved = RecoveryRuleSetVersion.objects.get(force=force)
    assert (saved.version, saved.created_by) == (1, "dave")
    assert AuditEvent.objects.filter(
        force=force, object_type="recoveryrulesetversion", summary="recovery rules version 1"
    ).exists()


def test_another_forces_administrator_sees_none_of_these_rules(force, dave, olga, login):
    rules_save(force=force, definition=default_rule_set(), user=dave)
    olga.is_staff = True
    olga.save()
    listing = login(olga).get("/admin/recovery/recoveryrulesetversion/").content.decode()
    assert "0 recovery rules versions" in listing


# --- States and the timeline -----------------------------------------------------------------

PATHS = {
    S.OPEN: [],
    S.CONTACTED: [S.CONTACTED],
    S.RESOLVED: [S.CONTACTED, S.RESOLVED],
    S.COULD_NOT_CONTACT: [S.COULD_NOT_CONTACT],
    S.ESCALATED: [S.ESCALATED],
    S.CLOSED: [S.CONTACTED, S.CLOSED],
}
ALLOWED = {
    (S.OPEN, S.CONTACTED), (S.OPEN, S.COULD_NOT_CONTACT), (S.OPEN, S.ESCALATED),
    (S.CONTACTED, S.RESOLVED), (S.CONTACTED, S.ESCALATED), (S.CONTACTED, S.CLOSED),
    (S.COULD_NOT_CONTACT, S.CONTACTED), (S.COULD_NOT_CONTACT, S.CLOSED),
    (S.RESOLVED, S.CLOSED), (S.RESOLVED, S.CONTACTED),
    (S.ESCALATED, S.CLOSED),
}  # fmt: skip


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("target", list(S))
def test_only_valid_transitions_are_taken_and_others_are_refused_clearly(
    force, team_a, alice, start, target
):
    case = open_case(force)
    for step in PATHS[start]:
        case_transition(case=case, user=alice, status=step, note="done", now=T0)
    assert case.status == start
    if (start, target) in ALLOWED:
        case_transition(case=case, user=alice, status=target, note="why", now=T0)
        case.refresh_from_db()
        assert case.status == target
        return
    with pytest.raises(CaseError) as refused:
        case_transition(case=case, user=alice, status=target, note="why", now=T0)
    assert refused.value.field == "status"
    words = S(start).label.lower()
    if start == S.CLOSED:
        assert refused.value.message == "This case is closed; it takes no more changes."
    else:
        assert f"A case that is {words} cannot move to {S(target).label.lower()}; " in str(
            refused.value
        )
    case.refresh_from_db()
    assert case.status == start


def test_resolving_could_not_contact_and_escalation_need_a_note(force, team_a, alice):
    case = open_case(force)
    for status in (S.COULD_NOT_CONTACT, S.ESCALATED):
        with pytest.raises(CaseError, match="Say ") as refused:
            case_transition(case=case, user=alice, status=status, note="  ", now=T0)
        assert refused.value.field == "note"
    case_transition(case=case, user=alice, status=S.CONTACTED, note="", now=T0)
    with pytest.raises(CaseError, match="Say what was put right") as refused:
        case_transition(case=case, user=alice, status=S.RESOLVED, note="", now=T0)
    assert refused.value.field == "note"
    case.refresh_from_db()
    assert case.status == S.CONTACTED  # nothing stored
    with pytest.raises(CaseError, match='"nonsense" is not a case status'):
        case_transition(case=case, user=alice, status="nonsense", note="", now=T0)


@pytest.mark.parametrize(
    ("path", "outcome"),
    [
        ([S.CONTACTED, S.RESOLVED, S.CLOSED], "resolved"),
        ([S.CONTACTED, S.CLOSED], "no_action"),
        ([S.COULD_NOT_CONTACT, S.CLOSED], "could_not_contact"),
        ([S.CONTACTED, S.ESCALATED, S.CLOSED], "complaint"),
    ],
)
def test_closing_records_how_the_case_ended(force, team_a, alice, path, outcome):
    case = open_case(force)
    for i, status in enumerate(path):
        case_transition(case=case, user=alice, status=status, note="n", now=T0 + dt.timedelta(i))
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", outcome)
    assert case.closed_at == T0 + dt.timedelta(len(path) - 1)


def test_first_contact_is_stamped_once(force, team_a, alice):
    case = open_case(force)
    case_transition(
        case=case, user=alice, status="contacted", note="", now=T0 + dt.timedelta(hours=3)
    )
    case_transition(
        case=case, user=alice, status="resolved", note="Put right", now=T0 + dt.timedelta(hours=4)
    )
    case_transition(
        case=case, user=alice, status="contacted", note="", now=T0 + dt.timedelta(hours=9)
    )
    case.refresh_from_db()
    assert case.first_contacted_at == T0 + dt.timedelta(hours=3)


def test_a_move_made_meanwhile_by_someone_else_is_not_overwritten(force, team_a, alice):
    case = open_case(force)
    stale = RecoveryCase.objects.get(pk=case.pk)
    case_transition(case=case, user=alice, status="contacted", note="", now=T0)
    with pytest.raises(CaseError, match="Someone else has just changed this case"):
        case_transition(case=stale, user=alice, status="escalated", note="complaint", now=T0)
    case.refresh_from_db()
    assert case.status == "contacted"


def test_notes_and_call_attempts_go_on_the_timeline_with_who_and_when(force, team_a, alice):
    case = open_case(force)
    case_note_add(case=case, user=alice, kind="contact_attempt", text="", now=T0)
    case_note_add(case=case, user=alice, kind="note", text="Will try after 6pm", now=T0)
    with pytest.raises(CaseError, match="Write the note") as empty:
        case_note_add(case=case, user=alice, kind="note", text=" ", now=T0)
    assert empty.value.field == "text"
    with pytest.raises(CaseError, match="Choose a note or a call attempt"):
        case_note_add(case=case, user=alice, kind="status", text="x", now=T0)
    timeline = list(case.actions.values_list("kind", "author__username", "text"))
    assert timeline == [
        ("opened", None, case.reason),
        ("contact_attempt", "alice", ""),
        ("note", "alice", "Will try after 6pm"),
    ]
    assert audits(case)[1:] == ["call attempt", "note added"]  # never the note itself


# --- Owner -----------------------------------------------------------------------------------


def test_a_supervisor_reassigns_and_the_new_owner_sees_the_case(
    force, team_a, team_b, alice, bob, login
):
    case = open_case(force, team="team-a")
    assert login(bob).get(f"/cases/{case.pk}/").status_code == 404
    case_reassign(case=case, user=alice, owner=bob, note="Bob knows the caller", now=T0)
    case.refresh_from_db()
    assert case.owner == bob
    action = case.actions.get(kind="reassigned")
    assert (action.owner_before, action.owner_after, action.author) == (alice, bob, alice)
    assert audits(case)[-1] == "owner alice -> bob"
    assert login(bob).get(f"/cases/{case.pk}/").status_code == 200
    with pytest.raises(CaseError, match="bob already owns this case"):
        case_reassign(case=case, user=alice, owner=bob, note="", now=T0)


def test_only_a_supervisor_reassigns_and_only_to_someone_who_works_cases(
    force, team_a, alice, carol, olga
):
    case = open_case(force)
    victim_care = make_user(force, "vera", Role.VICTIM_CARE)
    with pytest.raises(CaseError, match="Only a supervisor may reassign") as refused:
        case_reassign(case=case, user=victim_care, owner=alice, note="", now=T0)
    assert refused.value.field == "owner"
    for owner in (carol, olga, None):  # a call handler, another force's user, nobody
        with pytest.raises(CaseError, match="Choose who will own the case"):
            case_reassign(case=case, user=alice, owner=owner, note="", now=T0)
    case_reassign(case=case, user=alice, owner=victim_care, note="", now=T0)
    assert RecoveryCase.objects.get(pk=case.pk).owner == victim_care


def test_reassigning_in_the_page_lists_only_people_who_may_own_it(
    force, team_a, alice, carol, olga, login, dave
):
    case = open_case(force)
    page = login(alice).get(f"/cases/{case.pk}/").content.decode()
    assert 'name="owner"' in page
    assert ">dave (administrator)<" in page
    assert "carol" not in page and "olga" not in page
    r = login(alice).post(f"/cases/{case.pk}/", {"action": "reassign", "owner": str(olga.pk)})
    assert r.status_code == 400
    assert "Choose who will own the case from the list." in r.content.decode()
    r = login(alice).post(f"/cases/{case.pk}/", {"action": "reassign", "owner": str(dave.pk)})
    assert r.status_code == 302
    assert RecoveryCase.objects.get(pk=case.pk).owner == dave
    vera = make_user(force, "vera", Role.VICTIM_CARE)
    assert 'name="owner"' not in login(vera).get(f"/cases/{case.pk}/").content.decode()


# --- Overdue ---------------------------------------------------------------------------------


def test_the_escalation_job_escalates_each_overdue_case_once(force, team_a, alice, dave):
    duty = make_user(force, "duty", Role.SUPERVISOR)
    rules_save(force=force, definition={**default_rule_set(), "escalate_to": "duty"}, user=dave)
    late = open_case(force, "LATE-1")
    contacted = open_case(force, "LATE-2")
    case_transition(case=contacted, user=alice, status="contacted", note="", now=T0)
    resolved = open_case(force, "DONE-1")
    case_transition(case=resolved, user=alice, status="contacted", note="", now=T0)
    case_transition(case=resolved, user=alice, status="resolved", note="Put right", now=T0)
    fresh = open_case(force, "NEW-1", now=T0 + dt.timedelta(hours=20))

    at = T0 + dt.timedelta(hours=25)
    assert cases_escalate_overdue(now=T0 + dt.timedelta(hours=23)) == 0
    assert cases_escalate_overdue(now=at) == 2
    assert cases_escalate_overdue(now=at) == 0
    assert cases_escalate_overdue(now=at + dt.timedelta(hours=5)) == 0
    for case in (late, contacted):
        case.refresh_from_db()
        assert (case.overdue_escalated_at, case.owner) == (at, duty)
        action = case.actions.get(kind="overdue")
        assert action.text == "Overdue by 1 hour: escalated to duty."
        assert (action.author, action.owner_after) == (None, duty)
        assert audits(case)[-1] == "overdue; owner -> duty"
        event = AuditEvent.objects.filter(object_id=str(case.pk)).latest("pk")
        assert event.actor == "recovery-escalate"
    for case in (resolved, fresh):
        case.refresh_from_db()
        assert case.overdue_escalated_at is None
        assert not case.actions.filter(kind="overdue").exists()
    # The duty supervisor has no teams, yet sees the cases escalated to them.
    from django.test import Client

    client = Client()
    client.force_login(duty)
    listing = client.get("/cases/?status=overdue").content.decode()
    assert "LATE-1" in listing and "LATE-2" in listing and "NEW-1" not in listing


def test_without_a_named_duty_supervisor_overdue_cases_go_to_the_administrator(
    force, team_a, alice, dave
):
    case = open_case(force)
    assert cases_escalate_overdue(now=T0 + dt.timedelta(days=2)) == 1
    case.refresh_from_db()
    assert case.owner == dave
    assert "escalated to dave" in case.actions.get(kind="overdue").text


def test_the_escalation_command_takes_a_moment_and_a_force(force, other_force, team_a, alice):
    case = open_case(force)
    out = StringIO()
    call_command("recovery_escalate", "--now", "2026-11-28T10:00:00+00:00", stdout=out)
    assert out.getvalue().strip() == "escalated 1 overdue case(s)"
    call_command("recovery_escalate", "--now", "2026-11-28T10:00:00+00:00", stdout=out)
    assert out.getvalue().strip().endswith("escalated 0 overdue case(s)")
    case.refresh_from_db()
    assert case.overdue_escalated_at == dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)
    with pytest.raises(CommandError, match="--now: give the offset"):
        call_command("recovery_escalate", "--now", "2026-11-28T10:00:00")
    with pytest.raises(CommandError, match="--force: no force with slug 'nope'"):
        call_command("recovery_escalate", "--force", "nope")
    other = StringIO()
    call_command("recovery_escalate", "--force", other_force.slug, stdout=other)
    assert other.getvalue().strip() == "escalated 0 overdue case(s)"


def test_the_list_shows_overdue_and_escalated_clearly(force, team_a, alice, login):
    now = timezone.now()
    answer(force, "OLD-1", 1, now=now - dt.timedelta(hours=30))
    answer(force, "NEW-1", 1, now=now)
    cases_escalate_overdue(now=now)
    html = login(alice).get("/cases/").content.decode()
    old_row = html[html.index('data-testid="case-OLD-1"') :].split("</tr>")[0]
    assert '<span class="overdue">Overdue by 6' in old_row
    assert "escalated" in old_row
    new_row = html[html.index('data-testid="case-NEW-1"') :].split("</tr>")[0]
    assert "23\xa0hours" in new_row and "left" in new_row
    overdue_only = login(alice).get("/cases/?status=overdue").content.decode()
    assert "OLD-1" in overdue_only and "NEW-1" not in overdue_only


# --- References ------------------------------------------------------------------------------


def test_the_case_page_shows_the_contact_and_crime_references(force, team_a, alice, login):
    case = open_case(force, "INC-77")
    page = login(alice).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="contact-reference">INC-77<' in page
    assert "none recorded against this contact" in page
    Crime.objects.create(
        force=force, reference="CR-2026-0042", offence_id="burglary_residential",
        reported_at=T0, recorded_at=T0, contact=case.contact,
    )  # fmt: skip
    page = login(alice).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="crime-reference">CR-2026-0042<' in page


# --- The pages -------------------------------------------------------------------------------


def test_a_supervisor_works_a_case_through_the_page(force, team_a, alice, login):
    case = open_case(force)
    client = login(alice)
    path = f"/cases/{case.pk}/"
    r = client.post(path, {"action": "move", "status": "resolved", "note": ""})
    assert r.status_code == 400
    body = r.content.decode()
    assert "A case that is open cannot move to resolved; it can move to contacted" in body
    assert 'aria-describedby="status-error"' in body
    r = client.post(path, {"action": "move", "status": "escalated", "note": ""})
    assert r.status_code == 400
    assert 'id="note-error"' in r.content.decode()
    assert client.post(path, {"action": "note", "kind": "contact_attempt"}).status_code == 302
    r = client.post(path, {"action": "move", "status": "contacted", "note": "Spoke to caller"})
    assert r.status_code == 302
    r = client.post(path, {"action": "move", "status": "resolved", "note": "Apologised"})
    assert r.status_code == 302
    client.post(path, {"action": "move", "status": "closed", "note": ""})
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "resolved")
    page = client.get(path).content.decode()
    assert "Status changed from contacted to resolved: Apologised" in page
    assert "Call attempt, not reached" in page
    assert "<textarea" not in page  # a closed case takes no more actions
    assert client.post(path, {"action": "dance"}).status_code == 400


def test_case_list_query_count_does_not_grow_with_cases(force, team_a, alice, login):
    client = login(alice)
    for i in range(3):
        open_case(force, f"Q-{i}")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/cases/").status_code == 200
    for i in range(3, 13):
        open_case(force, f"Q-{i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/cases/").status_code == 200
    assert len(many) == len(few)
    # Session, user, force; the three measures; the filters' teams and owners; the count of
    # the cases for the pages; the page of cases with their contacts and owners.
    assert len(few) == 10, [q["sql"] for q in few.captured_queries]


# --- Measures --------------------------------------------------------------------------------


def test_measures_agree_with_a_direct_count(force, team_a, alice, login):
    now = T0 + dt.timedelta(days=3)
    cases = [open_case(force, f"M-{i}", now=T0 + dt.timedelta(hours=i)) for i in range(8)]
    old = open_case(force, "M-OLD", now=T0 - dt.timedelta(days=200))
    case_transition(case=old, user=alice, status="contacted", note="", now=T0)
    waits = [2, 5, 1, 30, 7]
    for case, hours in zip(cases, waits, strict=False):
        case_transition(case=case, user=alice, status="contacted", note="",
                        now=case.opened_at + dt.timedelta(hours=hours))  # fmt: skip
    for case in cases[:3]:
        case_transition(case=case, user=alice, status="resolved", note="Put right", now=now)
        case_transition(case=case, user=alice, status="closed", note="", now=now)
    case_transition(case=cases[3], user=alice, status="closed", note="", now=now)
    case_transition(case=cases[5], user=alice, status="could_not_contact", note="n", now=now)
    case_transition(case=cases[5], user=alice, status="closed", note="", now=now)

    found = measures(RecoveryCase.objects.filter(force=force), now=now, days=90)
    recent = RecoveryCase.objects.filter(force=force, opened_at__gte=now - dt.timedelta(days=90))
    closed = recent.filter(status="closed")
    assert found.opened == recent.count() == 8
    assert (
        (found.recovered.count, found.recovered.of)
        == (
            closed.filter(outcome="resolved").count(),
            closed.count(),
        )
        == (3, 5)
    )
    assert found.recovered.share == pytest.approx(0.6)
    low, high = found.recovered.interval
    assert low < 0.6 < high
    assert found.first_contacted == 5
    assert found.first_contact_median_hours == pytest.approx(statistics.median(waits)) == 5
    late = [c for c in RecoveryCase.objects.all() if c.is_overdue(now)]
    assert found.overdue == len(late) == 4  # 4, 6, 7 and the old contacted one
    assert found.satisfied_after.of == 0

    page = login(alice).get("/cases/").content.decode()
    assert "No follow-ups yet." in page
    assert "3 resolved of 5 closed" in page


def test_measures_of_nothing_say_so(force, alice, login):
    page = login(alice).get("/cases/").content.decode()
    assert "No cases closed yet." in page
    assert "No caller reached yet." in page
    assert "No follow-ups yet." in page


# --- Access ----------------------------------------------------------------------------------


def test_a_supervisor_sees_only_their_teams_cases_and_measures(
    force, team_a, team_b, alice, bob, login
):
    case_a = open_case(force, "A-1", team="team-a")
    case_b = open_case(force, "B-1", team="team-b")
    bobs = login(bob)
    assert bobs.get(f"/cases/{case_a.pk}/").status_code == 404
    assert (
        bobs.post(f"/cases/{case_a.pk}/", {"action": "move", "status": "contacted"}).status_code
        == 404
    )
    assert RecoveryCase.objects.get(pk=case_a.pk).status == "open"
    listing = bobs.get("/cases/?status=all").content.decode()
    assert "B-1" in listing and "A-1" not in listing
    # Both are past their deadline; Bob's measures count only his team's.
    overdue = 'data-testid="measure-overdue"><h3>Overdue now</h3>\n<p class="big overdue">{}<'
    assert overdue.format(1) in listing
    assert overdue.format(2) in login(alice).get("/cases/").content.decode()
    case_transition(case=case_b, user=bob, status="contacted", note="", now=T0)
    assert bobs.get(f"/cases/{case_b.pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.CALL_HANDLER, Role.ANALYST, Role.INVESTIGATOR])
def test_roles_without_recovery_work_are_refused(force, team_a, login, role):
    case = open_case(force)
    user = make_user(force, f"u-{role}", role, [team_a])
    assert login(user).get("/cases/").status_code == 403
    assert login(user).get(f"/cases/{case.pk}/").status_code == 403


def test_another_forces_user_sees_nothing(force, team_a, olga, login):
    case = open_case(force)
    assert login(olga).get(f"/cases/{case.pk}/").status_code == 404
    assert "R-1" not in login(olga).get("/cases/?status=all").content.decode()


# --- API -------------------------------------------------------------------------------------


def test_api_lists_cases_with_rule_owner_and_references(api, other_api, force, team_a, alice):
    answer(force, "API-1", 1)
    answer(force, "API-2", 7)
    answer(force, "API-3", 5, callback=True)
    cases = api.get("/api/v1/recovery-cases?status=open").json()
    assert sorted(c["contact_reference"] for c in cases) == ["API-1", "API-3"]
    first = next(c for c in cases if c["contact_reference"] == "API-3")
    assert first["reasons"] == ["callback"]
    assert first["rules"][0]["title"] == "Asked for a call back"
    assert first["reason"] == "Asked for a call back."
    assert first["owner"] == {"username": "alice", "name": ""}
    assert first["crime_references"] == []
    assert first["team"] == "team-a"
    assert api.get("/api/v1/recovery-cases?status=closed").json() == []
    bad = api.get("/api/v1/recovery-cases?status=nonsense")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "status"
    assert other_api.get("/api/v1/recovery-cases").json() == []


def test_api_detail_has_the_timeline_and_is_audited(api, other_api, force, team_a, alice):
    case = open_case(force)
    case_transition(case=case, user=alice, status="contacted", note="Spoke to them", now=T0)
    body = api.get(f"/api/v1/recovery-cases/{case.pk}").json()
    assert [(a["kind"], a["by"], a["status_after"]) for a in body["timeline"]] == [
        ("opened", None, "open"),
        ("status", "alice", "contacted"),
    ]
    assert body["timeline"][1]["text"] == "Spoke to them"
    assert body["first_contacted_at"].startswith("2026-11-27T09:00")
    assert AuditEvent.objects.filter(
        action="view", object_id=str(case.pk), actor__startswith="api"
    ).exists()
    assert other_api.get(f"/api/v1/recovery-cases/{case.pk}").status_code == 404


def test_api_overdue_filter_and_measures(api, force, team_a, alice):
    old = open_case(force, "OLD-1", now=timezone.now() - dt.timedelta(days=2))
    open_case(force, "NEW-1", now=timezone.now())
    overdue = api.get("/api/v1/recovery-cases?overdue=true").json()
    assert [c["contact_reference"] for c in overdue] == ["OLD-1"]
    assert overdue[0]["overdue"] is True
    not_overdue = api.get("/api/v1/recovery-cases?overdue=false").json()
    assert [c["contact_reference"] for c in not_overdue] == ["NEW-1"]
    case_transition(case=old, user=alice, status="contacted", note="", now=timezone.now())
    body = api.get("/api/v1/recovery-measures?days=30").json()
    assert body["opened"] == 2
    assert body["overdue"] == 1
    assert body["recovered"] == {"count": 0, "of": 0, "share": None, "low": None, "high": None}
    assert body["first_contacted"] == 1
    assert body["follow_ups"] == 0
    bad = api.get("/api/v1/recovery-measures?days=0")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "days"


def test_the_openapi_document_describes_the_recovery_endpoints(api):
    doc = api.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/recovery-cases", "/api/v1/recovery-cases/{case_id}",
                 "/api/v1/recovery-measures"):  # fmt: skip
        assert path in doc["paths"], path
    detail = doc["components"]["schemas"]["CaseDetailOut"]["properties"]
    assert {"timeline", "rules", "owner", "crime_references"} <= set(detail)


# --- Follow-up after recovery ----------------------------------------------------------------


def resolve(case: RecoveryCase, user, at: dt.datetime) -> None:
    case_transition(case=case, user=user, status="contacted", note="", now=at)
    case_transition(case=case, user=user, status="resolved", note="Put right", now=at)


def follow_up_answer(case: RecoveryCase, score: int, at: dt.datetime, comment: str = ""):
    from bluelamp.flows.responses import response_submit

    invitation = RecoveryCase.objects.get(pk=case.pk).follow_up_invitation
    result = response_submit(
        invitation_id=invitation.pk,
        form={"whole_experience": str(score), "comment": comment},
        callback_requested=False,
        language="en",
        now=at,
    )
    assert result.response is not None, result.errors
    return result.response


def test_resolving_schedules_the_follow_up_survey_through_an_invitation(force, team_a, alice):
    from bluelamp.surveys.models import Invitation

    case = open_case(force)
    resolve(case, alice, T0)
    invitation = RecoveryCase.objects.get(pk=case.pk).follow_up_invitation
    assert invitation is not None
    assert (invitation.stage, invitation.status) == ("recovery_follow_up", "scheduled")
    assert invitation.contact_id == case.contact_id
    assert invitation.template.stage == "recovery_follow_up"
    assert invitation.send_at > T0  # when: the contact rules' delay for the stage
    action = case.actions.get(kind="follow_up")
    assert action.text.startswith("Follow-up survey by sms from ")
    assert audits(case)[-1] == f"follow-up invitation {invitation.pk} scheduled"
    # Reopened and resolved again: still one follow-up.
    case_transition(case=case, user=alice, status="contacted", note="", now=T0)
    case_transition(case=case, user=alice, status="resolved", note="Put right", now=T0)
    assert Invitation.objects.filter(contact=case.contact, stage="recovery_follow_up").count() == 1
    assert case.actions.filter(kind="follow_up").count() == 1


def test_no_follow_up_when_the_rules_say_none(force, team_a, alice, dave):
    case = open_case(force, score=6, comment="I am scared they will come back.")
    assert not case.follow_up
    resolve(case, alice, T0)
    assert RecoveryCase.objects.get(pk=case.pk).follow_up_invitation is None
    rules_save(force=force, definition={**default_rule_set(), "follow_up": False}, user=dave)
    other = open_case(force, "R-2")
    resolve(other, alice, T0)
    assert RecoveryCase.objects.get(pk=other.pk).follow_up_invitation is None


def test_an_opted_out_caller_gets_no_follow_up_and_the_timeline_says_why(force, team_a, alice):
    from bluelamp.surveys.models import OptOut

    case = open_case(force)
    OptOut.objects.create(force=force, key=case.contact.person.phone_key)
    resolve(case, alice, T0)
    invitation = RecoveryCase.objects.get(pk=case.pk).follow_up_invitation
    assert invitation.status == "excluded"
    assert case.actions.get(kind="follow_up").text.startswith("No follow-up survey: ")


def test_the_follow_up_answer_is_on_the_timeline_and_in_the_measures(
    force, team_a, alice, login, api
):
    happy, unhappy = open_case(force, "F-1"), open_case(force, "F-2")
    for case in (happy, unhappy):
        resolve(case, alice, T0)
    at = T0 + dt.timedelta(days=1)
    follow_up_answer(happy, 6, at)
    again = follow_up_answer(unhappy, 2, at)
    assert happy.actions.filter(kind="follow_up").last().text == (
        "Follow-up answered: 6 of 7, very satisfied."
    )
    # Still dissatisfied after recovery: a new case, so someone goes back again.
    new_case = RecoveryCase.objects.get(response=again)
    assert new_case.contact_id == unhappy.contact_id
    assert new_case.reasons == ["dissatisfied"]
    resolve(new_case, alice, at)
    assert "already had one" in new_case.actions.get(kind="follow_up").text

    found = measures(RecoveryCase.objects.filter(force=force), now=at, days=90)
    assert (found.satisfied_after.count, found.satisfied_after.of) == (1, 2)
    assert found.follow_up_mean_score == 4
    page = login(alice).get("/cases/").content.decode()
    assert "1 of 2 follow-up answers satisfied; mean 4.0 of 7" in page
    body = api.get("/api/v1/recovery-measures").json()
    assert body["satisfied_after_recovery"]["count"] == 1
    assert body["follow_ups"] == 2


def test_the_case_list_filters_by_team_and_owner_and_goes_a_page_at_a_time(
    force, team_a, team_b, alice, login
):
    from bluelamp.lib.listing import PER_PAGE

    for i in range(PER_PAGE + 2):
        open_case(force, f"PG-{i:03d}", team="team-a")
    taken = open_case(force, "PG-B", team="team-b")
    RecoveryCase.objects.filter(pk=taken.pk).update(owner=None)  # no one has taken it yet
    client = login(alice)
    first = client.get("/cases/?status=all&team=team-a").content.decode()
    assert f"1 to {PER_PAGE} of {PER_PAGE + 2}" in first and "PG-B" not in first
    assert 'rel="next"' in first and "page=2" in first and "team=team-a" in first
    second = client.get("/cases/?status=all&team=team-a&page=2").content.decode()
    assert f"{PER_PAGE + 1} to {PER_PAGE + 2} of {PER_PAGE + 2}" in second
    newest = client.get("/cases/?status=all&team=team-a&sort=newest").content.decode()
    assert newest.index("PG-051") < newest.index("PG-050")
    unowned = client.get("/cases/?owner=-&team=team-b").content.decode()
    assert "PG-B" in unowned
    assert "PG-B" not in client.get("/cases/?owner=alice").content.decode()
    refused = client.get("/cases/?page=9&sort=sideways&owner=nobody")
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "<code>page</code>" in text and "<code>sort</code>" in text
    assert "<code>owner</code>" in text
