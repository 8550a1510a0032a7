"""An administrator of one force neither sees nor saves another force's rows in the admin:
not in the lists, not on a change page, and not in any choice list of any form (teams,
staff, queues, users, rules); a row of another force posted anyway is refused on save."""

from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from bluelamp.care.models import RuleSetVersion
from bluelamp.forces.models import ApiToken, Force, Role, StaffMember, Team, User
from bluelamp.recovery.models import RecoveryRuleSetVersion
from bluelamp.staffing.models import Queue
from bluelamp.surveys.models import ContactRuleSet, SurveyTemplate
from tests.conftest import make_user


@pytest.fixture
def ann(force: Force) -> User:
    """Ann: the test force's administrator, with the admin by her role alone."""
    user = make_user(force, "ann", Role.ADMINISTRATOR)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def theirs(other_force: Force) -> dict[str, Any]:
    """One of each row the admin lists, all in the other force."""
    team = Team.objects.create(force=other_force, code="b-team", name="Bravo Team")
    template = SurveyTemplate.objects.filter(force=None, key="burglary").first()
    assert template is not None
    return {
        "team": team,
        "staff": StaffMember.objects.create(
            force=other_force, number="B-101", name="Bravo Handler", team=team
        ),
        "queue": Queue.objects.create(force=other_force, code="b-999", name="Bravo 999"),
        "user": make_user(other_force, "bravo-user", Role.SUPERVISOR, [team]),
        "token": ApiToken.objects.create(
            force=other_force, name="Bravo CAD", digest="b" * 64, prefix="blp_bbbb"
        ),
        "care_rules": RuleSetVersion.objects.create(
            force=other_force, version=7, definition={"rules": []}
        ),
        "recovery_rules": RecoveryRuleSetVersion.objects.create(
            force=other_force, version=7, definition={"rules": []}
        ),
        "contact_rules": ContactRuleSet.objects.create(
            force=other_force, version=7, definition={"frequency_days": 1}
        ),
        "template": SurveyTemplate.objects.create(
            force=other_force, key="burglary", stage=template.stage, version=7,
            definition=template.definition,
        ),
    }  # fmt: skip


ADMIN_URLS = {
    "team": "forces/team",
    "staff": "forces/staffmember",
    "queue": "staffing/queue",
    "user": "forces/user",
    "token": "forces/apitoken",
    "care_rules": "care/rulesetversion",
    "recovery_rules": "recovery/recoveryrulesetversion",
    "contact_rules": "surveys/contactruleset",
    "template": "surveys/surveytemplate",
}


def test_lists_and_change_pages_hold_none_of_another_forces_rows(login, ann, theirs):
    client = login(ann)
    for name, url in ADMIN_URLS.items():
        row = theirs[name]
        listing = client.get(f"/admin/{url}/")
        assert listing.status_code == 200, url
        assert f"/admin/{url}/{row.pk}/change/" not in listing.content.decode(), url
        # Another force's row does not exist for her: the admin sends her back to its index.
        change = client.get(f"/admin/{url}/{row.pk}/change/")
        assert change.status_code == 302, url


def _option(html: str, row: Any) -> bool:
    return f'<option value="{row.pk}"' in html


def test_the_staff_member_form_offers_and_saves_only_her_forces_teams(
    login, ann, force, team_a, theirs
):
    client = login(ann)
    page = client.get("/admin/forces/staffmember/add/").content.decode()
    assert _option(page, team_a)
    assert not _option(page, theirs["team"])

    form = {"number": "A-101", "name": "Alpha Handler", "kind": "call_handler"}
    r = client.post("/admin/forces/staffmember/add/", {**form, "team": theirs["team"].pk})
    assert r.status_code == 200
    assert "Select a valid choice" in r.content.decode()
    assert not StaffMember.objects.filter(number="A-101").exists()

    r = client.post("/admin/forces/staffmember/add/", {**form, "team": team_a.pk})
    assert r.status_code == 302, r.content.decode()[:2000]
    mine = StaffMember.objects.get(number="A-101")
    assert (mine.force, mine.team) == (force, team_a)

    r = client.post(
        f"/admin/forces/staffmember/{mine.pk}/change/", {**form, "team": theirs["team"].pk}
    )
    assert r.status_code == 200
    mine.refresh_from_db()
    assert mine.team == team_a


def test_the_user_form_offers_and_saves_only_her_forces_teams(
    login, ann, carol, team_a, team_b, theirs
):
    client = login(ann)
    url = f"/admin/forces/user/{carol.pk}/change/"
    page = client.get(url).content.decode()
    assert _option(page, team_a) and _option(page, team_b)
    assert not _option(page, theirs["team"])
    r = client.post(
        url,
        {
            "username": "carol",
            "role": "call_handler",
            "is_active": "on",
            "teams": [team_a.pk, theirs["team"].pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert r.status_code == 200
    assert "Select a valid choice" in r.content.decode()
    assert list(carol.teams.all()) == [team_a]


def _administrator_request(user: User) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_no_choice_list_of_any_admin_form_offers_another_forces_rows(ann, force, theirs):
    """Every registered admin, every foreign-key and many-to-many field of its form: the
    choices are the administrator's own force's rows (or rows of no force: the taxonomy)."""
    request = _administrator_request(ann)
    checked = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        sample = model._default_manager.filter(
            **({"pk": force.pk} if model is Force else {})
        ).first()
        for obj in (None, sample):
            if obj is None and not model_admin.has_add_permission(request):
                continue
            if obj is not None and model not in (Force,) and not getattr(obj, "force_id", None):
                continue
            form = model_admin.get_form(request, obj, change=obj is not None)
            for name, field in form.base_fields.items():
                if not isinstance(field, forms.ModelChoiceField):
                    continue
                checked.append(f"{model.__name__}.{name}")
                for row in field.queryset:
                    home = row.pk if isinstance(row, Force) else getattr(row, "force_id", "none")
                    assert home in (force.pk, "none"), f"{model.__name__}.{name} offers {row!r}"
    # The lists that matter are among those checked (the user's teams, the staff's team).
    assert {"StaffMember.team", "User.teams"} <= set(checked), checked


def test_a_row_of_another_force_posted_past_the_choices_is_refused_on_save(
    ann, force, team_a, theirs
):
    """Were a form field ever to offer every force's rows, the form itself still refuses
    another force's row by name when saved."""
    model_admin = admin.site._registry[StaffMember]
    form_class = model_admin.get_form(_administrator_request(ann))
    form_class.base_fields["team"].queryset = Team.objects.all()  # a scope forgotten
    data = {"number": "A-202", "name": "Alpha", "kind": "officer", "team": theirs["team"].pk}
    form = form_class(data=data)
    assert not form.is_valid()
    assert form.errors["team"] == ["“Bravo Team” belongs to another force."]
    assert form_class(data={**data, "team": team_a.pk}).is_valid()


def test_a_superuser_chooses_from_every_force(force, team_a, theirs):
    root = User.objects.create_superuser("root", "root@example.invalid", "x")
    form_class = admin.site._registry[StaffMember].get_form(_administrator_request(root))
    teams = set(form_class.base_fields["team"].queryset)
    assert {team_a, theirs["team"]} <= teams


def test_an_administrator_with_a_django_permission_is_scoped_the_same(login, force, theirs):
    """Django's own permissions add nothing across forces."""
    user = make_user(force, "perm", Role.ADMINISTRATOR)
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_team", "add_staffmember"])
    )
    page = login(user).get("/admin/forces/staffmember/add/").content.decode()
    assert not _option(page, theirs["team"])
