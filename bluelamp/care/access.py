"""Loading care records for a user or a force system: scoped by force, then role, then team
(the shared rules are ``bluelamp.forces.access``). Pages and endpoints load these records only
through here."""

from django.db.models import QuerySet
from django.http import Http404

from bluelamp.care.models import Crime, Duty, NeedsReview, Referral, Victim
from bluelamp.forces.access import CARE_ROLES, REVIEW_ROLES, require_role, visible_teams
from bluelamp.forces.models import Force, Role, User


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
