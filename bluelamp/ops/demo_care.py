"""The demo force's victim care: crimes behind its contacts, and a month of work on them.

Crimes are made from the demo's own contacts of crime types, through ``care.services`` as a
records system would push them: a quarter of residential burglary victims are older people,
many approached by distraction or a bogus caller, and some addresses are hit twice, so the
older person liaison queue, Enhanced Rights and repeat flags all have something in them.
Suspect decisions, updates to victims and the teams' work on referrals follow, mostly in
time and sometimes late or not at all, so the compliance report has something to say.
"""

import datetime as dt
import random

from django.db import transaction

from bluelamp.care.models import Crime, CrimeEvent, Referral
from bluelamp.care.schemas import AssessmentIn, CrimeIn, EventIn
from bluelamp.care.services import (
    crime_event_add,
    crime_ingest,
    needs_assessment_record,
    referral_accept,
    referral_activity_add,
)
from bluelamp.forces.models import Force, Team, User
from bluelamp.intake.models import Contact

ACTOR = "demo-records-system"
CRIME_TYPES = {
    "burglary_residential",
    "burglary_other",
    "robbery_personal",
    "theft_from_person",
    "vehicle_crime",
    "criminal_damage",
    "violence",
    "hate_crime",
}
INVESTIGATION_TEAMS = [
    ("burglary-north", "Burglary team north"),
    ("burglary-south", "Burglary team south"),
    ("volume-crime", "Volume crime unit"),
]
SUSPECT_DECISIONS = [
    "suspect_arrested",
    "suspect_interviewed",
    "released_under_investigation",
    "bailed",
    "charged",
    "no_further_action",
    "decision_not_to_investigate",
]
MAX_CRIMES = 300


def demo_care_seed(force: Force, now: dt.datetime, rng: random.Random) -> int:
    """Crimes for up to MAX_CRIMES of the demo's crime contacts, with a month of events and
    referral work. Returns how many crimes were made; nothing when the force has some."""
    if Crime.objects.filter(force=force).exists():
        return 0
    for code, name in INVESTIGATION_TEAMS:
        Team.objects.get_or_create(force=force, code=code, defaults={"name": name})
    contacts = list(
        Contact.objects.filter(force=force, incident_type_id__in=CRIME_TYPES)
        .select_related("person")
        .order_by("received_at")
    )
    contacts = sorted(
        rng.sample(contacts, min(MAX_CRIMES, len(contacts))), key=lambda c: c.received_at
    )
    addresses = [f"DEMO-UPRN-{n:06d}" for n in range(120)]
    officers = [f"PC{n}" for n in range(2101, 2113)]
    staff = {u.role: u for u in User.objects.filter(force=force)}
    made = 0
    for contact in contacts:
        recorded = contact.received_at + dt.timedelta(minutes=rng.randint(20, 180))
        if recorded >= now:
            continue
        with transaction.atomic():
            crime = _crime(force, contact, recorded, rng, addresses, officers)
            _work(crime, now, rng, staff)
        made += 1
    return made


def _crime(
    force: Force,
    contact: Contact,
    recorded: dt.datetime,
    rng: random.Random,
    addresses: list[str],
    officers: list[str],
) -> Crime:
    code = contact.incident_type_id
    flags: list[str] = list({"domestic_abuse", "hate_crime"} & set(contact.flags))
    strands: list[str] = []
    if code == "hate_crime":
        # The old type is a flag now: the offence behind it, and its strand.
        code = rng.choice(["violence", "criminal_damage"])
        flags.append("hate_crime")
    if "hate_crime" in flags:
        strands = [rng.choice(["race", "religion", "sexual_orientation", "disability"])]
    elif code == "violence" and rng.random() < 0.3:
        flags.append("domestic_abuse")
    person = contact.person
    age = person.age
    modus: list[str] = []
    loss = None
    indicators: list[str] = []
    if code == "burglary_residential":
        team = rng.choice(["burglary-north", "burglary-south"])
        loss = round(rng.choice([0, 150, 400, 900, 1500, 2500, 4000]) * rng.uniform(0.8, 1.2))
        if rng.random() < 0.25:
            age = rng.randint(68, 93)
            modus = rng.choice([["distraction"], ["bogus_caller"], ["doorstep"], []])
            indicators = rng.sample(["lives_alone", "dementia", "disability"], rng.randint(0, 2))
    else:
        team = "volume-crime"
    body = {
        "reference": f"CR-{contact.reference}",
        "offence": code,
        "flags": sorted(set(flags)),
        "hate_strands": strands,
        "recorded_at": recorded,
        "occurred_at": recorded - dt.timedelta(hours=rng.randint(1, 30)),
        "location": {
            "postcode": f"{person.postcode} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNP')}Z"
            if person.postcode
            else "",
            "address_key": rng.choice(addresses) if code.startswith("burglary") else "",
        },
        "contact_reference": contact.reference,
        "officer_in_charge": rng.choice(officers),
        "team": team,
        "modus_operandi": modus,
        "financial_loss": loss,
        "victims": [
            {
                "name": person.name,
                "age": age if age is not None else 40,
                "phone": person.phone,
                "email": person.email,
                "language": person.language,
                "indicators": indicators,
                "consent": _consent(rng, recorded),
            }
        ],
    }
    address = str(body["location"]["address_key"])  # type: ignore[index]
    if address:
        body["location"].update(demo_place(address))  # type: ignore[attr-defined]
    crime = crime_ingest(force=force, data=CrimeIn.model_validate(body), actor=ACTOR).crime
    Referral.objects.filter(victim__crime=crime).update(created_at=recorded)
    return crime


