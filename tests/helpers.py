"""Building blocks for tests: a contact, its invitation, a submitted response."""

import datetime as dt
from typing import Any

from django.utils import timezone

from bluelamp.forces.models import Force
from bluelamp.intake.schemas import ContactIn
from bluelamp.intake.services import contact_ingest
from bluelamp.surveys.models import Invitation, Response
from bluelamp.surveys.services import response_submit
from tests.conftest import contact_body


def make_contact(force: Force, reference: str, **overrides: Any) -> Invitation:
    data = ContactIn.model_validate(contact_body(reference, **overrides))
    contact = contact_ingest(force=force, data=data, actor="test").contact
    return Invitation.objects.get(contact=contact)


def answer(
    force: Force,
    reference: str,
    score: int,
    *,
    callback: bool = False,
    comment: str = "",
    now: dt.datetime | None = None,
    **overrides: Any,
) -> Response:
    invitation = make_contact(force, reference, **overrides)
    form = {"whole_experience": str(score), "comment": comment}
    result = response_submit(
        invitation_id=invitation.pk,
        form=form,
        callback_requested=callback,
        language="en",
        now=now or timezone.now(),
    )
    assert result.response is not None, result.errors
    return result.response


def survey_path(invitation: Invitation) -> str:
    return f"/s/{invitation.token}"
