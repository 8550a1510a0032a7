"""Access control that cannot forget a page: every URL pattern and every API operation, read
from the URL resolver and the OpenAPI document, is tried as anonymous, each role and another
force, and each answer is checked against the table below. A new page or operation fails
``test_every_page_and_operation_is_in_the_table`` until its row is written."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from bluelamp.api import api as ninja_api
from bluelamp.care.models import Referral, Victim
from bluelamp.forces.models import Force, Role, Team, User
from bluelamp.investigations.models import Checklist
from bluelamp.prevention.models import PreventionZone
from bluelamp.recovery.models import RecoveryCase
from tests.conftest import make_user
from tests.helpers import answer, make_contact
from tests.test_care import crime_body

ROLES = [r.value for r in Role]
LIVE = {"supervisor", "analyst", "administrator"}
RECOVERY = {"supervisor", "victim_care", "administrator"}
CARE = {"victim_care", "specialist", "investigator", "administrator"}
INVESTIGATIONS = {"supervisor", "investigator", "administrator"}
PREVENTION = {"supervisor", "investigator", "analyst", "administrator"}
OUTCOMES = INVESTIGATIONS | {"analyst"}


@dataclass(frozen=True)
class Page:
    """Who may open a page with GET. ``roles`` None: anyone, signed in or not. ``owned``: the
    page shows one of the force's objects, so another force gets a 404. ``post_only``: the page
    takes no GET (405 for everyone allowed). ``scoped``: roles that see only their own
    service's or team's objects, and the sample object is not theirs (404). ``bearer``: the
    page takes a bearer token, never a sign-in, so every visitor is refused (401, or 404 while
    no token is configured)."""

    roles: frozenset[str] | None
    owned: bool = False
    post_only: bool = False
    scoped: frozenset[str] = frozenset()
    bearer: bool = False
    # A board's poll: an anonymous visitor (a session that ended) gets the board's own
    # "signed out" notice, never the sign-in page, which the board would show inside itself.
    polled: bool = False


def staff(roles: set[str], **kw: Any) -> Page:
    return Page(frozenset(roles), **kw)


PUBLIC = Page(None)
SIGNED_IN = staff(set(ROLES))

# URL name -> who may open it. Provider webhooks authenticate by signature, not sign-in: they
# take no GET, and an unsigned POST is refused (tested in test_delivery_providers.py).
PAGES: dict[str, Page] = {
    "home": SIGNED_IN,
    "login": PUBLIC,
    "logout": Page(None, post_only=True),
    # Sign-in through the force's identity provider: open to anyone (off to the provider, or
    # back to the login page when none is configured; the flow is tested in test_oidc.py).
    "oidc_authentication_init": PUBLIC,
    "oidc_authentication_callback": PUBLIC,
    "respond": PUBLIC,
    "opt_out": Page(None, post_only=True),
    "live": staff(LIVE),
    "live_board": staff(LIVE, polled=True),
    "live_drill": staff(LIVE),
    "live_wall": staff(LIVE),
    "live_wall_board": staff(LIVE, polled=True),
    # A supervisor's correction of a comment's themes: POST only (tested in
    # test_theme_corrections.py, with the force, role and team scoping of the POST).
    "theme_correct": Page(None, post_only=True),
    "theme_model": staff({"administrator"}),
    "case_list": staff(RECOVERY),
    "case_detail": staff(RECOVERY, owned=True),
    "outbox": staff({"administrator"}),
    "lockouts": staff({"administrator"}),
    "notify-receipt": Page(None, post_only=True),
    "notify-inbound": Page(None, post_only=True),
    "twilio-status": Page(None, post_only=True),
    "twilio-inbound": Page(None, post_only=True),
    "contact_decisions": staff(LIVE),
    "referral_queue": staff(CARE),
    # A specialist sees only their own service's referrals; the sample is Victim Support's.
    "referral_detail": staff(CARE, owned=True, scoped=frozenset({"specialist"})),
    "referral_export": staff({"victim_care", "administrator"}),
    "referral_send": staff({"victim_care", "administrator"}),
    "care_duties": staff(CARE),
    "care_compliance": staff(CARE),
    "care_repeats": staff(CARE),
    "care_repeat_victims": staff(CARE),
    "care_reviews": staff({"victim_care", "administrator"}),
    "investigation_list": staff(INVESTIGATIONS),
    # A supervisor sees only their teams' crimes; the sample is another team's.
    "investigation_detail": staff(INVESTIGATIONS, owned=True, scoped=frozenset({"supervisor"})),
    "investigation_missed": staff(INVESTIGATIONS),
    "prevention_home": staff(PREVENTION),
    "prevention_run": Page(frozenset({"supervisor", "analyst", "administrator"}), post_only=True),
    "prevention_zones": staff(PREVENTION),
    # A supervisor sees only their teams' zones; the sample is another team's.
    "prevention_zone": staff(PREVENTION, owned=True, scoped=frozenset({"supervisor"})),
    "investigation_outcomes": staff(OUTCOMES),
    "investigation_satisfaction": staff(OUTCOMES),
    "healthz": PUBLIC,
    "metrics": Page(None, bearer=True),
}

# API operations ("METHOD /path") whose path names one of the force's objects: another
# force's token gets a 404, never the object. Every operation needs a token (401 without).
API_OWNED = {
    "GET /api/v1/contacts/{contact_id}",
    "GET /api/v1/recovery-cases/{case_id}",
    "GET /api/v1/crimes/{reference}",
    "POST /api/v1/crimes/{reference}/events",
    "POST /api/v1/crimes/{reference}/basics",
    "POST /api/v1/victims/{victim_id}/needs-assessment",
    "POST /api/v1/victims/{victim_id}/consent",
    "POST /api/v1/victims/{victim_id}/decisions",
}


def url_patterns() -> dict[str, str]:
    """Every named page pattern outside the admin and the API: name -> route."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith(("admin/", "api/")):
                    continue  # the admin has its own test; the API is walked from its document
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                assert p.name, f"the page at /{route} has no name, so no row in the table"
                found[p.name] = route

    walk(get_resolver().url_patterns, "")
    return found


