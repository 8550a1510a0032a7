"""The demo force's 28 days of history, replayed in time order through the product's own
services.

Contacts arrive (``contact_ingest``), the worker sends what falls due (``run_due``), people
answer (``response_submit``) or opt out (``person_opt_out``), supervisors work their recovery
cases and the overdue job runs every hour, so every decision, outbox message, response and
recovery case is one the product itself would have made.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import F, OuterRef, Subquery

from bluelamp.delivery.models import OutboxMessage
from bluelamp.delivery.queue import run_due
from bluelamp.forces.models import Force, User
from bluelamp.intake.models import Contact
from bluelamp.intake.schemas import ContactIn
from bluelamp.intake.services import contact_ingest
from bluelamp.lib import clock as wall
from bluelamp.lib.workdays import LONDON
from bluelamp.ops.demo_answers import OPT_OUT_RATE, RESPONSE_RATE, invitation_answer, reply_delay
from bluelamp.ops.demo_clock import Clock
from bluelamp.ops.demo_contacts import CrimeMix, contact_data
from bluelamp.ops.demo_force import DEMO_USERS, demo_handlers
from bluelamp.ops.demo_people import people_pool
from bluelamp.ops.demo_recovery import case_path_start, case_step_replay, recovery_rules_seed
from bluelamp.recovery.models import RecoveryCase
from bluelamp.recovery.services import cases_escalate_overdue
from bluelamp.surveys.models import Invitation, Response
from bluelamp.surveys.services import person_opt_out

HISTORY_DAYS = 28
SEED_ACTOR = "demo-seed"

# Control-room demand by hour of the day (local time): quiet before dawn, busiest in the
# late afternoon and evening.
# fmt: off
HOURLY_DEMAND = [
    2.0, 1.5, 1.2, 1.0, 1.0, 1.2, 1.8, 2.8, 3.8, 4.6, 5.2, 5.6,
    5.8, 5.9, 6.0, 6.3, 6.8, 7.0, 6.8, 6.2, 5.4, 4.6, 3.6, 2.6,
]
# fmt: on


@dataclass
class History:
    contacts: int = 0
    excluded: int = 0
    sent: int = 0
    responses: int = 0
    dissatisfied: int = 0
    opted_out: int = 0
    cases: int = 0
    cases_open: int = 0
    seconds: float = 0.0
    cases_started: int = 0  # so far in the replay: the hourly overdue job has nothing before one


def _arrivals(rng: random.Random, size: int, now: dt.datetime) -> list[dt.datetime]:
    """Arrival times over the last 28 days, following the hourly demand, oldest first."""
    today = now.astimezone(LONDON).date()
    latest = now - dt.timedelta(minutes=2)
    out: list[dt.datetime] = []
    while len(out) < size:
        day = today - dt.timedelta(days=rng.randrange(HISTORY_DAYS))
        hour = rng.choices(range(24), weights=HOURLY_DEMAND)[0]
        local = dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON) + dt.timedelta(
            seconds=rng.randrange(3600)
        )
        at = local.astimezone(dt.UTC)
        if at <= latest:
            out.append(at)
    return sorted(out)


def history_make(
    *, force: Force, size: int, mix: CrimeMix, rng: random.Random, now: dt.datetime
) -> History:
    people = people_pool()
    handlers = demo_handlers(force)
    supervisor = User.objects.get(username=DEMO_USERS[0].username)
    arrivals = _arrivals(rng, size, now)
    clock = Clock(now)
    for i, at in enumerate(arrivals):
        clock.add(at, "contact", i)
    recovery_rules_seed(force)
    # The worker runs the overdue job; here it runs every hour of the history.
    if arrivals:
        hour = arrivals[0].replace(minute=0, second=0, microsecond=0)
        while hour < now:
            hour += dt.timedelta(hours=1)
            clock.add(hour, "escalate", 0)
    stats = History()
    for event in clock:
        if event.kind == "contact":
            reference = f"DEMO-{event.at.astimezone(LONDON):%y%m%d}-{event.target + 1:05d}"
            data = contact_data(
                rng=rng,
                mix=mix,
                people=people,
                handlers=handlers,
                reference=reference,
                received_at=event.at,
            )
            _contact_replay(force=force, data=data, clock=clock, rng=rng, stats=stats)
        elif event.kind == "send":
            _send_replay(invitation_id=event.target, at=event.at, clock=clock, rng=rng, stats=stats)
        elif event.kind == "answer":
            _answer_replay(
                invitation_id=event.target, at=event.at, clock=clock, rng=rng, stats=stats
            )
        elif event.kind == "opt_out":
            person_opt_out(invitation_id=event.target, now=event.at)
            stats.opted_out += 1
        elif event.kind == "case":
            case_step_replay(
                case_id=event.target, step=event.detail, at=event.at, user=supervisor,
                clock=clock, rng=rng,
            )  # fmt: skip
        elif event.kind == "escalate" and stats.cases_started:
            cases_escalate_overdue(now=event.at, force=force)
    _history_backdate(force)
    stats.cases = RecoveryCase.objects.filter(force=force).count()
    stats.cases_open = (
        RecoveryCase.objects.filter(force=force).exclude(status=RecoveryCase.Status.CLOSED).count()
    )
    return stats


def _history_backdate(force: Force) -> None:
    """Move the times stamped on creation back to when things happened in the history."""
    received = Contact.objects.filter(pk=OuterRef("contact_id")).values("received_at")[:1]
    sent = Invitation.objects.filter(pk=OuterRef("invitation_id")).values("sent_at")[:1]
    Contact.objects.filter(force=force).update(created_at=F("received_at"))
    Invitation.objects.filter(force=force).update(created_at=Subquery(received))
    OutboxMessage.objects.filter(force=force).update(created_at=Subquery(sent))


def _contact_replay(
    *, force: Force, data: ContactIn, clock: Clock, rng: random.Random, stats: History
) -> None:
    """Take the contact in as if it arrived at ``received_at``; its invitation goes when due."""
    received_at = data.received_at
    with wall.frozen_at(received_at):
        contact = contact_ingest(force=force, data=data, actor=SEED_ACTOR).contact
    invitation = contact.invitation
    stats.contacts += 1
    if invitation.status != Invitation.Status.SCHEDULED or invitation.send_at is None:
        stats.excluded += 1
        return
    clock.add(invitation.send_at, "send", invitation.pk)


def _send_replay(
    *, invitation_id: int, at: dt.datetime, clock: Clock, rng: random.Random, stats: History
) -> None:
    """The worker's turn at ``at``: this invitation, and any reminder that fell due, go out."""
    run_due(now=at, worker="demo")
    invitation = Invitation.objects.only("status", "via").get(pk=invitation_id)
    if invitation.status != Invitation.Status.SENT:
        return
    stats.sent += 1
    if rng.random() < OPT_OUT_RATE:
        clock.add(at + reply_delay(rng), "opt_out", invitation.pk)
    elif rng.random() < RESPONSE_RATE.get(invitation.via, 0.3):
        clock.add(at + reply_delay(rng), "answer", invitation.pk)


def _answer_replay(
    *, invitation_id: int, at: dt.datetime, clock: Clock, rng: random.Random, stats: History
) -> None:
    invitation = Invitation.objects.select_related(
        "template", "contact__team", "contact__incident_type"
    ).get(pk=invitation_id)
    if invitation.status != Invitation.Status.SENT:
        return  # withdrawn meanwhile: the person opted out from another invitation
    response = invitation_answer(rng=rng, invitation=invitation, now=at)
    if response is None:
        return
    stats.responses += 1
    if response.outcome == Response.Outcome.DISSATISFIED:
        stats.dissatisfied += 1
    case = RecoveryCase.objects.filter(response=response).only("pk").first()
    if case is None:
        return
    stats.cases_started += 1
    case_path_start(case_id=case.pk, at=at, clock=clock, rng=rng)