def demo_place(address: str) -> dict[str, float]:
    """Where a demo address is: twelve streets of ten homes in St Albans, 20 m between doors
    and 300 to 600 m between streets, so burglaries on one street are near repeats."""
    number = int(address.rsplit("-", 1)[1])
    street, door = divmod(number, 10)
    return {
        "latitude": round(51.7380 + (street % 4) * 0.0027, 6),
        "longitude": round(-0.3520 + (street // 4) * 0.0090 + door * 0.0003, 6),
    }


def _work(crime: Crime, now: dt.datetime, rng: random.Random, staff: dict[str, User]) -> None:
    """What happened next: an assessment, suspect decisions, updates, referral work."""
    recorded = crime.recorded_at
    for victim in crime.victims.all():
        asked = recorded + dt.timedelta(hours=rng.uniform(1, 30))
        if asked < now and rng.random() < 0.6:
            needs_assessment_record(
                victim=victim,
                data=AssessmentIn(
                    asked_at=asked,
                    asked_by=crime.officer.number if crime.officer else "PC0000",
                    needs=rng.sample(["information", "security_advice", "emotional_support"], 1),
                    support_wanted=[],
                    # The officer agrees with what the rules proposed, mostly.
                    enhanced_rights=victim.enhanced != (rng.random() < 0.1),
                ),
                user=None,
                actor=ACTOR,
            )
    if rng.random() < 0.45:
        decided = recorded + dt.timedelta(days=rng.uniform(0.5, 12))
        if decided < now:
            decision = _event(crime, rng.choice(SUSPECT_DECISIONS), decided)
            roll = rng.random()
            told = decided + dt.timedelta(
                days=rng.uniform(0.2, 3) if roll < 0.7 else rng.uniform(5, 10)
            )
            if roll < 0.88 and told < now:
                _event(
                    crime, "victim_updated", told, how=rng.choice(["phone", "visit"]),
                    reports=[decision.pk],
                )  # fmt: skip
    sendable = [Referral.Status.OPEN, Referral.Status.SENT]
    for referral in Referral.objects.filter(victim__crime=crime, status__in=sendable):
        who = staff.get(
            "specialist" if referral.service == "older_person_liaison" else "victim_care"
        )
        took = recorded + dt.timedelta(days=rng.uniform(0.1, 4))
        if who is not None and took < now and rng.random() < 0.8:
            referral_accept(referral=referral, user=who, now=took)
            if referral.service == "older_person_liaison":
                visit = took + dt.timedelta(days=rng.uniform(0.5, 3))
                if visit < now:
                    referral_activity_add(
                        referral=referral, user=who, kind="visit", at=visit,
                        text="Home visit: security advice and a door chain fitted",
                    )  # fmt: skip


def _event(
    crime: Crime, kind: str, at: dt.datetime, how: str = "", reports: list[int] | None = None
) -> CrimeEvent:
    return crime_event_add(
        crime=crime,
        data=EventIn.model_validate({"kind": kind, "at": at, "how": how, "reports": reports or []}),
        actor=ACTOR,
    )


def _consent(rng: random.Random, at: dt.datetime) -> dict[str, object]:
    """Most victims were asked about sharing with partners; most agreed."""
    roll = rng.random()
    if roll < 0.15:
        return {}
    return {
        "share_with_partners": {"given": roll < 0.85, "asked_at": at.isoformat(), "how": "phone"}
    }
