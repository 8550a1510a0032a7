"""Loading near-repeat runs, zones and cocooning tasks for a user: scoped by force, then
role, then team (the shared rules are ``bluelamp.forces.access``). Pages load zones only
through here."""

from django.db.models import QuerySet
from django.http import Http404

from bluelamp.forces.access import require_role, team_filter
from bluelamp.forces.models import Force, Role, User
from bluelamp.prevention.models import CocooningTask, NearRepeatRun, PreventionZone

# Who sees near repeats and zones: supervisors (their teams' zones), investigators, analysts
# and administrators (their force's). Who runs an analysis from the page: supervisors,
# analysts and administrators. Who records a cocooning task: the neighbourhood team's
# supervisor or an investigator, or an administrator.
PREVENTION_ROLES = frozenset({Role.SUPERVISOR, Role.INVESTIGATOR, Role.ANALYST, Role.ADMINISTRATOR})
RUN_ROLES = frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMINISTRATOR})
COCOONING_ROLES = frozenset({Role.SUPERVISOR, Role.INVESTIGATOR, Role.ADMINISTRATOR})


def runs_for_user(user: User) -> QuerySet[NearRepeatRun]:
    """The force's runs: counts of pairs only, no crime or person in them."""
    force = require_role(user, PREVENTION_ROLES)
    return NearRepeatRun.objects.filter(force=force)


def run_force(user: User) -> Force:
    return require_role(user, RUN_ROLES)


def zones_for_user(user: User) -> QuerySet[PreventionZone]:
    force = require_role(user, PREVENTION_ROLES)
    return PreventionZone.objects.filter(force=force).filter(team_filter(user, "team"))


def access_zone(user: User, zone_id: int) -> PreventionZone:
    """A zone the user may see, or 404 (never revealing another force's or team's)."""
    try:
        return (
            zones_for_user(user)
            .select_related("crime__offence", "team", "task", "run")
            .get(pk=zone_id)
        )
    except PreventionZone.DoesNotExist:
        raise Http404("No such zone") from None


def access_task_to_record(user: User, zone_id: int) -> CocooningTask:
    """The zone's cocooning task, for a role that records it; else refused."""
    require_role(user, COCOONING_ROLES)
    zone = access_zone(user, zone_id)
    try:
        return CocooningTask.objects.select_related("zone__crime").get(zone=zone)
    except CocooningTask.DoesNotExist:
        raise Http404("No such task") from None
