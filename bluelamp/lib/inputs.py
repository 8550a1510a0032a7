"""Shared rules for input from force systems, whether sent to the API or imported from a file.

- A date or time is refused, by its field's name, outside a sane range (1990 to 2100 for
  events; from 1890 for a date of birth or a crime that happened long ago), before anything
  converts it: a time such as ``0001-01-01T00:00:00+01:00`` cannot even be expressed in UTC.
- An integer is an integer: ``true``, ``7.5`` and ``"7"`` are refused where a JSON body
  declares one (``Integer``). A file's cells are all text, so the imports validate with
  ``FROM_TEXT`` as context, and there ``"7"`` is read as 7 (a boolean never is).
- A string never holds a NUL character (``Input``): PostgreSQL cannot store one, and no
  reference, name or note needs it.
- A person's phone number is stored in E.164 form, or empty (``Phone``); a date of birth is
  never in the future (``BirthDate``).
"""

import datetime as dt
import math
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

from bluelamp.lib.contact import normalise_phone

EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
# Births, and crimes reported decades after they happened (non-recent abuse), go further back.
EARLIEST_BIRTH = dt.date(1890, 1, 1)

# Context for validating a file's cells, where every value is text.
FROM_TEXT = {"from_text": True}


def date_check(value: dt.date, earliest: dt.date = EARLIEST, latest: dt.date = LATEST) -> None:
    """Raise ValueError unless ``value`` (a date, or a time's own calendar date, before any
    conversion between time zones) lies from ``earliest`` to ``latest``."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not earliest <= day <= latest:
        raise ValueError(f"should be from {earliest.isoformat()} to {latest.isoformat()}")


def _between(earliest: dt.date, latest: dt.date) -> AfterValidator:
    def check[T: dt.date](value: T) -> T:
        date_check(value, earliest, latest)
        return value

    return AfterValidator(check)


Moment = Annotated[dt.datetime, _between(EARLIEST, LATEST)]
"""A date and time from 1990 to 2100."""
PastMoment = Annotated[dt.datetime, _between(EARLIEST_BIRTH, LATEST)]
"""When something happened, perhaps long ago: from 1890."""
Day = Annotated[dt.date, _between(EARLIEST, LATEST)]


def _born(value: dt.date) -> dt.date:
    if value > dt.date.today():
        raise ValueError("date of birth is in the future")
    return value


BirthDate = Annotated[dt.date, _between(EARLIEST_BIRTH, LATEST), AfterValidator(_born)]
"""A date of birth: from 1890, and not in the future."""


def _phone(value: str) -> str:
    return normalise_phone(value) if value else ""


Phone = Annotated[str, Field(max_length=30), AfterValidator(_phone)]
"""A UK or international phone number, stored in E.164 form (``+447700900123``); empty stays
empty."""


def _from_text(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and bool(info.context.get("from_text"))


def _whole(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    if isinstance(value, bool) or (isinstance(value, str) and not _from_text(info)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return handler(value)


def _number(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    if isinstance(value, bool) or (isinstance(value, str) and not _from_text(info)):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    found = handler(value)
    if isinstance(found, float) and not math.isfinite(found):
        raise PydanticCustomError("finite_number", "Input should be a finite number")
    return found


WHOLE = WrapValidator(_whole)
"""An integer is never a boolean, a fraction or (but in a file) a string. With bounds, give
them first, so that the OpenAPI document keeps them: ``Annotated[int, Field(ge=0), WHOLE]``;
it still says ``integer``."""
FINITE = WrapValidator(_number)
"""A number is finite, and never a boolean or (but in a file) a string."""
Integer = Annotated[int, WHOLE]
Number = Annotated[float, FINITE]


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("should not contain a NUL character")
    if isinstance(value, list | tuple):
        for item in value:
            _no_nul(item)
    return value


class Input(BaseModel):
    """The base of every schema of input: no string in it holds a NUL character."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _no_nul(value)
