"""The demonstration force: teams, call handlers, one user per role and 28 days of history.

History is made through the product's own services (``contact_ingest``,
``invitations_send_due``, ``response_submit``, ``person_opt_out``, the recovery services
``case_transition``, ``case_reassign`` and the overdue job), so every decision, outbox
message, response and recovery case is one the product itself would have made. The crime
mix and places follow the police.uk street files for Hertfordshire when they are there
(``SHARED_DATA_DIR/policeuk-hertfordshire/street``), and a fixed synthetic mix when they are
not. People are always invented: names from a short list, phones in Ofcom's drama ranges,
emails at example.com.

Everything here touches only the force with slug ``demo``.
"""

import csv
import datetime as dt
import heapq
import itertools
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from bluelamp.delivery.models import OutboxMessage
from bluelamp.delivery.queue import run_due
from bluelamp.forces.models import ApiToken, Force, Role, StaffMember, Team, User, hash_token
from bluelamp.intake.models import Contact, Person
from bluelamp.intake.schemas import ContactIn
from bluelamp.intake.services import contact_ingest
from bluelamp.lib import clock as wall
from bluelamp.recovery.defaults import default_rule_set
from bluelamp.recovery.models import CaseAction, RecoveryCase
from bluelamp.recovery.services import (
    case_note_add,
    case_reassign,
    case_transition,
    cases_escalate_overdue,
    rules_save,
)
from bluelamp.surveys import logic
from bluelamp.surveys.models import ContactRuleSet, Invitation, Response
from bluelamp.surveys.services import contact_rules_save, person_opt_out, response_submit

LONDON = ZoneInfo("Europe/London")

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Constabulary (Hertfordshire data)"
HISTORY_DAYS = 28
DEFAULT_CONTACTS = 1600
API_CLIENT_NAME = "demo"
SEED_ACTOR = "demo-seed"

# Four control-room teams on a rota; Charlie is the team whose callers are less satisfied,
# so the live view has something to find.
TEAMS: list[tuple[str, str]] = [
    ("alpha", "Alpha team"),
    ("bravo", "Bravo team"),
    ("charlie", "Charlie team"),
    ("delta", "Delta team"),
]
WORSE_TEAM = "charlie"

# fmt: off
FIRST_NAMES = [
    "Alex", "Amira", "Ben", "Bethan", "Callum", "Chloe", "Dev", "Dylan", "Eleri", "Femi",
    "Grace", "Hamza", "Isla", "Jack", "Jas", "Kai", "Leah", "Maya", "Nia", "Noah",
    "Olu", "Priya", "Rhys", "Ruth", "Sam", "Tariq", "Tom", "Una", "Wes", "Zoe",
]
SURNAMES = [
    "Ashdown", "Brightwell", "Carrow", "Dunmore", "Ellery", "Fenwick", "Garside", "Hollis",
    "Ingram", "Jessop", "Kettering", "Lowther", "Marlow", "Northcott", "Oakhurst", "Pendle",
    "Quarry", "Rushmere", "Stanway", "Thornbury", "Upwood", "Vane", "Westcott", "Yardley",
]
# fmt: on

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

# Control-room demand by hour of the day (local time): quiet before dawn, busiest in the
# late afternoon and evening.
# fmt: off
HOURLY_DEMAND = [
    2.0, 1.5, 1.2, 1.0, 1.0, 1.2, 1.8, 2.8, 3.8, 4.6, 5.2, 5.6,
    5.8, 5.9, 6.0, 6.3, 6.8, 7.0, 6.8, 6.2, 5.4, 4.6, 3.6, 2.6,
]
# fmt: on

# Whole-experience scores 1 to 7. Most callers are satisfied and about one in seven is
# dissatisfied overall; anti-social behaviour's callers less often satisfied, as in most
# forces, and the worse team's least.
SCORE_WEIGHTS = [3, 3, 5, 5, 16, 32, 36]
ASB_SCORE_WEIGHTS = [5, 5, 8, 6, 18, 29, 29]
WORSE_SCORE_WEIGHTS = [10, 9, 11, 7, 18, 24, 21]
RESPONSE_RATE = {"sms": 0.4, "email": 0.25}
OPT_OUT_RATE = 0.015

