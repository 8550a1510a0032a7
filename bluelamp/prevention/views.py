"""The prevention pages: the latest near-repeat analysis as a heat map and in words, run on
demand; the open zones with overdue cocooning first; a zone's map, its burglaries and its
task; and whether cocooning worked."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bluelamp.audit.services import audit_record
from bluelamp.forces.access import visible_teams
from bluelamp.forces.models import User
from bluelamp.lib.params import QueryCheck
from bluelamp.prevention import analysis, selectors
from bluelamp.prevention.access import (
    COCOONING_ROLES,
    RUN_ROLES,
    access_task_to_record,
    access_zone,
    run_force,
    runs_for_user,
    zones_for_user,
)
from bluelamp.prevention.services import (
    CocooningIn,
    TaskRefused,
    cocooning_record,
    near_repeat_run,
)

# The period tested, in days to yesterday.
PERIODS = {"91": "The last 13 weeks", "182": "The last 26 weeks", "365": "The last 365 days"}
RECENT_RUNS = 10


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _home_context(user: User, family: str) -> dict[str, Any]:
    runs = runs_for_user(user)
    latest = runs.filter(family=family).select_related("team").order_by("-ran_at", "-pk").first()
    result = latest.result if latest else {}
    now = timezone.now()
    return {
        "families": [(key, f.title) for key, f in analysis.FAMILIES.items()],
        "family": family,
        "family_title": analysis.FAMILIES[family].title,
        "latest": latest,
        "headline": analysis.headline(result, family) if latest else "",
        "words": result.get("words", []),
        "heat": selectors.heat_map(result) if latest else None,
        "recent": list(runs.select_related("team").order_by("-ran_at", "-pk")[:RECENT_RUNS]),
        "worked": selectors.did_it_work(zones_for_user(user), now),
        "may_run": user.role in RUN_ROLES,
        "periods": PERIODS,
        "teams": list(visible_teams(user).order_by("name").values_list("code", "name")),
        "error": "",
        "chosen": {},
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The latest analysis of a family (residential burglary unless chosen): its table as a
    heat map with ratios and p-values, in words, and the did-it-work rates. Counts only."""
    user = _user(request)
    query = QueryCheck(request.GET)
    family = query.choice("family", analysis.FAMILIES, default=analysis.ZONE_FAMILY)
    runs_for_user(user)  # refuses the wrong role before the query's 400
    query.done()
    return render(request, "prevention/home.html", _home_context(user, family))


@require_POST
@login_required
def run(request: HttpRequest) -> HttpResponse:
    """Run the Knox test now over the force's stored crimes (999 permutations, in the
    request: a force's year of burglaries takes about a second). Family and period must be
    chosen; the team is every team unless one is chosen."""
    user = _user(request)
    force = run_force(user)
    family = request.POST.get("family", "")
    days = request.POST.get("days", "")
    team_code = request.POST.get("team", "")
    area = request.POST.get("area", "").strip().upper()
    teams = {t.code: t for t in visible_teams(user)}
    error = ""
    if family not in analysis.FAMILIES:
        error = "family: choose the offences to test"
    elif days not in PERIODS:
        error = "days: choose the period to test"
    elif team_code and team_code not in teams:
        error = "team: not one of your teams"
    elif user.is_team_scoped and not team_code:
        error = "team: choose one of your teams"
    elif area and not (len(area) <= 8 and area.isalnum()):
        error = "area: a postcode district such as AL1"
    if error:
        context = _home_context(user, family if family in analysis.FAMILIES else "burglary")
        context.update(error=error, chosen=request.POST)
        return render(request, "prevention/home.html", context, status=400)
    last = timezone.localdate() - dt.timedelta(days=1)
    first = last - dt.timedelta(days=int(days) - 1)
    done = near_repeat_run(
        force=force, family=family, first_day=first, last_day=last, by=user.username,
        team=teams.get(team_code), area=area,
    )  # fmt: skip
    messages.success(request, f"Tested {done.crimes} crimes with a place in {done.seconds:.1f} s.")
    return redirect(reverse("prevention_home") + f"?family={family}")


@login_required
def zone_list(request: HttpRequest) -> HttpResponse:
    """Open zones and undone cocooning tasks of the user's teams (a supervisor) or force,
    overdue tasks first. Crime references and teams only, no personal data."""
    user = _user(request)
    zones = zones_for_user(user)
    QueryCheck(request.GET).done()
    now = timezone.now()
    rows = [(z, z.task.status_at(now)) for z in selectors.open_zones(zones, now)]
    return render(
        request,
        "prevention/zones.html",
        {"rows": rows, "now": now, "limit": selectors.LIST_LIMIT},
    )


@login_required
def zone_detail(request: HttpRequest, zone_id: int) -> HttpResponse:
    """A zone's map (its circle and burglaries in metres about the first, with a scale), its
    burglaries and its cocooning task. A POST records the task: homes visited, leaflets and
    the advice, each required. Places of victims' homes are personal data: audited."""
    user = _user(request)
    zone = access_zone(user, zone_id)
    error = ""
    if request.method == "POST":
        task = access_task_to_record(user, zone_id)
        try:
            data = CocooningIn(
                homes_visited=_count(request.POST, "homes_visited"),
                leaflets=_count(request.POST, "leaflets"),
                advice=request.POST.get("advice", "")[:2000],
            )
            cocooning_record(task=task, data=data, user=user, now=timezone.now())
        except TaskRefused as e:
            error = str(e)
        else:
            messages.success(request, "Cocooning recorded.")
            return redirect("prevention_zone", zone_id=zone.pk)
    now = timezone.now()
    links = list(zone.links.select_related("crime__offence").order_by("hours_after", "pk"))
    with transaction.atomic():
        audit_record(
            force=zone.force, action="view", obj=zone, user=user,
            summary=f"prevention zone of {zone.crime.reference}",
        )  # fmt: skip
    return render(
        request,
        "prevention/zone.html",
        {
            "zone": zone,
            "task": zone.task,
            "status": zone.task.status_at(now),
            "is_open": zone.is_open(now),
            "links": links,
            "map": selectors.zone_map(zone, links),
            "may_record": user.role in COCOONING_ROLES and zone.task.done_at is None,
            "error": error,
            "chosen": request.POST if error else {},
        },
        status=400 if error else 200,
    )


def _count(form: Any, name: str) -> int:
    value = str(form.get(name, "")).strip()
    if not value:
        raise TaskRefused(name, "say how many (0 if none)")
    if not value.isdigit() or int(value) > 100_000:
        raise TaskRefused(name, "a whole number from 0")
    return int(value)
