"""The demo's recovery cases: the force's recovery rules, and supervisors working each case
that a dissatisfied answer opened, through the recovery services.
"""

import datetime as dt
import random

from bluelamp.forces.models import Force, User
from bluelamp.ops.demo_clock import Clock
from bluelamp.ops.demo_contacts import weighted
from bluelamp.ops.demo_force import DUTY_INSPECTOR
from bluelamp.recovery.defaults import default_rule_set
from bluelamp.recovery.models import CaseAction, RecoveryCase
from bluelamp.recovery.services import case_note_add, case_reassign, case_transition, rules_save

CASE_NOTES = {
    "contacted": "Spoke to the caller, apologised and explained what happens next.",
    "resolved": "Listened to the concerns and explained the plan. Caller content.",
    "attempt": "No answer; voicemail left asking them to ring back.",
    "could_not_contact": "Three attempts to call back with no answer; voicemail left each time.",
    "closed": "Nothing further to do.",
    "escalated": "Caller wishes to make a formal complaint; passed to Professional Standards.",
    "reassign": "Overdue: giving it to victim care, who have time today.",
}
# How supervisors work their cases: each path is its steps, each with the range of hours
# after the step before (or the opening) when it comes. "late" cases are not reached in time:
# the overdue job escalates them to the duty inspector, who hands them to victim care.
# Professional Standards take weeks over a complaint, so escalated cases stay open a while.
CASE_PATHS: dict[str, list[tuple[str, float, float]]] = {
    "resolved": [("contacted", 1, 20), ("resolved", 0.5, 72), ("closed", 12, 96)],
    "no_action": [("contacted", 1, 20), ("closed", 0.1, 1)],
    "complaint": [("contacted", 1, 20), ("escalated", 0.2, 2), ("closed", 240, 720)],
    "could_not_contact": [("attempt", 1, 8), ("could_not_contact", 4, 14), ("closed", 48, 168)],
    "late": [("reassign", 26, 30), ("contacted", 1, 30), ("resolved", 0.5, 72), ("closed", 12, 96)],
    "open": [],
}
CASE_PATH_WEIGHTS = [
    ("resolved", 52),
    ("no_action", 10),
    ("complaint", 6),
    ("could_not_contact", 14),
    ("late", 12),
    ("open", 6),
]


def recovery_rules_seed(force: Force) -> None:
    """The shipped recovery rules, saved as the force's own with the duty inspector named to
    take overdue cases."""
    admin = User.objects.get(username="demo-admin")
    rules = {**default_rule_set(), "escalate_to": DUTY_INSPECTOR}
    rules_save(force=force, definition=rules, user=admin)


def case_path_start(*, case_id: int, at: dt.datetime, clock: Clock, rng: random.Random) -> None:
    """Choose how the case will be worked, and schedule its first step."""
    path = weighted(rng, CASE_PATH_WEIGHTS)
    _case_step_schedule(case_id, path, 0, at, clock, rng)


def _case_step_schedule(
    case_id: int, path: str, index: int, after: dt.datetime, clock: Clock, rng: random.Random
) -> None:
    steps = CASE_PATHS[path]
    if index < len(steps):
        _, low, high = steps[index]
        at = after + dt.timedelta(hours=rng.uniform(low, high))
        clock.add(at, "case", case_id, f"{path}:{index}")


def case_step_replay(
    *, case_id: int, step: str, at: dt.datetime, user: User, clock: Clock, rng: random.Random
) -> None:
    """One step of a case's path, taken by its owner (or the supervisor of every team)."""
    path, index = step.split(":")
    what = CASE_PATHS[path][int(index)][0]
    case = RecoveryCase.objects.select_related("force", "owner").get(pk=case_id)
    by = case.owner or user
    if what == "attempt":
        kind = CaseAction.Kind.CONTACT_ATTEMPT
        case_note_add(case=case, user=by, kind=kind, text=CASE_NOTES[what], now=at)
    elif what == "reassign":
        if by.username != DUTY_INSPECTOR:
            return  # the job has not escalated it (the rules changed): the path stops here
        helper = User.objects.get(username="demo-victim-care")
        case_reassign(case=case, user=by, owner=helper, note=CASE_NOTES[what], now=at)
    else:
        case_transition(case=case, user=by, status=what, note=CASE_NOTES[what], now=at)
    follow_up = case.follow_up_invitation
    if what == "resolved" and follow_up is not None and follow_up.send_at is not None:
        clock.add(follow_up.send_at, "send", follow_up.pk)  # the survey after recovery
    _case_step_schedule(case_id, path, int(index) + 1, at, clock, rng)
