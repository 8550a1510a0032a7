"""Previews of a survey template's messages, for administrators, before it is used."""

from django.conf import settings
from django.utils.html import format_html, format_html_join

from bluelamp.forces.models import Force
from bluelamp.lib import gsm
from bluelamp.surveys import texts
from bluelamp.surveys.models import SurveyTemplate

SAMPLE_LINK_ID = "A" * 22  # as long as a real link's token


def previews(template: SurveyTemplate, force: Force) -> list[tuple[str, texts.Text]]:
    url = f"{(force.site_url or settings.SITE_URL).rstrip('/')}/s/{SAMPLE_LINK_ID}"
    asks = bool(template.definition.get("sms_question"))
    out: list[tuple[str, texts.Text]] = []
    languages = [("en", "English"), ("cy", "Welsh")]
    if force.bilingual_welsh_first:
        languages.append(("", "Welsh then English (language not known)"))
    for language, name in languages:
        kind = "invitation_question" if asks else "invitation"
        out.append((f"SMS, {name}", texts.sms(kind, force=force, language=language, url=url)))
        out.append(
            (
                f"SMS reminder, {name}",
                texts.sms("reminder", force=force, language=language, url=url),
            )
        )
        out.append(
            (
                f"Email, {name}",
                texts.email(
                    "invitation", force=force, language=language, url=url, expires="12 December"
                ),
            )
        )
    return out


def preview_html(template: SurveyTemplate) -> str:
    force = template.force or Force(name="Your force", short_name="Your force")
    rows = []
    for label, text in previews(template, force):
        if label.startswith("SMS"):
            note = (
                f"{len(text.body)} characters, {gsm.sms_segments(text.body)} SMS segment(s), "
                + ("GSM-7" if gsm.is_gsm7(text.body) else "Unicode (UCS-2): 70 a segment")
            )
        else:
            note = f"Subject: {text.subject}"
        rows.append((label, note, text.body))
    return format_html(
        "<dl>{}</dl>",
        format_html_join(
            "", "<dt><strong>{}</strong> ({})</dt><dd><pre class='message-text'>{}</pre>"
            "</dd>", rows,
        ),
    )  # fmt: skip
