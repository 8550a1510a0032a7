"""Access control: every protected page and endpoint refuses other forces and wrong roles."""

import pytest

from bluelamp.audit.models import AuditEvent
from bluelamp.recovery.models import RecoveryCase
from tests.conftest import make_user
from tests.helpers import answer

PAGES_BY_ROLE = {
    "/live/": {"supervisor", "analyst", "administrator"},
    "/live/board": {"supervisor", "analyst", "administrator"},
    "/live/drill/": {"supervisor", "analyst", "administrator"},
    "/live/wall/": {"supervisor", "analyst", "administrator"},
    "/live/wall/board": {"supervisor", "analyst", "administrator"},
    "/care/": {"victim_care", "specialist", "investigator", "administrator"},
    "/care/duties/": {"victim_care", "specialist", "investigator", "administrator"},
    "/care/compliance/": {"victim_care", "specialist", "investigator", "administrator"},
    "/care/reviews/": {"victim_care", "administrator"},
    "/cases/": {"supervisor", "victim_care", "administrator"},
    "/outbox/": {"administrator"},
}
ALL_ROLES = [
    "call_handler",
    "supervisor",
    "victim_care",
    "specialist",
    "investigator",
    "analyst",
    "administrator",
]
# The boards' polls: they answer "signed out" rather than redirecting to sign in.
POLLED = {"/live/board", "/live/wall/board"}


@pytest.fixture
def case_a(force, team_a):
    return RecoveryCase.objects.get(response=answer(force, "TEAM-A-1", 1, team="team-a"))


@pytest.mark.parametrize("path", [*PAGES_BY_ROLE, "/cases/1/"])
def test_anonymous_users_are_sent_to_sign_in(client, db, path):
    r = client.get(path)
    if path in POLLED:  # a board's poll once the session has ended: the board says so itself
        assert r.status_code == 200
        assert "Signed out" in r.content.decode() and 'name="password"' not in r.content.decode()
        assert "hx-trigger" not in r.content.decode()  # and stops polling
        return
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("path", list(PAGES_BY_ROLE))
def test_each_page_admits_only_its_roles(login, force, team_a, path, role):
    from tests.conftest import make_user

    user = make_user(force, f"user-{role}", role, [team_a])
    r = login(user).get(path)
    if role in PAGES_BY_ROLE[path]:
        assert r.status_code == 200, (path, role)
    else:
        assert r.status_code == 403, (path, role)


def test_case_detail_refuses_another_force_and_wrong_role(login, case_a, olga, carol, alice):
    path = f"/cases/{case_a.pk}/"
    assert login(alice).get(path).status_code == 200
    assert login(olga).get(path).status_code == 404
    assert login(olga).post(path, {"text": "x", "status": "closed"}).status_code == 404
    assert login(carol).get(path).status_code == 403
    case_a.refresh_from_db()
    assert case_a.status == "open"


def test_team_scoped_supervisor_sees_only_their_teams(login, force, team_a, team_b, bob, alice):
    case_a = RecoveryCase.objects.get(response=answer(force, "A-1", 1, team="team-a"))
    case_b = RecoveryCase.objects.get(response=answer(force, "B-1", 1, team="team-b"))
    assert login(bob).get(f"/cases/{case_a.pk}/").status_code == 404
    assert login(bob).get(f"/cases/{case_b.pk}/").status_code == 200
    listing = login(bob).get("/cases/").content.decode()
    assert "B-1" in listing
    assert "A-1" not in listing
    live = login(bob).get("/live/").content.decode()
    assert "B-1" in live and "A-1" not in live
    assert 'data-testid="count-0">1<' in live  # the rollups count only Bob's team
    assert 'data-testid="count-0">2<' in login(alice).get("/live/").content.decode()
    both = login(alice).get("/cases/").content.decode()
    assert "A-1" in both and "B-1" in both


def test_other_forces_administrator_sees_none_of_this_force(login, force, olga, case_a):
    assert "TEAM-A-1" not in login(olga).get("/live/").content.decode()
    assert "TEAM-A-1" not in login(olga).get("/cases/?status=all").content.decode()


def test_api_token_sees_only_its_forces_cases(api, other_api, case_a):
    assert len(api.get("/api/v1/recovery-cases").json()) == 1
    assert other_api.get("/api/v1/recovery-cases").json() == []
    assert api.get(f"/api/v1/recovery-cases/{case_a.pk}").status_code == 200
    assert other_api.get(f"/api/v1/recovery-cases/{case_a.pk}").status_code == 404


def test_viewing_the_callers_details_is_audited(login, alice, case_a):
    before = AuditEvent.objects.filter(action="view").count()
    html = login(alice).get(f"/cases/{case_a.pk}/").content.decode()
    assert "+447700900001" in html
    event = AuditEvent.objects.filter(action="view").latest("at")
    assert AuditEvent.objects.filter(action="view").count() == before + 1
    assert event.user == alice
    assert event.object_type == "person"
    assert "+447700900001" not in event.summary


def test_outbox_view_is_audited_and_scoped(login, dave, olga, force):

    from tests.helpers import make_contact, send_scheduled

    make_contact(force, "OUT-1")
    assert send_scheduled() == 1
    assert "+447700900001" in login(dave).get("/outbox/").content.decode()
    assert AuditEvent.objects.filter(user=dave, action="view").exists()
    assert "+447700900001" not in login(olga).get("/outbox/").content.decode()


def test_admin_site_is_for_staff_only(login, carol, force):
    r = login(carol).get("/admin/")
    assert r.status_code == 302


def test_force_administrator_sees_only_own_force_in_admin(login, force, other_force, team_a):
    from bluelamp.forces.models import Team
    from tests.conftest import make_user

    Team.objects.create(force=other_force, code="x", name="Other force team")
    admin_user = make_user(force, "eve", "administrator")
    admin_user.is_staff = True
    admin_user.save()
    from django.contrib.auth.models import Permission

    admin_user.user_permissions.set(Permission.objects.filter(codename__in=["view_team"]))
    html = login(admin_user).get("/admin/forces/team/").content.decode()
    assert "Team A" in html
    assert "Other force team" not in html


def test_force_administrator_cannot_grant_superuser_or_move_forces(
    login, force, other_force, carol
):
    admin_user = make_user(force, "ada", "administrator")
    admin_user.is_staff = True
    admin_user.save()
    client = login(admin_user)
    page = client.get(f"/admin/forces/user/{carol.pk}/change/")
    assert page.status_code == 200  # the role alone grants the admin, no Django permissions
    html = page.content.decode()
    assert 'name="is_superuser"' not in html
    assert 'name="user_permissions"' not in html
    assert 'name="force"' not in html
    r = client.post(
        f"/admin/forces/user/{carol.pk}/change/",
        {
            "username": "carol",
            "role": "supervisor",
            "is_active": "on",
            "is_superuser": "on",
            "force": other_force.pk,
            "last_login_0": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    carol.refresh_from_db()
    assert carol.role == "supervisor"
    assert not carol.is_superuser
    assert carol.force == force
    olga_user = make_user(other_force, "oscar", "call_handler")
    assert client.get(f"/admin/forces/user/{olga_user.pk}/change/").status_code == 302
