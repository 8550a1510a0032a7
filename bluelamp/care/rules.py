"""Referral and Enhanced Rights rules, held as data and evaluated by a small pure engine.

A force edits its rule set in the admin as JSON and every version is kept, so the rules are
data, not code. ``parse_rule_set`` checks a set and names the bad path in its error;
``evaluate`` says which services a victim is referred to, and why, in words a victim could be
told; ``enhanced_rights`` says whether the victim is entitled to Enhanced Rights under the
Victims' Code, and on what grounds.

A rule set::

    {"rules": [{"id": "older_person_liaison_burglary",
                "service": "older_person_liaison",
                "title": "Older victims of burglary at home",
                "reason": "Referred to the older person liaison officer because",
                "when": {"all": [{"fact": "age", "gte": 65, "says": "aged {value}, 65 or over"},
                                 ...]}}],
     "enhanced_rights": {"most_serious_offences": ["hate_crime"], ...}}

Conditions are those of ``bluelamp.lib.conditions`` (``all``, ``any``, ``not`` and tests of
one fact, each with an optional ``says`` phrase), explained in words a victim could be told.

Facts the caller passes (any may be missing):

- ``offence``: taxonomy code (``GET /api/v1/incident-types``): ``burglary_residential`` (a
  home; attempts and distraction burglaries included, see ``attempt`` and
  ``modus_operandi``), ``burglary_unconnected_building``, ``burglary_other``,
  ``robbery_personal``, ``wounding_with_intent``, ``sexual_offence``, ``stalking``, ...
  A rule naming an offence the taxonomy does not know is refused when saved.
- ``flags``: list of ``domestic_abuse``, ``hate_crime``, ``honour_based_abuse``,
  ``child_victim``; ``hate_strands``: list of ``race``, ``religion``,
  ``sexual_orientation``, ``disability``, ``transgender``.
- ``age``: whole years, int.
- ``indicators``: list of ``lives_alone``, ``disability``, ``dementia``,
  ``learning_disability``, ``mental_health``, ``language_barrier``, ``previously_targeted``,
  ``bereaved``, ``intimidated``, ...
- ``modus_operandi``: list of ``distraction``, ``bogus_caller``, ``doorstep``,
  ``rogue_trader``, ``artifice``, ...
- ``financial_loss``: pounds, float.
- ``consent``: object with ``share_with_partners`` and ``contact_by_force`` (true: agreed;
  false: said no; missing: not asked).
- ``persistently_targeted``: true once a person confirmed it; ``repeat_victim``,
  ``attempt``: true or false.

Each rule also says whether its service is outside the force (``partner``, true unless
false is given) and, for a partner, whether the Code lets the referral go unless the victim
objects (``"consent": "unless_objected"``) or only with the victim's agreement
(``"explicit"``, the default). ``consent_needed`` lists the crimes for which explicit consent
is always needed whatever the rule says (the Code: sexual offences, domestic abuse, bereaved
relatives). ``clocks`` holds the working-day limits of each duty, so a new Code is an edit.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from bluelamp.lib.conditions import (
    CODE,
    Condition,
    error_path,
    fail,
    is_list,
    is_number,
    match,
    read,
    same,
    sentence,
    walk,
    words,
)

# The Code names these as the most serious crime; a rule set may add to them, never remove.
ALWAYS_MOST_SERIOUS = ("domestic_abuse", "sexual_offence")
ALWAYS_MOST_SERIOUS_FLAGS = ("domestic_abuse",)
ADULT_AGE = 18


class Rule(BaseModel):
    """Refer to ``service`` when ``when`` holds (always, when it is left out), explaining why
    with ``reason`` and phrases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=CODE)
    service: str = Field(pattern=CODE)
    title: str = Field(min_length=1)
    when: Condition | None = None
    reason: str = Field(min_length=1)
    partner: bool = True
    consent: Literal["explicit", "unless_objected"] = "explicit"


