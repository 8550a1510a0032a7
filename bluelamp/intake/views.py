"""Why was this contact (not) surveyed? The day's contacts with their first decision, and
the decisions on one contact, for a supervisor."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bluelamp.delivery.models import Message
from bluelamp.forces.access import team_choice
from bluelamp.forces.models import User
from bluelamp.intake.access import contacts_for_user
from bluelamp.intake.models import Contact
from bluelamp.lib.listing import Order, Page, page_of
from bluelamp.lib.params import QueryCheck
from bluelamp.surveys.models import IncidentType, Invitation

CONTACT_ORDERS = {
    "newest": Order("Newest first", ("-received_at", "-pk")),
    "oldest": Order("Oldest first", ("received_at", "pk")),
}
DECISIONS = [
    ("surveyed", "Surveyed (scheduled, sent or answered)"),
    ("answered", "Answered"),
    ("excluded", "Not surveyed"),
    ("failed", "Could not be delivered"),
]
SURVEYED = [
    Invitation.Status.SCHEDULED, Invitation.Status.SENT, Invitation.Status.ANSWERED
]  # fmt: skip


def _contact_list(user: User, query: QueryCheck) -> tuple[Page, dict[str, object]]:
    """One day's contacts (the user's teams'), filtered by team, incident type and the first
    contact's decision, with that decision beside each: no personal data."""
    today = timezone.localdate()
    day = query.day("day", default=today)
    teams, team = team_choice(user, query)
    types = list(IncidentType.objects.order_by("sort_order", "name").values_list("code", "name"))
    incident = query.choice("incident_type", ["", *(code for code, _ in types)], default="")
    decision = query.choice("decision", ["", *(code for code, _ in DECISIONS)], default="")
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    first = Invitation.objects.filter(contact=OuterRef("pk"), stage="first_contact")
    contacts: QuerySet[Contact] = (
        contacts_for_user(user)
        .filter(received_at__gte=start, received_at__lt=end)
        .select_related("incident_type", "team")
        .annotate(
            decision=Subquery(first.values("status")[:1]),
            why_not=Subquery(first.values("reason_text")[:1]),
        )
    )
    if team:
        contacts = contacts.filter(team__code=team)
    if incident:
        contacts = contacts.filter(incident_type_id=incident)
    if decision:
        statuses = SURVEYED if decision == "surveyed" else [decision]
        contacts = contacts.filter(Exists(first.filter(status__in=statuses)))
    kept = {"day": "" if day == today else f"{day:%Y-%m-%d}", "team": team,
            "incident_type": incident, "decision": decision}  # fmt: skip
    page = page_of(
        contacts,
        query=query,
        orders=CONTACT_ORDERS,
        default="newest",
        filters=kept,
    )
    filters = {
        "day": day, "today": day == today, "teams": teams, "team": team, "types": types,
        "incident_type": incident, "decisions": DECISIONS, "decision": decision,
        "filtered": bool(team or incident or decision),
    }  # fmt: skip
    return page, filters


@login_required
def contact_decisions(request: HttpRequest) -> HttpResponse:
    """The day's contacts with their first decision, a page at a time; or a contact found by
    its reference, showing stage by stage what the contact rules decided, the rule and
    version that decided it, and what was sent. No personal data is shown, so nothing here
    needs auditing."""
    user = request.user
    assert isinstance(user, User)
    query = QueryCheck(request.GET)
    reference = query.text("reference", max_length=60)
    page, filters = (None, {}) if reference else _contact_list(user, query)
    query.done()
    contacts = contacts_for_user(user)
    contact = None
    stages: list[tuple[object, list[Message]]] = []
    if reference:
        contact = (
            contacts.select_related("incident_type", "team").filter(reference=reference).first()
        )
    if contact is not None:
        invitations = list(contact.invitations.order_by("created_at"))
        messages: dict[int, list[Message]] = {}
        for m in Message.objects.filter(invitation__in=invitations).order_by("created_at"):
            messages.setdefault(m.invitation_id or 0, []).append(m)
        stages = [(i, messages.get(i.pk, [])) for i in invitations]
    return render(
        request,
        "intake/decisions.html",
        {"reference": reference, "contact": contact, "stages": stages, "page": page, **filters},
        status=404 if reference and contact is None else 200,
    )