PRAISE = [
    "The call handler was calm and kind and made me feel I was being taken seriously.",
    "Really quick to answer and the officer came the same evening. Thank you.",
    "I was nervous about calling but the lady I spoke to was lovely and patient.",
    "Clear advice about what to do next and a reference number straight away.",
    "Very professional. I was kept informed by text, which I appreciated.",
    "They checked I was safe before anything else. That meant a lot.",
    "Better than I expected. The person on the phone really listened.",
    "Thank you for ringing back when you said you would.",
]
COMPLAINTS = [
    "I waited a long time on hold before anyone answered.",
    "Nobody told me what would happen next and I have heard nothing since.",
    "I was told an officer would come but nobody turned up.",
    "The person I spoke to seemed rushed and did not let me finish.",
    "I had to repeat everything three times to different people.",
    "I was given a reference number and then nothing. It feels like nobody cares.",
    "The online form kept timing out and I had to start again.",
    "I felt judged for calling. It was not a waste of police time to me.",
]
NEUTRAL_REMARKS = [
    "It was fine but I would have liked an update.",
    "Quick to answer, but I am not sure anything will come of it.",
    "Would be good to get a text when something changes.",
]
CASE_NOTES = {
    "contacted": "Spoke to the caller, apologised and explained what happens next.",
    "resolved": "Listened to the concerns and explained the plan. Caller content.",
    "attempt": "No answer; voicemail left asking them to ring back.",
    "could_not_contact": "Three attempts to call back with no answer; voicemail left each time.",
    "closed": "Nothing further to do.",
    "escalated": "Caller wishes to make a formal complaint; passed to Professional Standards.",
    "reassign": "Overdue: giving it to victim care, who have time today.",
}
# How supervisors work their cases: each path is its steps, each with the range of hours
# after the step before (or the opening) when it comes. "late" cases are not reached in time:
# the overdue job escalates them to the duty inspector, who hands them to victim care.
# Professional Standards take weeks over a complaint, so escalated cases stay open a while.
CASE_PATHS: dict[str, list[tuple[str, float, float]]] = {
    "resolved": [("contacted", 1, 20), ("resolved", 0.5, 72), ("closed", 12, 96)],
    "no_action": [("contacted", 1, 20), ("closed", 0.1, 1)],
    "complaint": [("contacted", 1, 20), ("escalated", 0.2, 2), ("closed", 240, 720)],
    "could_not_contact": [("attempt", 1, 8), ("could_not_contact", 4, 14), ("closed", 48, 168)],
    "late": [("reassign", 26, 30), ("contacted", 1, 30), ("resolved", 0.5, 72), ("closed", 12, 96)],
    "open": [],
}
CASE_PATH_WEIGHTS = [
    ("resolved", 52),
    ("no_action", 10),
    ("complaint", 6),
    ("could_not_contact", 14),
    ("late", 12),
    ("open", 6),
]
DUTY_INSPECTOR = "demo-duty-inspector"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    scope: str  # "all" teams, "none", or one team's code
    description: str


# Specialist services that receive victim-care referrals; a team's code is the service's.
SERVICE_TEAMS = [
    ("older_person_liaison", "Older person liaison"),
    ("victim_support", "Victim Support"),
    ("trading_standards", "Trading Standards"),
    ("safeguarding_hub", "Safeguarding hub"),
]

# One demo-only password for every demo user, printed on every run: hashing a password
# takes a noticeable fraction of a second by design, so it is hashed once, not per user. The
# demo serves only on the loopback address.
DEMO_PASSWORD = "bluelamp-demo"  # noqa: S105
DEMO_USERS: list[DemoUser] = [
    DemoUser("demo-supervisor", Role.SUPERVISOR, "all", "all teams"),
    DemoUser("demo-supervisor-charlie", Role.SUPERVISOR, WORSE_TEAM, "Charlie team only"),
    DemoUser("demo-call-handler", Role.CALL_HANDLER, "alpha", "Alpha team"),
    DemoUser("demo-victim-care", Role.VICTIM_CARE, "none", "whole force"),
    DemoUser(
        "demo-specialist", Role.SPECIALIST, "older_person_liaison", "older person liaison referrals"
    ),
    DemoUser("demo-investigator", Role.INVESTIGATOR, "none", "whole force"),
    DemoUser("demo-analyst", Role.ANALYST, "none", "whole force"),
    DemoUser("demo-admin", Role.ADMINISTRATOR, "none", "whole force, and the Django admin"),
    DemoUser(DUTY_INSPECTOR, Role.SUPERVISOR, "none", "overdue recovery cases escalated to them"),
]

