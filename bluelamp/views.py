from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bluelamp.forces.access import CARE_ROLES, LIVE_VIEW_ROLES, OUTBOX_ROLES, RECOVERY_ROLES
from bluelamp.forces.models import User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page their role starts from."""
    user = request.user
    assert isinstance(user, User)
    if user.role in LIVE_VIEW_ROLES and user.force_id:
        return redirect("live")
    if user.role in RECOVERY_ROLES and user.force_id:
        return redirect("case_list")
    if user.role in CARE_ROLES and user.force_id:
        return redirect("referral_queue")
    return render(
        request,
        "home.html",
        {"can_outbox": user.role in OUTBOX_ROLES, "is_staff": user.is_staff},
    )
