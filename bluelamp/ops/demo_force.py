"""The demo force itself: its teams and their rota, call handlers, one user per role, its
contact rules and its API token.

Everything here touches only the force with slug ``demo``.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission

from bluelamp.forces.models import ApiToken, Force, Role, StaffMember, Team, User, hash_token
from bluelamp.lib.workdays import LONDON
from bluelamp.ops.demo_people import FIRST_NAMES, SURNAMES
from bluelamp.surveys.models import ContactRuleSet
from bluelamp.surveys.services import contact_rules_save

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Constabulary (Hertfordshire data)"
API_CLIENT_NAME = "demo"

# Four control-room teams on a rota; Charlie is the team whose callers are less satisfied,
# so the live view has something to find.
TEAMS: list[tuple[str, str]] = [
    ("alpha", "Alpha team"),
    ("bravo", "Bravo team"),
    ("charlie", "Charlie team"),
    ("delta", "Delta team"),
]
WORSE_TEAM = "charlie"
# Specialist services that receive victim-care referrals; a team's code is the service's.
SERVICE_TEAMS = [
    ("older_person_liaison", "Older person liaison"),
    ("victim_support", "Victim Support"),
    ("trading_standards", "Trading Standards"),
    ("safeguarding_hub", "Safeguarding hub"),
]
DUTY_INSPECTOR = "demo-duty-inspector"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    scope: str  # "all" teams, "none", or one team's code
    description: str


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


class DemoError(Exception):
    """The demo cannot be set up as asked (for example a username taken by another force)."""


def team_on_duty(at: dt.datetime) -> str:
    """The team on duty: four teams rota two 12-hour shifts a day, from 07:00 and 19:00.

    The team on days on day N is on nights on day N + 2, so every team works as many busy
    day shifts as quiet night shifts.
    """
    local = at.astimezone(LONDON)
    shift_day = local.date() if local.hour >= 7 else local.date() - dt.timedelta(days=1)
    night = not 7 <= local.hour < 19
    return TEAMS[(shift_day.toordinal() + (2 if night else 0)) % len(TEAMS)][0]


def demo_handlers(force: Force) -> dict[str, list[str]]:
    """The force's call handlers' staff numbers, by team code."""
    out: dict[str, list[str]] = {}
    for number, code in StaffMember.objects.filter(
        force=force, kind=StaffMember.Kind.CALL_HANDLER, team__isnull=False
    ).values_list("number", "team__code"):
        out.setdefault(code, []).append(number)
    return out


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