def api_operations() -> list[str]:
    doc = ninja_api.get_openapi_schema()
    return [f"{m.upper()} {path}" for path, ops in doc["paths"].items() for m in ops]


def test_every_page_and_operation_is_in_the_table() -> None:
    pages = url_patterns()
    assert set(pages) - set(PAGES) == set(), "pages with no row in PAGES"
    assert set(PAGES) - set(pages) == set(), "rows in PAGES for pages that no longer exist"
    operations = api_operations()
    assert len(operations) >= 19
    assert API_OWNED - set(operations) == set(), "rows in API_OWNED for no operation"


@pytest.fixture
def world(force: Force, other_force: Force, team_a: Team, api: Client) -> dict[str, Any]:
    """One of each object the pages and operations look up, all in ``force``."""
    team = team_a
    case = RecoveryCase.objects.get(response=answer(force, "WALK-1", 1, team="team-a"))
    invitation = make_contact(force, "WALK-2")
    location = {"postcode": "AL1 3JS", "latitude": 51.752, "longitude": -0.336}
    crime = crime_body("41/12345/26", location=location)
    r = api.post("/api/v1/crimes", crime, content_type="application/json")
    assert r.status_code in (200, 201), r.content
    referral = Referral.objects.filter(victim__force=force).first()
    assert referral is not None
    victim = Victim.objects.filter(force=force).first()
    assert victim is not None
    return {
        "team": team,
        "case_id": case.pk,
        "response_id": case.response_id,
        "referral_id": referral.pk,
        "token": invitation.token,
        "contact_id": invitation.contact_id,
        "reference": "41/12345/26",
        "victim_id": victim.pk,
        "checklist_id": Checklist.objects.get(crime__reference="41/12345/26").pk,
        "zone_id": PreventionZone.objects.get(crime__reference="41/12345/26").pk,
    }


# Pages that need a query parameter (without it they answer 400, naming it).
QUERIES = {"referral_export": "?service=victim_support"}


