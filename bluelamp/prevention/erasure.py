"""Prevention's part of the personal-data purge: a zone holds its burglary's exact place,
and a link where one burglary lay from another, so both go with care's exact locations."""

import datetime as dt

from django.db import transaction
from django.db.models import Q

from bluelamp.audit.services import audit_counts
from bluelamp.care.erasure import WORKED
from bluelamp.care.models import Crime
from bluelamp.forces.models import Force
from bluelamp.lib.erasure import Tally
from bluelamp.prevention.models import PreventionZone, ZoneLink


def zone_places_purge(*, now: dt.datetime, days: int, check: bool, tally: Tally) -> int:
    """Erase the place of each zone whose burglary was recorded more than ``days`` ago (by
    care's rule: unless a referral for its victim is still being worked), and the offsets
    east and north of every link to or from such a burglary, since with one home's place
    the other's would follow. Stays: radius, days, times, each link's distance and hours,
    the task: every count of near repeats and cocooning. Returns the zones erased."""
    cutoff = now - dt.timedelta(days=days)
    total = 0
    for force in Force.objects.all():
        with transaction.atomic():
            crimes = Crime.objects.filter(force=force, recorded_at__lt=cutoff).exclude(
                victims__referrals__status__in=WORKED
            )
            zones = PreventionZone.objects.filter(force=force, crime__in=crimes).exclude(
                latitude=None, longitude=None, easting=None, northing=None
            )
            links = (
                ZoneLink.objects.filter(force=force)
                .filter(Q(zone__crime__in=crimes) | Q(crime__in=crimes))
                .exclude(east=None, north=None)
            )
            erased, offsets = zones.count(), links.count()
            tally.add(force.slug, "prevention_zone.place", erased)
            tally.add(force.slug, "zone_link.offset", offsets)
            total += erased
            if check or not (erased or offsets):
                continue
            zones.update(latitude=None, longitude=None, easting=None, northing=None)
            links.update(east=None, north=None)
            audit_counts(
                force=force,
                summary=f"prevention zones past retention: {erased} places and {offsets} "
                f"offsets erased (crimes recorded before {cutoff:%Y-%m-%d})",
            )
    return total
