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

Conditions are ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": {...}}``, or a test of one
fact with exactly one operator:

- ``eq``, ``ne``: the fact equals (does not equal) a number, string or true/false;
- ``gte``, ``lte``: the fact is a number at least (at most) the given one;
- ``in``, ``not_in``: the fact is (is not) one of the given list;
- ``intersects``: the fact is a list sharing at least one item with the given list.

A missing fact (absent, or null) never passes a positive test (``eq``, ``gte``, ``lte``,
``in``, ``intersects``), and always passes ``ne`` and ``not_in``: a missing fact counts as
not equal to, and not in, anything. A fact of the wrong kind (a string tested with ``gte``)
is treated like a missing one. Dotted names read nested objects: ``consent.victim_support``.

``says`` is the phrase that explains a passed test; ``{value}`` is the fact (for
``intersects``, the shared items), with codes shown as words (``learning_disability`` as
"learning disability") and lists joined with "and"; ``{value_pounds}`` is a number as money
(£2,500). A decision's reason is the rule's reason, then the phrases of the tests that passed
(under ``any``, only those that passed; under ``not``, none), joined into one sentence.

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
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

Operator = Literal["eq", "ne", "gte", "lte", "in", "not_in", "intersects"]
OPERATORS: tuple[str, ...] = get_args(Operator)
GROUPS = ("all", "any", "not")
Scalar = str | int | float | bool

CODE = r"^[a-z][a-z0-9_]*$"
FACT = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
PLACEHOLDERS = frozenset({"value", "value_pounds"})

# The Code names these as the most serious crime; a rule set may add to them, never remove.
ALWAYS_MOST_SERIOUS = ("domestic_abuse", "sexual_offence")
ALWAYS_MOST_SERIOUS_FLAGS = ("domestic_abuse",)
ADULT_AGE = 18

_MISSING = object()


