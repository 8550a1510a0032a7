"""Why was this contact (not) surveyed? The decisions on a contact, for a supervisor."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bluelamp.delivery.models import Message
from bluelamp.forces.models import User
from bluelamp.intake.access import contacts_for_user
from bluelamp.lib.params import QueryCheck


@login_required
def contact_decisions(request: HttpRequest) -> HttpResponse:
    """Find a contact by its reference and show, stage by stage, what the contact rules
    decided, the rule and version that decided it, and what was sent. No personal data is
    shown, so nothing here needs auditing."""
    user = request.user
    assert isinstance(user, User)
    query = QueryCheck(request.GET)
    reference = query.text("reference", max_length=60)
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
        {"reference": reference, "contact": contact, "stages": stages},
        status=404 if reference and contact is None else 200,
    )
