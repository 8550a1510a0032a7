import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from pydantic import ValidationError

from bluelamp.audit.services import audit_record
from bluelamp.care import reports
from bluelamp.care.access import (
    access_duty,
    access_referral,
    duties_for_user,
    needs_reviews_for_user,
    referrals_for_user,
    victims_for_user,
)
from bluelamp.care.models import CRIME_FLAGS, Duty, NeedsReview, Referral, ReferralActivity
from bluelamp.care.schemas import CONSENT_PURPOSES, AssessmentIn
from bluelamp.care.services import (
    CANNOT_NOW,
    LAWFUL_BASES,
    MAX_SEND,
    PARTNER_FILE_HEADER,
    REFERRAL_WORK,
    ReferralSendRefused,
    duty_missed_reason_record,
    needs_assessment_record,
    needs_review_done,
    needs_reviews_view_record,
    partner_file_row,
    referral_basis_record,
    referral_send,
    referral_work,
    victim_consent_record,
    victim_enhanced_decide,
    victim_persistent_decide,
    victims_view_record,
)
from bluelamp.forces.access import CARE_ROLES, require_role, team_choice
from bluelamp.forces.models import Role, User
from bluelamp.intake.services import IntakeError
from bluelamp.lib.downloads import csv_download
from bluelamp.lib.listing import Order, page_of
from bluelamp.lib.params import BadQuery, QueryCheck

EXPORT_ROLES = frozenset({Role.VICTIM_CARE, Role.ADMINISTRATOR})
# A referral the receiving team may accept or decline: one within the force once made, one to
# a partner once sent.
CONSENT_HOW = [
    ("in_person", "In person"),
    ("phone", "By phone"),
    ("visit", "On a visit"),
    ("letter", "By letter"),
    ("email", "By email"),
]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


ACTIVE = "active"
REFERRAL_ORDERS = {
    "due": Order("Soonest due first", ("due_at", "pk")),
    "newest": Order("Newest first", ("-created_at", "-pk")),
    "oldest": Order("Oldest first", ("created_at", "pk")),
}
ACTIVE_STATUSES = (Referral.Status.OPEN, Referral.Status.SENT, Referral.Status.ACCEPTED)


@login_required
def referral_queue(request: HttpRequest) -> HttpResponse:
    """A receiving team's queue: open referrals, soonest due first."""
    user = _user(request)
    visible = referrals_for_user(user)
    query = QueryCheck(request.GET)
    service = query.code("service")
    # A specialist team's work is what it has received and not closed; victim care's is what
    # is still to be sent.
    default = ACTIVE if user.role == Role.SPECIALIST else Referral.Status.OPEN
    status = query.choice("status", [ACTIVE, *Referral.Status.values], default=default)
    services = sorted(set(visible.values_list("service", flat=True)))
    shown = visible.select_related("victim__crime__offence", "victim__crime__team")
    if service:
        shown = shown.filter(service=service)
    if status == ACTIVE:
        shown = shown.filter(status__in=ACTIVE_STATUSES)
    else:
        shown = shown.filter(status=status)
    page = page_of(
        shown,
        query=query,
        orders=REFERRAL_ORDERS,
        default="due",
        filters={"service": service, "status": status},
    )
    query.done()
    return render(
        request,
        "care/queue.html",
        {
            "referrals": page.rows,
            "page": page,
            "services": services,
            "service": service,
            "status": status,
            "statuses": [(ACTIVE, "To work on: received or accepted"), *Referral.Status.choices],
            "now": timezone.now(),
            "may_export": user.role in EXPORT_ROLES,
        },
    )


