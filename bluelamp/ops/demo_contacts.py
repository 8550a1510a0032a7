"""The demo's contacts: what they are about and where (the crime mix), and each one shaped as a
force system would push it.

The crime mix and places follow the police.uk street files for Hertfordshire when they are
there (``SHARED_DATA_DIR/policeuk-hertfordshire/street``), and a fixed synthetic mix when they
are not. The people are invented (``demo_people``).
"""

import csv
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from bluelamp.intake.schemas import ContactIn
from bluelamp.ops.demo_force import team_on_duty
from bluelamp.ops.demo_people import FakePerson

# police.uk "Crime type" to our incident type codes, with weights where one police.uk
# category covers several of ours (violence includes domestic abuse and sexual offences, so
# the demo shows sensitive types being excluded).
POLICE_UK_TYPES: dict[str, list[tuple[str, int]]] = {
    "Burglary": [("burglary_residential", 70), ("burglary_other", 30)],
    "Robbery": [("robbery_personal", 1)],
    "Theft from the person": [("theft_from_person", 1)],
    "Other theft": [("theft_other", 1)],
    "Bicycle theft": [("theft_other", 1)],
    "Shoplifting": [("shoplifting", 1)],
    "Vehicle crime": [("vehicle_crime", 1)],
    "Criminal damage and arson": [("criminal_damage", 1)],
    "Anti-social behaviour": [("antisocial_behaviour", 1)],
    "Violence and sexual offences": [
        ("violence", 76),
        ("domestic_abuse", 16),
        ("sexual_offence", 6),
        ("stalking_harassment", 2),
    ],
    "Public order": [("other", 85), ("hate_crime", 15)],
    "Drugs": [("other", 1)],
    "Possession of weapons": [("other", 1)],
    "Other crime": [("other", 1)],
}
# The same mix (Hertfordshire, January 2022) for when the police.uk folder is missing.
SYNTHETIC_CRIME_TYPES: dict[str, int] = {
    "Violence and sexual offences": 2599,
    "Anti-social behaviour": 1702,
    "Other theft": 711,
    "Vehicle crime": 629,
    "Criminal damage and arson": 620,
    "Shoplifting": 487,
    "Public order": 378,
    "Burglary": 372,
    "Drugs": 193,
    "Other crime": 119,
    "Theft from the person": 86,
    "Bicycle theft": 64,
    "Possession of weapons": 50,
    "Robbery": 48,
}
# Calls that are not crimes never appear in police.uk's crime files, but are a real part of
# a control room's day.
INCIDENT_SHARE = 0.1
INCIDENT_TYPES: list[tuple[str, int]] = [
    ("road_traffic_collision", 45),
    ("concern_for_welfare", 35),
    ("missing_person", 20),
]
# Postcode districts (outward codes only) for the local authority in an LSOA name.
DISTRICTS: dict[str, list[str]] = {
    "Broxbourne": ["EN8", "EN10", "EN11"],
    "Dacorum": ["HP1", "HP2", "HP3", "HP4", "HP23"],
    "East Hertfordshire": ["SG12", "SG13", "SG14", "CM21", "CM23"],
    "Hertsmere": ["WD6", "WD7", "EN6"],
    "North Hertfordshire": ["SG4", "SG5", "SG6", "SG7", "SG8"],
    "St Albans": ["AL1", "AL2", "AL3", "AL4", "AL5"],
    "Stevenage": ["SG1", "SG2"],
    "Three Rivers": ["WD3", "WD4", "WD5"],
    "Watford": ["WD17", "WD18", "WD19", "WD24", "WD25"],
    "Welwyn Hatfield": ["AL6", "AL7", "AL8", "AL9", "AL10"],
}
ALL_DISTRICTS = [d for ds in DISTRICTS.values() for d in ds]


def weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    """One of ``choices`` drawn by weight; every weighted choice of the demo goes through it."""
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


