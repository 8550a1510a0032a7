"""The respondent pages: no login, no JavaScript needed, English and Welsh.

A page is in the language the person asked for; when that is not known, a bilingual
Welsh-first force's pages are in both, Welsh first (``Force.languages_for``). A language
chosen on the page then holds for the rest of the visit.

The token in the link is the only key. Pages for an unknown, expired or used link say nothing
about the case behind it.
"""

import logging
from collections.abc import Mapping, Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bluelamp.lib.params import BadQuery
from bluelamp.surveys import logic
from bluelamp.surveys.models import Invitation
from bluelamp.surveys.selectors import invitation_state
from bluelamp.surveys.services import InvitationClosed, Submit, invitation_open, person_opt_out

log = logging.getLogger(__name__)

COPY = {
    "en": {
        "submit": "Send my answers",
        "optional": "(optional)",
        "problem": "There is a problem",
        "callback": "I would like someone to call me back",
        "callback_hint": "We will try to call you within one working day.",
        "stop_heading": "Do not want to hear from us?",
        "stop_text": "We will not contact you again about this or any future report.",
        "stop_button": "Please do not contact me again",
        "thanks": "Thank you",
        "thanks_text": "Your answers have been sent. They help us improve the service we give.",
        "thanks_callback": "Someone will call you back.",
        "stopped": "You will not be contacted again",
        "stopped_text": "We have recorded your choice. You will not receive any more surveys "
        "from us.",
        "unknown": "This link is not recognised",
        "unknown_text": "Check that you copied the whole link from the message.",
        "expired": "This survey has closed",
        "expired_text": "The time for answering this survey has passed. Thank you for your "
        "interest.",
        "unavailable": "This survey is not available just now",
        "unavailable_text": "Please try again later. Thank you for your patience.",
        "answered": "You have already answered",
        "answered_text": "We have your answers. Thank you for taking the time.",
        "emergency": "This survey is not monitored. In an emergency call 999. Otherwise call 101.",
        "skip": "Skip to the survey",
        "scale_hint": "1 is {low} and 7 is {high}.",
    },
    "cy": {
        "submit": "Anfon fy atebion",
        "optional": "(dewisol)",
        "problem": "Mae problem",
        "callback": "Hoffwn i rywun fy ffonio'n ôl",
        "callback_hint": "Byddwn yn ceisio eich ffonio o fewn un diwrnod gwaith.",
        "stop_heading": "Ddim eisiau clywed gennym?",
        "stop_text": "Ni fyddwn yn cysylltu â chi eto am hyn nac am unrhyw adroddiad yn y dyfodol.",
        "stop_button": "Peidiwch â chysylltu â mi eto",
        "thanks": "Diolch",
        "thanks_text": "Mae eich atebion wedi'u hanfon. Maen nhw'n ein helpu i wella ein "
        "gwasanaeth.",
        "thanks_callback": "Bydd rhywun yn eich ffonio'n ôl.",
        "stopped": "Ni fyddwn yn cysylltu â chi eto",
        "stopped_text": "Rydym wedi cofnodi eich dewis. Ni fyddwch yn cael rhagor o arolygon "
        "gennym.",
        "unknown": "Nid yw'r ddolen hon yn cael ei hadnabod",
        "unknown_text": "Gwiriwch eich bod wedi copïo'r ddolen gyfan o'r neges.",
        "expired": "Mae'r arolwg hwn wedi cau",
        "expired_text": "Mae'r amser i ateb yr arolwg hwn wedi mynd heibio. Diolch am eich "
        "diddordeb.",
        "unavailable": "Nid yw'r arolwg hwn ar gael ar hyn o bryd",
        "unavailable_text": "Rhowch gynnig arall arni yn nes ymlaen. Diolch am eich amynedd.",
        "answered": "Rydych chi eisoes wedi ateb",
        "answered_text": "Mae gennym eich atebion. Diolch am roi o'ch amser.",
        "emergency": "Nid yw'r arolwg hwn yn cael ei fonitro. Mewn argyfwng ffoniwch 999. Fel "
        "arall ffoniwch 101.",
        "skip": "Neidio i'r arolwg",
        "scale_hint": "Mae 1 yn golygu {low} a 7 yn golygu {high}.",
    },
}