def _fail(message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError("rule_set", message, context)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Condition(BaseModel):
    """One condition: a group (``all``, ``any``, ``not``) or a test of one fact.

    Exactly one of ``all_``, ``any_``, ``not_`` and ``fact`` is set; a test also has ``op``
    and ``value``, and may have ``says``. The JSON shape is the one in the module docstring.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    all_: tuple["Condition", ...] | None = Field(default=None, alias="all")
    any_: tuple["Condition", ...] | None = Field(default=None, alias="any")
    not_: "Condition | None" = Field(default=None, alias="not")
    fact: str | None = Field(default=None, pattern=FACT)
    op: Operator | None = None
    value: Scalar | tuple[Scalar, ...] | None = None
    says: str | None = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_json(cls, data: Any) -> Any:
        if isinstance(data, Condition):
            return data
        if not isinstance(data, Mapping):
            raise _fail("a condition must be an object with all, any, not or fact")
        keys = set(data)
        groups = keys & set(GROUPS)
        if groups:
            if len(keys) > 1:
                found = ", ".join(sorted(keys))
                raise _fail(
                    "a condition has exactly one of all, any, not or fact, not {found}",
                    found=found,
                )
            group = groups.pop()
            if group != "not" and not (isinstance(data[group], list) and data[group]):
                raise _fail('"{group}" needs a non-empty list of conditions', group=group)
            return dict(data)
        if "fact" not in keys:
            raise _fail("a condition needs all, any, not or fact")
        operators = keys - {"fact", "says"}
        unknown = sorted(operators - set(OPERATORS))
        if unknown:
            raise _fail('unknown operator "{op}"', op=unknown[0])
        if len(operators) != 1:
            raise _fail("a test needs exactly one operator: {ops}", ops=", ".join(OPERATORS))
        op = operators.pop()
        value = data[op]
        if op in ("gte", "lte") and not _is_number(value):
            raise _fail('"{op}" needs a number, not {value}', op=op, value=json.dumps(value))
        if op in ("eq", "ne") and not _is_scalar(value):
            raise _fail(
                '"{op}" needs a number, string or true/false, not {value}',
                op=op,
                value=json.dumps(value),
            )
        if op in ("in", "not_in", "intersects") and not (
            isinstance(value, list) and value and all(_is_scalar(item) for item in value)
        ):
            raise _fail(
                '"{op}" needs a non-empty list of numbers or strings, not {value}',
                op=op,
                value=json.dumps(value),
            )
        return {"fact": data["fact"], "op": op, "value": value, "says": data.get("says")}

    @field_validator("says")
    @classmethod
    def _placeholders_known(cls, says: str | None) -> str | None:
        if says is None:
            return None
        try:
            fields = list(string.Formatter().parse(says))
        except ValueError as error:
            raise _fail("says is not a valid phrase: {error}", error=str(error)) from None
        for _, name, spec, conversion in fields:
            if name is None:
                continue
            # Only the two plain placeholders: the phrase is edited in the admin, and a format
            # spec or attribute lookup has no place in words for a victim.
            if name not in PLACEHOLDERS or spec or conversion:
                placeholder = says[says.index("{" + name) :].split("}")[0] + "}"
                raise _fail(
                    'unknown placeholder "{placeholder}" in says: use {known}',
                    placeholder=placeholder,
                    known="{value} or {value_pounds}",
                )
        return says

    @model_serializer
    def _to_json(self) -> dict[str, Any]:
        if self.all_ is not None:
            return {"all": [child._to_json() for child in self.all_]}
        if self.any_ is not None:
            return {"any": [child._to_json() for child in self.any_]}
        if self.not_ is not None:
            return {"not": self.not_._to_json()}
        assert self.op is not None
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        result: dict[str, Any] = {"fact": self.fact, self.op: value}
        if self.says is not None:
            result["says"] = self.says
        return result


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
                raise _fail('rules[{index}].id: duplicate rule id "{id}"', index=index, id=rule.id)
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


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else item)
    return "".join(parts)


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
            path = _path(tuple(problem["loc"]))
            lines.append(f"{path}: {problem['msg']}" if path else problem["msg"])
        raise ValueError("\n".join(lines)) from None


def _read(facts: Mapping[str, Any], name: str) -> Any:
    value: Any = facts
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return _MISSING
        value = value.get(part, _MISSING)
    return _MISSING if value is None else value


def _same(fact: Any, expected: Scalar) -> bool:
    # true must not equal 1, nor false 0.
    if isinstance(fact, bool) != isinstance(expected, bool):
        return False
    return bool(fact == expected)


def _is_list(value: Any) -> bool:
    return isinstance(value, Collection) and not isinstance(value, str | bytes | Mapping)


def _test(op: Operator, fact: Any, value: Any) -> tuple[bool, Any]:
    """Whether the test passes, and the value its phrase shows."""
    missing = fact is _MISSING
    if op == "ne":
        return missing or not _same(fact, value), fact
    if op == "not_in":
        return missing or not any(_same(fact, item) for item in value), fact
    if missing:
        return False, fact
    if op == "eq":
        return _same(fact, value), fact
    if op == "gte":
        return _is_number(fact) and fact >= value, fact
    if op == "lte":
        return _is_number(fact) and fact <= value, fact
    if op == "in":
        return _is_scalar(fact) and any(_same(fact, item) for item in value), fact
    if not _is_list(fact):
        return False, fact
    shared = [item for item in fact if any(_same(item, wanted) for wanted in value)]
    return bool(shared), shared


def _words(value: Any) -> str:
    if value is _MISSING:
        return "not known"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.replace("_", " ")
    if _is_list(value):
        items = [_words(item) for item in value]
        if len(items) < 2:
            return "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]
    return str(value)


def _pounds(value: Any) -> str:
    if not _is_number(value):
        return _words(value)
    if float(value).is_integer():
        return f"£{int(value):,}"
    return f"£{value:,.2f}"


def _match(condition: Condition, facts: Mapping[str, Any]) -> list[str] | None:
    """The phrases explaining why the condition holds, or None if it does not."""
    if condition.all_ is not None:
        phrases: list[str] = []
        for child in condition.all_:
            found = _match(child, facts)
            if found is None:
                return None
            phrases += found
        return phrases
    if condition.any_ is not None:
        results = [_match(child, facts) for child in condition.any_]
        matched = [found for found in results if found is not None]
        return [phrase for found in matched for phrase in found] if matched else None
    if condition.not_ is not None:
        return [] if _match(condition.not_, facts) is None else None
    assert condition.fact is not None and condition.op is not None
    passed, shown = _test(condition.op, _read(facts, condition.fact), condition.value)
    if not passed:
        return None
    if condition.says is None:
        return []
    return [condition.says.format(value=_words(shown), value_pounds=_pounds(shown))]


def _sentence(reason: str, phrases: list[str]) -> str:
    reason = reason.strip().rstrip(":.").rstrip()
    unique = list(dict.fromkeys(phrase.strip() for phrase in phrases if phrase.strip()))
    if not unique:
        return f"{reason}."
    return f"{reason}: {'; '.join(unique)}."


def evaluate(rule_set: RuleSet, facts: Mapping[str, Any]) -> list[Decision]:
    """The referrals the facts call for: at most one per service, the first matching rule's."""
    decisions: list[Decision] = []
    services: set[str] = set()
    for rule in rule_set.rules:
        if rule.service in services:
            continue
        phrases = [] if rule.when is None else _match(rule.when, facts)
        if phrases is None:
            continue
        services.add(rule.service)
        decisions.append(
            Decision(
                rule.id, rule.service, _sentence(rule.reason, phrases), rule.partner, rule.consent
            )
        )
    return decisions


def explicit_consent_needed(rule_set: RuleSet, facts: Mapping[str, Any]) -> str | None:
    """Why sharing with a partner needs the victim's explicit agreement whatever the rule
    says, in words, or None."""
    needed = rule_set.consent_needed
    offence = _read(facts, "offence")
    if isinstance(offence, str) and offence in needed.offences:
        return f"a {_words(offence)} is shared only with the victim's agreement"
    for name, wanted in (("flags", needed.flags), ("indicators", needed.indicators)):
        found = _read(facts, name)
        shared = [f for f in found if f in wanted] if _is_list(found) else []
        if shared:
            return f"{_words(shared)}: shared only with the victim's agreement"
    return None


def _conditions(condition: Condition | None) -> list[Condition]:
    if condition is None:
        return []
    found = [condition]
    for child in (*(condition.all_ or ()), *(condition.any_ or ())):
        found += _conditions(child)
    if condition.not_ is not None:
        found += _conditions(condition.not_)
    return found


def named_codes(rule_set: RuleSet, fact: str) -> list[tuple[str, str]]:
    """Every code the set names for a fact (``offence``, ``flags``), as (where, code)."""
    found: list[tuple[str, str]] = []
    for index, rule in enumerate(rule_set.rules):
        for condition in _conditions(rule.when):
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
    offence = _read(facts, "offence")
    indicators = _read(facts, "indicators")
    indicators = (
        [item for item in indicators if isinstance(item, str)] if _is_list(indicators) else []
    )
    age = _read(facts, "age")

    def flagged(wanted: tuple[str, ...]) -> list[str]:
        return [item for item in indicators if item in wanted]

    flags = _read(facts, "flags")
    serious_flags = (
        [f for f in flags if f in (*ALWAYS_MOST_SERIOUS_FLAGS, *config.most_serious_flags)]
        if _is_list(flags)
        else []
    )
    if isinstance(offence, str) and offence in (
        *ALWAYS_MOST_SERIOUS,
        *config.most_serious_offences,
    ):
        grounds.append(
            ("most_serious_crime", f"a victim of the most serious crime ({_words(offence)})")
        )
    elif serious_flags:
        grounds.append(
            ("most_serious_crime", f"a victim of the most serious crime ({_words(serious_flags)})")
        )
    elif flagged(config.most_serious_indicators):
        grounds.append(
            (
                "most_serious_crime",
                f"{_words(flagged(config.most_serious_indicators))} by crime, "
                "which counts as the most serious crime",
            )
        )
    if _same(_read(facts, "persistently_targeted"), True):
        grounds.append(("persistently_targeted", "persistently targeted"))
    if vulnerable := flagged(config.vulnerable_indicators):
        grounds.append(("vulnerable", f"vulnerable ({_words(vulnerable)})"))
    if flagged(config.intimidated_indicators):
        grounds.append(("intimidated", "intimidated"))
    if _is_number(age) and age < ADULT_AGE:
        grounds.append(("under_18", f"under 18 (aged {_words(age)})"))
    elif _is_list(flags) and "child_victim" in flags:
        grounds.append(("under_18", "under 18 (the crime is flagged child victim)"))
    return grounds


def dump_rule_set(rule_set: RuleSet) -> dict[str, Any]:
    """The rule set as JSON-able data, in the shape ``parse_rule_set`` reads."""
    return rule_set.model_dump(mode="json", exclude_none=True)
