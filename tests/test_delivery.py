"""The console channel: each scheduled invitation reaches the outbox exactly once."""

from django.utils import timezone

from bluelamp.delivery.models import OutboxMessage
from bluelamp.delivery.services import invitation_send, invitations_send_due
from tests.helpers import make_contact


def test_due_invitations_are_sent_once(force):
    sms = make_contact(force, "D-1")
    email = make_contact(
        force, "D-2", person={"phone": "", "email": "x@example.com", "language": "cy"}
    )
    make_contact(force, "D-3", flags=["deceased"])
    now = timezone.now()
    assert invitations_send_due(now=now) == 2
    assert invitations_send_due(now=now) == 0
    assert invitation_send(invitation_id=sms.pk, now=now) is None
    text = OutboxMessage.objects.get(invitation=sms)
    assert text.via == "sms"
    assert f"/s/{sms.token}" in text.body
    assert len(text.body) <= 160  # one SMS segment
    mail = OutboxMessage.objects.get(invitation=email)
    assert mail.via == "email"
    assert "Sut wnaethon ni" in mail.subject
    sms.refresh_from_db()
    assert sms.status == "sent"
    assert OutboxMessage.objects.count() == 2