@login_required
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One referral: the victim, why they were referred, and the team's work on it.

    Showing the victim's details is a view of personal data, so it is audited.
    """
    user = _user(request)
    referral = access_referral(user, referral_id)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        text = request.POST.get("text", "").strip()[:5000]
        now = timezone.now()
        if action in REFERRAL_WORK:
            kind = request.POST.get("kind", "")
            try:
                referral_work(
                    referral=referral, user=user, action=action, text=text, kind=kind, now=now
                )
            except IntakeError as e:
                error = e.message if e.field == "action" else f"{e.field}: {e.message}"
        elif action == "assess":
            error = _assess(request, referral, user, now)
        elif action in ("enhanced", "persistent"):
            error = _decide(request, referral, user, action, now)
        elif action == "consent":
            error = _consent(request, referral, user, now)
        elif action == "basis":
            try:
                referral_basis_record(
                    referral=referral, basis=request.POST.get("basis", ""), reason=text,
                    user=user, now=now,
                )  # fmt: skip
            except IntakeError as e:
                error = f"{e.field}: {e.message}"
        else:
            error = CANNOT_NOW
        if not error:
            messages.success(request, "Saved.")
            return redirect("referral_detail", referral_id=referral.pk)
    victim = referral.victim
    with transaction.atomic():
        audit_record(
            force=referral.force, action="view", obj=victim, user=user,
            summary=f"referral {referral.pk}",
        )  # fmt: skip
    return render(
        request,
        "care/referral.html",
        {
            "referral": referral,
            "victim": victim,
            "crime": victim.crime,
            "activities": referral.activities.all(),
            "kinds": ReferralActivity.Kind.choices,
            "needs": NEEDS,
            "assessments": victim.assessments.all(),
            "duties": victim.duties.order_by("due_at"),
            "purposes": CONSENT_PURPOSES.items(),
            "consent": [
                (words, victim.consent_given(purpose), victim.consent.get(purpose) or {})
                for purpose, words in CONSENT_PURPOSES.items()
            ],
            "consent_how": CONSENT_HOW,
            "bases": [(b.value, b.label) for b in LAWFUL_BASES],
            "now": timezone.now(),
            "error": error,
        },
        status=400 if error else 200,
    )


NEEDS = [
    ("information", "Information about the case"),
    ("security_advice", "Home security advice"),
    ("emotional_support", "Emotional support"),
    ("practical_help", "Practical help (repairs, replacing documents)"),
    ("financial_advice", "Financial or fraud advice"),
    ("interpreter", "An interpreter"),
    ("safeguarding", "Safeguarding"),
]


def _assess(request: HttpRequest, referral: Referral, user: User, now: dt.datetime) -> str:
    """Record a needs assessment from the form; an error message, or "" when saved."""
    known = {code for code, _ in NEEDS}
    enhanced = request.POST.get("enhanced_rights", "")
    if enhanced not in ("yes", "no"):
        return "enhanced_rights: say whether Enhanced Rights apply"
    try:
        data = AssessmentIn(
            asked_at=now,
            asked_by=user.username,
            needs=[n for n in request.POST.getlist("needs") if n in known],
            support_wanted=[n for n in request.POST.getlist("support_wanted") if n in known],
            enhanced_rights=enhanced == "yes",
            update_every_days=int(request.POST.get("update_every_days") or 28),
            notes=request.POST.get("notes", "").strip()[:2000],
        )
    except (ValidationError, ValueError):
        return "update_every_days: a number of days from 1 to 365"
    needs_assessment_record(victim=referral.victim, data=data, user=user)
    return ""


def _decide(request: HttpRequest, referral: Referral, user: User, action: str,
            now: dt.datetime) -> str:  # fmt: skip
    """A person confirms or declines what the rules proposed; there is no default answer."""
    decision = request.POST.get("decision", "")
    if decision not in ("confirmed", "declined"):
        return "decision: choose confirm or decline"
    decide = victim_enhanced_decide if action == "enhanced" else victim_persistent_decide
    decide(victim=referral.victim, confirmed=decision == "confirmed", user=user, now=now)
    return ""


def _consent(request: HttpRequest, referral: Referral, user: User, now: dt.datetime) -> str:
    purpose = request.POST.get("purpose", "")
    given = request.POST.get("given", "")
    how = request.POST.get("how", "")
    if purpose not in CONSENT_PURPOSES:
        return "purpose: choose what the victim was asked"
    if given not in ("yes", "no"):
        return "given: record the victim's answer, yes or no"
    if how not in dict(CONSENT_HOW):
        return "how: say how the victim was asked"
    victim_consent_record(
        victim=referral.victim, purpose=purpose, given=given == "yes", how=how, user=user,
        now=now,
    )  # fmt: skip
    return ""


DUTY_ORDERS = {
    "team": Order("By team, officer and due", ("team__name", "officer__number", "due_at"))
}
DUTY_FILTERS = {
    "overdue": "Overdue",
    "due": "Due in the next seven days",
    "late": "Met late, no reason recorded",
}


@login_required
def duties(request: HttpRequest) -> HttpResponse:
    """Victims' Code duties not yet met: overdue first, then due in the next seven days, by
    team and officer; and those met late in the last 30 days with no reason recorded. A POST
    records why one overdue or late duty was missed, for the commissioner's return."""
    user = _user(request)
    now = timezone.now()
    error = ""
    posted = {"duty": request.POST.get("duty", ""), "reason": request.POST.get("reason", "")}
    if request.method == "POST":
        try:
            duty = access_duty(user, int(posted["duty"]))
        except ValueError:
            error = "duty: choose the duty the reason is for"
        else:
            if not duty.is_missed(now):
                error = "duty: it was met in time or is not yet due, so nothing was missed"
            elif len(posted["reason"].strip()) > 2000:
                error = "reason: at most 2,000 characters"
            else:
                try:
                    duty_missed_reason_record(duty=duty, reason=posted["reason"], user=user)
                except IntakeError as e:
                    error = str(e)
        if not error:
            messages.success(request, f"Reason recorded: {duty.what}.")
            return redirect("care_duties")
    query = QueryCheck(request.GET)
    visible = duties_for_user(user)
    teams, team = team_choice(user, query)
    officer = query.code("officer")
    which = query.choice("which", ["", *DUTY_FILTERS], default="")
    late = Q(met_at__gt=F("due_at"), met_at__gte=now - dt.timedelta(days=30), missed_reason="")
    wanted = {
        "": Q(met_at=None, due_at__lt=now + dt.timedelta(days=7)) | late,
        "overdue": Q(met_at=None, due_at__lt=now),
        "due": Q(met_at=None, due_at__gte=now, due_at__lt=now + dt.timedelta(days=7)),
        "late": late,
    }[which]
    open_duties = visible.filter(wanted).select_related("victim__crime", "team", "officer")
    if team:
        open_duties = open_duties.filter(team__code=team)
    if officer:
        open_duties = open_duties.filter(officer__number=officer)
    page = page_of(
        open_duties,
        query=query,
        orders=DUTY_ORDERS,
        default="team",
        filters={"team": team, "officer": officer, "which": which},
    )
    query.done()
    context = {
        "duties": page.rows,
        "page": page,
        "teams": teams,
        "team": team,
        "officer": officer,
        "which": which,
        "which_choices": DUTY_FILTERS.items(),
        "now": now,
        "error": error,
        "posted": posted,
    }
    return render(request, "care/duties.html", context, status=400 if error else 200)


