"""The demo's heartbeat: new contacts and answers every few seconds, so the live view moves.

Each tick goes through the same services as a force system and a respondent would: a contact
is taken in (received now), due invitations are sent, and one or two people answer an open
invitation. Only the demo force is ever touched.
"""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections
from django.utils import timezone

from bluelamp.delivery.queue import run_due
from bluelamp.forces.models import Force
from bluelamp.intake.services import contact_ingest
from bluelamp.ops.demo_answers import invitation_answer
from bluelamp.ops.demo_calls import demo_calls_tick
from bluelamp.ops.demo_contacts import CrimeMix, contact_data, crime_mix_read
from bluelamp.ops.demo_force import DEMO_SLUG, demo_handlers
from bluelamp.ops.demo_people import FakePerson, people_pool
from bluelamp.surveys.models import Invitation
from bluelamp.surveys.services import InvitationClosed

ACTOR = "demo-simulator"
OWN_PREFIX = "DEMO-"  # the references of the simulator's and the seeded history's contacts
# People answer invitations sent recently far more often than old ones.
RECENT_INVITATIONS = 40


@dataclass
class Tick:
    reference: str
    incident_type: str
    invitation: str
    sent: int
    answered: list[str] = field(default_factory=list)

    def summary(self) -> str:
        answers = ", ".join(self.answered) or "no answers"
        return (
            f"{self.reference} {self.incident_type} ({self.invitation}); "
            f"sent {self.sent}; {answers}"
        )


@dataclass
class Simulator:
    """What a tick needs, loaded once: the demo force, its crime mix, people and handlers."""

    force: Force
    mix: CrimeMix
    rng: random.Random
    people: list[FakePerson] = field(default_factory=people_pool)
    handlers: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def for_demo(cls, *, seed: int | None = None, max_rows: int = 5_000) -> "Simulator":
        force = Force.objects.get(slug=DEMO_SLUG)
        return cls(
            force=force,
            mix=crime_mix_read(max_rows=max_rows),
            rng=random.Random(seed),
            handlers=demo_handlers(force),
        )


def simulator_tick(*, sim: Simulator, now: dt.datetime | None = None) -> Tick:
    """One beat: a contact arrives now, due invitations go out, one or two people answer."""
    now = now or timezone.now()
    reference = f"{OWN_PREFIX}{timezone.localtime(now):%y%m%d-%H%M%S}-{sim.rng.randrange(1000):03d}"
    data = contact_data(
        rng=sim.rng,
        mix=sim.mix,
        people=sim.people,
        handlers=sim.handlers,
        reference=reference,
        received_at=now,
    )
    contact = contact_ingest(force=sim.force, data=data, actor=ACTOR).contact
    invitation = contact.invitation
    demo_calls_tick(sim.force, now)  # the telephony system's latest interval figures
    tick = Tick(
        reference=contact.reference,
        incident_type=data.incident_type,
        invitation=invitation.reason or invitation.status,
        # The demo force's rules send at once (outside quiet hours): the worker's turn.
        sent=run_due(now=timezone.now(), worker="demo-simulator"),
    )
    # Only the simulator's own contacts are answered (their references start DEMO-): a
    # contact a newcomer pushes through the API or types in stays theirs to answer.
    recent = list(
        Invitation.objects.filter(
            force=sim.force,
            status=Invitation.Status.SENT,
            expires_at__gt=now,
            contact__reference__startswith=OWN_PREFIX,
        )
        .order_by("-sent_at")
        .values_list("pk", flat=True)[:RECENT_INVITATIONS]
    )
    for pk in sim.rng.sample(recent, k=min(len(recent), sim.rng.choice([1, 1, 2]))):
        opened = Invitation.objects.select_related(
            "template", "contact__team", "contact__incident_type"
        ).get(pk=pk)
        try:
            response = invitation_answer(rng=sim.rng, invitation=opened, now=now)
        except InvitationClosed:
            continue  # answered in the browser a moment ago
        if response is not None:
            score = response.whole_experience
            team = opened.contact.team.name if opened.contact.team else "no team"
            tick.answered.append(f"{score}/7 from {team}")
    return tick


def simulator_run(
    *,
    sim: Simulator,
    write: Callable[[str], None],
    min_seconds: float = 2.0,
    max_seconds: float = 5.0,
    ticks: int | None = None,
) -> None:
    """Tick every ``min_seconds`` to ``max_seconds`` until interrupted (or ``ticks`` done)."""
    done = 0
    while ticks is None or done < ticks:
        # A long-running loop outside a request: drop a connection the database has closed.
        close_old_connections()
        write(simulator_tick(sim=sim).summary())
        done += 1
        time.sleep(sim.rng.uniform(min_seconds, max_seconds))
