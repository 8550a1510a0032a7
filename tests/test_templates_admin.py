"""Survey templates are versioned: an administrator's change never rewrites what was answered."""

from django.contrib.auth.models import Permission

from bluelamp.surveys.models import SurveyTemplate
from tests.conftest import make_user
from tests.helpers import answer, make_contact


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


def _admin(login, force, codenames):
    user = make_user(force, "tina", "administrator")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return login(user)


def test_an_administrator_previews_every_message_of_a_template(login, force):
    client = _admin(login, force, ["view_surveytemplate", "change_surveytemplate"])
    template = SurveyTemplate.objects.filter(force=None, key="burglary").order_by("-version")[0]
    page = client.get(f"/admin/surveys/surveytemplate/{template.pk}/change/").content.decode()
    assert "SMS, English" in page and "SMS, Welsh" in page and "Email, Welsh" in page
    assert "1 SMS segment(s), GSM-7" in page  # the English text fits one segment
    assert "Unicode (UCS-2)" in page  # Welsh letters need UCS-2, measured and shown


def test_contact_rules_are_edited_as_versions_and_audited(login, force):
    import json

    from bluelamp.audit.models import AuditEvent
    from bluelamp.surveys.models import ContactRuleSet

    client = _admin(
        login, force, ["view_contactruleset", "change_contactruleset", "add_contactruleset"]
    )
    bad = client.post(
        "/admin/surveys/contactruleset/add/",
        {"definition": json.dumps({"sampling": [{"id": "x", "share": 2}]})},
    )
    assert "sampling[0].share: must be between 0 and 1" in bad.content.decode()
    good = {"frequency_days": 14, "sampling": [{"id": "calls_101", "channels": ["101"],
            "share": 0.2}, {"id": "rest", "share": 1}]}  # fmt: skip
    r = client.post("/admin/surveys/contactruleset/add/", {"definition": json.dumps(good)})
    assert r.status_code == 302, r.content.decode()[:1500]
    latest = ContactRuleSet.objects.filter(force=force).order_by("-version")[0]
    assert (latest.version, latest.definition["frequency_days"]) == (2, 14)
    assert AuditEvent.objects.filter(object_type="contactruleset", action="update").exists()
    page = client.get(f"/admin/surveys/contactruleset/{latest.pk}/change/").content.decode()
    assert "At most one survey per person in 14 days." in page
    invitation = make_contact(force, "RULES-1", channel="101")
    assert invitation.rules_version == 2 and invitation.rule.startswith("sampling.")
