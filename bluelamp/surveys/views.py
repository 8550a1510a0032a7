"""The respondent pages: no login, no JavaScript needed, English and Welsh.

The token in the link is the only key. Pages for an unknown, expired or used link say nothing
about the case behind it.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bluelamp.surveys import logic
from bluelamp.surveys.models import Invitation
from bluelamp.surveys.services import (
    InvitationClosed,
    invitation_open,
    invitation_state,
    person_opt_out,
    response_submit,
)

COPY = {
    "en": {
        "lang_name": "English",
        "other": ("cy", "Cymraeg"),
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
        "answered": "You have already answered",
        "answered_text": "We have your answers. Thank you for taking the time.",
        "emergency": "This survey is not monitored. In an emergency call 999. Otherwise call 101.",
        "skip": "Skip to the survey",
        "scale_hint": "1 is completely dissatisfied and 7 is completely satisfied.",
    },
    "cy": {
        "lang_name": "Cymraeg",
        "other": ("en", "English"),
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
        "answered": "Rydych chi eisoes wedi ateb",
        "answered_text": "Mae gennym eich atebion. Diolch am roi o'ch amser.",
        "emergency": "Nid yw'r arolwg hwn yn cael ei fonitro. Mewn argyfwng ffoniwch 999. Fel "
        "arall ffoniwch 101.",
        "skip": "Neidio i'r arolwg",
        "scale_hint": "Mae 1 yn golygu hollol anfodlon a 7 yn golygu hollol fodlon.",
    },
}


def _language(request: HttpRequest, invitation: Invitation | None) -> str:
    chosen = request.GET.get("lang") or request.POST.get("lang")
    if chosen in COPY:
        return chosen
    if invitation is not None and invitation.language in COPY:
        return invitation.language
    return "en"


def _notice(request: HttpRequest, lang: str, kind: str, status: int) -> HttpResponse:
    copy = COPY[lang]
    return render(
        request,
        "surveys/notice.html",
        {"lang": lang, "copy": copy, "heading": copy[kind], "text": copy[f"{kind}_text"]},
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


def _questions(definition: logic.Definition, lang: str, answers: dict[str, str]) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for q in definition.questions:
        if q.kind == "scale7":
            choices = [(str(i + 1), label) for i, label in enumerate(logic.SCALE_LABELS[lang])]
        elif q.kind == "yes_no":
            choices = list(logic.YES_NO_LABELS[lang].items())
        elif q.kind == "choice":
            choices = [(o.value, o.label.get(lang)) for o in q.options]
        else:
            choices = []
        out.append(
            {
                "id": q.id,
                "kind": q.kind,
                "text": q.text.get(lang),
                "hint": q.hint.get(lang) if q.hint else "",
                "required": q.required,
                "choices": choices,
                "value": answers.get(q.id, ""),
                "show_if": q.show_if,
            }
        )
    return out


def _branch_css(definition: logic.Definition) -> str:
    """CSS that shows a conditional question only when its condition is met, with no script.

    Browsers without :has() simply show every question; answers to questions whose
    condition is not met are then ignored on submission.
    """
    rules = []
    for q in definition.questions:
        if q.show_if is None:
            continue
        matches = ",".join(
            f"form:has(input[name={q.show_if.question}][value='{v}']:checked) #q-{q.id}"
            for v in q.show_if.any_of
        )
        rules.append(f"#q-{q.id}{{display:none}}{matches}{{display:block}}")
    if not rules:
        return ""
    return "@supports selector(:has(*)){" + "".join(rules) + "}"


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _find(token)
    lang = _language(request, invitation)
    if invitation is None or invitation.template is None:
        return _notice(request, lang, "unknown", 404)
    now = timezone.now()
    state = invitation_state(invitation, now)
    if state == "answered":
        return _notice(request, lang, "answered", 200)
    if state == "expired":
        return _notice(request, lang, "expired", 410)
    definition = logic.parse_definition(invitation.template.definition)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    callback = False
    if request.method == "POST":
        values = {q.id: request.POST.get(q.id, "") for q in definition.questions}
        callback = request.POST.get("callback") == "yes"
        try:
            submitted = response_submit(
                invitation_id=invitation.pk,
                form=values,
                callback_requested=callback,
                language=lang,
                now=now,
            )
        except InvitationClosed as closed:
            return _notice(request, lang, str(closed), 410 if str(closed) == "expired" else 200)
        if not submitted.errors:
            return render(
                request,
                "surveys/thanks.html",
                {
                    "lang": lang,
                    "copy": COPY[lang],
                    "callback": callback,
                    "force_name": invitation.force.name,
                },
            )
        errors = submitted.errors
    else:
        invitation_open(invitation=invitation, now=now)
    questions = _questions(definition, lang, values)
    for q in questions:
        q["error"] = errors.get(q["id"], "")
    return render(
        request,
        "surveys/respond.html",
        {
            "lang": lang,
            "copy": COPY[lang],
            "force_name": invitation.force.name,
            "title": definition.title.get(lang),
            "intro": definition.intro.get(lang),
            "questions": questions,
            "errors": [(q["id"], q["text"], q["error"]) for q in questions if q["error"]],
            "callback": callback,
            "branch_css": _branch_css(definition),
            "token": token,
        },
        status=400 if errors else 200,
    )


@never_cache
@require_http_methods(["POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _find(token)
    lang = _language(request, invitation)
    if invitation is None:
        return _notice(request, lang, "unknown", 404)
    person_opt_out(invitation_id=invitation.pk, now=timezone.now())
    return _notice(request, lang, "stopped", 200)
