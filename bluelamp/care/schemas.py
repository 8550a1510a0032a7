"""Crimes, victims and events as a force's records system sends them."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from bluelamp.intake.schemas import LONDON, Slug
from bluelamp.lib.contact import normalise_phone


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    if value > dt.datetime.now(dt.UTC) + dt.timedelta(hours=1):
        raise ValueError("is in the future")
    return value.astimezone(dt.UTC)


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    latitude: float | None = Field(default=None, ge=49.0, le=61.5)
    longitude: float | None = Field(default=None, ge=-8.7, le=2.0)
    postcode: str = Field(default="", max_length=10)
    address_key: str = Field(
        default="", max_length=64, description="A UPRN, or the force's own address key"
    )

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        return " ".join(value.upper().split())


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    victim_support: bool | None = Field(
        default=None, description="Referral to the support service: yes, no, or not asked"
    )
    share_with_partners: bool | None = None


class AssessmentIn(BaseModel):
    """A needs assessment done before the crime was sent (Victims' Code right 4)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    asked_at: dt.datetime
    asked_by: str = Field(min_length=1, max_length=150)
    needs: list[Slug] = Field(default_factory=list, max_length=30)
    support_wanted: list[Slug] = Field(default_factory=list, max_length=30)
    enhanced_rights: bool
    update_every_days: int = Field(default=28, ge=1, le=365)
    notes: str = Field(default="", max_length=2000)

    @field_validator("asked_at")
    @classmethod
    def _asked(cls, value: dt.datetime) -> dt.datetime:
        found = _aware(value)
        assert found is not None
        return found


class VictimIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="", max_length=200)
    date_of_birth: dt.date | None = None
    age: int | None = Field(default=None, ge=0, le=130)
    phone: str = Field(default="", max_length=30)
    email: EmailStr | Literal[""] = ""
    language: Literal["en", "cy"] = "en"
    indicators: list[Slug] = Field(default_factory=list, max_length=30)
    consent: ConsentIn = Field(default_factory=ConsentIn)
    needs_assessment: AssessmentIn | None = None

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


class CrimeIn(BaseModel):
    """A crime as the records system holds it, with its victims."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = Field(min_length=1, max_length=60, description="Unique per force")
    offence: Slug = Field(description="A code from GET /api/v1/incident-types")
    attempt: bool = False
    recorded_at: dt.datetime = Field(description="ISO 8601; without an offset, UK local time")
    occurred_at: dt.datetime | None = None
    location: LocationIn = Field(default_factory=LocationIn)
    contact_reference: str = Field(default="", max_length=60)
    officer_in_charge: str = Field(default="", max_length=20, description="Collar number")
    team: str = Field(default="", max_length=40, description="The investigating team's code")
    modus_operandi: list[Slug] = Field(default_factory=list, max_length=20)
    financial_loss: Decimal | None = Field(default=None, ge=0, le=100_000_000, decimal_places=2)
    victims: list[VictimIn] = Field(min_length=1, max_length=50)

    @field_validator("recorded_at", "occurred_at")
    @classmethod
    def _times(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware(value)

    @model_validator(mode="after")
    def _order(self) -> "CrimeIn":
        if self.occurred_at and self.occurred_at > self.recorded_at:
            raise ValueError("occurred_at: after recorded_at")
        self.modus_operandi = sorted(set(self.modus_operandi))
        return self


EventKind = Literal[
    "attended",
    "suspect_arrested",
    "suspect_interviewed",
    "released_without_charge",
    "bailed",
    "released_under_investigation",
    "charged",
    "no_further_action",
    "decision_not_to_investigate",
    "outcome_recorded",
    "victim_updated",
]


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: EventKind
    at: dt.datetime
    victim_id: int | None = Field(default=None, description="Blank: every victim of the crime")
    outcome_code: str = Field(default="", pattern=r"^$|^[0-9]{1,2}[A-Z]?$")
    how: Literal["", "phone", "letter", "email", "sms", "visit", "in_person"] = ""
    said: str = Field(default="", max_length=4000)

    @field_validator("at")
    @classmethod
    def _at(cls, value: dt.datetime) -> dt.datetime:
        found = _aware(value)
        assert found is not None
        return found

    @model_validator(mode="after")
    def _consistent(self) -> "EventIn":
        if self.kind == "outcome_recorded" and not self.outcome_code:
            raise ValueError("outcome_code: required for outcome_recorded")
        if self.kind == "victim_updated" and not self.how:
            raise ValueError("how: required for victim_updated")
        return self
