from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.forces.access import access_recovery_case, recovery_cases_for_user
from bluelamp.forces.models import User
from bluelamp.recovery.models import RecoveryCase
from bluelamp.recovery.services import case_note_add
from bluelamp.surveys import logic


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Service-recovery cases the user may work on, soonest deadline first."""
    user = _user(request)
    status = request.GET.get("status", "open")
    cases = recovery_cases_for_user(user).select_related("contact__incident_type", "team")
    if status == "open":
        cases = cases.exclude(status=RecoveryCase.Status.CLOSED)
    elif status in RecoveryCase.Status.values:
        cases = cases.filter(status=status)
    return render(
        request,
        "recovery/case_list.html",
        {"cases": cases.order_by("deadline")[:500], "status": status, "now": timezone.now()},
    )


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case: the caller's answers and details for the call back, its timeline, actions.

    Showing the caller's name and phone is a view of personal data, so it is audited.
    """
    user = _user(request)
    case = access_recovery_case(user, case_id)
    error = ""
    if request.method == "POST":
        try:
            case_note_add(
                case=case,
                user=user,
                text=request.POST.get("text", "").strip()[:5000],
                status=request.POST.get("status", ""),
                outcome=request.POST.get("outcome", ""),
                now=timezone.now(),
            )
        except ValueError as e:
            error = str(e)
        else:
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
    definition = logic.parse_definition(case.response.template.definition)
    answers = []
    for q in definition.questions:
        if q.id in case.response.answers:
            value = case.response.answers[q.id]
            if q.kind == "scale7":
                value = f"{value}: {logic.SCALE_LABELS['en'][int(value) - 1]}"
            answers.append((q.text.en, value))
    return render(
        request,
        "recovery/case_detail.html",
        {
            "case": case,
            "person": case.contact.person,
            "answers": answers,
            "notes": case.notes.select_related("author"),
            "statuses": RecoveryCase.Status.choices,
            "outcomes": RecoveryCase.Outcome.choices,
            "error": error,
            "now": timezone.now(),
        },
        status=400 if error else 200,
    )
