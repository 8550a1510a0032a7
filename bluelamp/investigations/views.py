"""The investigation supervisor's pages: their teams' open crimes, worst basics first; a
crime's checklist and timeline, and closing it; what was missed in a week."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from pydantic import ValidationError

from bluelamp.audit.services import audit_record
from bluelamp.forces.models import Team, User
from bluelamp.intake.services import IntakeError
from bluelamp.investigations import satisfaction, selectors
from bluelamp.investigations.access import (
    access_checklist,
    basics_items_for_outcomes,
    basics_items_for_user,
    checklists_for_user,
    outcome_scope,
)
from bluelamp.investigations.models import BasicsItem, BasicsWord, Checklist
from bluelamp.investigations.outcome_report import PERIODS, SMALL, months_ending, outcome_report
from bluelamp.investigations.schemas import BasicsIn
from bluelamp.investigations.services import (
    CloseRefused,
    basics_record,
    blocking_items,
    checklist_close,
)
from bluelamp.lib.errors import field_errors
from bluelamp.lib.listing import PER_PAGE, Order, Page
from bluelamp.lib.params import QueryCheck
from bluelamp.surveys.models import IncidentType

# The open crimes come a page at a time in one order: rendering hundreds of rows took longer
# than the page's 100 ms (bench/basics.py).
LIST_ORDERS = {"worst": Order("Most overdue first", ())}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


RECORDED_STATUSES = [
    (BasicsItem.Status.DONE, "Done"),
    (BasicsItem.Status.NOT_APPLICABLE, "Not applicable (say why)"),
    (BasicsItem.Status.NOT_DONE, "Not done (say why)"),
]


@login_required
def crime_list(request: HttpRequest) -> HttpResponse:
    """Open crimes of the user's teams (a supervisor) or force, those with overdue and
    missing basics first. Shows references and counts only, no personal data."""
    user = _user(request)
    query = QueryCheck(request.GET)
    query.choice("sort", list(LIST_ORDERS), default="worst")
    number = query.positive("page", default=1)
    checklists = checklists_for_user(user)
    total = checklists.filter(closed_at=None).count()
    pages = max(1, -(-total // PER_PAGE))
    if number > pages:
        query.errors["page"] = f"should be from 1 to {pages}"
    query.done()
    now = timezone.now()
    start = (number - 1) * PER_PAGE
    shown = selectors.open_checklists(checklists, now, start=start, rows=PER_PAGE)
    rows = [(c, getattr(c, "overdue_items", [])) for c in shown]  # the prefetch's to_attr
    page = Page(shown, number, pages, total, "worst", LIST_ORDERS, {})
    return render(request, "investigations/list.html", {"rows": rows, "now": now, "page": page})


def _record(request: HttpRequest, checklist: Checklist, user: User, now: dt.datetime) -> str:
    """One item recorded from the page: what was done or decided, by the signed-in person,
    now; the same rules as the API (a reason for not applicable or not done). The error in
    words naming the field, or ""."""
    if checklist.closed_at is not None:
        return "decision: the crime's basics are closed"
    posted = {
        "item": request.POST.get("item", ""),
        "status": request.POST.get("status", ""),
        "at": now,
        "by": user.username,
        "rationale": request.POST.get("rationale", "").strip()[:2000],
    }
    try:
        data = BasicsIn.model_validate(posted)
    except ValidationError as e:
        name, message = next(iter(field_errors(e.errors()).items()))
        return f"{name}: {message}"
    try:
        basics_record(
            crime=checklist.crime, data=data, source=BasicsWord.Source.PAGE,
            actor=f"user:{user.username}",
        )  # fmt: skip
    except IntakeError as e:
        return f"{e.field}: {e.message}"
    return ""


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
        elif decision == "record":
            error = _record(request, checklist, user, now)
            if not error:
                messages.success(request, "Recorded.")
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
            "statuses": RECORDED_STATUSES,
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


def _period(query: QueryCheck) -> tuple[str, list[dt.date]]:
    """The period a page asks for: a month, quarter or year ending with ``end`` (YYYY-MM,
    the current month by default)."""
    period = query.choice("period", list(PERIODS), default="year")
    end = query.month("end", default=timezone.localdate())
    return period, months_ending(end, PERIODS[period])


@login_required
def outcomes(request: HttpRequest) -> HttpResponse:
    """Charge rates a chief officer can quote: the crimes recorded in the period and the
    outcomes they have now ("outcomes for offences recorded in the period", as the Home
    Office counts), by offence, team and area (the crime's postcode district), with the
    rate, its 95% Wilson interval, the median days to an outcome and the share in each
    group, beside the national figures. From the rollups; counts only, no personal data."""
    user = _user(request)
    force, team_ids = outcome_scope(user)
    query = QueryCheck(request.GET)
    period, months = _period(query)
    query.done()
    report = outcome_report(
        force_id=force.pk,
        team_ids=team_ids,
        months=months,
        offence_names=dict(IncidentType.objects.values_list("code", "name")),
        team_names=dict(Team.objects.filter(force=force).values_list("pk", "name")),
    )
    last = months[-1]
    return render(
        request,
        "investigations/outcomes.html",
        {
            "report": report,
            "period": period,
            "periods": list(PERIODS),
            "first": months[0],
            "last": last,
            "previous": months_ending(months[0] - dt.timedelta(days=1), 1)[0],
            "following": (last + dt.timedelta(days=32)).replace(day=1),
            "small": SMALL,
        },
    )


@login_required
def basics_satisfaction(request: HttpRequest) -> HttpResponse:
    """What victims said against the basics: of the crimes recorded in the period with a
    linked contact whose person answered a survey, the share satisfied when each basic was
    done and when it was not, with 95% Wilson intervals, fewer than 10 answers greyed.
    Counts only, no personal data."""
    user = _user(request)
    items = basics_items_for_outcomes(user)
    query = QueryCheck(request.GET)
    period, months = _period(query)
    query.done()
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(months[0], dt.time(), tzinfo=tz)
    after = (months[-1] + dt.timedelta(days=32)).replace(day=1)
    end = dt.datetime.combine(after, dt.time(), tzinfo=tz)
    rows = satisfaction.basics_satisfaction(items, start, end, timezone.now())
    return render(
        request,
        "investigations/satisfaction.html",
        {
            "rows": rows,
            "period": period,
            "periods": list(PERIODS),
            "first": months[0],
            "last": months[-1],
            "small": satisfaction.SMALL,
        },
    )
