"""Input errors as one message per field, in the API's names, never quoting the input."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_WRAPPERS = frozenset({"body", "payload", "query", "path"})


def _field_name(loc: Iterable[int | str]) -> str:
    """``person.phone``; ``intervals[3].offered`` for an item of a list of objects.

    Pydantic's union-member tags are dropped, and so is the position of a bad item in a plain
    list (``flags``), where the field name says enough.
    """
    steps = [p for p in loc if isinstance(p, int) or _FIELD_NAME.match(p)]
    while steps and steps[0] in _WRAPPERS:
        steps.pop(0)
    name = ""
    for i, step in enumerate(steps):
        if isinstance(step, str):
            name = f"{name}.{step}" if name else step
        elif name and i + 1 < len(steps):
            name = f"{name}[{step}]"
    return name or "body"


# A check across fields names the field it is about first: "answered: more than offered".
_NAMED_MESSAGE = re.compile(r"^(?:Value error, )?([a-z_][a-z0-9_]*): (.+)$", re.DOTALL)


def _message(name: str, kind: str, msg: str, missing: str) -> str:
    if kind == "missing":
        return missing
    if name == "person.email":
        # email-validator's explanations quote pieces of the address itself.
        return "not a valid email address"
    if kind == "string_pattern_mismatch":
        return "should be a code of lower-case letters, digits and underscores"
    return msg.removeprefix("Value error, ")


def field_errors(errors: Iterable[Mapping[str, Any]], missing: str = "required") -> dict[str, str]:
    """Pydantic's errors as one message per field name (``person.phone``), with no input.

    The rejected value is personal data, so it never appears in a message; a union (an email
    or nothing) reports once per alternative, and the first says it all.
    """
    found: dict[str, str] = {}
    for e in errors:
        loc = list(e.get("loc", ()))
        msg = str(e.get("msg", ""))
        named = _NAMED_MESSAGE.match(msg) if e.get("type") == "value_error" else None
        if named:
            loc.append(named.group(1))
            msg = named.group(2)
        name = _field_name(loc)
        found.setdefault(name, _message(name, str(e.get("type", "")), msg, missing))
    return found
