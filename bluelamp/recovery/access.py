"""Loading recovery records for a user or a force system: scoped by force, then role, then team
(the shared rules are ``bluelamp.forces.access``). Pages and endpoints load these records only
through here."""

from django.db.models import Q, QuerySet
from django.http import Http404

from bluelamp.forces.access import (
    LIVE_VIEW_ROLES,
    RECOVERY_REASSIGN_ROLES,
    RECOVERY_ROLES,
    require_role,
    team_filter,
    visible_teams,
)
from bluelamp.forces.models import Force, User
from bluelamp.recovery.models import RecoveryCase


def recovery_cases_for_user(user: User) -> QuerySet[RecoveryCase]:
    """Cases of the user's force; a team-scoped supervisor sees their teams' cases and the
    cases they own (a case reassigned or escalated to them)."""
    force = require_role(user, RECOVERY_ROLES)
    cases = RecoveryCase.objects.filter(force=force)
    if user.is_team_scoped:
        cases = cases.filter(Q(team__in=visible_teams(user)) | Q(owner=user))
    return cases


def open_cases_for_live_view(user: User) -> QuerySet[RecoveryCase]:
    """Open cases shown beside the live view, scoped like the responses."""
    force = require_role(user, LIVE_VIEW_ROLES)
    return RecoveryCase.objects.filter(force=force).filter(team_filter(user, "team"))


def access_recovery_case(user: User, case_id: int) -> RecoveryCase:
    """A case the user may work on, or 404 (never revealing another force's case)."""
    try:
        return (
            recovery_cases_for_user(user)
            .select_related(
                "contact__person", "contact__incident_type", "team", "owner", "response__template"
            )
            .get(pk=case_id)
        )
    except RecoveryCase.DoesNotExist:
        raise Http404("No such case") from None


def recovery_owners_for_user(user: User) -> QuerySet[User]:
    """Whom a supervisor may give a case to: active users of their force who work recovery
    cases."""
    force = require_role(user, RECOVERY_REASSIGN_ROLES)
    return (
        User.objects.filter(force=force)
        .filter(is_active=True)
        .filter(role__in=RECOVERY_ROLES)
        .order_by("first_name", "last_name", "username")
    )


def recovery_cases_for_force(force: Force) -> QuerySet[RecoveryCase]:
    return RecoveryCase.objects.filter(force=force)


def access_recovery_case_for_force(force: Force, case_id: int) -> RecoveryCase:
    try:
        return (
            recovery_cases_for_force(force)
            .select_related("contact", "team", "owner", "response")
            .get(pk=case_id)
        )
    except RecoveryCase.DoesNotExist:
        raise Http404("No such case") from None