def page_path(route: str, world: dict[str, Any], name: str = "") -> str:
    path = "/" + route
    for key in ("case_id", "referral_id", "token", "checklist_id", "response_id", "zone_id"):
        for converter in ("int", "str", "path"):
            path = path.replace(f"<{converter}:{key}>", str(world[key]))
    assert "<" not in path, f"no sample value for a parameter of /{route}"
    return path + QUERIES.get(name, "")


def expected(page: Page, role: str | None, same_force: bool) -> set[int]:
    """The statuses a GET may answer for this visitor."""
    allowed = page.roles is None or (role is not None and role in page.roles)
    if page.post_only:
        return {405}
    if page.bearer:
        return {401, 404}
    if page.polled and role is None:
        return {200}  # "signed out", in the board's words
    if page.roles is not None and role is None:
        return {302}  # to the sign-in page
    if not allowed:
        return {403}
    if page.owned and (not same_force or role in page.scoped):
        return {404}
    return {200, 302}


VISITORS = [None, *ROLES]


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda v: v or "anonymous")
def test_each_page_answers_each_visitor_as_the_table_says(
    login: Any, force: Force, other_force: Force, world: dict[str, Any], visitor: str | None
) -> None:
    pages = url_patterns()
    wrong = []
    for same_force in (True, False):
        if visitor is None and not same_force:
            continue
        client = Client()
        if visitor is not None:
            home = force if same_force else other_force
            teams = [world["team"]] if same_force else []
            user: User = make_user(home, f"walk-{visitor}-{same_force}", visitor, teams)
            client = login(user)
        for name, route in sorted(pages.items()):
            path = page_path(route, world, name)
            status = client.get(path).status_code
            want = expected(PAGES[name], visitor, same_force)
            if status not in want:
                wrong.append((path, "same force" if same_force else "other force", status, want))
            if status == 302 and visitor is None and PAGES[name].roles is not None:
                location = client.get(path)["Location"]
                if not location.startswith("/login/"):
                    wrong.append((path, "anonymous redirected to", location, "/login/"))
    assert not wrong, "\n".join(map(str, wrong))


def api_path(operation: str, world: dict[str, Any]) -> tuple[str, str]:
    method, path = operation.split(" ", 1)
    for name in ("contact_id", "case_id", "victim_id"):
        path = path.replace("{" + name + "}", str(world[name]))
    path = path.replace("{reference}", world["reference"].replace("/", "%2F"))
    assert "{" not in path, f"no sample value for a parameter of {operation}"
    return method, path


def call(client: Client, method: str, path: str, **headers: str) -> int:
    if method == "GET":
        return client.get(path, headers=headers).status_code
    return client.generic(
        method, path, "{}", content_type="application/json", headers=headers
    ).status_code


def test_every_api_operation_needs_a_token(world: dict[str, Any]) -> None:
    anonymous = Client()
    wrong = []
    for operation in api_operations():
        method, path = api_path(operation, world)
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            status = call(anonymous, method, path, **headers)
            if status != 401:
                wrong.append((operation, headers, status))
    assert not wrong, "\n".join(map(str, wrong))


def test_another_forces_token_never_reaches_this_forces_objects(
    api: Client, other_api: Client, world: dict[str, Any]
) -> None:
    wrong = []
    for operation in sorted(API_OWNED):
        method, path = api_path(operation, world)
        mine = call(api, method, path)
        theirs = call(other_api, method, path)
        if mine in (401, 403, 404) or mine >= 500:
            wrong.append((operation, "own force", mine))
        # A body is checked before the look-up, and an empty one is never valid: 400 says
        # nothing about whether the object exists.
        if theirs not in ({404} if method == "GET" else {400, 404}):
            wrong.append((operation, "other force", theirs))
    for operation in api_operations():
        method, path = api_path(operation, world)
        if method == "GET" and operation not in API_OWNED:
            body = other_api.get(path).content.decode()
            for secret in ("WALK-1", "WALK-2", "41/12345/26", "Edna Example"):
                if secret in body:
                    wrong.append((operation, "other force sees", secret))
    assert not wrong, "\n".join(map(str, wrong))
