"""Personal data is kept only as long as configured; statistics and opt-outs survive."""

import datetime as dt

from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.delivery.models import OutboxMessage
from bluelamp.delivery.services import invitations_send_due
from bluelamp.intake.models import Person
from bluelamp.intake.services import personal_data_purge
from bluelamp.surveys.models import Response
from tests.helpers import answer, make_contact


def test_old_personal_details_are_erased_new_ones_kept(force):
    answered = answer(force, "OLD-1", 2, received_at="2025-01-10T10:00:00Z")
    sent = make_contact(force, "OLD-2", received_at="2025-01-11T10:00:00Z")
    make_contact(force, "NEW", person={"phone": "07700 900002"}, received_at="2026-11-20T10:00:00Z")
    invitations_send_due(now=timezone.now())
    now = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    assert personal_data_purge(now=now, days=365) == 2
    erased = Person.objects.get(contacts__reference="OLD-1")
    assert erased.name == "" and erased.phone == "" and erased.purged_at is not None
    assert Person.objects.get(contacts__reference="NEW").phone == "+447700900002"
    assert Response.objects.get(pk=answered.pk).whole_experience == 2  # statistics unchanged
    assert OutboxMessage.objects.get(invitation=sent).to == "[erased]"
    assert OutboxMessage.objects.get(invitation__contact__reference="NEW").to == "+447700900002"
    assert AuditEvent.objects.filter(actor="system:retention").count() == 1
    assert personal_data_purge(now=now, days=365) == 0  # nothing twice
