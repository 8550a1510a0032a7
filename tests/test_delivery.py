"""Sending through the worker's queue: on time, never at night, once, and safely after a crash."""

import datetime as dt
from zoneinfo import ZoneInfo

from bluelamp.delivery import dispatch
from bluelamp.delivery.models import Job, Message, OutboxMessage
from bluelamp.delivery.queue import claim, run_due
from bluelamp.lib import clock, gsm
from bluelamp.surveys import sending
from bluelamp.surveys.models import Invitation
from bluelamp.surveys.services import invitation_open
from tests.helpers import make_contact, send_scheduled

LONDON = ZoneInfo("Europe/London")


def test_due_invitations_are_sent_once(force):
    sms = make_contact(force, "D-1")
    email = make_contact(
        force, "D-2", person={"phone": "", "email": "x@example.com", "language": "cy"}
    )
    make_contact(force, "D-3", flags=["deceased"])
    assert send_scheduled() == 2
    assert send_scheduled() == 0
    # The job run again (as after a worker died before recording its end) sends nothing more.
    sending.send_invitation.call(sms.pk)
    text = OutboxMessage.objects.get(invitation=sms)
    assert text.via == "sms"
    assert f"/s/{sms.token}" in text.body
    assert gsm.is_gsm7(text.body) and gsm.sms_segments(text.body) == 1
    assert text.body.startswith("Test Constabulary:")
    mail = OutboxMessage.objects.get(invitation=email)
    assert mail.via == "email"
    assert "Sut wnaethon ni" in mail.subject
    sms.refresh_from_db()
    assert sms.status == "sent"
    assert OutboxMessage.objects.count() == 2
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


def test_links_are_on_the_forces_own_address(force):
    force.site_url = "https://feedback.herts.example"
    force.short_name = "Herts Police"
    force.save()
    invitation = make_contact(force, "LINK-1")
    send_scheduled()
    body = OutboxMessage.objects.get(invitation=invitation).body
    assert f"https://feedback.herts.example/s/{invitation.token}" in body
    assert body.startswith("Herts Police:")


def test_an_invitation_waits_for_its_delay_and_never_goes_at_night(force):
    evening = dt.datetime(2026, 11, 2, 19, 30, tzinfo=LONDON)
    with clock.frozen_at(evening):
        invitation = make_contact(force, "NIGHT-1", received_at=evening.isoformat())
    morning = dt.datetime(2026, 11, 3, 8, 0, tzinfo=LONDON)
    assert invitation.send_at == morning
    assert run_due(now=morning - dt.timedelta(minutes=1)) == 0
    assert run_due(now=morning) == 1
    assert Message.objects.get(invitation=invitation).created_at == morning


def test_a_job_due_at_night_after_a_delay_waits_for_the_morning(force):
    morning = dt.datetime(2026, 11, 3, 10, 0, tzinfo=LONDON)
    with clock.frozen_at(morning):
        invitation = make_contact(force, "LATE-1", received_at=morning.isoformat())
    midnight = dt.datetime(2026, 11, 4, 0, 30, tzinfo=LONDON)
    assert run_due(now=midnight) == 1  # the job ran, found it night, and queued the morning
    invitation.refresh_from_db()
    assert invitation.status == "scheduled"
    assert run_due(now=dt.datetime(2026, 11, 4, 8, 0, tzinfo=LONDON)) == 1
    invitation.refresh_from_db()
    assert invitation.status == "sent"


def test_one_reminder_when_the_link_was_not_opened(force):
    quiet = make_contact(force, "REM-1")
    opened = make_contact(force, "REM-2")
    send_scheduled()
    sent_at = Invitation.objects.get(pk=quiet.pk).sent_at
    assert sent_at is not None
    invitation_open(invitation=Invitation.objects.get(pk=opened.pk), now=sent_at)
    later = sent_at + dt.timedelta(hours=49)
    run_due(now=sending.contact_rules.next_allowed(sending._rules(force), later))
    reminders = Message.objects.filter(purpose="reminder")
    assert [m.invitation_id for m in reminders] == [quiet.pk]
    assert "reminder" in reminders[0].body
    sending.send_reminder.call(quiet.pk)  # run twice: still one reminder
    assert Message.objects.filter(purpose="reminder").count() == 1


def test_a_message_handed_over_before_a_crash_is_not_sent_again(force):
    """The worker died after the provider accepted but before it recorded the answer."""
    invitation = make_contact(force, "CRASH-1")
    send_scheduled()
    message = Message.objects.get(invitation=invitation)
    # As the dead worker left it: marked sending, the provider holding it.
    Message.objects.filter(pk=message.pk).update(status="sending", provider_id="")
    assert dispatch.message_deliver(message.pk) == "sent"
    assert OutboxMessage.objects.filter(invitation=invitation).count() == 1
    message.refresh_from_db()
    assert message.provider_id.startswith("console-")


def test_a_message_not_handed_over_before_a_crash_is_sent_once(force):
    invitation = make_contact(force, "CRASH-2")
    send_scheduled()
    message = Message.objects.get(invitation=invitation)
    OutboxMessage.objects.filter(invitation=invitation).delete()  # the provider never got it
    Message.objects.filter(pk=message.pk).update(status="sending", provider_id="")
    assert dispatch.message_deliver(message.pk) == "sent"
    assert dispatch.message_deliver(message.pk) == "sent"
    assert OutboxMessage.objects.filter(invitation=invitation).count() == 1


def test_a_job_whose_worker_died_is_taken_over_when_its_lease_runs_out(force, settings):
    settings.QUEUE_LEASE_SECONDS = 60
    invitation = make_contact(force, "LEASE-1")
    at = invitation.send_at
    assert at is not None
    first = claim(worker="a", now=at, limit=10)
    assert [j.args for j in first] == [[invitation.pk]]
    assert claim(worker="b", now=at + dt.timedelta(seconds=59), limit=10) == []
    taken = claim(worker="b", now=at + dt.timedelta(seconds=61), limit=10)
    assert [j.pk for j in taken] == [first[0].pk]
    taken_over = Job.objects.get(pk=first[0].pk)
    assert (taken_over.worker_id, taken_over.attempts) == ("b", 2)


def test_the_tasks_api_reports_a_result(force):
    invitation = make_contact(force, "API-1")
    result = sending.send_invitation.using(run_after=invitation.send_at).enqueue(invitation.pk)
    assert result.status == "READY"
    assert invitation.send_at is not None
    run_due(now=invitation.send_at)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value in ("sent", "delivered")


def test_a_reminder_written_by_a_run_that_died_is_still_sent_once(force):
    invitation = make_contact(force, "REM-CRASH")
    send_scheduled()
    sent_at = Invitation.objects.get(pk=invitation.pk).sent_at
    assert sent_at is not None
    later = sending.contact_rules.next_allowed(
        sending._rules(force), sent_at + dt.timedelta(hours=49)
    )
    with clock.frozen_at(later):
        sending.send_reminder.call(invitation.pk)
    reminder = Message.objects.get(purpose="reminder")
    # As a run that died after writing it left it: queued, nothing at the provider.
    OutboxMessage.objects.filter(reference=reminder.reference).delete()
    Message.objects.filter(pk=reminder.pk).update(status="queued", attempts=0)
    with clock.frozen_at(later):
        assert sending.send_reminder.call(invitation.pk) == "sent"
        assert sending.send_reminder.call(invitation.pk) == "sent"
    assert OutboxMessage.objects.filter(reference=reminder.reference).count() == 1
