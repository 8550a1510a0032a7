"""Which survey answers open a service-recovery case: rules held as data, per force.

A force edits its recovery rules in the admin as JSON; every save is a new version, and each
case records the rules and the version that opened it. Conditions are those of the referral
rules (``bluelamp.lib.conditions``: ``all``, ``any``, ``not`` and tests of one fact with ``eq``,
``ne``, ``gte``, ``lte``, ``in``, ``not_in``, ``intersects``, each with an optional ``says``
phrase), evaluated by the same engine, so one rule language serves the whole product.

A rule set::

    {"rules": [{"id": "dissatisfied",
                "title": "Dissatisfied with the service",
                "reason": "Dissatisfied with the service",
                "deadline_hours": 24,
                "priority": "normal",
                "follow_up": true,
                "when": {"fact": "outcome", "eq": "dissatisfied"}}],
     "escalate_to": "duty-inspector",
     "follow_up": true}

Every rule that holds applies (unlike referrals, where a service is referred once). A case
takes the shortest deadline and the highest priority of the rules that opened it, and gets a
follow-up survey after it is resolved when ``follow_up`` is on for the set and for at least
one of those rules; when it is sent, and whether the person may be surveyed at all, is for
the contact rules (stage ``recovery_follow_up``). An overdue case is escalated to the user
named by ``escalate_to`` (the duty or force-wide supervisor).

Facts of a response (any may be missing):

- ``whole_experience``: the score, 1 (completely dissatisfied) to 7 (completely satisfied).
- ``outcome``: ``satisfied``, ``neutral``, ``dissatisfied`` or ``unanswered``.
- ``callback_requested``: true or false.
- ``safeguarding``: the distress phrases found in the comment (``care.feedback``), a list.
- ``sentiment``: VADER's compound score of the comment, -1 (most negative) to 1.
- ``themes``: theme codes of the comment (``insights.text``), a list.
- ``incident_type``, ``channel``, ``stage``, ``team``: codes.
- ``answers``: the answers by question id, so ``answers.treatment`` is a score.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bluelamp.lib import conditions

Priority = Literal["high", "normal", "low"]
PRIORITIES: tuple[Priority, ...] = ("high", "normal", "low")  # most urgent first
MAX_HOURS = 24 * 30


class RecoveryRule(BaseModel):
    """Open a case when ``when`` holds, due within ``deadline_hours``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=conditions.CODE)
    title: str = Field(min_length=1)
    when: conditions.Condition
    reason: str = Field(min_length=1)
    deadline_hours: int = Field(ge=1, le=MAX_HOURS)
    priority: Priority = "normal"
    follow_up: bool = True


class RecoveryRuleSet(BaseModel):
    """A force's recovery rules, in order, who takes overdue cases, and the follow-up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: tuple[RecoveryRule, ...] = ()
    escalate_to: str | None = Field(default=None, min_length=1, max_length=150)
    follow_up: bool = True

    @model_validator(mode="after")
    def _ids_unique(self) -> "RecoveryRuleSet":
        seen: set[str] = set()
        for index, rule in enumerate(self.rules):
            if rule.id in seen:
                raise ValueError(f'rules[{index}].id: duplicate rule id "{rule.id}"')
            seen.add(rule.id)
        return self


@dataclass(frozen=True)
class Match:
    """A rule that holds, with the reason in words."""

    rule_id: str
    title: str
    reason: str
    deadline_hours: int
    priority: Priority
    follow_up: bool

    def as_json(self) -> dict[str, Any]:
        """As a case keeps it."""
        return {
            "id": self.rule_id, "title": self.title, "reason": self.reason,
            "deadline_hours": self.deadline_hours, "priority": self.priority,
            "follow_up": self.follow_up,
        }  # fmt: skip


@dataclass(frozen=True)
class Terms:
    """What the matches make of a case: its deadline, priority and whether to follow up."""

    deadline_hours: int
    priority: Priority
    follow_up: bool


def _in_words(error: ValidationError) -> str:
    """One line per problem, each naming its path: ``rules[0].deadline_hours: ...``."""
    lines = []
    for problem in error.errors(include_url=False):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{path.lstrip('.')}: {message}" if path else message)
    return "\n".join(lines)


def parse_rule_set(data: Any) -> RecoveryRuleSet:
    """Check a rule set (parsed JSON, or JSON text) and return it; else ValueError naming
    every bad path, one per line."""
    try:
        if isinstance(data, str | bytes):
            return RecoveryRuleSet.model_validate_json(data)
        return RecoveryRuleSet.model_validate(data)
    except ValidationError as error:
        raise ValueError(_in_words(error)) from None


def dump_rule_set(rule_set: RecoveryRuleSet) -> dict[str, Any]:
    """The rule set as JSON-able data, in the shape ``parse_rule_set`` reads."""
    return rule_set.model_dump(mode="json", exclude_none=True)


def evaluate(rule_set: RecoveryRuleSet, facts: Mapping[str, Any]) -> list[Match]:
    """Every rule whose condition holds, in the set's order, each with its reason."""
    matches = []
    for rule in rule_set.rules:
        phrases = conditions.match(rule.when, facts)
        if phrases is None:
            continue
        reason = conditions.sentence(rule.reason, phrases)
        matches.append(
            Match(
                rule.id, rule.title, reason, rule.deadline_hours, rule.priority, rule.follow_up,
            )
        )  # fmt: skip
    return matches


def terms(rule_set: RecoveryRuleSet, matches: list[Match]) -> Terms:
    """The shortest deadline and highest priority of the matches; follow up when the set
    and at least one of them ask for it. ``matches`` must not be empty."""
    if not matches:
        raise ValueError("no rule matched")
    return Terms(
        deadline_hours=min(m.deadline_hours for m in matches),
        priority=min((m.priority for m in matches), key=PRIORITIES.index),
        follow_up=rule_set.follow_up and any(m.follow_up for m in matches),
    )


def reason_words(matches: list[Match]) -> str:
    """Why the case was opened, as sentences a supervisor reads at a glance."""
    return " ".join(m.reason for m in matches)