def _month(query: QueryCheck) -> tuple[dt.datetime, dt.datetime, str]:
    first = query.month("month", default=timezone.localdate())
    text = f"{first:%Y-%m}"
    following = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(following, dt.time(), tzinfo=tz)
    return start, end, text


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    """The month's Victims' Code return for the Police and Crime Commissioner (Victims and
    Prisoners Act 2024): every right, by team, Enhanced Rights against standard, under 18s,
    and the reasons duties were missed; a printable page, or CSV with ``?format=csv`` (an
    audited export)."""
    user = _user(request)
    query = QueryCheck(request.GET)
    start, end, month = _month(query)
    as_csv = query.choice("format", ["html", "csv"], default="html") == "csv"
    query.done()
    now = timezone.now()
    found = reports.compliance(duties_for_user(user), start, end, now)
    if as_csv:
        assert user.force is not None
        with transaction.atomic():
            audit_record(
                force=user.force, action="export", obj=user.force, user=user,
                summary=f"Victims' Code compliance {month}",
            )  # fmt: skip
        code = {right.label: reports.CODE_RIGHT[right] for right in Duty.Right}
        sections = [
            ("right", found.by_right),
            ("team", found.by_team),
            ("enhanced", [row for pair in found.enhanced for row in pair]),
            ("under_18", found.under_18),
        ]
        lines: list[list[object]] = [
            [month, section, code[r.right], r.right, r.group, r.due, r.on_time, r.late,
             r.overdue, r.pending, r.missed]
            for section, rows in sections
            for r in rows
        ]  # fmt: skip
        for m in found.reasons:
            lines.append([month, "missed_reason", "", "All rights", m.reason, *[""] * 5, m.missed])
            lines.extend(
                [month, "missed_reason", code[right], right, m.reason, *[""] * 5, n]
                for right, n in m.by_right
            )
        return csv_download(
            f"victims-code-{month}.csv",
            ["month", "section", "code_right", "right", "group", "due", "met_on_time",
             "met_late", "overdue", "pending", "missed"],
            lines,
        )  # fmt: skip
    return render(
        request,
        "care/compliance.html",
        {"report": found, "month": month, "start": start, "end": end, "now": now},
    )


