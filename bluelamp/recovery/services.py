"""Opening, working, escalating and closing service-recovery cases.

Every change goes through a function here, writes a timeline action and an audit record in
the same transaction, and refuses a move the case may not make with a ``CaseError`` naming
the field at fault.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.audit.versions import version_save
from bluelamp.care.feedback import distress_phrases
from bluelamp.forces.access import RECOVERY_REASSIGN_ROLES, RECOVERY_ROLES
from bluelamp.forces.models import Force, Role, User
from bluelamp.recovery import rules
from bluelamp.recovery.defaults import default_rule_set
from bluelamp.recovery.models import CaseAction, RecoveryCase, RecoveryRuleSetVersion
from bluelamp.surveys.logic import SCALE_LABELS
from bluelamp.surveys.models import Response
from bluelamp.surveys.services import invitation_schedule

Status = RecoveryCase.Status
FOLLOW_UP_STAGE = "recovery_follow_up"
NOTE_NEEDED = {
    Status.RESOLVED: "Say what was put right for the caller.",
    Status.COULD_NOT_CONTACT: "Say what was tried (calls, times, messages left).",
    Status.ESCALATED: "Say why, and give the professional standards reference if there is one.",
}


class CaseError(ValueError):
    """A change a case may not take; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- Rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentRules:
    rule_set: rules.RecoveryRuleSet
    version: int  # 0: the shipped defaults


def rules_current(force_id: int) -> CurrentRules:
    """The force's active recovery rules, else the shipped defaults (version 0)."""
    found = RecoveryRuleSetVersion.objects.filter(force_id=force_id, active=True).first()
    if found is None:
        return CurrentRules(rules.parse_rule_set(default_rule_set()), 0)
    return CurrentRules(rules.parse_rule_set(found.definition), found.version)


def rules_check(*, force_id: int, definition: Any) -> rules.RecoveryRuleSet:
    """The rule set if it is valid for the force, else ValueError naming each problem: its
    shape (``recovery.rules.parse_rule_set``) and that the user who takes overdue cases may."""
    rule_set = rules.parse_rule_set(definition)
    if rule_set.escalate_to and _escalation_user(force_id, rule_set.escalate_to) is None:
        raise ValueError(
            f'escalate_to: "{rule_set.escalate_to}" is not an active supervisor, victim care '
            "officer or administrator of this force"
        )
    return rule_set


def rules_save(*, force: Force, definition: Any, user: User | None) -> RecoveryRuleSetVersion:
    """A new version of the force's recovery rules (checked first); older versions stay,
    since cases name theirs."""
    rules_check(force_id=force.pk, definition=definition)
    return version_save(
        RecoveryRuleSetVersion, force=force, definition=definition, user=user,
        label="recovery rules",
    )  # fmt: skip


def response_facts(response: Response, stage: str) -> dict[str, Any]:
    """What the rules may test about a response (the list is in ``recovery.rules``)."""
    return {
        "whole_experience": response.whole_experience,
        "outcome": response.outcome,
        "callback_requested": response.callback_requested,
        "safeguarding": distress_phrases(response.comment) if response.comment else [],
        "sentiment": response.sentiment,
        "themes": [theme["code"] for theme in response.themes],
        "incident_type": response.incident_type_id,
        "channel": response.channel,
        "stage": stage,
        "answers": dict(response.answers),
    }


# --- Opening ---------------------------------------------------------------------------------


def team_supervisor(team_id: int | None) -> User | None:
    """The team's supervisor: an active supervisor of the team, the one with the fewest other
    teams first (a team's own supervisor before one who covers every team)."""
    if team_id is None:
        return None
    # Annotate before filtering on teams, so the count is of all the user's teams.
    return (
        User.objects.annotate(covers=Count("teams"))
        .filter(teams=team_id, role=Role.SUPERVISOR, is_active=True)
        .order_by("covers", "pk")
        .first()
    )


def case_open_if_needed(*, response: Response, now: dt.datetime) -> RecoveryCase | None:
    """Open a case when the force's recovery rules say the response needs one.

    The case records the rules and version that opened it and why in words; its deadline is
    the shortest of those rules', its priority the highest; its owner is the team's
    supervisor, or the team when it has none. An answer to a follow-up survey is first
    recorded on the case it follows; the rules then apply to it like any other, so a caller
    still dissatisfied after recovery gets a new case.
    """
    current = rules_current(response.force_id)
    stage = response.template.stage
    if stage == FOLLOW_UP_STAGE:
        _follow_up_answered(response, now)
    matches = rules.evaluate(current.rule_set, response_facts(response, stage))
    if not matches:
        return None
    terms = rules.terms(current.rule_set, matches)
    owner = team_supervisor(response.team_id)
    case = RecoveryCase.objects.create(
        force_id=response.force_id,
        contact_id=response.contact_id,
        response=response,
        team_id=response.team_id,
        owner=owner,
        reasons=[m.rule_id for m in matches],
        rules=[m.as_json() for m in matches],
        rule_version=current.version,
        reason=rules.reason_words(matches),
        priority=terms.priority,
        follow_up=terms.follow_up,
        opened_at=now,
        deadline=now + dt.timedelta(hours=terms.deadline_hours),
    )
    _act(
        case, kind=CaseAction.Kind.OPENED, user=None, now=now, actor="recovery-rules",
        text=case.reason, status_after=case.status, owner_after=owner,
        summary=f"opened by recovery rules v{current.version}: {', '.join(case.reasons)}",
    )  # fmt: skip
    return case


