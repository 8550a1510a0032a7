"""Personal data is kept only as long as configured; statistics and opt-outs survive."""

import datetime as dt

from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.delivery.models import Message, OutboxMessage
from bluelamp.insights.models import Rollup
from bluelamp.intake.models import Person
from bluelamp.intake.services import contact_details_purge, personal_data_purge
from bluelamp.lib import clock
from bluelamp.surveys.models import Invitation, Response
from bluelamp.surveys.selectors import surveyed_within
from bluelamp.surveys.services import invitations_close_expired
from tests.helpers import answer, make_contact, send_scheduled


def test_old_personal_details_are_erased_new_ones_kept(force):
    answered = answer(force, "OLD-1", 2, received_at="2025-01-10T10:00:00Z")
    sent = make_contact(force, "OLD-2", received_at="2025-01-11T10:00:00Z")
    make_contact(force, "NEW", person={"phone": "07700 900002"}, received_at="2026-11-20T10:00:00Z")
    send_scheduled()
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


def _rollup_totals(force):
    return sorted(
        Rollup.objects.filter(force=force).values_list(
            "responses", "satisfied", "dissatisfied", "sent", "answered"
        )
    )


def test_contact_details_go_90_days_after_the_survey_closes_and_counts_stay(force):
    start = timezone.now()
    with clock.frozen_at(start):
        answered = answer(force, "RET-1", 2, now=start)
        unanswered = make_contact(force, "RET-2", person={"phone": "07700 900002"})
        send_scheduled()
    key = Person.objects.get(contacts__reference="RET-1").phone_key
    counts = _rollup_totals(force)
    assert counts and Response.objects.filter(force=force).count() == 1

    # 89 days after the answer: kept. The unanswered invitation closes when its link expires.
    day89 = start + dt.timedelta(days=89)
    assert invitations_close_expired(now=day89) == 1
    assert contact_details_purge(now=day89) == 0
    # Day 91: the answered person's details are erased; the unanswered one closed 14 days
    # after sending, so theirs went too.
    day91 = start + dt.timedelta(days=91)
    assert contact_details_purge(now=day91) == 1
    assert contact_details_purge(now=start + dt.timedelta(days=105)) == 1
    for ref in ("RET-1", "RET-2"):
        person = Person.objects.get(contacts__reference=ref)
        assert person.phone == "" and person.email == ""
    assert set(Message.objects.values_list("to", flat=True)) == {"[erased]"}
    assert contact_details_purge(now=start + dt.timedelta(days=200)) == 0
    # The statistics are as they were; the fingerprint still finds the person for the cap.
    assert _rollup_totals(force) == counts
    assert Response.objects.get(pk=answered.pk).whole_experience == 2
    assert Invitation.objects.get(pk=unanswered.pk).phone_key
    assert surveyed_within(force_id=force.pk, keys=[key], around=start, days=30)
    assert AuditEvent.objects.filter(actor="system:retention", action="delete").count() == 2


def test_retention_follows_the_forces_setting(force):
    force.contact_details_retention_days = 10
    force.save()
    start = timezone.now()
    answer(force, "RET-3", 6, now=start)
    assert contact_details_purge(now=start + dt.timedelta(days=9)) == 0
    assert contact_details_purge(now=start + dt.timedelta(days=11)) == 1
