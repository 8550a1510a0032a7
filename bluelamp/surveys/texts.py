"""The words of every message, in English and Welsh: texts a victim can trust.

Each names the force, carries the link in full on the force's own address (never a link
shortener), and is kept to one SMS segment where the language allows: GSM-7 English fits in
160 characters; Welsh letters such as â and ŵ need UCS-2, where a segment is 70.

A message is in the language the person asked for. When that is not known, a bilingual
Welsh-first force writes the whole message in Welsh, then in English (``Force.languages_for``):
such a text is several segments, counted as it is sent (one UCS-2 letter makes all of it
UCS-2). The score question names the scale's ends in the words of the survey page.
"""

from dataclasses import dataclass

from bluelamp.forces.models import Force
from bluelamp.lib import gsm
from bluelamp.surveys.logic import scale_ends

SMS = {
    "invitation": {
        "en": "{force}: you contacted us recently. Please tell us how we did, it takes 2 "
        "minutes: {url}",
        "cy": "{force}: fe wnaethoch gysylltu â ni. Dywedwch wrthym sut wnaethon ni: {url}",
    },
    "invitation_question": {
        "en": "{force}: how satisfied are you with how we dealt with you? Reply 1 ({low}) to "
        "7 ({high}), or answer online: {url} Reply STOP to opt out",
        "cy": "{force}: pa mor fodlon ydych chi? Atebwch 1 ({low}) i 7 ({high}), neu ar-lein: "
        "{url} Atebwch STOP i optio allan",
    },
    "reminder": {
        "en": "{force}: a reminder, we would value your views on your recent contact with us: "
        "{url}",
        "cy": "{force}: nodyn atgoffa, hoffem glywed eich barn am eich cyswllt â ni: {url}",
    },
    "opt_out": {
        "en": "{force}: you will get no more surveys from us. If you need the police, call 999 "
        "in an emergency or 101.",
        "cy": "{force}: ni chewch ragor o arolygon gennym. Os oes angen yr heddlu, ffoniwch 999 "
        "mewn argyfwng neu 101.",
    },
}
EMAIL_SUBJECT = {
    "invitation": {"en": "How did we do? {force}", "cy": "Sut wnaethon ni? {force}"},
    "reminder": {
        "en": "A reminder: how did we do? {force}",
        "cy": "Nodyn atgoffa: sut wnaethon ni? {force}",
    },
}
EMAIL_BODY = {
    "en": "Hello,\n\nYou contacted {force} recently. We would like to know how we did. The "
    "survey takes about two minutes:\n\n{url}\n\nThe link works until {expires}. If you do not "
    "want to hear from us again, the same page lets you say so.\n\n{force}",
    "cy": "Helo,\n\nFe wnaethoch chi gysylltu â {force} yn ddiweddar. Hoffem wybod sut wnaethon "
    "ni. Mae'r arolwg yn cymryd tua dau funud:\n\n{url}\n\nMae'r ddolen yn gweithio tan "
    "{expires}. Os nad ydych am glywed gennym eto, gallwch ddweud hynny ar yr un dudalen."
    "\n\n{force}",
}


def force_name(force: Force) -> str:
    return force.short_name or force.name


@dataclass(frozen=True)
class Text:
    subject: str
    body: str

    @property
    def segments(self) -> int:
        return gsm.sms_segments(self.body)

    @property
    def gsm7(self) -> bool:
        return gsm.is_gsm7(self.body)


# Between the Welsh and the English of one message.
SMS_BETWEEN = "\n"
EMAIL_BETWEEN = "\n\n----------\n\n"
SUBJECT_BETWEEN = " / "


def sms(kind: str, *, force: Force, language: str, url: str = "") -> Text:
    """A text, for a person whose language is ``language`` ('en', 'cy', or '': not known)."""
    words = SMS[kind]
    said = []
    for lang in force.languages_for(language):
        low, high = scale_ends(lang)
        said.append(words[lang].format(force=force_name(force), url=url, low=low, high=high))
    return Text("", SMS_BETWEEN.join(said))


def email(kind: str, *, force: Force, language: str, url: str, expires: str) -> Text:
    """An email, for a person whose language is ``language`` ('en', 'cy', or '': not known)."""
    langs = force.languages_for(language)
    subject = SUBJECT_BETWEEN.join(
        EMAIL_SUBJECT[kind][lang].format(force=force.name) for lang in langs
    )
    body = EMAIL_BETWEEN.join(
        EMAIL_BODY[lang].format(force=force.name, url=url, expires=expires) for lang in langs
    )
    return Text(subject, body)