NAMES = {"en": "English", "cy": "Cymraeg"}


def _languages(request: HttpRequest, invitation: Invitation | None) -> tuple[str, ...]:
    """The page's languages, first first: the one chosen on the page; else the one the person
    asked for; else, not known, the force's (Welsh then English for a Welsh-first force)."""
    chosen = request.GET.get("lang") or request.POST.get("lang")
    if chosen in COPY:
        return (chosen,)
    if chosen:
        raise BadQuery({"lang": "should be " + " or ".join(COPY)})
    if invitation is None:
        return ("en",)
    return invitation.force.languages_for(invitation.language)


def _say(words: Mapping[str, str]) -> str:
    """Words by language, in the page's order of languages, each marked with its language so
    a screen reader speaks it right (the same words twice, as a template without its Welsh
    gives, once)."""
    if len(set(words.values())) == 1:
        return next(iter(words.values()))
    return format_html_join("", '<span class="bi" lang="{}">{}</span>', words.items())


def _plain(words: Mapping[str, str]) -> str:
    """The same, as plain text (the page's title)."""
    return " / ".join(dict.fromkeys(words.values()))


def _copy_words(lang: str, key: str) -> str:
    text = COPY[lang][key]
    if key == "scale_hint":
        low, high = logic.scale_ends(lang)
        return text.format(low=low, high=high)
    return text


def _page(langs: Sequence[str], title: Mapping[str, str]) -> dict[str, object]:
    """What every respondent page needs to speak the page's languages."""
    return {
        "lang": langs[0],
        # Posted back: a language chosen stays chosen; none, and the person's rule applies.
        "lang_field": langs[0] if len(langs) == 1 else "",
        "switch": [(lang, NAMES[lang]) for lang in NAMES if (lang,) != tuple(langs)],
        "copy": {key: _say({lang: _copy_words(lang, key) for lang in langs}) for key in COPY["en"]},
        "page_title": _plain(title),
    }


def _notice(request: HttpRequest, langs: Sequence[str], kind: str, status: int) -> HttpResponse:
    heading = {lang: COPY[lang][kind] for lang in langs}
    return render(
        request,
        "surveys/notice.html",
        {
            **_page(langs, heading),
            "heading": _say(heading),
            "text": _say({lang: COPY[lang][f"{kind}_text"] for lang in langs}),
        },
        status=status,
    )


def _find(token: str) -> Invitation | None:
    if len(token) > 32:
        return None
    return (
        Invitation.objects.select_related("template", "force")
        .filter(token=token)
        .exclude(token=None)
        .first()
    )


def _choices(q: logic.Question, lang: str) -> list[tuple[str, str]]:
    if q.kind == "scale7":
        return [(str(i + 1), label) for i, label in enumerate(logic.SCALE_LABELS[lang])]
    if q.kind == "yes_no":
        return list(logic.yes_no_labels(q, lang).items())
    if q.kind == "choice":
        return [(o.value, o.label.get(lang)) for o in q.options]
    return []


def _label(q: logic.Question, lang: str) -> str:
    if q.required:
        return q.text.get(lang)
    return format_html('{} <span class="hint">{}</span>', q.text.get(lang), COPY[lang]["optional"])


def _questions(
    definition: logic.Definition,
    langs: Sequence[str],
    answers: dict[str, str],
    errors: Mapping[str, Mapping[str, str]],
) -> list[dict]:  # type: ignore[type-arg]
    """The questions in the page's languages; ``errors`` are by language, then question."""
    when, reveals = _branching(definition)
    out = []
    for q in definition.questions:
        labels = {lang: dict(_choices(q, lang)) for lang in langs}
        error = {lang: errors.get(lang, {}).get(q.id, "") for lang in langs}
        hint = q.hint
        out.append(
            {
                "id": q.id,
                "kind": q.kind,
                "label": _say({lang: _label(q, lang) for lang in langs}),
                "hint": _say({lang: hint.get(lang) for lang in langs}) if hint else "",
                "required": q.required,
                "choices": [
                    (
                        value,
                        _say({lang: labels[lang][value] for lang in langs}),
                        " ".join(sorted(reveals.get(f"{q.id}:{value}", ()), key=int)),
                    )
                    for value in labels[langs[0]]
                ],
                "when": when.get(q.id, ""),
                "value": answers.get(q.id, ""),
                "error": _say(error) if error[langs[0]] else "",
                "summary": _say({lang: f"{error[lang]}: {q.text.get(lang)}" for lang in langs}),
            }
        )
    return out