# What the demo administrator may do in the Django admin: the force-scoped pages only. Not
# users: Django's user page lets anyone who may change users make themselves a superuser.
ADMIN_PERMISSIONS = [
    ("forces", "view_team"),
    ("forces", "change_team"),
    ("forces", "add_team"),
    ("forces", "view_staffmember"),
    ("forces", "change_staffmember"),
    ("forces", "add_staffmember"),
    ("forces", "view_apitoken"),
    ("forces", "change_apitoken"),
    ("audit", "view_auditevent"),
    ("surveys", "view_incidenttype"),
    ("surveys", "view_surveytemplate"),
]


class DemoError(Exception):
    """The demo cannot be set up as asked (for example a username taken by another force)."""


# --- The crime mix and invented people -----------------------------------------------------


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


@dataclass(frozen=True)
class CrimeMix:
    """What contacts are about and where: police.uk rows (crime type, local authority)."""

    rows: tuple[tuple[str, str], ...]
    source: str

    def draw(self, rng: random.Random) -> tuple[str, str]:
        """An incident type code and a postcode district, following the mix."""
        if rng.random() < INCIDENT_SHARE:
            code = _weighted(rng, INCIDENT_TYPES)
            return code, rng.choice(ALL_DISTRICTS)
        if self.rows:
            crime_type, authority = rng.choice(self.rows)
        else:
            crime_type = _weighted(rng, list(SYNTHETIC_CRIME_TYPES.items()))
            authority = ""
        code = _weighted(rng, POLICE_UK_TYPES.get(crime_type, [("other", 1)]))
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


@dataclass(frozen=True)
class FakePerson:
    name: str
    phone: str
    email: str
    age: int
    language: str