class ConsentNeeded(BaseModel):
    """Crimes whose victims are referred to a partner only if they agree, whatever a rule
    says (the Code: sexual offences, domestic abuse and bereaved relatives)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    offences: tuple[str, ...] = ("sexual_offence", "domestic_abuse")
    flags: tuple[str, ...] = ("domestic_abuse", "honour_based_abuse")
    indicators: tuple[str, ...] = ("bereaved",)


class Clock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    working_days: int = Field(ge=0, le=250)
    enhanced_working_days: int | None = Field(default=None, ge=0, le=250)

    def limit(self, enhanced: bool) -> int:
        if enhanced and self.enhanced_working_days is not None:
            return self.enhanced_working_days
        return self.working_days


class Clocks(BaseModel):
    """Working-day limits of the Victims' Code duties; each starts at its event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    written_confirmation: Clock = Clock(working_days=5)
    referral: Clock = Clock(working_days=2)
    suspect_decision: Clock = Clock(working_days=5, enhanced_working_days=1)
    vps_offer: Clock = Clock(working_days=5)
    outcome: Clock = Clock(working_days=5, enhanced_working_days=1)
    review_acknowledge: Clock = Clock(working_days=10)
    review_decide: Clock = Clock(working_days=30)
    complaint: Clock = Clock(working_days=20)
    review_request_months: int = Field(default=3, ge=1, le=24)


class EnhancedRightsConfig(BaseModel):
    """Who is entitled to Enhanced Rights, beyond what the Code fixes.

    Domestic abuse and sexual offences always count as the most serious crime, and every
    victim under 18 is always entitled; a force may add offences and indicators.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    most_serious_offences: tuple[str, ...] = ()
    # Flags that make a crime the most serious crime; domestic abuse always does.
    most_serious_flags: tuple[str, ...] = ("hate_crime", "honour_based_abuse")
    # Close relatives bereaved by crime are treated as victims of the most serious crime.
    most_serious_indicators: tuple[str, ...] = ("bereaved",)
    vulnerable_indicators: tuple[str, ...] = (
        "disability",
        "dementia",
        "learning_disability",
        "mental_health",
    )
    intimidated_indicators: tuple[str, ...] = ("intimidated",)


class RuleSet(BaseModel):
    """A force's referral rules, in order, and its Enhanced Rights settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: tuple[Rule, ...] = ()
    enhanced_rights: EnhancedRightsConfig = EnhancedRightsConfig()
    consent_needed: ConsentNeeded = ConsentNeeded()
    clocks: Clocks = Clocks()

    @model_validator(mode="after")
    def _ids_unique(self) -> "RuleSet":
        seen: set[str] = set()
        for index, rule in enumerate(self.rules):
            if rule.id in seen:
                raise fail('rules[{index}].id: duplicate rule id "{id}"', index=index, id=rule.id)
            seen.add(rule.id)
        return self


@dataclass(frozen=True)
class Decision:
    """A referral: the rule that made it, the service, and the reason in plain words."""

    rule_id: str
    service: str
    reason: str
    partner: bool = True
    consent: str = "explicit"


def parse_rule_set(data: Any) -> RuleSet:
    """Check a rule set (parsed JSON, or JSON text) and return it.

    Raises ValueError naming every bad path, one per line, such as
    ``rules[2].when.any[0]: unknown operator "greater"``.
    """
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise ValueError(f"not valid JSON: {error}") from None
    try:
        return RuleSet.model_validate(data)
    except ValidationError as error:
        lines = []
        for problem in error.errors(include_url=False):
            path = error_path(tuple(problem["loc"]))
            lines.append(f"{path}: {problem['msg']}" if path else problem["msg"])
        raise ValueError("\n".join(lines)) from None


def evaluate(rule_set: RuleSet, facts: Mapping[str, Any]) -> list[Decision]:
    """The referrals the facts call for: at most one per service, the first matching rule's."""
    decisions: list[Decision] = []
    services: set[str] = set()
    for rule in rule_set.rules:
        if rule.service in services:
            continue
        phrases = [] if rule.when is None else match(rule.when, facts)
        if phrases is None:
            continue
        services.add(rule.service)
        decisions.append(
            Decision(
                rule.id, rule.service, sentence(rule.reason, phrases), rule.partner, rule.consent
            )
        )
    return decisions