def _branching(definition: logic.Definition) -> tuple[dict[str, int], dict[str, set[str]]]:
    """Where branching goes on the page, for the static stylesheet's rules (survey.css): the
    n-th conditional question is marked ``data-when="n"``, and every answer that meets its
    condition lists n in ``data-reveals``. Only numbers reach the page, no template text.

    Returns the slot of each conditional question by id, and the slots each answer reveals
    by "question id:value"."""
    when: dict[str, int] = {}
    reveals: dict[str, set[str]] = {}
    for q in definition.questions:
        if q.show_if is None:
            continue
        when[q.id] = len(when) + 1
        for value in q.show_if.any_of:
            reveals.setdefault(f"{q.show_if.question}:{value}", set()).add(str(when[q.id]))
    return when, reveals


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str, submit: Submit) -> HttpResponse:
    """The survey page. ``submit`` stores an answer and all that follows it (the project's
    URLs pass ``bluelamp.flows.responses.response_submit``)."""
    invitation = _find(token)
    langs = _languages(request, invitation)
    if invitation is None or invitation.template is None:
        return _notice(request, langs, "unknown", 404)
    now = timezone.now()
    state = invitation_state(invitation, now)
    if state == "answered":
        return _notice(request, langs, "answered", 200)
    if state == "expired":
        return _notice(request, langs, "expired", 410)
    try:
        definition = logic.parse_definition(invitation.template.definition)
    except ValueError:
        # Written past the admin's check (a data migration, a shell): never a 500 or a
        # half-checked page in front of a caller. The log names the template, not the link.
        log.error("survey template %s has an invalid definition", invitation.template.pk)
        return _notice(request, langs, "unavailable", 503)
    errors: dict[str, dict[str, str]] = {}
    values: dict[str, str] = {}
    callback = False
    if request.method == "POST":
        values = {q.id: request.POST.get(q.id, "") for q in definition.questions}
        callback = request.POST.get("callback") == "yes"
        try:
            submitted = submit(
                invitation_id=invitation.pk,
                form=values,
                callback_requested=callback,
                language=langs[0],
                now=now,
            )
        except InvitationClosed as closed:
            return _notice(request, langs, str(closed), 410 if str(closed) == "expired" else 200)
        if not submitted.errors:
            return render(
                request,
                "surveys/thanks.html",
                {
                    **_page(langs, {lang: COPY[lang]["thanks"] for lang in langs}),
                    "callback": callback,
                    "force_name": invitation.force.name,
                },
            )
        errors[langs[0]] = submitted.errors
        for lang in langs[1:]:  # the same (pure) check gives the words in the other language
            errors[lang] = logic.check_answers(definition, values, lang).errors
    else:
        invitation_open(invitation=invitation, now=now)
    questions = _questions(definition, langs, values, errors)
    title = {lang: definition.title.get(lang) for lang in langs}
    page_title = {lang: f"{COPY[lang]['problem']}: {title[lang]}" for lang in langs}
    return render(
        request,
        "surveys/respond.html",
        {
            **_page(langs, page_title if errors else title),
            "force_name": invitation.force.name,
            "title": _say(title),
            "intro": _say({lang: definition.intro.get(lang) for lang in langs}),
            "questions": questions,
            "errors": [(q["id"], q["summary"]) for q in questions if q["error"]],
            "callback": callback,
            "token": token,
        },
        status=400 if errors else 200,
    )


@never_cache
@require_http_methods(["POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _find(token)
    langs = _languages(request, invitation)
    if invitation is None:
        return _notice(request, langs, "unknown", 404)
    person_opt_out(invitation_id=invitation.pk, now=timezone.now())
    return _notice(request, langs, "stopped", 200)
