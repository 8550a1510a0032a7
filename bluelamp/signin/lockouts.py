"""Accounts locked by failed password sign-ins, and unlocking one: an administrator's page.

django-axes keeps one ``AccessAttempt`` per username and address. A username is locked when
its failures from one address reach ``AXES_FAILURE_LIMIT`` within the lockout time
(``bluelamp.forces.lockout``). An administrator sees and unlocks only her own force's
usernames; an address locked for every username is a superuser's (the Django admin's
"access attempts"), since an address is no one force's.
"""

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.forces.access import require_role
from bluelamp.forces.models import Role, User

UNLOCK_ROLES = frozenset({Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Locked:
    username: str
    name: str
    failures: int
    last_failure: dt.datetime
    until: dt.datetime


def locked_users(force_users: list[User], *, now: dt.datetime) -> list[Locked]:
    """The users among ``force_users`` locked now, soonest unlocked last."""
    minutes = dt.timedelta(hours=settings.AXES_COOLOFF_TIME or 0)
    by_name = {u.username: u for u in force_users}
    attempts = AccessAttempt.objects.filter(
        username__in=by_name,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=now - minutes,
    ).order_by("-attempt_time")
    found: dict[str, Locked] = {}
    for a in attempts:
        if a.username in found:
            continue
        user = by_name[a.username]
        found[a.username] = Locked(
            username=a.username,
            name=user.get_full_name(),
            failures=a.failures_since_start,
            last_failure=a.attempt_time,
            until=a.attempt_time + minutes,
        )
    return list(found.values())


@login_required
def lockouts(request: HttpRequest) -> HttpResponse:
    """GET lists the force's locked accounts; POST ``username`` unlocks one, recorded."""
    user = request.user
    assert isinstance(user, User)
    force = require_role(user, UNLOCK_ROLES)
    users = list(User.objects.filter(force=force))
    now = timezone.now()
    unlocked = ""
    error = ""
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")
        target = next((u for u in users if u.username == username), None)
        if target is None:
            error = "username: no account of this force by that name is locked"
            status = 400
        elif not any(lk.username == username for lk in locked_users(users, now=now)):
            error = f"username: {username} is not locked"
            status = 400
        else:
            with transaction.atomic():
                reset(username=username)
                audit_record(
                    force=force,
                    action="change",
                    obj=target,
                    user=user,
                    summary=f"unlocked signing in for {username}",
                )
            unlocked = username
    elif request.method != "GET":
        return HttpResponse(status=405)
    context = {
        "locked": locked_users(users, now=now),
        "unlocked": unlocked,
        "error": error,
        "minutes": int((settings.AXES_COOLOFF_TIME or 0) * 60),
        "limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "signin/lockouts.html", context, status=status)