def people_pool(size: int = 1000) -> list[FakePerson]:
    """Invented people, the same on every run so that repeat callers stay the same person.

    Mobile numbers are 07700 900000 to 07700 900999 and landlines 01632 960000 to 01632
    960999 (Ofcom's ranges for drama), emails are at example.com. A few have only a
    landline or nothing at all, and a few are under 16, so exclusions show.
    """
    rng = random.Random(20_260_101)
    people = []
    for i in range(min(size, 1000)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        email = f"{first}.{last}{i}@example.com".lower()
        mobile = f"07700 900{i:03d}"
        landline = f"01632 960{i:03d}"
        r = rng.random()
        if r < 0.55:
            phone, mail = mobile, ""
        elif r < 0.82:
            phone, mail = mobile, email
        elif r < 0.9:
            phone, mail = "", email
        elif r < 0.95:
            phone, mail = landline, ""
        elif r < 0.97:
            phone, mail = landline, email
        else:
            phone, mail = "", ""
        age = rng.randint(12, 15) if rng.random() < 0.03 else rng.randint(18, 92)
        language = "cy" if rng.random() < 0.02 else "en"
        people.append(FakePerson(f"{first} {last}", phone, mail, age, language))
    return people


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
        return _weighted(rng, [("999", 60), ("101", 30), ("online", 8), ("front_counter", 2)])
    return _weighted(
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


def team_on_duty(at: dt.datetime) -> str:
    """The team on duty: four teams rota two 12-hour shifts a day, from 07:00 and 19:00.

    The team on days on day N is on nights on day N + 2, so every team works as many busy
    day shifts as quiet night shifts.
    """
    local = at.astimezone(LONDON)
    shift_day = local.date() if local.hour >= 7 else local.date() - dt.timedelta(days=1)
    night = not 7 <= local.hour < 19
    return TEAMS[(shift_day.toordinal() + (2 if night else 0)) % len(TEAMS)][0]


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


# --- Answers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    form: dict[str, str]
    callback: bool


def score_draw(
    rng: random.Random, *, team: str, incident_type: str, waited: int | None = None
) -> int:
    """A whole-experience score: most satisfied; the worse team, ASB callers and callers who
    waited long to be answered less so."""
    weights = SCORE_WEIGHTS
    if incident_type == "antisocial_behaviour":
        weights = ASB_SCORE_WEIGHTS
    if team == WORSE_TEAM:
        weights = WORSE_SCORE_WEIGHTS
    score = rng.choices(range(1, 8), weights=weights)[0]
    if waited is not None and waited > 120 and rng.random() < 0.4:
        score -= 1
    if waited is not None and waited > 300 and rng.random() < 0.5:
        score -= 2
    return max(1, score)


def answer_draw(rng: random.Random, definition: logic.Definition, score: int) -> Answer:
    """A plausible set of answers to a template, consistent with the whole-experience score."""
    form: dict[str, str] = {}
    for q in definition.questions:
        if not logic.is_shown(q, form):
            continue
        if q.id == logic.WHOLE_EXPERIENCE:
            form[q.id] = str(score)
        elif q.kind == "scale7":
            if rng.random() < 0.08:
                continue  # optional questions are sometimes skipped
            # Ease of contact and treatment by the call handler are usually rated a little
            # above the whole experience, which also reflects what happened afterwards.
            lift = 1 if q.id in ("ease_of_contact", "treatment") and rng.random() < 0.4 else 0
            form[q.id] = str(max(1, min(7, score + lift + rng.choice([-1, 0, 0, 1]))))
        elif q.id == "wants_support":
            # Most callers want no more than they had; some, often the dissatisfied, ask.
            if rng.random() < 0.3:
                continue
            form[q.id] = "yes" if rng.random() < (0.15 if score <= 3 else 0.04) else "no"
        elif q.kind == "yes_no":
            if rng.random() < 0.05:
                continue
            form[q.id] = "yes" if rng.random() < (0.85 if score >= 5 else 0.4) else "no"
        elif q.kind == "choice":
            form[q.id] = rng.choice(q.options).value
        elif q.kind == "text":
            text = _text_draw(rng, q.id, score)
            if text:
                form[q.id] = text
    callback = rng.random() < (0.3 if score <= 3 else 0.03)
    return Answer(form, callback)


def _text_draw(rng: random.Random, question_id: str, score: int) -> str:
    if question_id == "what_went_wrong":
        if score <= 3 and rng.random() < 0.55:
            return rng.choice(COMPLAINTS)
        if score == 4 and rng.random() < 0.3:
            return rng.choice(NEUTRAL_REMARKS)
        return ""
    if score >= 6 and rng.random() < 0.1:
        return rng.choice(PRAISE)
    if score <= 3 and rng.random() < 0.1:
        return rng.choice(COMPLAINTS)
    return ""


def invitation_answer(
    *, rng: random.Random, invitation: Invitation, now: dt.datetime
) -> Response | None:
    """Answer one sent invitation as its respondent might, through ``response_submit``."""
    contact = invitation.contact
    team = contact.team.code if contact.team else ""
    score = score_draw(
        rng, team=team, incident_type=contact.incident_type_id, waited=contact.answer_seconds
    )
    assert invitation.template is not None
    definition = logic.parse_definition(invitation.template.definition)
    answer = answer_draw(rng, definition, score)
    submitted = response_submit(
        invitation_id=invitation.pk,
        form=answer.form,
        callback_requested=answer.callback,
        language=invitation.language,
        now=now,
    )
    return submitted.response


# --- The force, its people and users ---------------------------------------------------------


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


def demo_handlers(force: Force) -> dict[str, list[str]]:
    """The force's call handlers' staff numbers, by team code."""
    out: dict[str, list[str]] = {}
    for number, code in StaffMember.objects.filter(
        force=force, kind=StaffMember.Kind.CALL_HANDLER, team__isnull=False
    ).values_list("number", "team__code"):
        out.setdefault(code, []).append(number)
    return out


# The demo force sends as soon as a contact is taken in, so the live view moves while you
# watch (the shipped rules wait 6 hours), samples half of 101 calls, and caps surveys at one a
# week per person: its 1,000 invented people call far more often than real ones.
DEMO_CONTACT_RULES = {
    "stages": {"first_contact": {"delay_hours": 0}},
    "frequency_days": 7,
    "sampling": [
        {"id": "burglary_all", "incident_types": ["burglary_residential"], "share": 1.0},
        {"id": "calls_101_half", "channels": ["101"], "share": 0.5},
        {"id": "everyone_else", "share": 1.0},
    ],
}


def demo_force_setup(*, handlers_per_team: int = 5) -> tuple[Force, list[str]]:
    """The demo force, its teams, call handlers and one user per role (idempotent).

    Returns the force and what was newly created. Passwords are set only when a user is
    created, so a password changed since is kept.
    """
    created: list[str] = []
    force, made = Force.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": DEMO_NAME, "short_name": "Demo Police"}
    )
    if made:
        created.append(f"force {DEMO_SLUG}")
    if not ContactRuleSet.objects.filter(force=force).exists():
        contact_rules_save(force=force, definition=DEMO_CONTACT_RULES, user=None)
        created.append("contact rules")
    teams: dict[str, Team] = {}
    for code, name in TEAMS:
        teams[code], made = Team.objects.get_or_create(
            force=force, code=code, defaults={"name": name}
        )
        if made:
            created.append(f"team {code}")
    for code, name in SERVICE_TEAMS:  # teams that receive referrals, with no call handlers
        teams[code], made = Team.objects.get_or_create(
            force=force, code=code, defaults={"name": name}
        )
        if made:
            created.append(f"team {code}")
    names = random.Random(7)
    for t, (code, _) in enumerate(TEAMS):
        for i in range(handlers_per_team):
            number = f"CH{1000 + t * 100 + i + 1}"
            name = f"{names.choice(FIRST_NAMES)} {names.choice(SURNAMES)}"
            _, made = StaffMember.objects.get_or_create(
                force=force,
                number=number,
                defaults={"name": name, "kind": StaffMember.Kind.CALL_HANDLER, "team": teams[code]},
            )
            if made:
                created.append(f"call handler {number}")
    permissions = [
        p
        for p in Permission.objects.filter(
            codename__in=[codename for _, codename in ADMIN_PERMISSIONS]
        ).select_related("content_type")
        if (p.content_type.app_label, p.codename) in ADMIN_PERMISSIONS
    ]
    hashed = ""
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is not None and user.force_id != force.pk:
            raise DemoError(f"username {spec.username!r} already belongs to another force")
        if user is None:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user = User(username=spec.username, password=hashed, force=force, role=spec.role)
            user.save()
            created.append(f"user {spec.username}")
        user.role = spec.role
        user.is_staff = spec.role == Role.ADMINISTRATOR
        user.save(update_fields=["role", "is_staff"])
        if spec.scope == "all":
            user.teams.set([teams[code] for code, _ in TEAMS])
        elif spec.scope in teams:
            user.teams.set([teams[spec.scope]])
        else:
            user.teams.clear()
        if spec.role == Role.ADMINISTRATOR:
            user.user_permissions.set(permissions)
    return force, created


def demo_token_replace(force: Force) -> str:
    """A fresh API token for the demo force; the previous demo token stops working.

    Only the hash is stored, so the token can be shown only now: replacing it on each run
    keeps exactly one demo token while still printing one that works.
    """
    ApiToken.objects.filter(force=force, name=API_CLIENT_NAME).delete()
    token = ApiToken.generate()
    ApiToken.objects.create(
        force=force, name=API_CLIENT_NAME, digest=hash_token(token), prefix=token[:8]
    )
    return token


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
    in one transaction, so an interrupted run leaves none of it behind.
    """
    now = now or timezone.now()
    with transaction.atomic():
        force, created = demo_force_setup()
        token = demo_token_replace(force)
    mix = crime_mix_read(data_dir, max_rows)
    seeded = Seeded(force, DEMO_USERS, token, mix.source, created=created)
    from bluelamp.ops.demo_calls import demo_calls_seed
    from bluelamp.ops.demo_care import demo_care_seed

    seeded.call_intervals = demo_calls_seed(force, now, random.Random(seed))
    if not Contact.objects.filter(force=force).exists():
        started = time.monotonic()
        with transaction.atomic():
            seeded.history = _history_make(
                force=force, size=contacts, mix=mix, rng=random.Random(seed), now=now
            )
        seeded.history.seconds = time.monotonic() - started
    seeded.crimes = demo_care_seed(force, now, random.Random(seed))
    return seeded


# --- History ---------------------------------------------------------------------------------


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


def _reply_delay(rng: random.Random) -> dt.timedelta:
    """Most people answer within the hour of the text; some the next day; a few later."""
    r = rng.random()
    if r < 0.55:
        return dt.timedelta(minutes=2 + rng.expovariate(1 / 40))
    if r < 0.9:
        return dt.timedelta(hours=rng.uniform(2, 24))
    return dt.timedelta(days=rng.uniform(1, 5))


@dataclass(order=True)
class _Event:
    at: dt.datetime
    seq: int
    kind: str = field(compare=False)
    target: int = field(compare=False)  # contact index, invitation id or case id
    detail: str = field(compare=False, default="")


class _Clock:
    """Events in time order: contacts arrive, people answer, supervisors work their cases."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self._heap: list[_Event] = []
        self._seq = itertools.count()

    def add(self, at: dt.datetime, kind: str, target: int, detail: str = "") -> None:
        # What would happen after now has not happened yet: the invitation stays open, the
        # case stays open, as they would in a real control room.
        if at < self.now:
            heapq.heappush(self._heap, _Event(at, next(self._seq), kind, target, detail))

    def __iter__(self) -> Iterator[_Event]:
        while self._heap:
            yield heapq.heappop(self._heap)


def _history_make(
    *, force: Force, size: int, mix: CrimeMix, rng: random.Random, now: dt.datetime
) -> History:
    people = people_pool()
    handlers = demo_handlers(force)
    supervisor = User.objects.get(username=DEMO_USERS[0].username)
    arrivals = _arrivals(rng, size, now)
    clock = _Clock(now)
    for i, at in enumerate(arrivals):
        clock.add(at, "contact", i)
    _recovery_rules_seed(force)
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
            _case_replay(
                case_id=event.target, step=event.detail, at=event.at, user=supervisor,
                clock=clock, rng=rng,
            )  # fmt: skip
        elif event.kind == "escalate":
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
    *, force: Force, data: ContactIn, clock: _Clock, rng: random.Random, stats: History
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
    *, invitation_id: int, at: dt.datetime, clock: _Clock, rng: random.Random, stats: History
) -> None:
    """The worker's turn at ``at``: this invitation, and any reminder that fell due, go out."""
    run_due(now=at, worker="demo")
    invitation = Invitation.objects.only("status", "via").get(pk=invitation_id)
    if invitation.status != Invitation.Status.SENT:
        return
    stats.sent += 1
    if rng.random() < OPT_OUT_RATE:
        clock.add(at + _reply_delay(rng), "opt_out", invitation.pk)
    elif rng.random() < RESPONSE_RATE.get(invitation.via, 0.3):
        clock.add(at + _reply_delay(rng), "answer", invitation.pk)


