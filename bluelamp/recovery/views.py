from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.forces.access import RECOVERY_REASSIGN_ROLES, RECOVERY_ROLES, team_choice
from bluelamp.forces.models import User
from bluelamp.lib.listing import Order, page_of
from bluelamp.lib.params import QueryCheck
from bluelamp.recovery import selectors
from bluelamp.recovery.access import (
    access_recovery_case,
    recovery_cases_for_user,
    recovery_owners_for_user,
)
from bluelamp.recovery.models import CaseAction, RecoveryCase
from bluelamp.recovery.services import (
    CaseError,
    case_note_add,
    case_reassign,
    case_transition,
)
from bluelamp.surveys import logic
from bluelamp.surveys.access import theme_correction_allowed

MEASURE_DAYS = 90
FILTERS = [
    ("open", "Not closed"),
    ("overdue", "Overdue"),
    *[(v, label) for v, label in RecoveryCase.Status.choices if v != RecoveryCase.Status.OPEN],
    ("all", "All"),
]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


CASE_ORDERS = {
    "deadline": Order("Soonest deadline first", ("deadline", "pk")),
    "priority": Order("High priority first, then deadline", ("-priority_high", "deadline", "pk")),
    "newest": Order("Newest first", ("-opened_at", "-pk")),
    "oldest": Order("Oldest first", ("opened_at", "pk")),
}
UNOWNED = "-"  # the owner filter's value for cases no one has taken


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Service-recovery cases the user may work on, soonest deadline first, overdue ones
    marked, with the measures of how recovery is going; filtered by status, team and owner,
    a page at a time."""
    user = _user(request)
    now = timezone.now()
    query = QueryCheck(request.GET)
    status = query.choice("status", [value for value, _ in FILTERS], default="open")
    visible = recovery_cases_for_user(user)
    teams, team = team_choice(user, query)
    owners = list(
        User.objects.filter(force=user.force, role__in=RECOVERY_ROLES)
        .order_by("username")
        .values_list("username", "first_name", "last_name")
    )
    owner = query.choice("owner", ["", UNOWNED, *(o[0] for o in owners)], default="")
    cases = visible.select_related("contact__incident_type", "team", "owner").annotate(
        priority_high=Case(When(priority="high", then=1), default=0)
    )
    if status == "open":
        cases = cases.exclude(status=RecoveryCase.Status.CLOSED)
    elif status == "overdue":
        cases = cases.filter(selectors.overdue(now))
    elif status in RecoveryCase.Status.values:
        cases = cases.filter(status=status)
    if team:
        cases = cases.filter(team__code=team)
    if owner == UNOWNED:
        cases = cases.filter(owner=None)
    elif owner:
        cases = cases.filter(owner__username=owner)
    page = page_of(
        cases,
        query=query,
        orders=CASE_ORDERS,
        default="deadline",
        filters={"status": status, "team": team, "owner": owner},
    )
    query.done()
    return render(
        request,
        "recovery/case_list.html",
        {
            "cases": page.rows,
            "page": page,
            "status": status,
            "filters": FILTERS,
            "teams": teams,
            "team": team,
            "owners": [(u, f"{first} {last}".strip() or u) for u, first, last in owners],
            "owner": owner,
            "unowned": UNOWNED,
            "now": now,
            "measures": selectors.measures(visible, now=now, days=MEASURE_DAYS),
            "measure_days": MEASURE_DAYS,
        },
    )


def _answers(case: RecoveryCase) -> list[tuple[str, object]]:
    definition = logic.parse_definition(case.response.template.definition)
    answers = []
    for q in definition.questions:
        if q.id in case.response.answers:
            value = case.response.answers[q.id]
            if q.kind == "scale7":
                value = f"{value}: {logic.SCALE_LABELS['en'][int(value) - 1]}"
            answers.append((q.text.en, value))
    return answers


def _act(request: HttpRequest, user: User, case: RecoveryCase) -> None:
    """Carry out the posted action; raises CaseError naming the field at fault."""
    now = timezone.now()
    post = request.POST
    action = post.get("action", "")
    if action == "move":
        case_transition(
            case=case, user=user, status=post.get("status", ""),
            note=post.get("note", "")[:5000], now=now,
        )  # fmt: skip
    elif action == "note":
        case_note_add(
            case=case, user=user, kind=post.get("kind", ""),
            text=post.get("text", "")[:5000], now=now,
        )  # fmt: skip
    elif action == "reassign":
        owner = None
        owner_id = post.get("owner", "")
        if user.role in RECOVERY_REASSIGN_ROLES and owner_id.isdigit():
            owner = recovery_owners_for_user(user).filter(pk=owner_id).first()
        case_reassign(
            case=case, user=user, owner=owner, note=post.get("reassign_note", "")[:5000], now=now
        )
    else:
        raise CaseError("action", "Choose what to do.")


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case: who to call back, why it was opened, the contact and crime references, its
    timeline and what may be done next.

    Showing the caller's name and phone is a view of personal data, so it is audited.
    """
    user = _user(request)
    case = access_recovery_case(user, case_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            _act(request, user, case)
        except CaseError as e:
            errors[e.field] = e.message
        else:
            if not recovery_cases_for_user(user).filter(pk=case.pk).exists():
                messages.success(request, "Saved. The case is no longer in your list.")
                return redirect("case_list")
            messages.success(request, "Saved.")
            return redirect("case_detail", case_id=case.pk)
    with transaction.atomic():
        audit_record(
            force=case.force,
            action="view",
            obj=case.contact.person,
            user=user,
            summary=f"recovery case {case.pk}",
        )
    may_reassign = user.role in RECOVERY_REASSIGN_ROLES and case.status != "closed"
    return render(
        request,
        "recovery/case_detail.html",
        {
            "case": case,
            "person": case.contact.person,
            "answers": _answers(case),
            "crimes": selectors.crime_references([case]).get(case.contact_id, []),
            "actions": case.actions.select_related("author", "owner_before", "owner_after"),
            "next_statuses": [(s, RecoveryCase.Status(s).label) for s in case.next_statuses()],
            "note_kinds": [
                (CaseAction.Kind.NOTE.value, "Note"),
                (CaseAction.Kind.CONTACT_ATTEMPT.value, "Call attempt: the caller was not reached"),
            ],
            "owners": recovery_owners_for_user(user) if may_reassign else [],
            "may_reassign": may_reassign,
            "errors": errors,
            "posted": request.POST if errors else {},
            "overdue": case.is_overdue(),
            "r": case.response,
            "may_correct": theme_correction_allowed(user, case.response),
            "back": request.path,
        },
        status=400 if errors else 200,
    )
