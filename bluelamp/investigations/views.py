"""The investigation supervisor's pages: their teams' open crimes, worst basics first; a
crime's checklist and timeline, and closing it; what was missed in a week."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.forces.models import User
from bluelamp.investigations import selectors
from bluelamp.investigations.access import (
    access_checklist,
    basics_items_for_user,
    checklists_for_user,
)
from bluelamp.investigations.models import BasicsWord
from bluelamp.investigations.services import CloseRefused, blocking_items, checklist_close
from bluelamp.lib.params import QueryCheck


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def crime_list(request: HttpRequest) -> HttpResponse:
    """Open crimes of the user's teams (a supervisor) or force, those with overdue and
    missing basics first. Shows references and counts only, no personal data."""
    user = _user(request)
    QueryCheck(request.GET).done()
    now = timezone.now()
    shown = selectors.open_checklists(checklists_for_user(user), now)
    rows = [(c, [i for i in c.items.all() if i.status_at(now) == "overdue"]) for c in shown]
    return render(
        request,
        "investigations/list.html",
        {"rows": rows, "now": now, "limit": selectors.LIST_LIMIT},
    )


@login_required
def crime_detail(request: HttpRequest, checklist_id: int) -> HttpResponse:
    """A crime's basics and timeline. A POST closes it, a supervisor's decision (no default),
    only once every item is settled; else the page says which items block it. Showing the
    victims is a view of personal data, so it is audited."""
    user = _user(request)
    checklist = access_checklist(user, checklist_id)
    now = timezone.now()
    error = ""
    status = 200
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision == "close":
            try:
                checklist_close(checklist=checklist, user=user, now=now)
            except CloseRefused as e:
                names = ", ".join(i.title for i in e.blocking)
                error = f"Not closed: {e}" + (f". Still to settle: {names}" if names else "")
            else:
                messages.success(request, "Closed.")
                return redirect("investigation_detail", checklist_id=checklist.pk)
        elif decision == "keep_open":
            messages.success(request, "Left open.")
            return redirect("investigation_detail", checklist_id=checklist.pk)
        else:
            error = "decision: choose whether to close the crime's basics or keep them open"
        status = 400
    crime = checklist.crime
    items = list(checklist.items.all())
    for item in items:
        item.checklist = checklist
    words = list(
        BasicsWord.objects.filter(item__checklist=checklist)
        .select_related("item")
        .order_by("at", "pk")
    )
    events = list(crime.events.all())
    timeline = sorted(
        [
            (
                w.at,
                f"{w.item.title}: {w.get_status_display()}",
                w.by,
                w.rationale,
                w.get_source_display(),
            )
            for w in words
        ]
        + [(e.at, e.get_kind_display(), e.actor, e.said, "Event") for e in events],
        key=lambda row: row[0],
    )
    victims = list(crime.victims.order_by("pk"))
    with transaction.atomic():
        audit_record(
            force=checklist.force, action="view", obj=crime, user=user,
            summary=f"basics of {crime.reference}",
        )  # fmt: skip
    return render(
        request,
        "investigations/detail.html",
        {
            "checklist": checklist,
            "crime": crime,
            "items": [(i, i.status_at(now)) for i in items],
            "blocking": blocking_items(items) if checklist.closed_at is None else [],
            "timeline": timeline,
            "victims": victims,
            "error": error,
        },
        status=status,
    )


@login_required
def missed(request: HttpRequest) -> HttpResponse:
    """What was missed in a week (Monday to Sunday, UK time): of the basics that fell due,
    how many were not done by their time, by item, team and officer, each with its 95%
    Wilson interval. Counts only, no personal data."""
    user = _user(request)
    query = QueryCheck(request.GET)
    day = query.day("week", default=timezone.localdate())
    monday = day - dt.timedelta(days=day.weekday())
    query.done()
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), tzinfo=tz)
    now = timezone.now()
    report = selectors.missed_week(basics_items_for_user(user), start, end, now)
    return render(
        request,
        "investigations/missed.html",
        {
            "report": report,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "previous": monday - dt.timedelta(days=7),
            "following": monday + dt.timedelta(days=7),
        },
    )
