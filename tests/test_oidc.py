"""Sign-in through the force's identity provider, against a provider of the tests' own on
loopback: the real flow, from /oidc/authenticate/ to the provider's authorize endpoint and back
to the callback, with the token, JWKS and userinfo requests made over HTTP."""

import logging
from typing import Any

import pytest
import requests
from django.test import Client

from bluelamp.audit.models import AuditEvent
from bluelamp.forces.models import Force, IdentityMapping, Role, Team, User
from bluelamp.surveys.models import ContactRuleSet
from tests.browser import Guard
from tests.conftest import PASSWORD, make_user
from tests.fakes.oidc import OIDCFake
from tests.helpers import answer
from tests.test_browser import axe_clean, browser  # noqa: F401 (a fixture)

SUPERVISORS = "3f1c9a52-supervisors"  # a group's object ID, as Entra ID sends them

JANE = {
    "sub": "AAAAjane-subject-0001",
    "preferred_username": "jane.doe@herts.example",
    "given_name": "Jane",
    "family_name": "Doe",
    "email": "jane.doe@herts.example",
    "groups": [SUPERVISORS, "everyone-in-the-tenant"],
}


@pytest.fixture
def provider(settings: Any) -> Any:
    """The test provider, and Bluelamp configured for it from its discovery document."""
    with OIDCFake() as fake:
        found = requests.get(f"{fake.url}/.well-known/openid-configuration", timeout=5).json()
        settings.OIDC_RP_CLIENT_ID = fake.client_id
        settings.OIDC_RP_CLIENT_SECRET = fake.client_secret
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = found["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
        settings.OIDC_OP_ISSUER = found["issuer"]
        settings.AUTHENTICATION_BACKENDS = [
            settings.OIDC_AUTHENTICATION_BACKEND,
            *settings.AUTHENTICATION_BACKENDS,
        ]
        fake.person = dict(JANE)
        yield fake


@pytest.fixture
def supervisors(force: Force, team_a: Team) -> IdentityMapping:
    mapping = IdentityMapping.objects.create(force=force, group=SUPERVISORS, role=Role.SUPERVISOR)
    mapping.teams.set([team_a])
    return mapping


def sign_in(client: Client, provider: OIDCFake, next_url: str = "") -> tuple[Any, str]:
    """Start at /oidc/authenticate/, let the provider sign the person in, come back to the
    callback. The callback's answer, and the callback's URL (for replaying it)."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    callback = at_provider.headers["Location"]
    assert callback.startswith("http://testserver/oidc/callback/?")
    return client.get(callback), callback


def refused(response: Any, words: str) -> None:
    assert response.status_code == 403
    body = response.content.decode()
    assert "Sign-in refused" in body
    assert words in body
    assert "_auth_user_id" not in response.wsgi_request.session


def test_login_page_offers_the_force_account_only_when_configured(db, settings):
    assert "Sign in with your force account" not in Client().get("/login/").content.decode()
    settings.OIDC_RP_CLIENT_ID = "configured"
    body = Client().get("/login/?next=/cases/").content.decode()
    assert "Sign in with your force account" in body
    assert 'href="/oidc/authenticate/?next=/cases/"' in body


def test_without_a_provider_the_oidc_pages_lead_back_to_the_login_page(db):
    assert Client().get("/oidc/authenticate/")["Location"] == "/login/"
    assert Client().get("/oidc/callback/?code=x&state=y")["Location"] == "/login/"


def test_a_supervisor_by_the_groups_claim_signs_in_and_sees_only_their_force(
    provider, supervisors, force, other_force, team_a, caplog
):
    ContactRuleSet.objects.create(force=other_force, version=1, definition={"frequency_days": 0})
    Team.objects.create(force=other_force, code="team-a", name="Their team A")
    ours = answer(force, "OURS-1", 1, team="team-a")
    theirs = answer(other_force, "THEIRS-1", 1, team="team-a")
    client = Client()
    with caplog.at_level(logging.INFO):
        response, _ = sign_in(client, provider, next_url="/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"

    user = User.objects.get(idp_subject=JANE["sub"])
    assert user.username == JANE["preferred_username"]
    assert (user.force, user.role) == (force, Role.SUPERVISOR)
    assert list(user.teams.all()) == [team_a]
    assert not user.has_usable_password()
    assert not user.is_staff

    cases = client.get("/cases/").content.decode()
    assert "OURS-1" in cases
    assert "THEIRS-1" not in cases
    assert client.get(f"/cases/{ours.recovery_case.pk}/").status_code == 200
    assert client.get(f"/cases/{theirs.recovery_case.pk}/").status_code == 404
    assert client.get("/care/").status_code == 403  # a supervisor's role, not victim care's

    event = AuditEvent.objects.get(action="create", object_type="user")
    assert (event.force, event.user, event.object_id) == (force, user, str(user.pk))
    assert event.actor == f"user:{user.username}"  # as every audit row names its user
    logged = " ".join(r.getMessage() for r in caplog.records)
    for personal in ("Jane", "Doe", JANE["email"], SUPERVISORS):
        assert personal not in event.summary
        assert personal not in logged


def test_the_next_sign_in_brings_role_and_teams_up_to_date(provider, supervisors, force, team_b):
    sign_in(Client(), provider)
    supervisors.role = Role.ANALYST
    supervisors.save()
    supervisors.teams.set([team_b])
    response, _ = sign_in(Client(), provider)
    assert response.status_code == 302
    user = User.objects.get(idp_subject=JANE["sub"])
    assert user.role == Role.ANALYST
    assert list(user.teams.all()) == [team_b]
    assert User.objects.filter(idp_subject=JANE["sub"]).count() == 1
    assert AuditEvent.objects.filter(action="update", user=user).count() == 1


def test_an_administrator_by_the_groups_claim_may_use_the_admin(provider, force):
    IdentityMapping.objects.create(force=force, group=SUPERVISORS, role=Role.ADMINISTRATOR)
    client = Client()
    sign_in(client, provider)
    assert User.objects.get(idp_subject=JANE["sub"]).is_staff
    assert client.get("/admin/forces/identitymapping/").status_code == 200


@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        ("bad_signature", "could not be verified"),
        ("wrong_audience", "could not be verified"),
        ("expired", "could not be verified"),
        ("other_subject", "could not be verified"),
    ],
)
def test_a_token_that_does_not_verify_is_refused(provider, supervisors, tamper, words):
    provider.tamper = {tamper}
    response, _ = sign_in(Client(), provider)
    refused(response, words)
    assert not User.objects.filter(idp_subject=JANE["sub"]).exists()
    assert provider.token_requests == 1  # it got as far as the token


def test_a_replayed_state_is_refused(provider, supervisors):
    client = Client()
    response, callback = sign_in(client, provider)
    assert response.status_code == 302
    requests_before = provider.token_requests
    refused(client.get(callback), "already used")
    # Another browser replaying the answer: its own sign-in started, but not with this state.
    other = Client()
    other.get("/oidc/authenticate/")
    refused(other.get(callback), "already used")
    # And a browser that started no sign-in at all.
    refused(Client().get(callback), "already used")
    assert provider.token_requests == requests_before  # the code was never offered again


def test_an_unmapped_group_is_refused_and_gets_no_account(provider, supervisors, caplog):
    provider.person = JANE | {"groups": ["a-group-nobody-mapped"]}
    with caplog.at_level(logging.WARNING):
        response, _ = sign_in(Client(), provider)
    refused(response, "has no role in Bluelamp")
    assert not User.objects.filter(idp_subject=JANE["sub"]).exists()
    assert not User.objects.filter(username=JANE["preferred_username"]).exists()
    assert "sign-in refused: unmapped" in caplog.text
    assert JANE["email"] not in caplog.text


def test_a_mapping_for_another_issuer_does_not_apply(provider, force):
    IdentityMapping.objects.create(
        force=force, group=SUPERVISORS, role=Role.SUPERVISOR, issuer="https://elsewhere.example"
    )
    response, _ = sign_in(Client(), provider)
    refused(response, "has no role in Bluelamp")


def test_no_groups_claim_at_all_is_refused(provider, supervisors):
    provider.person = {k: v for k, v in JANE.items() if k != "groups"}
    response, _ = sign_in(Client(), provider)
    refused(response, "has no role in Bluelamp")


def test_groups_giving_two_roles_are_refused(provider, supervisors, force):
    IdentityMapping.objects.create(
        force=force, group="everyone-in-the-tenant", role=Role.CALL_HANDLER
    )
    response, _ = sign_in(Client(), provider)
    refused(response, "more than one role")
    assert not User.objects.filter(idp_subject=JANE["sub"]).exists()
    assert AuditEvent.objects.filter(force=force, action="refused").count() == 1


def test_an_unknown_user_is_refused_when_accounts_are_made_by_an_administrator(
    provider, supervisors, settings
):
    settings.OIDC_CREATE_USER = False
    response, _ = sign_in(Client(), provider)
    refused(response, "no Bluelamp account for you")
    assert not User.objects.filter(idp_subject=JANE["sub"]).exists()


def test_a_provider_account_never_takes_over_a_local_account_by_its_name(
    provider, supervisors, force
):
    local = make_user(force, JANE["preferred_username"].upper(), Role.ADMINISTRATOR)
    response, _ = sign_in(Client(), provider)
    refused(response, "already has your user name")
    local.refresh_from_db()
    assert (local.role, local.idp_subject) == (Role.ADMINISTRATOR, "")
    assert local.check_password(PASSWORD)


def test_a_switched_off_account_stays_off(provider, supervisors, force):
    sign_in(Client(), provider)
    User.objects.filter(idp_subject=JANE["sub"]).update(is_active=False)
    response, _ = sign_in(Client(), provider)
    refused(response, "switched off")
    assert AuditEvent.objects.filter(force=force, action="refused").count() == 1


def test_the_provider_saying_no_is_refused(provider, supervisors):
    client = Client()
    client.get("/oidc/authenticate/")
    state = next(iter(client.session["oidc_states"]))
    refused(client.get(f"/oidc/callback/?error=access_denied&state={state}"), "did not complete")


def test_a_locked_address_can_still_sign_in_through_the_provider(provider, supervisors, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    client = Client()
    for n in range(3):
        client.post("/login/", {"username": f"guess{n}", "password": "wrong"})
    assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 429
    response, _ = sign_in(client, provider)
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200


def test_an_administrator_maps_groups_for_their_own_force_only(
    login, force, other_force, team_a, supervisors
):
    theirs = Team.objects.create(force=other_force, code="their-team", name="Their team")
    IdentityMapping.objects.create(force=other_force, group="their-group", role=Role.SUPERVISOR)
    dave = make_user(force, "dave", Role.ADMINISTRATOR)
    dave.is_staff = True
    dave.save()
    client = login(dave)
    listing = client.get("/admin/forces/identitymapping/").content.decode()
    assert SUPERVISORS in listing
    assert "their-group" not in listing
    form = client.get("/admin/forces/identitymapping/add/").content.decode()
    assert "Team A" in form
    assert "Their team" not in form
    r = client.post(
        "/admin/forces/identitymapping/add/",
        {"issuer": "", "group": "analysts", "role": Role.ANALYST, "teams": [team_a.pk]},
    )
    assert r.status_code == 302, r.content.decode()
    assert IdentityMapping.objects.get(group="analysts").force == force
    # Another force's team is not a choice, so posting it fails.
    r = client.post(
        "/admin/forces/identitymapping/add/",
        {"issuer": "", "group": "sneaky", "role": Role.ANALYST, "teams": [theirs.pk]},
    )
    assert r.status_code == 200
    assert not IdentityMapping.objects.filter(group="sneaky").exists()


def test_a_mapping_needs_a_role_and_its_teams_from_its_force(force, other_force):
    from bluelamp.forces.admin import IdentityMappingForm

    theirs = Team.objects.create(force=other_force, code="their-team", name="Their team")
    assert "role" in IdentityMappingForm({"force": force.pk, "group": "g"}).errors
    form = IdentityMappingForm(
        {"force": force.pk, "group": "g", "role": Role.ANALYST, "teams": [theirs.pk]}
    )
    assert not form.is_valid()
    assert form.errors["__all__"] == ["The teams must be teams of the mapping's force."]


class Origins(Guard):
    """The browser may talk to Bluelamp and to the force's identity provider, nothing else."""

    def __init__(self, *origins: str) -> None:
        super().__init__(origins[0])
        self.others = [Guard(o) for o in origins[1:]]

    def __call__(self, route: Any) -> None:
        for guard in self.others:
            if route.request.url.startswith(guard.origin + "/"):
                route.continue_()
                return
        super().__call__(route)


@pytest.mark.slow(reason="about 5 s: a browser sign-in through the local OpenID provider")
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_force_account_signs_in_and_the_pages_pass_axe(
    browser,  # noqa: F811
    live_server,
    provider,
    supervisors,
):
    guard = Origins(live_server.url, provider.url)
    context = browser.new_context()
    context.route("**/*", guard)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    # The sign-in page's own style sheet: one narrow card (no inline style for the CSP).
    assert page.eval_on_selector(".sign-in", "e => getComputedStyle(e).maxWidth") == "448px"
    axe_clean(page)
    page.get_by_role("link", name="Sign in with your force account").click()
    page.wait_for_load_state()
    assert page.url.startswith(live_server.url)
    assert "Jane Doe · Test Constabulary · Supervisor" in page.locator("header").inner_text()

    provider.person = JANE | {"sub": "someone-unmapped", "groups": ["nobody-mapped-this"]}
    other = browser.new_context()
    other.route("**/*", guard)
    page = other.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Sign in with your force account").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Sign-in refused").is_visible()
    assert page.locator("header nav").count() == 0  # not signed in
    axe_clean(page)
    context.close()
    other.close()
    assert guard.blocked == []