# --- Working a case --------------------------------------------------------------------------


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else "the team"


def _act(
    case: RecoveryCase,
    *,
    kind: str,
    user: User | None,
    now: dt.datetime,
    summary: str,
    actor: str = "",
    text: str = "",
    status_before: str = "",
    status_after: str = "",
    owner_before: User | None = None,
    owner_after: User | None = None,
) -> CaseAction:
    """One timeline action and its audit record (ids and codes only, never the note)."""
    action = CaseAction.objects.create(
        case=case, at=now, author=user, kind=kind, text=text, status_before=status_before,
        status_after=status_after, owner_before=owner_before, owner_after=owner_after,
    )  # fmt: skip
    audit_record(
        force=case.force, action="create" if kind == "opened" else "update",
        obj=case, user=user, actor=actor, summary=summary,
    )  # fmt: skip
    return action


def _claim(case: RecoveryCase, **changes: Any) -> None:
    """Apply ``changes`` only if nobody moved the case on meanwhile (a conditional update)."""
    moved = RecoveryCase.objects.filter(pk=case.pk, status=case.status).update(**changes)
    if not moved:
        raise CaseError("status", "Someone else has just changed this case; reload the page.")
    for field, value in changes.items():
        setattr(case, field, value)


def _status_words(status: str) -> str:
    return Status(status).label.lower()


def _follow_up_schedule(case: RecoveryCase, now: dt.datetime) -> None:
    """Ask the caller, through the survey invitation for the stage after recovery, whether
    the call back put things right. The contact rules decide when, how and whether."""
    invitation = invitation_schedule(
        contact=case.contact, stage=FOLLOW_UP_STAGE, now=now, event_at=now
    )
    if RecoveryCase.objects.filter(follow_up_invitation=invitation).exists():
        text = "No follow-up survey: this contact has already had one after an earlier case."
    else:
        RecoveryCase.objects.filter(pk=case.pk).update(follow_up_invitation=invitation)
        case.follow_up_invitation = invitation
        if invitation.status == invitation.Status.EXCLUDED:
            text = f"No follow-up survey: {invitation.reason_text or invitation.reason}."
        else:
            assert invitation.send_at is not None
            when = timezone.localtime(invitation.send_at)
            text = f"Follow-up survey by {invitation.via} from {when:%a %-d %b %H:%M}."
    _act(
        case, kind=CaseAction.Kind.FOLLOW_UP, user=None, now=now, actor="recovery-rules",
        text=text, summary=f"follow-up invitation {invitation.pk} {invitation.status}",
    )  # fmt: skip


def _follow_up_answered(response: Response, now: dt.datetime) -> None:
    case = RecoveryCase.objects.filter(follow_up_invitation=response.invitation_id).first()
    if case is None:
        return
    score = response.whole_experience
    words = f"{score} of 7, {SCALE_LABELS['en'][score - 1].lower()}" if score else "no score"
    _act(
        case, kind=CaseAction.Kind.FOLLOW_UP, user=None, now=now, actor="respondent",
        text=f"Follow-up answered: {words}.",
        summary=f"follow-up answered (response {response.pk})",
    )  # fmt: skip


def case_transition(
    *, case: RecoveryCase, user: User, status: str, note: str, now: dt.datetime
) -> CaseAction:
    """Move the case to ``status`` if it may go there from where it is.

    Reaching the caller (contacted) the first time stamps the time to first contact; closing
    records the outcome from the state closed; a resolved case with a follow-up gets its
    survey scheduled. Could not contact and escalated need a note.
    """
    if status not in Status.values:
        raise CaseError("status", f'"{status}" is not a case status.')
    allowed = case.next_statuses()
    if status not in allowed:
        now_words = _status_words(case.status)
        if not allowed:
            raise CaseError("status", f"This case is {now_words}; it takes no more changes.")
        options = " or ".join(_status_words(s) for s in allowed)
        raise CaseError(
            "status",
            f"A case that is {now_words} cannot move to {_status_words(status)}; "
            f"it can move to {options}.",
        )
    note = note.strip()
    if status in NOTE_NEEDED and not note:
        raise CaseError("note", NOTE_NEEDED[Status(status)])
    before = case.status
    changes: dict[str, Any] = {"status": status}
    if status == Status.CONTACTED and case.first_contacted_at is None:
        changes["first_contacted_at"] = now
    if status == Status.CLOSED:
        changes["closed_at"] = now
        changes["outcome"] = RecoveryCase.OUTCOME_ON_CLOSING[before]
    with transaction.atomic():
        _claim(case, **changes)
        action = _act(
            case, kind=CaseAction.Kind.STATUS, user=user, now=now, text=note,
            status_before=before, status_after=status,
            summary=f"status {before} -> {status}",
        )  # fmt: skip
        if status == Status.RESOLVED and case.follow_up and case.follow_up_invitation_id is None:
            _follow_up_schedule(case, now)
    return action


