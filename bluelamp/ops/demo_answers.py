"""The demo's survey answers: who answers and when, and what they say, through
``response_submit`` as a respondent would.
"""

import datetime as dt
import random
from dataclasses import dataclass

from bluelamp.flows.responses import response_submit
from bluelamp.ops.demo_force import WORSE_TEAM
from bluelamp.surveys import logic
from bluelamp.surveys.models import Invitation, Response

# Whole-experience scores 1 to 7. Most callers are satisfied and about one in seven is
# dissatisfied overall; anti-social behaviour's callers less often satisfied, as in most
# forces, and the worse team's least.
SCORE_WEIGHTS = [3, 3, 5, 5, 16, 32, 36]
ASB_SCORE_WEIGHTS = [5, 5, 8, 6, 18, 29, 29]
WORSE_SCORE_WEIGHTS = [16, 13, 13, 9, 16, 17, 16]  # about half satisfied
# Texts are answered more often than emails; a few people opt out instead of answering.
RESPONSE_RATE = {"sms": 0.4, "email": 0.25}
OPT_OUT_RATE = 0.015

PRAISE = [
    "The call handler was calm and kind and made me feel I was being taken seriously.",
    "Really quick to answer and the officer came the same evening. Thank you.",
    "I was nervous about calling but the lady I spoke to was lovely and patient.",
    "Clear advice about what to do next and a reference number straight away.",
    "Very professional. I was kept informed by text, which I appreciated.",
    "They checked I was safe before anything else. That meant a lot.",
    "Better than I expected. The person on the phone really listened.",
    "Thank you for ringing back when you said you would.",
]
COMPLAINTS = [
    "I waited a long time on hold before anyone answered.",
    "Nobody told me what would happen next and I have heard nothing since.",
    "I was told an officer would come but nobody turned up.",
    "The person I spoke to seemed rushed and did not let me finish.",
    "I had to repeat everything three times to different people.",
    "I was given a reference number and then nothing. It feels like nobody cares.",
    "The online form kept timing out and I had to start again.",
    "I felt judged for calling. It was not a waste of police time to me.",
]
NEUTRAL_REMARKS = [
    "It was fine but I would have liked an update.",
    "Quick to answer, but I am not sure anything will come of it.",
    "Would be good to get a text when something changes.",
]


def reply_delay(rng: random.Random) -> dt.timedelta:
    """Most people answer within the hour of the text; some the next day; a few later."""
    r = rng.random()
    if r < 0.55:
        return dt.timedelta(minutes=2 + rng.expovariate(1 / 40))
    if r < 0.9:
        return dt.timedelta(hours=rng.uniform(2, 24))
    return dt.timedelta(days=rng.uniform(1, 5))


@dataclass(frozen=True)
class Answer:
    form: dict[str, str]
    callback: bool


def score_draw(
    rng: random.Random, *, team: str, incident_type: str, waited: int | None = None
) -> int:
    """A whole-experience score: most satisfied; the worse team, ASB callers and callers who
    waited long to be answered less so."""
    weights = SCORE_WEIGHTS
    if incident_type == "antisocial_behaviour":
        weights = ASB_SCORE_WEIGHTS
    if team == WORSE_TEAM:
        weights = WORSE_SCORE_WEIGHTS
    score = rng.choices(range(1, 8), weights=weights)[0]
    if waited is not None and waited > 120 and rng.random() < 0.4:
        score -= 1
    if waited is not None and waited > 300 and rng.random() < 0.5:
        score -= 2
    return max(1, score)


def answer_draw(rng: random.Random, definition: logic.Definition, score: int) -> Answer:
    """A plausible set of answers to a template, consistent with the whole-experience score."""
    form: dict[str, str] = {}
    for q in definition.questions:
        if not logic.is_shown(q, form):
            continue
        if q.id == logic.WHOLE_EXPERIENCE:
            form[q.id] = str(score)
        elif q.kind == "scale7":
            if rng.random() < 0.08:
                continue  # optional questions are sometimes skipped
            # Ease of contact and treatment by the call handler are usually rated a little
            # above the whole experience, which also reflects what happened afterwards.
            lift = 1 if q.id in ("ease_of_contact", "treatment") and rng.random() < 0.4 else 0
            form[q.id] = str(max(1, min(7, score + lift + rng.choice([-1, 0, 0, 1]))))
        elif q.id == "wants_support":
            # Most callers want no more than they had; some, often the dissatisfied, ask.
            if rng.random() < 0.3:
                continue
            form[q.id] = "yes" if rng.random() < (0.15 if score <= 3 else 0.04) else "no"
        elif q.kind == "yes_no":
            if rng.random() < 0.05:
                continue
            form[q.id] = "yes" if rng.random() < (0.85 if score >= 5 else 0.4) else "no"
        elif q.kind == "choice":
            form[q.id] = rng.choice(q.options).value
        elif q.kind == "text":
            text = _text_draw(rng, q.id, score)
            if text:
                form[q.id] = text
    callback = rng.random() < (0.3 if score <= 3 else 0.03)
    return Answer(form, callback)


def _text_draw(rng: random.Random, question_id: str, score: int) -> str:
    if question_id == "what_went_wrong":
        if score <= 3 and rng.random() < 0.55:
            return rng.choice(COMPLAINTS)
        if score == 4 and rng.random() < 0.3:
            return rng.choice(NEUTRAL_REMARKS)
        return ""
    if score >= 6 and rng.random() < 0.1:
        return rng.choice(PRAISE)
    if score <= 3 and rng.random() < 0.1:
        return rng.choice(COMPLAINTS)
    return ""


def invitation_answer(
    *, rng: random.Random, invitation: Invitation, now: dt.datetime
) -> Response | None:
    """Answer one sent invitation as its respondent might, through ``response_submit``."""
    contact = invitation.contact
    team = contact.team.code if contact.team else ""
    score = score_draw(
        rng, team=team, incident_type=contact.incident_type_id, waited=contact.answer_seconds
    )
    assert invitation.template is not None
    definition = logic.parse_definition(invitation.template.definition)
    answer = answer_draw(rng, definition, score)
    submitted = response_submit(
        invitation_id=invitation.pk,
        form=answer.form,
        callback_requested=answer.callback,
        language=invitation.language,
        now=now,
    )
    return submitted.response
