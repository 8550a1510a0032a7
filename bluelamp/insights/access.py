"""Loading insights records for a user or a force system: scoped by force, then role, then team
(the shared rules are ``bluelamp.forces.access``). Pages and endpoints load these records only
through here."""

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from bluelamp.forces.access import LIVE_VIEW_ROLES, OUTBOX_ROLES, require_role, visible_teams
from bluelamp.forces.models import StaffMember, User
from bluelamp.insights.models import Alert, Rollup, ThemeModel


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


def theme_model_for_user(user: User) -> ThemeModel | None:
    """The force's theme model, for its administrator."""
    force = require_role(user, OUTBOX_ROLES)
    return ThemeModel.objects.filter(force=force).first()
