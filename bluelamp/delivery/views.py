from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bluelamp.audit.services import audit_record
from bluelamp.forces.access import outbox_for_user
from bluelamp.forces.models import User


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """The console channel's outbox: what would have been sent, to whom. Administrators only."""
    user = request.user
    assert isinstance(user, User)
    messages = list(outbox_for_user(user)[:100])
    if messages:
        with transaction.atomic():
            assert user.force is not None
            audit_record(
                force=user.force,
                action="view",
                obj=messages[0],
                user=user,
                summary=f"outbox: {len(messages)} latest messages",
            )
    return render(request, "delivery/outbox.html", {"messages_out": messages})