def case_note_add(
    *, case: RecoveryCase, user: User, text: str, kind: str, now: dt.datetime
) -> CaseAction:
    """A note, or a call attempt that did not reach the caller, on the case's timeline."""
    if kind not in (CaseAction.Kind.NOTE, CaseAction.Kind.CONTACT_ATTEMPT):
        raise CaseError("kind", "Choose a note or a call attempt.")
    text = text.strip()
    if kind == CaseAction.Kind.NOTE and not text:
        raise CaseError("text", "Write the note.")
    if case.status == Status.CLOSED:
        raise CaseError("text", "This case is closed; it takes no more notes.")
    with transaction.atomic():
        return _act(
            case, kind=kind, user=user, now=now, text=text,
            summary="call attempt" if kind == CaseAction.Kind.CONTACT_ATTEMPT else "note added",
        )  # fmt: skip


def _may_own(case: RecoveryCase, owner: User) -> bool:
    return owner.is_active and owner.force_id == case.force_id and owner.role in RECOVERY_ROLES


def case_reassign(
    *, case: RecoveryCase, user: User, owner: User | None, note: str, now: dt.datetime
) -> CaseAction:
    """Give the case to ``owner``: only a supervisor (or administrator) may, and only to
    someone of the force who works recovery cases."""
    if user.role not in RECOVERY_REASSIGN_ROLES:
        raise CaseError("owner", "Only a supervisor may reassign a case.")
    if case.status == Status.CLOSED:
        raise CaseError("owner", "This case is closed; it cannot be reassigned.")
    if owner is None or not _may_own(case, owner):
        raise CaseError("owner", "Choose who will own the case from the list.")
    if owner.pk == case.owner_id:
        raise CaseError("owner", f"{_name(owner)} already owns this case.")
    before = case.owner
    with transaction.atomic():
        _claim(case, owner=owner)
        return _act(
            case, kind=CaseAction.Kind.REASSIGNED, user=user, now=now, text=note.strip(),
            owner_before=before, owner_after=owner,
            summary=f"owner {before.username if before else 'team'} -> {owner.username}",
        )  # fmt: skip


# --- Overdue ---------------------------------------------------------------------------------


def _escalation_user(force_id: int, username: str) -> User | None:
    return User.objects.filter(
        force_id=force_id, username=username, is_active=True, role__in=RECOVERY_ROLES
    ).first()


def escalation_owner(force: Force, rule_set: rules.RecoveryRuleSet) -> User | None:
    """Who takes the force's overdue cases: the user the rules name (``escalate_to``, the
    duty or force-wide supervisor), else the force's first administrator, else nobody."""
    if rule_set.escalate_to:
        named = _escalation_user(force.pk, rule_set.escalate_to)
        if named is not None:
            return named
    return (
        User.objects.filter(force=force, role=Role.ADMINISTRATOR, is_active=True)
        .order_by("pk")
        .first()
    )


def cases_escalate_overdue(*, now: dt.datetime, force: Force | None = None) -> int:
    """Escalate every case past its deadline with nobody finished with it, once.

    The case is marked overdue-escalated and moves to the force's escalation owner, with a
    timeline action and an audit record. Each case is claimed by a conditional update, so
    running it again, or in two workers at once, escalates nothing twice. Returns how many
    were escalated.
    """
    due = RecoveryCase.objects.filter(
        status__in=RecoveryCase.ACTIVE, deadline__lt=now, overdue_escalated_at=None
    )
    if force is not None:
        due = due.filter(force=force)
    owners: dict[int, User | None] = {}
    escalated = 0
    for case in due.select_related("force", "owner").order_by("deadline").iterator():
        if case.force_id not in owners:
            owners[case.force_id] = escalation_owner(
                case.force, rules_current(case.force_id).rule_set
            )
        owner = owners[case.force_id] or case.owner
        late = now - case.deadline
        with transaction.atomic():
            claimed = RecoveryCase.objects.filter(
                Q(pk=case.pk), Q(overdue_escalated_at=None), Q(status__in=RecoveryCase.ACTIVE)
            ).update(overdue_escalated_at=now, owner=owner)
            if not claimed:
                continue
            text = f"Overdue by {_hours(late)}: escalated to {_name(owner)}."
            if owners[case.force_id] is None:
                text += " Nobody is named to take overdue cases (escalate_to in the rules)."
            _act(
                case, kind=CaseAction.Kind.OVERDUE, user=None, now=now,
                actor="recovery-escalate", text=text, owner_before=case.owner,
                owner_after=owner,
                summary=f"overdue; owner -> {owner.username if owner else 'team'}",
            )  # fmt: skip
        escalated += 1
    return escalated


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} minutes"
    return f"{hours:.0f} hours" if hours >= 2 else "1 hour"
