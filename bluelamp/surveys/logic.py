"""Survey definitions, branching, answer validation and scoring: pure functions, no ORM.

A definition is JSON (stored on SurveyTemplate) checked by the pydantic models below. Question
ids are stable slugs, used as form field names and as keys in the API and exports.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field, model_validator

WHOLE_EXPERIENCE = "whole_experience"

# The seven-point scale, stored as 1 (completely dissatisfied) to 7 (completely satisfied).
SCALE_LABELS: dict[str, list[str]] = {
    "en": [
        "Completely dissatisfied",
        "Very dissatisfied",
        "Fairly dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Fairly satisfied",
        "Very satisfied",
        "Completely satisfied",
    ],
    "cy": [
        "Hollol anfodlon",
        "Anfodlon iawn",
        "Gweddol anfodlon",
        "Ddim yn fodlon nac yn anfodlon",
        "Gweddol fodlon",
        "Bodlon iawn",
        "Hollol fodlon",
    ],
}


def scale_ends(language: str) -> tuple[str, str]:
    """The words of the scale's two ends (1 and 7) as they run on in a sentence: the same
    labels the page shows, for its hint and for the SMS that asks for a score by reply."""
    labels = SCALE_LABELS.get(language, SCALE_LABELS["en"])
    return labels[0].lower(), labels[-1].lower()


# Conditional questions a template may have: the survey page's static stylesheet has a rule
# for each (bluelamp/static/bluelamp/survey.css).
MAX_CONDITIONAL = 20
YES_NO_LABELS = {"en": {"yes": "Yes", "no": "No"}}
# Welsh has no one word for yes: the answer echoes the question's verb and tense ("A gawsoch
# chi...?" is answered "Do" or "Naddo", "Hoffech chi...?" "Hoffwn" or "Na hoffwn"). The pairs
# for the openings questions use; a question may name its own (``answers_cy``), and one that
# opens otherwise gets "Ie" / "Na".
WELSH_ANSWERS = {
    "a gawsoch": ("Do", "Naddo"),
    "a gafodd": ("Do", "Naddo"),
    "a wnaeth": ("Do", "Naddo"),
    "a wnaethoch": ("Do", "Naddo"),
    "a oedd": ("Oedd", "Nac oedd"),
    "a oeddech": ("Oeddwn", "Nac oeddwn"),
    "oedd": ("Oedd", "Nac oedd"),
    "ai": ("Ie", "Nage"),
    "hoffech": ("Hoffwn", "Na hoffwn"),
    "a hoffech": ("Hoffwn", "Na hoffwn"),
    "ydych": ("Ydw", "Nac ydw"),
    "a ydych": ("Ydw", "Nac ydw"),
    "a fyddech": ("Byddwn", "Na fyddwn"),
    "fyddech": ("Byddwn", "Na fyddwn"),
    "a oes": ("Oes", "Nac oes"),
    "oes": ("Oes", "Nac oes"),
}
WELSH_ANSWERS_OTHERWISE = ("Ie", "Na")


def yes_no_labels(question: "Question", language: str) -> dict[str, str]:
    """The words of a yes/no question's two answers in ``language``."""
    if language != "cy":
        return YES_NO_LABELS["en"]
    pair = question.answers_cy or welsh_answers(question.text.cy)
    return {"yes": pair[0], "no": pair[1]}


def welsh_answers(text: str) -> tuple[str, str]:
    """The answer pair a Welsh question's opening words call for (the longest opening known)."""
    words = text.lower().replace("’", "'").split()
    for length in (2, 1):
        found = WELSH_ANSWERS.get(" ".join(words[:length]))
        if found:
            return found
    return WELSH_ANSWERS_OTHERWISE


MAX_TEXT = 2000


class Text(BaseModel):
    en: str
    cy: str

    def get(self, language: str) -> str:
        return self.cy if language == "cy" and self.cy else self.en


class Option(BaseModel):
    value: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Text


class ShowIf(BaseModel):
    """Show a question only when an earlier answer is one of ``any_of``."""

    question: str
    any_of: list[str]


