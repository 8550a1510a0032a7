"""Shared fixtures: two forces, named users for every role, API clients for each force."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from bluelamp.forces.models import ApiToken, Force, Role, Team, User, hash_token

PASSWORD = "correct-horse-battery-staple"


def _database_rank(item: pytest.Item) -> int:
    """pytest-django's grouping: plain database tests, then transactional ones (each of which
    empties the tables that migrations filled), then tests with no database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = (
        bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )
    if transactional:
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)  # after pytest-django's order (db, transactional, no db)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The minutes-long tests first within their group, so that under pytest-xdist the others
    run beside them; the slow tests with no database go before everything. The groups keep
    pytest-django's order (which xdist's load scheduling keeps within each process): a
    transactional test empties the tables that migrations filled, so no plain database test
    may come after one."""

    def key(item: pytest.Item) -> tuple[int, bool]:
        slow = item.get_closest_marker("slow") is not None
        rank = _database_rank(item)
        return (-1 if slow and rank == 2 else rank, not slow)

    items.sort(key=key)


@pytest.fixture
def force(db: Any) -> Force:
    """A force whose contact rules survey the same invented caller as often as a test likes;
    the frequency cap has its own tests."""
    from bluelamp.surveys.models import ContactRuleSet

    force = Force.objects.create(slug="herts", name="Test Constabulary")
    ContactRuleSet.objects.create(force=force, version=1, definition={"frequency_days": 0})
    return force


@pytest.fixture
def other_force(db: Any) -> Force:
    return Force.objects.create(slug="other", name="Other Constabulary")


@pytest.fixture
def team_a(force: Force) -> Team:
    return Team.objects.create(force=force, code="team-a", name="Team A")


@pytest.fixture
def team_b(force: Force) -> Team:
    return Team.objects.create(force=force, code="team-b", name="Team B")


def make_user(force: Force, username: str, role: str, teams: list[Team] | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, force=force, role=role)
    if teams:
        user.teams.set(teams)
    return user


@pytest.fixture
def alice(force: Force, team_a: Team, team_b: Team) -> User:
    """Alice: a supervisor of both teams in the test force."""
    return make_user(force, "alice", Role.SUPERVISOR, [team_a, team_b])


@pytest.fixture
def bob(force: Force, team_b: Team) -> User:
    """Bob: a supervisor of team B only."""
    return make_user(force, "bob", Role.SUPERVISOR, [team_b])


@pytest.fixture
def carol(force: Force, team_a: Team) -> User:
    """Carol: a call handler in team A (no supervisor pages)."""
    return make_user(force, "carol", Role.CALL_HANDLER, [team_a])


@pytest.fixture
def dave(force: Force) -> User:
    """Dave: the test force's administrator."""
    return make_user(force, "dave", Role.ADMINISTRATOR)


@pytest.fixture
def olga(other_force: Force) -> User:
    """Olga: an administrator of the other force."""
    return make_user(other_force, "olga", Role.ADMINISTRATOR)


@pytest.fixture
def login() -> Callable[[User], Client]:
    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


def api_client_for(force: Force) -> Client:
    token = ApiToken.generate()
    ApiToken.objects.create(force=force, name="test", digest=hash_token(token), prefix=token[:8])
    return Client(headers={"authorization": f"Bearer {token}"})


@pytest.fixture
def api(force: Force) -> Client:
    return api_client_for(force)


@pytest.fixture
def other_api(other_force: Force) -> Client:
    return api_client_for(other_force)


def contact_body(reference: str = "INC-0001", **overrides: Any) -> dict[str, Any]:
    """A valid contact: a residential burglary reported by an adult with a mobile."""
    body: dict[str, Any] = {
        "reference": reference,
        "received_at": "2026-11-27T09:15:00Z",
        "channel": "999",
        "incident_type": "burglary_residential",
        "call_handler": "CH101",
        "team": "team-a",
        "answer_seconds": 6,
        "person": {"name": "Test Caller", "phone": "07700 900001", "age": 45},
        "flags": [],
    }
    person = overrides.pop("person", None)
    body.update(overrides)
    if person is not None:
        body["person"] = {**body["person"], **person}
    return body


def post_contact(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/contacts", body, content_type="application/json")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Real password hashing takes a good fraction of a second by design; tests sign in
    hundreds of users. (No test here is about the strength of the hash.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_alert_baselines() -> None:
    """Alert baselines are cached per process by force id, which a new test database reuses."""
    from bluelamp.delivery.dispatch import provider_cache_clear
    from bluelamp.insights.services import baselines_clear
    from bluelamp.surveys.selectors import contact_rules_cache_clear

    baselines_clear()
    contact_rules_cache_clear()
    provider_cache_clear()


@pytest.fixture
def own_keys(settings: Any) -> None:
    """Keys of the test's own, for ``bluelamp worker`` and ``serve`` run in the test's process:
    with DEBUG off they refuse the built-in ones, as production must."""
    settings.SECRET_KEY = "tests-own-key-not-secret-" + "x" * 30
    settings.PERSON_KEY_SECRET = "tests-own-person-key-not-secret-" + "y" * 30