def _answer_replay(
    *, invitation_id: int, at: dt.datetime, clock: _Clock, rng: random.Random, stats: History
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
    path = _weighted(rng, CASE_PATH_WEIGHTS)
    _case_step_schedule(case.pk, path, 0, at, clock, rng)


def _recovery_rules_seed(force: Force) -> None:
    """The shipped recovery rules, saved as the force's own with the duty inspector named to
    take overdue cases."""
    admin = User.objects.get(username="demo-admin")
    rules = {**default_rule_set(), "escalate_to": DUTY_INSPECTOR}
    rules_save(force=force, definition=rules, user=admin)


def _case_step_schedule(
    case_id: int, path: str, index: int, after: dt.datetime, clock: _Clock, rng: random.Random
) -> None:
    steps = CASE_PATHS[path]
    if index < len(steps):
        _, low, high = steps[index]
        at = after + dt.timedelta(hours=rng.uniform(low, high))
        clock.add(at, "case", case_id, f"{path}:{index}")


def _case_replay(
    *, case_id: int, step: str, at: dt.datetime, user: User, clock: _Clock, rng: random.Random
) -> None:
    """One step of a case's path, taken by its owner (or the supervisor of every team)."""
    path, index = step.split(":")
    what = CASE_PATHS[path][int(index)][0]
    case = RecoveryCase.objects.select_related("force", "owner").get(pk=case_id)
    by = case.owner or user
    if what == "attempt":
        kind = CaseAction.Kind.CONTACT_ATTEMPT
        case_note_add(case=case, user=by, kind=kind, text=CASE_NOTES[what], now=at)
    elif what == "reassign":
        if by.username != DUTY_INSPECTOR:
            return  # the job has not escalated it (the rules changed): the path stops here
        helper = User.objects.get(username="demo-victim-care")
        case_reassign(case=case, user=by, owner=helper, note=CASE_NOTES[what], now=at)
    else:
        case_transition(case=case, user=by, status=what, note=CASE_NOTES[what], now=at)
    follow_up = case.follow_up_invitation
    if what == "resolved" and follow_up is not None and follow_up.send_at is not None:
        clock.add(follow_up.send_at, "send", follow_up.pk)  # the survey after recovery
    _case_step_schedule(case_id, path, int(index) + 1, at, clock, rng)
