"""Conditions over facts, held as data and explained in words: the one rule language of the
product (referral, Enhanced Rights and recovery rules use it). Pure: no database.

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
"""

import json
import string
from collections.abc import Collection, Mapping
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
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

MISSING = object()  # a fact that is absent or null


def fail(message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError("rule_set", message, context)


def is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def is_number(value: object) -> bool:
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
            raise fail("a condition must be an object with all, any, not or fact")
        keys = set(data)
        groups = keys & set(GROUPS)
        if groups:
            if len(keys) > 1:
                found = ", ".join(sorted(keys))
                raise fail(
                    "a condition has exactly one of all, any, not or fact, not {found}",
                    found=found,
                )
            group = groups.pop()
            if group != "not" and not (isinstance(data[group], list) and data[group]):
                raise fail('"{group}" needs a non-empty list of conditions', group=group)
            return dict(data)
        if "fact" not in keys:
            raise fail("a condition needs all, any, not or fact")
        operators = keys - {"fact", "says"}
        unknown = sorted(operators - set(OPERATORS))
        if unknown:
            raise fail('unknown operator "{op}"', op=unknown[0])
        if len(operators) != 1:
            raise fail("a test needs exactly one operator: {ops}", ops=", ".join(OPERATORS))
        op = operators.pop()
        value = data[op]
        if op in ("gte", "lte") and not is_number(value):
            raise fail('"{op}" needs a number, not {value}', op=op, value=json.dumps(value))
        if op in ("eq", "ne") and not is_scalar(value):
            raise fail(
                '"{op}" needs a number, string or true/false, not {value}',
                op=op,
                value=json.dumps(value),
            )
        if op in ("in", "not_in", "intersects") and not (
            isinstance(value, list) and value and all(is_scalar(item) for item in value)
        ):
            raise fail(
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
            raise fail("says is not a valid phrase: {error}", error=str(error)) from None
        for _, name, spec, conversion in fields:
            if name is None:
                continue
            # Only the two plain placeholders: the phrase is edited in the admin, and a format
            # spec or attribute lookup has no place in words for a victim.
            if name not in PLACEHOLDERS or spec or conversion:
                placeholder = says[says.index("{" + name) :].split("}")[0] + "}"
                raise fail(
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


def error_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else item)
    return "".join(parts)


def read(facts: Mapping[str, Any], name: str) -> Any:
    value: Any = facts
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return MISSING
        value = value.get(part, MISSING)
    return MISSING if value is None else value


def same(fact: Any, expected: Scalar) -> bool:
    # true must not equal 1, nor false 0.
    if isinstance(fact, bool) != isinstance(expected, bool):
        return False
    return bool(fact == expected)


def is_list(value: Any) -> bool:
    return isinstance(value, Collection) and not isinstance(value, str | bytes | Mapping)


def test_one(op: Operator, fact: Any, value: Any) -> tuple[bool, Any]:
    """Whether the test passes, and the value its phrase shows."""
    missing = fact is MISSING
    if op == "ne":
        return missing or not same(fact, value), fact
    if op == "not_in":
        return missing or not any(same(fact, item) for item in value), fact
    if missing:
        return False, fact
    if op == "eq":
        return same(fact, value), fact
    if op == "gte":
        return is_number(fact) and fact >= value, fact
    if op == "lte":
        return is_number(fact) and fact <= value, fact
    if op == "in":
        return is_scalar(fact) and any(same(fact, item) for item in value), fact
    if not is_list(fact):
        return False, fact
    shared = [item for item in fact if any(same(item, wanted) for wanted in value)]
    return bool(shared), shared


def words(value: Any) -> str:
    if value is MISSING:
        return "not known"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0")  # as a person reads it: -0.91, not -0.9116
    if isinstance(value, str):
        return value.replace("_", " ")
    if is_list(value):
        items = [words(item) for item in value]
        if len(items) < 2:
            return "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]
    return str(value)


def pounds(value: Any) -> str:
    if not is_number(value):
        return words(value)
    if float(value).is_integer():
        return f"£{int(value):,}"
    return f"£{value:,.2f}"


def match(condition: Condition, facts: Mapping[str, Any]) -> list[str] | None:
    """The phrases explaining why the condition holds, or None if it does not."""
    if condition.all_ is not None:
        phrases: list[str] = []
        for child in condition.all_:
            found = match(child, facts)
            if found is None:
                return None
            phrases += found
        return phrases
    if condition.any_ is not None:
        results = [match(child, facts) for child in condition.any_]
        matched = [found for found in results if found is not None]
        return [phrase for found in matched for phrase in found] if matched else None
    if condition.not_ is not None:
        return [] if match(condition.not_, facts) is None else None
    assert condition.fact is not None and condition.op is not None
    passed, shown = test_one(condition.op, read(facts, condition.fact), condition.value)
    if not passed:
        return None
    if condition.says is None:
        return []
    return [condition.says.format(value=words(shown), value_pounds=pounds(shown))]


def sentence(reason: str, phrases: list[str]) -> str:
    reason = reason.strip().rstrip(":.").rstrip()
    unique = list(dict.fromkeys(phrase.strip() for phrase in phrases if phrase.strip()))
    if not unique:
        return f"{reason}."
    return f"{reason}: {'; '.join(unique)}."


def walk(condition: Condition | None) -> list[Condition]:
    if condition is None:
        return []
    found = [condition]
    for child in (*(condition.all_ or ()), *(condition.any_ or ())):
        found += walk(child)
    if condition.not_ is not None:
        found += walk(condition.not_)
    return found
