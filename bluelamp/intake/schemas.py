"""The shape of a contact as force systems send it, shared by the API and the file import."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from bluelamp.intake.models import FIRST_CALL_ADVICE, THRIVE_GRADES
from bluelamp.lib.api import Slug
from bluelamp.lib.inputs import WHOLE, BirthDate, Input, Moment, Phone
from bluelamp.lib.workdays import LONDON


class PersonIn(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="", max_length=200)
    phone: Phone = Field(default="", description="UK or international number")
    email: EmailStr | Literal[""] = ""
    date_of_birth: BirthDate | None = None
    age: Annotated[int, Field(ge=0, le=130), WHOLE] | None = None
    language: Literal["en", "cy", ""] = Field(
        default="",
        description="The language the person asked for; omitted or empty when not known, and "
        "then a Welsh force writes in Welsh and English, others in English",
    )
    postcode: str = Field(default="", max_length=10)

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
    advice_given: list[Literal["scene_preservation_advice", "crime_prevention_advice"]] = Field(
        default_factory=list,
        max_length=len(FIRST_CALL_ADVICE),
        description="Advice given on the call: " + ", ".join(FIRST_CALL_ADVICE),
    )
    thrive: Literal["1", "2", "3", "scheduled", ""] = Field(
        default="", description="The call's THRIVE grade: " + ", ".join(THRIVE_GRADES)
    )

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
        self.advice_given = sorted(set(self.advice_given))
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
