"""The respondent's journey: the link, the survey that fits, answers, call back, opt-out."""

import datetime as dt

from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.recovery.models import RecoveryCase
from bluelamp.surveys.models import Invitation, OptOut, Response
from tests.conftest import contact_body, post_contact
from tests.helpers import make_contact, survey_path


def test_burglary_link_shows_the_burglary_survey(client, force):
    invitation = make_contact(force, "B-1")
    r = client.get(survey_path(invitation))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Your report of a burglary" in html
    assert 'name="whole_experience"' in html
    assert 'name="scene_advice"' in html
    assert "Test Caller" not in html  # the page reveals nothing about the person
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


def test_robbery_and_general_templates_fit_their_incidents(client, force):
    robbery = make_contact(force, "R-1", incident_type="robbery_personal")
    assert "Your report of a robbery" in client.get(survey_path(robbery)).content.decode()
    rtc = make_contact(force, "RTC-1", incident_type="road_traffic_collision")
    assert "Your recent call to the police" in client.get(survey_path(rtc)).content.decode()


def test_welsh_speaker_gets_welsh(client, force):
    invitation = make_contact(force, "CY-1", person={"language": "cy"})
    html = client.get(survey_path(invitation)).content.decode()
    assert '<html lang="cy">' in html
    assert "Gan ystyried y profiad cyfan" in html
    english = client.get(survey_path(invitation) + "?lang=en").content.decode()
    assert "Taking the whole experience into account" in english


def test_welsh_yes_and_no_echo_each_questions_verb(client, force):
    """ "A gawsoch chi...?" is answered Do / Naddo and "Hoffech chi...?" Hoffwn / Na hoffwn;
    Ydw / Nac ydw only answers "Ydych chi...?"."""
    from bluelamp.surveys import logic

    invitation = make_contact(force, "CY-2", incident_type="burglary_residential",
                              person={"language": "cy"})  # fmt: skip
    html = client.get(survey_path(invitation)).content.decode()
    assert ">Do<" in html and ">Naddo<" in html  # "A gawsoch chi gyngor...?"
    assert ">Hoffwn<" in html and ">Na hoffwn<" in html  # "Hoffech chi...?"
    assert ">Ydw<" not in html
    assert logic.welsh_answers("Ai dyma'r tro cyntaf?") == ("Ie", "Nage")
    assert logic.welsh_answers("A wnaeth y person wirio?") == ("Do", "Naddo")
    assert logic.welsh_answers("Ydych chi'n fodlon?") == ("Ydw", "Nac ydw")
    assert logic.welsh_answers("Rhywbeth arall?") == logic.WELSH_ANSWERS_OTHERWISE
    own = logic.Question.model_validate(
        {"id": "q", "kind": "yes_no", "text": {"en": "Q?", "cy": "C?"},
         "answers_cy": ["Oes", "Nac oes"]}
    )  # fmt: skip
    assert logic.yes_no_labels(own, "cy") == {"yes": "Oes", "no": "Nac oes"}


def test_completely_dissatisfied_opens_a_case_listed_by_the_api(client, api, force, team_a):
    invitation = make_contact(force, "B-2")
    r = client.post(survey_path(invitation), {"whole_experience": "1", "ease_of_contact": "2"})
    assert r.status_code == 200
    assert "Thank you" in r.content.decode()
    response = Response.objects.get(invitation=invitation)
    assert response.whole_experience == 1
    assert response.outcome == "dissatisfied"
    assert response.template_id == invitation.template_id  # records the version answered
    case = RecoveryCase.objects.get(response=response)
    assert case.team == team_a
    assert case.reasons == ["dissatisfied"]
    assert dt.timedelta(hours=23) < case.deadline - case.opened_at <= dt.timedelta(hours=24)
    listed = api.get("/api/v1/recovery-cases?status=open").json()
    assert [c["contact_reference"] for c in listed] == ["B-2"]


def test_satisfied_answer_opens_no_case_but_call_back_does(client, force):
    happy = make_contact(force, "H-1")
    client.post(survey_path(happy), {"whole_experience": "7"})
    assert not RecoveryCase.objects.exists()
    asks = make_contact(force, "H-2")
    client.post(survey_path(asks), {"whole_experience": "6", "callback": "yes"})
    assert RecoveryCase.objects.get().reasons == ["callback"]


def test_missing_whole_experience_shows_an_error_summary_linked_to_the_field(client, force):
    invitation = make_contact(force, "E-1")
    r = client.post(survey_path(invitation), {"ease_of_contact": "5"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "There is a problem" in html
    assert 'href="#whole_experience-0"' in html
    assert 'id="whole_experience-0"' in html
    assert 'value="5" checked' in html  # what was answered is kept
    assert not Response.objects.exists()


def test_one_submission_only(client, force):
    invitation = make_contact(force, "O-1")
    client.post(survey_path(invitation), {"whole_experience": "5"})
    again = client.post(survey_path(invitation), {"whole_experience": "1"})
    assert "You have already answered" in again.content.decode()
    assert Response.objects.get().whole_experience == 5
    assert "You have already answered" in client.get(survey_path(invitation)).content.decode()


def test_expired_and_unknown_links_reveal_nothing(client, force):
    invitation = make_contact(force, "X-1")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    r = client.get(survey_path(invitation))
    assert r.status_code == 410
    assert "This survey has closed" in r.content.decode()
    assert "X-1" not in r.content.decode()
    r = client.get("/s/AAAAAAAAAAAAAAAAAAAAAA")
    assert r.status_code == 404
    assert "This link is not recognised" in r.content.decode()
    assert client.post(survey_path(invitation), {"whole_experience": "1"}).status_code == 410
    assert not Response.objects.exists()


def test_excluded_contact_has_no_link(api):
    body = post_contact(api, contact_body(flags=["domestic_abuse"])).json()
    assert body["invitation"]["url"] is None
    assert not Invitation.objects.exclude(token=None).exists()


def test_opt_out_suppresses_the_person_everywhere_at_once(client, force):
    first = make_contact(force, "P-1")
    pending = make_contact(force, "P-2", person={"phone": "07700900001"})
    r = client.post(survey_path(first) + "/stop")
    assert r.status_code == 200
    assert "You will not be contacted again" in r.content.decode()
    assert OptOut.objects.filter(force=force).count() == 1
    pending.refresh_from_db()
    assert pending.status == "excluded"
    assert pending.reason == "opted_out"
    later = make_contact(force, "P-3", person={"phone": "+447700900001"})
    assert later.status == "excluded"
    assert AuditEvent.objects.filter(actor="respondent", action="update").exists()


def test_opt_out_in_one_force_does_not_touch_another(client, force, other_force):
    client.post(survey_path(make_contact(force, "Q-1")) + "/stop")
    assert make_contact(other_force, "Q-1").status == "scheduled"


def test_conditional_question_is_kept_only_when_its_condition_holds(client, force):
    invitation = make_contact(force, "C-1")
    client.post(survey_path(invitation), {"whole_experience": "2", "what_went_wrong": "Slow"})
    assert Response.objects.get().answers["what_went_wrong"] == "Slow"
    happy = make_contact(force, "C-2")
    client.post(survey_path(happy), {"whole_experience": "7", "what_went_wrong": "ignored"})
    assert "what_went_wrong" not in Response.objects.get(invitation=happy).answers


def test_page_is_small_and_has_no_scripts_or_third_party_links(client, force):
    html = client.get(survey_path(make_contact(force, "W-1"))).content
    assert len(html) < 30 * 1024
    assert b"<script" not in html
    assert b"http://" not in html.replace(b"http://www.w3.org", b"")
    assert b"https://" not in html
