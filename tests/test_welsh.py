"""Welsh forces (issue 11): a person whose language is not known hears from a bilingual
Welsh-first force in Welsh, then English; a known language is kept; other forces stay English.
The text that asks for a score by reply names the page's scale ends, in both languages."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from bluelamp.delivery import inbound
from bluelamp.delivery.models import Message, OutboxMessage
from bluelamp.delivery.providers.base import Inbound
from bluelamp.forces.models import Force
from bluelamp.intake.models import Person
from bluelamp.lib import gsm
from bluelamp.surveys import logic, texts
from bluelamp.surveys.models import ContactRuleSet, Invitation, Response, SurveyTemplate
from bluelamp.surveys.selectors import template_cache_clear
from tests.conftest import contact_body, post_contact
from tests.helpers import make_contact, send_scheduled, survey_path

EMAIL_ONLY = {"phone": "", "email": "caller@example.com"}
# The first words of each language's invitation text.
SMS_CY = "Heddlu Dyfed-Powys: fe wnaethoch gysylltu"
SMS_EN = "Heddlu Dyfed-Powys: you contacted us recently"


@pytest.fixture
def dyfed(db: Any) -> Force:
    """Dyfed-Powys: a Welsh force, bilingual with Welsh first."""
    force = Force.objects.create(
        slug="dyfed-powys",
        name="Dyfed-Powys Police",
        short_name="Heddlu Dyfed-Powys",
        bilingual_welsh_first=True,
    )
    ContactRuleSet.objects.create(force=force, version=1, definition={"frequency_days": 0})
    return force


def sent(invitation: Invitation) -> OutboxMessage:
    send_scheduled()
    return OutboxMessage.objects.get(invitation=invitation)


def ask_by_text(force: Force) -> None:
    shipped = SurveyTemplate.objects.filter(force=None, key="burglary").order_by("-version")[0]
    SurveyTemplate.objects.create(
        force=force, key="burglary", stage="first_contact", version=1,
        definition={**shipped.definition, "sms_question": True},
    )  # fmt: skip
    template_cache_clear()


# ---------------------------------------------------------------- a language not known


def test_the_api_takes_a_language_left_out_as_not_known(api: Client, force: Force) -> None:
    assert post_contact(api, contact_body("LANG-1")).status_code == 201
    body = contact_body("LANG-2", person={"language": "en"})
    assert post_contact(api, body).status_code == 201
    languages = dict(Person.objects.values_list("contacts__reference", "language"))
    assert languages == {"LANG-1": "", "LANG-2": "en"}
    assert Invitation.objects.get(contact__reference="LANG-1").language == ""


def test_a_force_writes_in_the_language_asked_for_else_its_own() -> None:
    welsh = Force(bilingual_welsh_first=True)
    english = Force()
    assert welsh.languages_for("") == ("cy", "en")
    assert welsh.languages_for("en") == ("en",)
    assert welsh.languages_for("cy") == ("cy",)
    assert english.languages_for("") == ("en",)
    assert english.languages_for("cy") == ("cy",)


# ---------------------------------------------------------------- SMS and email


def test_welsh_first_force_texts_welsh_then_english_when_the_language_is_not_known(
    dyfed: Force,
) -> None:
    invitation = make_contact(dyfed, "DP-1")
    body = sent(invitation).body
    welsh, english = body.split(texts.SMS_BETWEEN)
    assert welsh.startswith(SMS_CY) and english.startswith(SMS_EN)
    assert f"/s/{invitation.token}" in welsh and f"/s/{invitation.token}" in english
    # "â" makes the whole text UCS-2: 67 UTF-16 units a part once it is split.
    assert not gsm.is_gsm7(body)
    assert gsm.sms_segments(body) == -(-len(body) // gsm.UCS2_PART) > 1


def test_welsh_first_force_emails_welsh_then_english_when_the_language_is_not_known(
    dyfed: Force,
) -> None:
    mail = sent(make_contact(dyfed, "DP-2", person=EMAIL_ONLY))
    assert mail.subject == "Sut wnaethon ni? Dyfed-Powys Police / How did we do? Dyfed-Powys Police"
    welsh, english = mail.body.split(texts.EMAIL_BETWEEN)
    assert welsh.startswith("Helo,\n\nFe wnaethoch chi gysylltu â Dyfed-Powys Police")
    assert english.startswith("Hello,\n\nYou contacted Dyfed-Powys Police")


def test_welsh_first_force_keeps_a_known_language(dyfed: Force) -> None:
    english = sent(make_contact(dyfed, "DP-3", person={"language": "en"}))
    assert english.body.startswith(SMS_EN) and "fe wnaethoch" not in english.body
    assert gsm.is_gsm7(english.body)
    welsh = sent(make_contact(dyfed, "DP-4", person={**EMAIL_ONLY, "language": "cy"}))
    assert welsh.subject == "Sut wnaethon ni? Dyfed-Powys Police"
    assert "Hello" not in welsh.body


def test_other_forces_write_english_when_the_language_is_not_known(force: Force) -> None:
    text = sent(make_contact(force, "EN-1"))
    assert text.body.startswith("Test Constabulary: you contacted us recently")
    assert "\n" not in text.body and gsm.sms_segments(text.body) == 1
    mail = sent(make_contact(force, "EN-2", person=EMAIL_ONLY))
    assert mail.subject == "How did we do? Test Constabulary"
    assert "Helo" not in mail.body


def test_a_stop_from_an_unknown_language_is_confirmed_welsh_first(dyfed: Force) -> None:
    invitation = make_contact(dyfed, "DP-5")
    sent(invitation)
    at = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    done = inbound.inbound_handle(
        provider="console", inbound=Inbound("in-1", "+447700900001", "STOP", at)
    )
    assert done == "opt_out"
    confirmation = Message.objects.get(purpose=Message.Purpose.OPT_OUT_CONFIRMATION)
    welsh, english = confirmation.body.split(texts.SMS_BETWEEN)
    assert welsh.startswith("Heddlu Dyfed-Powys: ni chewch ragor o arolygon")
    assert english.startswith("Heddlu Dyfed-Powys: you will get no more surveys")


# ---------------------------------------------------------------- the score asked by text


def test_the_text_asks_for_a_score_with_the_pages_scale_ends_in_both_languages(
    dyfed: Force,
) -> None:
    ask_by_text(dyfed)
    body = sent(make_contact(dyfed, "DP-6")).body
    welsh, english = body.split(texts.SMS_BETWEEN)
    assert "Atebwch 1 (hollol anfodlon) i 7 (hollol fodlon)" in welsh
    assert "Reply 1 (completely dissatisfied) to 7 (completely satisfied)" in english
    # The very words of the page's first and last choices.
    for language, text in (("cy", welsh), ("en", english)):
        labels = logic.SCALE_LABELS[language]
        assert f"1 ({labels[0].lower()})" in text and f"7 ({labels[-1].lower()})" in text


def test_a_reply_to_a_bilingual_score_text_is_the_answer(dyfed: Force) -> None:
    ask_by_text(dyfed)
    invitation = make_contact(dyfed, "DP-7")
    sent(invitation)
    at = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    inbound.inbound_handle(provider="console", inbound=Inbound("in-2", "+447700900001", "6", at))
    assert Response.objects.get(invitation=invitation).whole_experience == 6


# ---------------------------------------------------------------- the survey page


def test_welsh_first_force_shows_a_bilingual_page_welsh_first(client: Client, dyfed: Force) -> None:
    invitation = make_contact(dyfed, "DP-8")
    html = client.get(survey_path(invitation)).content.decode()
    assert '<html lang="cy">' in html
    welsh = html.index('<span class="bi" lang="cy">Gan ystyried y profiad cyfan')
    english = html.index('<span class="bi" lang="en">Taking the whole experience')
    assert welsh < english
    assert html.index("Hollol anfodlon") < html.index("Completely dissatisfied")
    assert "Mae 1 yn golygu hollol anfodlon a 7 yn golygu hollol fodlon." in html
    assert "1 is completely dissatisfied and 7 is completely satisfied." in html
    assert '<span class="bi" lang="cy">Anfon fy atebion</span>' in html
    assert '<span class="bi" lang="en">Send my answers</span>' in html
    assert '<a href="?lang=en"' in html and '<a href="?lang=cy"' in html
    assert '<input type="hidden" name="lang" value="">' in html
    title = html.split("<title>")[1].split("</title>")[0]
    assert title == "Eich adroddiad am fyrgleriaeth / Your report of a burglary"


def test_a_bilingual_page_gives_its_errors_and_thanks_in_both(client: Client, dyfed: Force) -> None:
    invitation = make_contact(dyfed, "DP-9")
    r = client.post(survey_path(invitation), {"lang": ""})
    assert r.status_code == 400
    html = r.content.decode()
    assert html.index("Atebwch y cwestiwn hwn") < html.index("Answer this question")
    r = client.post(survey_path(invitation), {"lang": "", "whole_experience": "6"})
    html = r.content.decode()
    assert (
        '<span class="bi" lang="cy">Diolch</span><span class="bi" lang="en">Thank you</span>'
        in (html)
    )


def test_a_language_chosen_on_a_bilingual_page_holds(client: Client, dyfed: Force) -> None:
    invitation = make_contact(dyfed, "DP-10")
    html = client.get(survey_path(invitation) + "?lang=en").content.decode()
    assert '<html lang="en">' in html and "Gan ystyried" not in html
    assert '<input type="hidden" name="lang" value="en">' in html
    r = client.post(survey_path(invitation), {"lang": "en", "whole_experience": "6"})
    assert "Diolch" not in r.content.decode() and "Thank you" in r.content.decode()


def test_welsh_first_force_shows_one_language_when_it_is_known(
    client: Client, dyfed: Force
) -> None:
    english = client.get(survey_path(make_contact(dyfed, "DP-11", person={"language": "en"})))
    assert "Gan ystyried" not in english.content.decode()
    assert '<html lang="en">' in english.content.decode()
    welsh = client.get(survey_path(make_contact(dyfed, "DP-12", person={"language": "cy"})))
    assert "Taking the whole experience" not in welsh.content.decode()


def test_other_forces_show_english_when_the_language_is_not_known(
    client: Client, force: Force
) -> None:
    html = client.get(survey_path(make_contact(force, "EN-3"))).content.decode()
    assert '<html lang="en">' in html
    assert "Gan ystyried" not in html and 'class="bi"' not in html
    assert "1 is completely dissatisfied and 7 is completely satisfied." in html


def test_a_bilingual_text_is_counted_as_one_ucs2_text_not_as_its_two_halves(dyfed: Force) -> None:
    url = "https://feedback.dyfed-powys.example/s/" + "A" * 22
    welsh = texts.sms("invitation", force=dyfed, language="cy", url=url).body
    english = texts.sms("invitation", force=dyfed, language="en", url=url).body
    both = texts.sms("invitation", force=dyfed, language="", url=url)
    assert both.body == welsh + texts.SMS_BETWEEN + english
    assert gsm.is_gsm7(english) and gsm.sms_segments(english) == 1
    assert not gsm.is_gsm7(welsh) and gsm.sms_segments(welsh) == 3
    # One Welsh â makes the English half UCS-2 too: 67 units a part over the whole text, so
    # it is 5 segments, not the halves' 3 + 1.
    assert not both.gsm7
    assert both.segments == -(-len(both.body) // gsm.UCS2_PART) == 5


def test_the_template_preview_of_a_welsh_first_force_shows_the_bilingual_messages(
    dyfed: Force,
) -> None:
    from bluelamp.surveys.preview import preview_html, previews

    template = SurveyTemplate.objects.filter(force=None, key="burglary").order_by("-version")[0]
    shown = dict(previews(template, dyfed))
    both = shown["SMS, Welsh then English (language not known)"]
    assert both.body.startswith(SMS_CY) and SMS_EN in both.body
    assert "Email, Welsh then English (language not known)" in shown
    template.force = dyfed
    assert f"{both.segments} SMS segment(s), Unicode (UCS-2)" in preview_html(template)
    template.force = None
    assert "Welsh then English" not in preview_html(template)  # no Welsh-first force