@dataclass(frozen=True)
class CrimeMix:
    """What contacts are about and where: police.uk rows (crime type, local authority)."""

    rows: tuple[tuple[str, str], ...]
    source: str

    def draw(self, rng: random.Random) -> tuple[str, str]:
        """An incident type code and a postcode district, following the mix."""
        if rng.random() < INCIDENT_SHARE:
            code = weighted(rng, INCIDENT_TYPES)
            return code, rng.choice(ALL_DISTRICTS)
        if self.rows:
            crime_type, authority = rng.choice(self.rows)
        else:
            crime_type = weighted(rng, list(SYNTHETIC_CRIME_TYPES.items()))
            authority = ""
        code = weighted(rng, POLICE_UK_TYPES.get(crime_type, [("other", 1)]))
        return code, rng.choice(DISTRICTS.get(authority, ALL_DISTRICTS))


def crime_mix_read(folder: Path | None = None, max_rows: int = 20_000) -> CrimeMix:
    """Read up to ``max_rows`` police.uk street rows, newest month first.

    Only the crime type and the local authority (from the LSOA name) are kept. A missing or
    empty folder gives the synthetic mix.
    """
    if folder is None:
        folder = Path(settings.SHARED_DATA_DIR) / "policeuk-hertfordshire" / "street"
    files = sorted(folder.glob("*-street.csv"), reverse=True) if folder.is_dir() else []
    rows: list[tuple[str, str]] = []
    for path in files:
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                authority = (row.get("LSOA name") or "").rsplit(" ", 1)[0]
                rows.append((row.get("Crime type") or "", authority))
                if len(rows) >= max_rows:
                    break
        if len(rows) >= max_rows:
            break
    if not rows:
        return CrimeMix((), "synthetic mix (no police.uk files found)")
    return CrimeMix(tuple(rows), f"police.uk street data, {len(rows)} rows from {folder}")


# Types more often reported by 999 than online.
URGENT_TYPES = frozenset(
    {
        "violence",
        "robbery_personal",
        "road_traffic_collision",
        "missing_person",
        "domestic_abuse",
        "concern_for_welfare",
    }
)


def _channel(rng: random.Random, code: str) -> str:
    if code in URGENT_TYPES:
        return weighted(rng, [("999", 60), ("101", 30), ("online", 8), ("front_counter", 2)])
    return weighted(
        rng, [("999", 12), ("101", 50), ("online", 33), ("front_counter", 3), ("other", 2)]
    )


def _answer_seconds(rng: random.Random, channel: str) -> int | None:
    if channel == "999":
        return rng.randint(2, 20)
    if channel == "101":
        return min(3600, int(rng.expovariate(1 / 240)))
    return None


def _flags(rng: random.Random, code: str, person: FakePerson) -> list[str]:
    flags = []
    if code == "domestic_abuse" and rng.random() < 0.8:
        flags.append("domestic_abuse")
    if code == "violence" and rng.random() < 0.03:
        flags.append("suspect_may_share_phone")
    if rng.random() < 0.005:
        flags.append("do_not_contact")
    if person.age >= 80 and rng.random() < 0.5:
        flags.append("elderly")
    return flags


def contact_data(
    *,
    rng: random.Random,
    mix: CrimeMix,
    people: Sequence[FakePerson],
    handlers: dict[str, list[str]],
    reference: str,
    received_at: dt.datetime,
) -> ContactIn:
    """One invented contact, shaped as a force system would push it."""
    code, district = mix.draw(rng)
    person = rng.choice(people)
    team = team_on_duty(received_at)
    channel = _channel(rng, code)
    return ContactIn.model_validate(
        {
            "reference": reference,
            "received_at": received_at,
            "channel": channel,
            "incident_type": code,
            "call_handler": rng.choice(handlers[team]) if handlers.get(team) else "",
            "team": team,
            "answer_seconds": _answer_seconds(rng, channel),
            "person": {
                "name": person.name,
                "phone": person.phone,
                "email": person.email,
                "age": person.age,
                "language": person.language,
                # Contacts carry no place of their own yet: the caller's postcode district
                # is where the police.uk crime was recorded.
                "postcode": district,
            },
            "flags": _flags(rng, code, person),
        }
    )
