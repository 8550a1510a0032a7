"""Signing in, lockout after repeated failures, and the management commands for forces."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bluelamp.forces.models import ApiToken, Force, hash_token
from tests.conftest import PASSWORD


def test_sign_in_then_lockout_after_five_failures(client, alice, settings):
    r = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 302
    client.logout()
    for _ in range(5):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    r = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 429
    assert "Account locked" in r.content.decode()


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