@login_required
def referral_export(request: HttpRequest) -> HttpResponse:
    """Open referrals to a service, as a file to read or keep. A download sends nothing and
    changes nothing (no referral marked, no duty met); only the export itself is audited.
    Sending to a partner is a person's act on the review page (``referral_send_review``)."""
    user = _user(request)
    if user.role not in EXPORT_ROLES:
        raise PermissionDenied
    query = QueryCheck(request.GET)
    service = query.code("service")
    query.done()
    if not service:
        raise BadQuery({"service": "required: the service whose referrals to download"})
    now = timezone.now()
    chosen = referrals_for_user(user).filter(service=service, status=Referral.Status.OPEN)
    chosen = chosen.select_related("victim__crime__offence")
    lines = [partner_file_row(r) for r in chosen.order_by("due_at", "pk")[:MAX_SEND]]
    assert user.force is not None
    with transaction.atomic():
        audit_record(
            force=user.force, action="export", obj=user.force, user=user,
            summary=f"{len(lines)} referrals to {service} downloaded (not sent)",
        )  # fmt: skip
    return csv_download(f"referrals-{service}-{now:%Y%m%d}.csv", PARTNER_FILE_HEADER, lines)


@login_required
def referral_send_review(request: HttpRequest) -> HttpResponse:
    """Sending to a partner is an act, not a download: the open referrals to a partner
    service, each with why and on what basis, none ticked (no decision has a default answer).
    The ones a person ticks go out as the partner's file, marked sent, their duties met."""
    user = _user(request)
    if user.role not in EXPORT_ROLES:
        raise PermissionDenied
    visible = referrals_for_user(user)
    query = QueryCheck(request.POST if request.method == "POST" else request.GET)
    service = query.code("service")
    query.done()
    error = ""
    problems: dict[int, str] = {}
    ticked: set[str] = set()
    if request.method == "POST":
        ticked = set(request.POST.getlist("referral"))
        now = timezone.now()
        try:
            ids = [int(x) for x in ticked]
        except ValueError:
            ids, error = [], "referral: not a referral number"
        if not error:
            try:
                sent = referral_send(
                    referrals=visible, ids=ids, service=service, user=user, now=now
                )
            except ReferralSendRefused as e:
                error, problems = e.message, e.problems
            else:
                return csv_download(
                    f"referrals-{service}-sent-{timezone.localtime(now):%Y%m%d-%H%M}.csv",
                    sent.header, sent.rows,
                )  # fmt: skip
    partner = visible.filter(partner=True, status=Referral.Status.OPEN)
    shown = (
        partner.filter(service=service)
        .select_related("victim__crime__offence")
        .order_by("due_at", "pk")[:500]
    )
    return render(
        request,
        "care/send.html",
        {
            "service": service,
            "services": sorted(set(partner.values_list("service", flat=True))),
            "referrals": shown,
            "ticked": ticked,
            "error": error,
            "problems": sorted(problems.items()),
            "now": timezone.now(),
        },
        status=400 if error else 200,
    )


