"""The only way to load a protected record.

Every function here scopes by force first, then by role, then (for team-scoped roles) by
team. Views and API endpoints never call ``Model.objects.get()`` on a protected model; they
call one of these. One condition per line, so a reader can check each.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from bluelamp.care.models import Crime, Duty, NeedsReview, Referral, Victim
from bluelamp.delivery.models import OutboxMessage
from bluelamp.forces.models import Force, Role, StaffMember, Team, User
from bluelamp.insights.models import Alert, Rollup
from bluelamp.intake.models import Contact
from bluelamp.recovery.models import RecoveryCase
from bluelamp.surveys.models import Response

LIVE_VIEW_ROLES = frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMINISTRATOR})
RECOVERY_ROLES = frozenset({Role.SUPERVISOR, Role.VICTIM_CARE, Role.ADMINISTRATOR})
RECOVERY_REASSIGN_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
OUTBOX_ROLES = frozenset({Role.ADMINISTRATOR})
CARE_ROLES = frozenset({Role.VICTIM_CARE, Role.SPECIALIST, Role.INVESTIGATOR, Role.ADMINISTRATOR})
REVIEW_ROLES = frozenset({Role.VICTIM_CARE, Role.ADMINISTRATOR})


def require_role(user: User, roles: frozenset[Role]) -> Force:
    """The user's force, if the user may use a page meant for ``roles``; else refuse."""
    if not user.is_authenticated:
        raise PermissionDenied
    if not user.is_active:
        raise PermissionDenied
    if user.force_id is None:
        raise PermissionDenied
    if user.role not in roles:
        raise PermissionDenied
    assert user.force is not None
    return user.force


def visible_teams(user: User) -> QuerySet[Team]:
    """Teams of the user's force; only their own teams for a team-scoped role."""
    teams = Team.objects.filter(force=user.force)
    if user.is_team_scoped:
        teams = teams.filter(members=user)
    return teams


def _team_filter(user: User, field: str) -> Q:
    if not user.is_team_scoped:
        return Q()
    return Q(**{f"{field}__in": visible_teams(user)})


def responses_for_user(user: User) -> QuerySet[Response]:
    force = require_role(user, LIVE_VIEW_ROLES)
    return Response.objects.filter(force=force).filter(_team_filter(user, "team"))


def contacts_for_user(user: User) -> QuerySet[Contact]:
    """Contacts whose survey decisions the user may read (a supervisor: their teams')."""
    force = require_role(user, LIVE_VIEW_ROLES)
    return Contact.objects.filter(force=force).filter(_team_filter(user, "team"))


def rollups_for_user(user: User) -> QuerySet[Rollup]:
    """The live view's counts, scoped like the responses they count."""
    force = require_role(user, LIVE_VIEW_ROLES)
    rollups = Rollup.objects.filter(force=force)
    if user.is_team_scoped:
        rollups = rollups.filter(team_key__in=visible_teams(user).values("pk"))
    return rollups


def alerts_for_user(user: User) -> QuerySet[Alert]:
    """Alerts beside the live view: a team-scoped user sees those of their teams and of
    call handlers in them; the others see the force's."""
    force = require_role(user, LIVE_VIEW_ROLES)
    found = Alert.objects.filter(force=force)
    if user.is_team_scoped:
        teams = visible_teams(user)
        as_text = Cast("pk", output_field=CharField())
        team_keys = teams.annotate(k=as_text).values("k")
        handler_keys = (
            StaffMember.objects.filter(force=force, team__in=teams).annotate(k=as_text).values("k")
        )
        found = found.filter(
            Q(dimension="team", key__in=team_keys)
            | Q(dimension="call_handler", key__in=handler_keys)
        )
    return found


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
    return RecoveryCase.objects.filter(force=force).filter(_team_filter(user, "team"))


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


def outbox_for_user(user: User) -> QuerySet[OutboxMessage]:
    force = require_role(user, OUTBOX_ROLES)
    return OutboxMessage.objects.filter(force=force)


def referrals_for_user(user: User) -> QuerySet[Referral]:
    """Referrals the user may work on: a specialist team sees only referrals to its service
    (the service is the receiving team's code); victim care and investigators see them all."""
    force = require_role(user, CARE_ROLES)
    referrals = Referral.objects.filter(force=force)
    if user.role == Role.SPECIALIST:
        referrals = referrals.filter(service__in=visible_teams(user).values("code"))
    return referrals


def access_referral(user: User, referral_id: int) -> Referral:
    try:
        return (
            referrals_for_user(user)
            .select_related("victim__crime__offence", "victim__crime__team", "force")
            .get(pk=referral_id)
        )
    except Referral.DoesNotExist:
        raise Http404("No such referral") from None


def duties_for_user(user: User) -> QuerySet[Duty]:
    """Victims' Code duties: a specialist team sees those of its own referrals."""
    force = require_role(user, CARE_ROLES)
    duties = Duty.objects.filter(force=force)
    if user.role == Role.SPECIALIST:
        duties = duties.filter(referral__in=referrals_for_user(user))
    return duties


def access_duty(user: User, duty_id: int) -> Duty:
    """A duty the user may see, or 404 (never revealing another force's duty)."""
    try:
        return duties_for_user(user).select_related("victim", "force").get(pk=duty_id)
    except Duty.DoesNotExist:
        raise Http404("No such duty") from None


def needs_reviews_for_user(user: User) -> QuerySet[NeedsReview]:
    force = require_role(user, REVIEW_ROLES)
    return NeedsReview.objects.filter(force=force)


def victims_for_user(user: User) -> QuerySet[Victim]:
    force = require_role(user, CARE_ROLES)
    victims = Victim.objects.filter(force=force)
    if user.role == Role.SPECIALIST:
        victims = victims.filter(referrals__in=referrals_for_user(user)).distinct()
    return victims


# Force systems (API tokens) see everything of their own force and nothing of another's.


def access_contact_for_force(force: Force, contact_id: int) -> Contact:
    try:
        return Contact.objects.select_related("incident_type").get(pk=contact_id, force=force)
    except Contact.DoesNotExist:
        raise Http404("No such contact") from None


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


def access_crime_for_force(force: Force, reference: str) -> Crime:
    try:
        return Crime.objects.select_related("offence").get(force=force, reference=reference)
    except Crime.DoesNotExist:
        raise Http404("No such crime") from None


def referrals_for_force(force: Force) -> QuerySet[Referral]:
    return Referral.objects.filter(force=force)


def access_victim_for_force(force: Force, victim_id: int) -> Victim:
    try:
        return Victim.objects.select_related("crime").get(force=force, pk=victim_id)
    except Victim.DoesNotExist:
        raise Http404("No such victim") from None
