"""A supervisor corrects a comment's themes in one click: the response's themes, the counts and
the audit trail follow; the wrong force, role or team is refused; bad input is a 400 naming the
field. Welsh comments get Welsh themes; a safeguarding phrase reaches a person whatever the
themes say."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.care.models import NeedsReview
from bluelamp.flows.responses import response_submit
from bluelamp.forces.models import Force, Role, Team, User
from bluelamp.insights.models import Rollup, ThemeCorrection
from bluelamp.insights.rollups import ALL_TEAMS, THEME, rollups_check
from bluelamp.insights.text import analyse
from bluelamp.recovery.models import RecoveryCase
from bluelamp.surveys.models import Response
from tests.conftest import make_user
from tests.helpers import answer, make_contact

pytestmark = pytest.mark.django_db

RUDE = "The call handler was rude to me on the phone."
NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def codes(response: Response) -> list[str]:
    response.refresh_from_db()
    return [t["code"] for t in response.themes]


def theme_count(force: Force, code: str, team: int = ALL_TEAMS) -> int:
    return sum(
        Rollup.objects.filter(force=force, dimension=THEME, key=code, team_key=team).values_list(
            "responses", flat=True
        )
    )


def correct(client: Client, response: Response, code: str, change: str, **more: str) -> Any:
    return client.post(f"/live/themes/{response.pk}", {"code": code, "change": change, **more})


def test_remove_and_add_change_the_themes_counts_and_audit(
    force: Force, alice: User, login: Callable[[User], Client]
) -> None:
    response = answer(force, "FIX-1", 1, comment=RUDE, team="team-a", now=NOON)
    assert codes(response) == ["handler_attitude"]
    assert theme_count(force, "handler_attitude") == 1
    case = RecoveryCase.objects.get(response=response)
    client = login(alice)

    r = correct(client, response, "handler_attitude", "remove", next=f"/cases/{case.pk}/")
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
    assert codes(response) == ["other"]
    assert theme_count(force, "handler_attitude") == 0
    assert theme_count(force, "handler_attitude", response.team_id or 0) == 0

    r = correct(client, response, "waiting", "add", next=f"/cases/{case.pk}/")
    assert r.status_code == 302
    assert codes(response) == ["waiting"]
    assert theme_count(force, "waiting") == 1

    made = list(ThemeCorrection.objects.filter(response=response).order_by("pk"))
    assert [(c.code, c.change, c.by) for c in made] == [
        ("handler_attitude", "removed", alice),
        ("waiting", "added", alice),
    ]
    events = AuditEvent.objects.filter(object_type="response", object_id=str(response.pk))
    assert sorted(events.values_list("summary", flat=True)) == [
        "theme handler_attitude removed",
        "theme waiting added",
    ]
    # The stored counts are what a recount from the responses gives.
    assert rollups_check(force.pk) == []
    # The case page shows the corrected themes, with their one-click forms.
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-theme="waiting"' in page and 'data-theme="handler_attitude"' not in page


def test_the_live_view_counts_comments_by_theme(
    force: Force, alice: User, login: Callable[[User], Client]
) -> None:
    for i in range(3):
        answer(force, f"COUNT-{i}", 2, comment=RUDE, team="team-a")
    page = login(alice).get("/live/").content.decode()
    row = page.split('data-testid="theme-count-handler_attitude"')[1].split("</tr>")[0]
    assert "<td>3</td>" in row


def test_bad_input_is_a_400_naming_the_field(
    force: Force, alice: User, login: Callable[[User], Client]
) -> None:
    response = answer(force, "FIX-2", 1, comment=RUDE, team="team-a")
    client = login(alice)
    for data, field in [
        ({"code": "nonsense", "change": "remove"}, "code"),
        ({"code": "waiting"}, "change"),
        ({"code": "waiting", "change": "add", "next": "https://elsewhere.example/"}, "next"),
        ({"code": "waiting", "change": "remove"}, "code"),  # not under waiting
        ({"code": "handler_attitude", "change": "add"}, "code"),  # already under it
    ]:
        r = client.post(f"/live/themes/{response.pk}", data)
        assert r.status_code == 400, data
        assert field in r.content.decode(), data
    assert codes(response) == ["handler_attitude"]
    assert not ThemeCorrection.objects.exists()
    assert client.get(f"/live/themes/{response.pk}").status_code == 405  # a GET changes nothing


def test_wrong_force_role_or_team_is_refused(
    force: Force,
    other_force: Force,
    team_a: Team,
    bob: User,
    carol: User,
    login: Callable[[User], Client],
) -> None:
    response = answer(force, "FIX-3", 1, comment=RUDE, team="team-a")
    other_supervisor = make_user(other_force, "oscar", Role.SUPERVISOR)
    analyst = make_user(force, "ann", Role.ANALYST)
    victim_care = make_user(force, "vic", Role.VICTIM_CARE)
    for user, status in [
        (other_supervisor, 404),  # another force's response is never revealed
        (bob, 404),  # a supervisor of team B only: the response is team A's
        (carol, 403),  # a call handler
        (analyst, 403),  # reads the live view, corrects nothing
        (victim_care, 403),  # works the case, corrects nothing
    ]:
        r = correct(login(user), response, "handler_attitude", "remove")
        assert r.status_code == status, user.username
    assert codes(response) == ["handler_attitude"]
    # The case page offers no corrections to a victim-care officer.
    case = RecoveryCase.objects.get(response=response)
    page = login(victim_care).get(f"/cases/{case.pk}/").content.decode()
    assert "theme_correct" not in page and "not about this" not in page
    assert Client().post(f"/live/themes/{response.pk}", {}).status_code == 302  # to sign in


def test_welsh_comments_get_themes_from_the_welsh_cues(force: Force) -> None:
    comment = "Aros am oriau ar y ffôn, a neb wedi dod. Roedd y swyddog yn garedig, diolch."
    assert [t.code for t in analyse(comment).themes] == ["other"]  # the English cues see none
    found = {t.code: t.evidence for t in analyse(comment, "cy").themes}
    assert found == {
        "waiting": ["Aros am oriau"],
        "attendance": ["neb wedi dod"],
        "praise": ["garedig", "diolch"],
    }
    invitation = make_contact(force, "CY-1")
    submitted = response_submit(
        invitation_id=invitation.pk,
        form={"whole_experience": "2", "comment": "Dim diweddariad ers mis."},
        callback_requested=False,
        language="cy",
        now=timezone.now(),
    )
    assert submitted.response is not None
    assert submitted.response.language == "cy"
    assert codes(submitted.response) == ["not_informed"]


def test_a_safeguarding_phrase_reaches_a_person_whatever_the_themes(
    force: Force, alice: User, login: Callable[[User], Client]
) -> None:
    response = answer(force, "SAFE-1", 6, comment="Lovely officer but I'm scared he'll come back.")
    review = NeedsReview.objects.get(response=response)
    assert review.reason == NeedsReview.Reason.SAFEGUARDING
    # Removing every theme from the comment takes nothing away from the review.
    for code in [c for c in codes(response) if c != "other"]:
        assert correct(login(alice), response, code, "remove").status_code == 302
    assert NeedsReview.objects.filter(response=response, done_at=None).count() == 1
