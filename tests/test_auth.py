"""Signing in, lockout after repeated failures, and the management commands for forces."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from bluelamp.forces.models import ApiToken, Force, hash_token
from tests.conftest import PASSWORD


def fail(client, username: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def test_sign_in_then_lockout_after_five_failures(client, alice, settings):
    r = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 302
    client.logout()
    for _ in range(5):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    r = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 429
    assert "Signing in locked" in r.content.decode()


def test_one_user_locked_from_one_address_leaves_others_alone(client, alice, bob):
    for _ in range(5):
        fail(client, "alice")
    assert (
        client.post(
            "/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
        ).status_code
        == 429
    )
    # Bob from the same address, and Alice from another, still sign in.
    assert (
        client.post(
            "/login/", {"username": "bob", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
        ).status_code
        == 302
    )
    assert (
        Client()
        .post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
        .status_code
        == 302
    )


def test_twenty_usernames_from_one_address_lock_the_address(client, alice, settings):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 20
    answers = [fail(client, f"guess-{n}").status_code for n in range(20)]
    assert answers == [200] * 19 + [429]  # the twentieth failure is answered with the lockout
    # Now every username from that address is locked, a right password included...
    r = client.post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 429
    assert "from this address" in r.content.decode()
    # ...and nobody else's address is.
    r = Client().post(
        "/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert r.status_code == 302


def test_nineteen_usernames_from_one_address_do_not(client, alice):
    for n in range(19):
        fail(client, f"guess-{n}")
    r = client.post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 302


def test_the_address_lockout_ends_after_the_lockout_time(client, alice, settings):
    from axes.models import AccessAttempt

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for n in range(3):
        fail(client, f"guess-{n}")
    assert fail(client, "alice").status_code == 429
    # Each attempt's time is that of its last failure; push them all past the lockout time.
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - dt.timedelta(seconds=1))
    r = client.post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 302


def test_create_force_and_token(db):
    out = StringIO()
    call_command("create_force", "kent", name="Kent Police", stdout=out)
    assert Force.objects.get(slug="kent").name == "Kent Police"
    out = StringIO()
    call_command("create_api_token", force="kent", name="cad", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("blp_")
    assert "\n" not in token  # prints only the token
    stored = ApiToken.objects.get()
    assert stored.digest == hash_token(token)
    assert token not in (stored.digest, stored.prefix)


def test_create_force_refuses_duplicates_and_bad_slugs(db):
    call_command("create_force", "kent", name="Kent Police", stdout=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_force", "kent", name="Again", stdout=StringIO())
    with pytest.raises(CommandError, match="slug"):
        call_command("create_force", "Not A Slug", name="X", stdout=StringIO())
    with pytest.raises(CommandError, match="force"):
        call_command("create_api_token", force="nowhere", name="x", stdout=StringIO())


def test_cli_maps_hyphenated_commands(monkeypatch):
    # Django's own runner closes every connection when a command ends, which would close the
    # test database's; so this checks what the CLI hands to it.
    import sys

    import django.core.management

    from bluelamp import cli

    seen = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", seen.append)
    monkeypatch.setattr(sys, "argv", ["bluelamp", "create-api-token", "--force", "x"])
    cli.main()
    assert seen == [["bluelamp", "create_api_token", "--force", "x"]]


def test_an_administrator_sees_her_forces_locked_accounts_and_unlocks_one(
    client, login, force, other_force, alice, bob
):
    from bluelamp.audit.models import AuditEvent
    from tests.conftest import make_user

    admin = make_user(force, "ada", "administrator")
    elsewhere = make_user(other_force, "olga", "supervisor")
    for username in ("alice", "olga"):
        for _ in range(5):
            fail(client, username, address="10.0.0.9")
    fail(client, "bob", address="10.0.0.9")  # one failure is not a lockout
    page = login(admin).get("/accounts/locked/")
    text = page.content.decode()
    assert page.status_code == 200
    assert '<th scope="row">alice</th>' in text
    assert "olga" not in text  # another force's account is not hers to see
    assert '<th scope="row">bob</th>' not in text

    refused = login(admin).post("/accounts/locked/", {"username": elsewhere.username})
    assert refused.status_code == 400 and "<p>username: " in refused.content.decode()
    assert login(admin).post("/accounts/locked/", {"username": "bob"}).status_code == 400

    done = login(admin).post("/accounts/locked/", {"username": "alice"})
    assert done.status_code == 200 and "Unlocked <strong>alice</strong>" in done.content.decode()
    assert '<th scope="row">alice</th>' not in done.content.decode()
    assert AuditEvent.objects.filter(summary="unlocked signing in for alice").count() == 1
    signed_in = client.post(
        "/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert signed_in.status_code == 302
    # Olga, of the other force, is still locked.
    still = client.post(
        "/login/", {"username": "olga", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert still.status_code == 429
    assert login(alice).get("/accounts/locked/").status_code == 403  # administrators only
