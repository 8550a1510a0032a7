"""Survey templates are versioned: an administrator's change never rewrites what was answered."""

from django.contrib.auth.models import Permission

from bluelamp.surveys.models import SurveyTemplate
from tests.conftest import make_user
from tests.helpers import answer


def test_saving_a_template_makes_a_new_version_for_the_force(login, force):
    response = answer(force, "V-1", 6)
    answered = response.template
    admin_user = make_user(force, "tina", "administrator")
    admin_user.is_staff = True
    admin_user.save()
    admin_user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_surveytemplate", "change_surveytemplate"])
    )
    client = login(admin_user)
    definition = dict(answered.definition)
    definition["title"] = {"en": "Your burglary report", "cy": "Eich adroddiad byrgleriaeth"}
    import json

    r = client.post(
        f"/admin/surveys/surveytemplate/{answered.pk}/change/",
        {
            "key": "burglary",
            "stage": "first_contact",
            "definition": json.dumps(definition),
            "active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    answered.refresh_from_db()
    assert answered.definition["title"]["en"] == "Your report of a burglary"  # untouched
    mine = SurveyTemplate.objects.get(force=force, key="burglary")
    assert mine.version == 1
    assert mine.definition["title"]["en"] == "Your burglary report"
    from tests.helpers import make_contact

    assert make_contact(force, "V-2").template == mine  # new contacts take the force's own


def test_invalid_definition_is_refused_with_a_reason(login, force):
    admin_user = make_user(force, "tim", "administrator")
    admin_user.is_staff = True
    admin_user.save()
    admin_user.user_permissions.set(Permission.objects.filter(codename="add_surveytemplate"))
    import json

    r = login(admin_user).post(
        "/admin/surveys/surveytemplate/add/",
        {
            "key": "burglary",
            "stage": "first_contact",
            "definition": json.dumps(
                {"title": {"en": "x", "cy": "x"}, "intro": {"en": "", "cy": ""}, "questions": []}
            ),
            "active": "on",
        },
    )
    assert r.status_code == 200
    assert "whole_experience" in r.content.decode()
    assert not SurveyTemplate.objects.filter(force=force).exists()
