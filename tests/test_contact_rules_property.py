"""Thousands of random contacts through the real intake, rules, queue and worker tasks.

Whatever the contacts (flags, ages, incident types, channels, missing details, the same
people again and again, opt-outs at random moments) and whatever the force's rules (frequency
window, quiet hours, delay), no message is ever sent to an excluded person, none inside quiet
hours, and no person is invited twice within the frequency window.
"""

import dataclasses
import datetime as dt
import heapq
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluelamp.delivery.models import Job, Message
from bluelamp.delivery.queue import run_due
from bluelamp.forces.models import Force
from bluelamp.intake.schemas import ContactIn
from bluelamp.intake.services import IntakeError, contact_ingest
from bluelamp.lib import clock
from bluelamp.lib.contact import is_mobile
from bluelamp.surveys import contact_rules
from bluelamp.surveys.models import IncidentType, OptOut
from bluelamp.surveys.selectors import contact_rules_current
from bluelamp.surveys.services import contact_rules_save, keys_opt_out

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)  # across the clocks going forward
PHONES = [f"07700 900{n:03d}" for n in range(1, 9)] + ["01632 960001", ""]
EMAILS = ["", "", "a@example.com", "b@example.com"]
FLAGS = ["domestic_abuse", "sexual_offence", "suspect_may_share_phone", "deceased",
         "do_not_contact", "complaint_open", "bereaved", "repeat_victim", "vulnerable"]  # fmt: skip
TYPES = ["burglary_residential", "theft_other", "domestic_abuse", "hate_crime", "other",
         "missing_person", "antisocial_behaviour"]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Arrival:
    minutes: int
    phone: str
    email: str
    age: int | None
    flags: list[str]
    incident_type: str
    channel: str
    opt_out_after: int | None  # minutes after the contact, the person says "stop"


arrivals = st.builds(
    Arrival,
    minutes=st.integers(0, 60 * 24 * 75),
    phone=st.sampled_from(PHONES),
    email=st.sampled_from(EMAILS),
    age=st.none() | st.integers(5, 95),
    flags=st.lists(st.sampled_from(FLAGS), max_size=2, unique=True),
    incident_type=st.sampled_from(TYPES),
    channel=st.sampled_from(["999", "101", "online"]),
    opt_out_after=st.none() | st.none() | st.none() | st.integers(0, 60 * 24 * 20),
)
rule_sets = st.fixed_dictionaries(
    {
        "frequency_days": st.integers(0, 40),
        "quiet_hours": st.sampled_from(
            [
                {"start": "20:00", "end": "08:00"},
                {"start": "21:30", "end": "09:00"},
                {"start": "00:00", "end": "07:00"},
            ]
        ),
        "stages": st.builds(
            lambda h: {"first_contact": {"delay_hours": h}}, st.sampled_from([0, 2, 6, 30])
        ),
        "reminder_after_hours": st.sampled_from([None, 24, 48]),
    }
)
_forces = itertools.count()


def _replay(force: Force, people: list[Arrival]) -> dict[str, dt.datetime]:
    """Contacts and opt-outs in time order, the worker's turn before each; then the rest."""
    events: list[tuple[dt.datetime, int, str, Arrival]] = []
    for i, a in enumerate(people):
        at = START + dt.timedelta(minutes=a.minutes)
        events.append((at, i, "contact", a))
        if a.opt_out_after is not None:
            events.append((at + dt.timedelta(minutes=a.opt_out_after), i, "stop", a))
    heapq.heapify(events)
    opted_out: dict[str, dt.datetime] = {}  # fingerprint: when that person said stop
    while events:
        at, i, kind, a = heapq.heappop(events)
        run_due(now=at)
        with clock.frozen_at(at):
            if kind == "contact":
                body = {
                    "reference": f"P{i}",
                    "received_at": at.isoformat(),
                    "channel": a.channel,
                    "incident_type": a.incident_type,
                    "person": {"phone": a.phone, "email": a.email, "age": a.age},
                    "flags": a.flags,
                }
                try:
                    contact_ingest(force=force, data=ContactIn.model_validate(body), actor="t")
                except IntakeError:
                    continue
            else:
                from bluelamp.intake.models import Person

                person = Person.objects.filter(contacts__reference=f"P{i}", force=force).first()
                if person is not None:
                    keys = [k for k in (person.phone_key, person.email_key) if k]
                    keys_opt_out(force=force, keys=keys, source="test", now=at)
                    for key in keys:
                        opted_out.setdefault(key, at)
    # The worker goes on until nothing is left to do.
    while (job := Job.objects.filter(status="READY").order_by("run_after").first()) is not None:
        run_due(now=job.run_after)
    return opted_out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@pytest.mark.slow(reason="about 12 s: the longest property test, 60 generated populations")
@given(people=st.lists(arrivals, min_size=30, max_size=70), rules=rule_sets)
def test_no_message_to_an_excluded_person_at_night_or_twice_in_the_window(db, people, rules):
    force = Force.objects.create(slug=f"p{next(_forces)}", name="Property Constabulary")
    contact_rules_save(force=force, definition=rules, user=None)
    current = contact_rules_current(force).rules
    stops = _replay(force, people)

    sensitive = set(IncidentType.objects.filter(sensitive=True).values_list("code", flat=True))
    excluding = set(current.excluded_flags)
    assert set(stops) == set(OptOut.objects.filter(force=force).values_list("key", flat=True))
    sent = list(
        Message.objects.filter(force=force, status="sent")
        .select_related("invitation__contact__person")
        .order_by("created_at")
    )
    for m in sent:
        contact = m.invitation.contact
        person = contact.person
        assert not excluding & set(contact.flags), (m.pk, contact.flags)
        assert contact.incident_type_id not in sensitive
        assert person.age is None or person.age >= current.minimum_age
        assert not contact_rules.in_quiet_hours(current, m.created_at), m.created_at
        if m.via == "sms":
            assert is_mobile(person.phone)
        else:
            assert person.email
        for key in (m.invitation.phone_key, m.invitation.email_key):
            if key in stops:
                assert m.created_at <= stops[key], "sent after the person said stop"
    invitations = [m for m in sent if m.purpose == "invitation"]
    window = dt.timedelta(days=current.frequency_days)
    for a, b in itertools.combinations(invitations, 2):
        same = {a.invitation.phone_key, a.invitation.email_key} & {
            b.invitation.phone_key, b.invitation.email_key} - {""}  # fmt: skip
        if same and current.frequency_days:
            assert abs(b.created_at - a.created_at) >= window, (a.pk, b.pk)
    # Reminders belong to an invitation that was sent, once each.
    reminders = [m for m in sent if m.purpose == "reminder"]
    assert len({m.invitation_id for m in reminders}) == len(reminders)