class Question(BaseModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    kind: Literal["scale7", "yes_no", "choice", "text"]
    text: Text
    hint: Text | None = None
    required: bool = False
    options: list[Option] = []
    show_if: ShowIf | None = None
    stage: str = Field(default="", description="National stage this question measures")
    # A yes/no question's Welsh answers when its opening does not call for one of
    # WELSH_ANSWERS' pairs, e.g. ["Do", "Naddo"].
    answers_cy: tuple[str, str] | None = None

    @model_validator(mode="after")
    def _options_for_choice(self) -> "Question":
        if self.kind == "choice" and len(self.options) < 2:
            raise ValueError(f"question {self.id}: a choice needs at least two options")
        return self


class Definition(BaseModel):
    title: Text
    intro: Text
    questions: list[Question]
    # Ask the whole-experience question in the SMS itself: a reply of 1 to 7 is the answer.
    sms_question: bool = False

    @model_validator(mode="after")
    def _check(self) -> "Definition":
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("question ids must be unique")
        if WHOLE_EXPERIENCE not in ids:
            raise ValueError("every template must ask whole_experience")
        seen: dict[str, Question] = {}
        for q in self.questions:
            if q.show_if:
                _check_show_if(q, seen)
            seen[q.id] = q
        if sum(1 for q in self.questions if q.show_if) > MAX_CONDITIONAL:
            raise ValueError(f"at most {MAX_CONDITIONAL} questions may have a show_if")
        return self


def _check_show_if(question: Question, earlier: Mapping[str, "Question"]) -> None:
    """A ``show_if`` names an earlier question with set answers, and only those answers."""
    assert question.show_if is not None
    shown_by = earlier.get(question.show_if.question)
    where = f"question {question.id}: show_if"
    if shown_by is None:
        raise ValueError(
            f"{where} names {question.show_if.question!r}, which is not a question before it"
        )
    allowed = allowed_values(shown_by)
    if not allowed:
        raise ValueError(
            f"{where} names {shown_by.id}, a free-text question: only a scale, yes/no or "
            "choice answer can show a question"
        )
    if not question.show_if.any_of:
        raise ValueError(f"{where} has no answers in any_of, so it would never be shown")
    for value in question.show_if.any_of:
        if value not in allowed:
            raise ValueError(
                f"{where} value {value!r} is not an answer to {shown_by.id} "
                f"(its answers: {', '.join(allowed)})"
            )


def parse_definition(data: Mapping[str, object]) -> Definition:
    return Definition.model_validate(data)


def allowed_values(question: Question) -> list[str]:
    if question.kind == "scale7":
        return [str(n) for n in range(1, 8)]
    if question.kind == "yes_no":
        return ["yes", "no"]
    if question.kind == "choice":
        return [o.value for o in question.options]
    return []


def is_shown(question: Question, answers: Mapping[str, object]) -> bool:
    """A question with ``show_if`` is shown only when the earlier answer matches."""
    if question.show_if is None:
        return True
    return str(answers.get(question.show_if.question, "")) in question.show_if.any_of


@dataclass
class Checked:
    answers: dict[str, int | str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def check_answers(
    definition: Definition, submitted: Mapping[str, str], language: str = "en"
) -> Checked:
    """Validate raw form values against the definition.

    Answers to questions hidden by branching are dropped; scale answers become integers.
    Error messages are in the respondent's language and name the question.
    """
    out = Checked()
    for q in definition.questions:
        if not is_shown(q, out.answers):
            continue
        raw = (submitted.get(q.id) or "").strip()
        if not raw:
            if q.required:
                out.errors[q.id] = (
                    "Atebwch y cwestiwn hwn" if language == "cy" else "Answer this question"
                )
            continue
        if q.kind == "text":
            out.answers[q.id] = raw[:MAX_TEXT]
            continue
        if raw not in allowed_values(q):
            out.errors[q.id] = (
                "Dewiswch un o'r atebion" if language == "cy" else "Choose one of the answers"
            )
            continue
        out.answers[q.id] = int(raw) if q.kind == "scale7" else raw
    return out


def classify(score: int | None, satisfied_from: int = 5, dissatisfied_to: int = 3) -> str:
    """Whole experience 5 to 7 counts as satisfied and 1 to 3 as dissatisfied (configurable)."""
    if score is None:
        return "unanswered"
    if score >= satisfied_from:
        return "satisfied"
    if score <= dissatisfied_to:
        return "dissatisfied"
    return "neutral"


def free_text(definition: Definition, answers: Mapping[str, object]) -> str:
    """The respondent's own words, joined, for the comments feed."""
    parts = [
        str(answers[q.id]) for q in definition.questions if q.kind == "text" and answers.get(q.id)
    ]
    return "\n\n".join(parts)