@login_required
def repeats(request: HttpRequest) -> HttpResponse:
    """Repeat victimisation by month and area: does the force's support reduce it?"""
    user = _user(request)
    since = timezone.now() - dt.timedelta(days=365)
    months, areas, flags = reports.repeat_rates(victims_for_user(user), since)
    return render(request, "care/repeats.html", {"months": months, "areas": areas, "flags": flags})


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


REPEAT_ORDERS = {
    "newest": Order("Newest first", ("-crime__recorded_at", "-pk")),
    "oldest": Order("Oldest first", ("crime__recorded_at", "pk")),
}


@login_required
def repeat_victims(request: HttpRequest) -> HttpResponse:
    """The repeat victims behind a figure of the repeats page (a month, an area or a flag),
    each with the crime before: names shown, so each victim listed is an audited view."""
    user = _user(request)
    force = require_role(user, CARE_ROLES)
    query = QueryCheck(request.GET)
    today = timezone.localdate()
    month_given = bool(request.GET.get("month", "").strip())  # the form sends "" for any
    first = query.month("month", default=today)
    area = query.text("area", max_length=8)
    flag = query.choice("flag", ["", *CRIME_FLAGS], default="")
    month = None
    if month_given:
        after = (first + dt.timedelta(days=32)).replace(day=1)
        month = (_local_midnight(first), _local_midnight(after))
    since = timezone.now() - dt.timedelta(days=365)
    found = reports.repeat_victims(victims_for_user(user), since, month=month, area=area, flag=flag)
    page = page_of(
        found,
        query=query,
        orders=REPEAT_ORDERS,
        default="newest",
        filters={"month": f"{first:%Y-%m}" if month_given else "", "area": area, "flag": flag},
    )
    query.done()
    place = "no postcode district" if area == reports.UNKNOWN_AREA else area
    what = [f"{first:%B %Y}" if month_given else "", place, CRIME_FLAGS.get(flag, "")]
    shown = ", ".join(w for w in what if w) or "all"
    victims_view_record(
        force=force, victims=page.rows, user=user, summary=f"repeat victims: {shown}"[:200]
    )
    context = {
        "victims": page.rows, "before": reports.victimised_before(page.rows), "page": page,
        "shown": shown, "flags": CRIME_FLAGS,
        "month": f"{first:%Y-%m}" if month_given else "", "area": area, "flag": flag,
    }  # fmt: skip
    return render(request, "care/repeat_victims.html", context)


REVIEW_ORDERS = {
    "open": Order("Open first, newest first", (F("done_at").desc(nulls_first=True), "-created_at")),
    "oldest": Order("Oldest first", ("created_at", "pk")),
}


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    """Survey answers that asked for support or raised a safeguarding concern: open first.

    The respondent's name and phone are shown for the call, so each view is audited."""
    user = _user(request)
    visible = needs_reviews_for_user(user)
    error = ""
    if request.method == "POST":
        try:
            review = visible.get(pk=int(request.POST.get("review", "0")), done_at=None)
        except (NeedsReview.DoesNotExist, ValueError):
            raise Http404("No such open review") from None
        note = request.POST.get("note", "").strip()[:2000]
        if not note:
            error = "note: say what was done (the call, the referral, or why nothing was needed)"
        else:
            needs_review_done(review=review, user=user, note=note, now=timezone.now())
            messages.success(request, "Marked as reviewed.")
            return redirect("care_reviews")
    query = QueryCheck(request.GET)
    status = query.choice("status", ["", "open", "done"], default="")
    if status == "open":
        visible = visible.filter(done_at=None)
    elif status == "done":
        visible = visible.exclude(done_at=None)
    page = page_of(
        visible.select_related("contact__person", "contact__incident_type", "response"),
        query=query,
        orders=REVIEW_ORDERS,
        default="open",
        filters={"status": status},
        per_page=20,
    )
    query.done()
    needs_reviews_view_record(reviews=page.rows, user=user)
    context = {"reviews": page.rows, "page": page, "status": status, "error": error}
    return render(request, "care/reviews.html", context, status=400 if error else 200)
