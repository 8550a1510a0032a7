"""The shape of a contact as force systems send it, shared by the API and the file import."""

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from bluelamp.lib.contact import normalise_phone
from bluelamp.lib.inputs import WHOLE, BirthDate, Input, Moment

LONDON = ZoneInfo("Europe/London")
Slug = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=40)]


class PersonIn(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=30, description="UK or international number")
    email: EmailStr | Literal[""] = ""
    date_of_birth: BirthDate | None = None
    age: Annotated[int, Field(ge=0, le=130), WHOLE] | None = None
    language: Literal["en", "cy", ""] = Field(
        default="",
        description="The language the person asked for; omitted or empty when not known, and "
        "then a Welsh force writes in Welsh and English, others in English",
    )
    postcode: str = Field(default="", max_length=10)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value) if value else ""

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value > dt.date.today():
            raise ValueError("date of birth is in the future")
        return value

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        return value.upper()


class ContactIn(Input):
    """A contact (a call, online report or visit) as the force's system records it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = Field(min_length=1, max_length=60, description="Unique per force")
    received_at: Moment = Field(
        description="ISO 8601, from 1990 to 2100; without an offset, UK local time"
    )
    channel: Literal["999", "101", "online", "front_counter", "other"]
    incident_type: Slug = Field(description="A code from GET /api/v1/incident-types")
    call_handler: str = Field(default="", max_length=20, description="Staff number")
    team: str = Field(default="", max_length=40, description="Team code")
    answer_seconds: Annotated[int, Field(ge=0, le=86400), WHOLE] | None = None
    person: PersonIn
    flags: list[Slug] = Field(default_factory=list, max_length=20)

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=LONDON)
        if value > dt.datetime.now(dt.UTC) + dt.timedelta(hours=1):
            raise ValueError("received_at is in the future")
        return value.astimezone(dt.UTC)

    @model_validator(mode="after")
    def _unique_flags(self) -> "ContactIn":
        self.flags = sorted(set(self.flags))
        return self


class MessageOut(BaseModel):
    purpose: str
    via: str
    provider: str
    status: str
    reason: str | None = None
    sent_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None


class InvitationOut(BaseModel):
    """The decision on one stage of a contact: scheduled and sent, or why not."""

    stage: str = "first_contact"
    status: Literal["scheduled", "sent", "answered", "excluded", "failed"]
    reason: str | None = None
    reason_text: str | None = None
    rule: str | None = Field(None, description="The contact rule that decided")
    rules_version: int | None = Field(None, description="0: the shipped rules")
    url: str | None = None
    via: str | None = None
    send_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    messages: list[MessageOut] = []


class ContactOut(BaseModel):
    id: int
    reference: str
    received_at: dt.datetime
    channel: str
    incident_type: str
    invitation: InvitationOut = Field(description="The decision at first contact")
    invitations: list[InvitationOut] = Field([], description="Every stage decided so far")


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
