"""The demonstration force: teams, call handlers, one user per role and 28 days of history.

``demo_seed`` sets it all up through the product's own services, so every decision, outbox
message, response, recovery case and crime is one the product itself would have made. Each
thing seeded has its own module:

- ``demo_force``: the force, its teams and their rota, call handlers, users, contact rules
  and API token;
- ``demo_people``: the invented people who call (no real person's details are ever used);
- ``demo_contacts``: the crime mix (police.uk's for Hertfordshire, or a synthetic one) and
  each contact as a force system would push it;
- ``demo_answers``: who answers their survey, when, and what they say;
- ``demo_recovery``: the recovery rules and supervisors working their cases;
- ``demo_history``: the 28 days replayed in time order (on ``demo_clock``'s events);
- ``demo_calls``: eight weeks of 999 and 101 figures and a roster;
- ``demo_care``: crimes behind the contacts, and a month of victim care on them;
- ``demo_prevention``: the burglaries' neighbours warned, and a near-repeat analysis;
- ``demo_welcome``: what ``bluelamp demo`` prints once the force is ready.

Everything here touches only the force with slug ``demo``.
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from bluelamp.forces.models import Force, User
from bluelamp.insights.services import funnel_alerts_update
from bluelamp.intake.models import Contact, Person
from bluelamp.ops.demo_calls import demo_calls_seed
from bluelamp.ops.demo_care import demo_care_seed
from bluelamp.ops.demo_contacts import (
    ALL_DISTRICTS,
    DISTRICTS,
    INCIDENT_TYPES,
    POLICE_UK_TYPES,
    CrimeMix,
    crime_mix_read,
)
from bluelamp.ops.demo_force import (
    DEMO_PASSWORD,
    DEMO_SLUG,
    DEMO_USERS,
    WORSE_TEAM,
    DemoError,
    DemoUser,
    demo_force_setup,
    demo_handlers,
    demo_token_replace,
)
from bluelamp.ops.demo_history import History, history_make
from bluelamp.ops.demo_prevention import demo_prevention_seed

# What the rest of the project and the tests use of the demo, wherever it is made.
__all__ = [
    "ALL_DISTRICTS",
    "DEFAULT_CONTACTS",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DISTRICTS",
    "INCIDENT_TYPES",
    "POLICE_UK_TYPES",
    "WORSE_TEAM",
    "CrimeMix",
    "DemoError",
    "Seeded",
    "crime_mix_read",
    "demo_handlers",
    "demo_reset",
    "demo_seed",
]

# Enough answers in 28 days that a team at half the force's satisfaction is told from chance.
DEFAULT_CONTACTS = 2400


@dataclass
class Seeded:
    force: Force
    users: list[DemoUser]
    token: str
    mix_source: str
    history: History | None = None
    created: list[str] = field(default_factory=list)
    call_intervals: int = 0
    crimes: int = 0


def demo_reset() -> bool:
    """Delete the demo force and every row that belongs to it. Returns whether it existed.

    Contacts go first because a person is protected while a contact points at them; the
    force's own audit records go with the force.
    """
    force = Force.objects.filter(slug=DEMO_SLUG).first()
    if force is None:
        return False
    with transaction.atomic():
        Contact.objects.filter(force=force).delete()
        Person.objects.filter(force=force).delete()
        User.objects.filter(force=force).delete()
        force.delete()
    return True


def demo_seed(
    *,
    contacts: int = DEFAULT_CONTACTS,
    data_dir: Path | None = None,
    max_rows: int = 20_000,
    seed: int = 1,
    now: dt.datetime | None = None,
) -> Seeded:
    """Set up the demo force and, if it has no contacts yet, 28 days of history.

    Re-running never duplicates anything: the force, teams, staff and users are fetched or
    created, and history is made only for a force without contacts. The history is written
    in one transaction, so an interrupted run leaves none of it behind. The telephony, the
    history and victim care each draw from a generator of their own seeded with ``seed``, so
    that a change to one never shifts the figures of another.
    """
    now = now or timezone.now()
    with transaction.atomic():
        force, created = demo_force_setup()
        token = demo_token_replace(force)
    mix = crime_mix_read(data_dir, max_rows)
    seeded = Seeded(force, DEMO_USERS, token, mix.source, created=created)
    seeded.call_intervals = demo_calls_seed(force, now, random.Random(seed))
    if not Contact.objects.filter(force=force).exists():
        started = time.monotonic()
        with transaction.atomic():
            seeded.history = history_make(
                force=force, size=contacts, mix=mix, rng=random.Random(seed), now=now
            )
        seeded.history.seconds = time.monotonic() - started
    seeded.crimes = demo_care_seed(force, now, random.Random(seed))
    demo_prevention_seed(force, now, random.Random(seed))
    # The units against the force at once, as the worker's housekeeping would within a minute.
    funnel_alerts_update(force_id=force.pk, now=now)
    return seeded