def explicit_consent_needed(rule_set: RuleSet, facts: Mapping[str, Any]) -> str | None:
    """Why sharing with a partner needs the victim's explicit agreement whatever the rule
    says, in words, or None."""
    needed = rule_set.consent_needed
    offence = read(facts, "offence")
    if isinstance(offence, str) and offence in needed.offences:
        return f"a {words(offence)} is shared only with the victim's agreement"
    for name, wanted in (("flags", needed.flags), ("indicators", needed.indicators)):
        found = read(facts, name)
        shared = [f for f in found if f in wanted] if is_list(found) else []
        if shared:
            return f"{words(shared)}: shared only with the victim's agreement"
    return None


def named_codes(rule_set: RuleSet, fact: str) -> list[tuple[str, str]]:
    """Every code the set names for a fact (``offence``, ``flags``), as (where, code)."""
    found: list[tuple[str, str]] = []
    for index, rule in enumerate(rule_set.rules):
        for condition in walk(rule.when):
            if condition.fact != fact:
                continue
            values = condition.value if isinstance(condition.value, tuple) else (condition.value,)
            found += [(f"rules[{index}] ({rule.id})", v) for v in values if isinstance(v, str)]
    config = rule_set.enhanced_rights
    if fact == "offence":
        found += [
            ("enhanced_rights.most_serious_offences", c) for c in config.most_serious_offences
        ]
        found += [("consent_needed.offences", c) for c in rule_set.consent_needed.offences]
    if fact == "flags":
        found += [("enhanced_rights.most_serious_flags", c) for c in config.most_serious_flags]
        found += [("consent_needed.flags", c) for c in rule_set.consent_needed.flags]
    return found


def enhanced_rights(rule_set: RuleSet, facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Grounds for Enhanced Rights under the Victims' Code, as (code, words); empty if none.

    Victims of the most serious crime (domestic abuse, sexual offences and any offence the
    set adds; close relatives bereaved by crime), persistently targeted victims, vulnerable
    or intimidated victims, and every victim under 18.
    """
    config = rule_set.enhanced_rights
    grounds: list[tuple[str, str]] = []
    offence = read(facts, "offence")
    indicators = read(facts, "indicators")
    indicators = (
        [item for item in indicators if isinstance(item, str)] if is_list(indicators) else []
    )
    age = read(facts, "age")

    def flagged(wanted: tuple[str, ...]) -> list[str]:
        return [item for item in indicators if item in wanted]

    flags = read(facts, "flags")
    serious_flags = (
        [f for f in flags if f in (*ALWAYS_MOST_SERIOUS_FLAGS, *config.most_serious_flags)]
        if is_list(flags)
        else []
    )
    if isinstance(offence, str) and offence in (
        *ALWAYS_MOST_SERIOUS,
        *config.most_serious_offences,
    ):
        grounds.append(
            ("most_serious_crime", f"a victim of the most serious crime ({words(offence)})")
        )
    elif serious_flags:
        grounds.append(
            ("most_serious_crime", f"a victim of the most serious crime ({words(serious_flags)})")
        )
    elif flagged(config.most_serious_indicators):
        grounds.append(
            (
                "most_serious_crime",
                f"{words(flagged(config.most_serious_indicators))} by crime, "
                "which counts as the most serious crime",
            )
        )
    if same(read(facts, "persistently_targeted"), True):
        grounds.append(("persistently_targeted", "persistently targeted"))
    if vulnerable := flagged(config.vulnerable_indicators):
        grounds.append(("vulnerable", f"vulnerable ({words(vulnerable)})"))
    if flagged(config.intimidated_indicators):
        grounds.append(("intimidated", "intimidated"))
    if is_number(age) and age < ADULT_AGE:
        grounds.append(("under_18", f"under 18 (aged {words(age)})"))
    elif is_list(flags) and "child_victim" in flags:
        grounds.append(("under_18", "under 18 (the crime is flagged child victim)"))
    return grounds


def dump_rule_set(rule_set: RuleSet) -> dict[str, Any]:
    """The rule set as JSON-able data, in the shape ``parse_rule_set`` reads."""
    return rule_set.model_dump(mode="json", exclude_none=True)
