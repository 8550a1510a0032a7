"""Crimes, victims and events as a force's records system sends them."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, EmailStr, Field, field_validator, model_validator

from bluelamp.care.models import CRIME_FLAGS, HATE_STRANDS
from bluelamp.intake.services import IntakeError, incident_type_get
from bluelamp.lib.api import Slug
from bluelamp.lib.inputs import FINITE, WHOLE, BirthDate, Input, Integer, Moment, PastMoment, Phone
from bluelamp.lib.workdays import LONDON
from bluelamp.surveys.defaults import FLAG_TYPES


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    if value > dt.datetime.now(dt.UTC) + dt.timedelta(hours=1):
        raise ValueError("is in the future")
    return value.astimezone(dt.UTC)


class LocationIn(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    latitude: Annotated[float, Field(ge=49.0, le=61.5), FINITE] | None = None
    longitude: Annotated[float, Field(ge=-8.7, le=2.0), FINITE] | None = None
    postcode: str = Field(default="", max_length=10)
    premises: Literal["", "home", "shop", "business", "public_place", "other"] = Field(
        default="",
        description="home, shop, business, public_place or other; a residential burglary is "
        "at a home. Only a home's address counts towards repeat victimisation",
    )
    address_key: str = Field(
        default="", max_length=64, description="A UPRN, or the force's own address key"
    )

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        return " ".join(value.upper().split())


def _known(value: str, known: object, what: str) -> str:
    if value not in known:  # type: ignore[operator]
        raise ValueError(f"unknown {what} {value!r}")
    return value


class ConsentGiven(Input):
    """A consent as it was asked: the answer, when and how."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    given: bool
    asked_at: Moment | None = None
    how: Literal["", "in_person", "phone", "letter", "email", "sms", "online", "visit"] = ""

    @field_validator("asked_at")
    @classmethod
    def _asked(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware(value)


CONSENT_PURPOSES = {
    "share_with_partners": "Share details with support services outside the force",
    "contact_by_force": "Be contacted by the force (surveys, updates by text or email)",
}


class ConsentIn(Input):
    """Consent per purpose: true, false or an object with ``given``, ``asked_at`` and
    ``how``; a purpose left out was not asked. Any other purpose is refused by name."""

    model_config = ConfigDict(extra="forbid")

    share_with_partners: bool | ConsentGiven | None = Field(
        default=None, description=CONSENT_PURPOSES["share_with_partners"]
    )
    contact_by_force: bool | ConsentGiven | None = Field(
        default=None, description=CONSENT_PURPOSES["contact_by_force"]
    )

    def stored(self) -> dict[str, dict[str, object]]:
        """The JSON kept on the victim: each asked purpose as an object."""
        found: dict[str, dict[str, object]] = {}
        for purpose in CONSENT_PURPOSES:
            value = getattr(self, purpose)
            if value is None:
                continue
            if isinstance(value, bool):
                value = ConsentGiven(given=value)
            found[purpose] = value.model_dump(mode="json", exclude_defaults=True) | {
                "given": value.given
            }
        return found


class AssessmentIn(Input):
    """A needs assessment done before the crime was sent (Victims' Code right 4)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    asked_at: Moment
    asked_by: str = Field(min_length=1, max_length=150)
    needs: list[Slug] = Field(default_factory=list, max_length=30)
    support_wanted: list[Slug] = Field(default_factory=list, max_length=30)
    enhanced_rights: bool
    update_every_days: Annotated[int, Field(ge=1, le=365), WHOLE] = 28
    notes: str = Field(default="", max_length=2000)

    @field_validator("asked_at")
    @classmethod
    def _asked(cls, value: dt.datetime) -> dt.datetime:
        found = _aware(value)
        assert found is not None
        return found


class VictimIn(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="", max_length=200)
    date_of_birth: BirthDate | None = None
    age: Annotated[int, Field(ge=0, le=130), WHOLE] | None = None
    phone: Phone = ""
    email: EmailStr | Literal[""] = ""
    language: Literal["", "en", "cy"] = Field(default="", description="Blank: not known")
    indicators: list[Slug] = Field(default_factory=list, max_length=30)
    consent: ConsentIn = Field(default_factory=ConsentIn)
    needs_assessment: AssessmentIn | None = None


def _offence_known(code: str) -> str:
    if code in FLAG_TYPES:
        raise ValueError(
            f"{code} is a flag, not an offence: send the offence, with flags [{FLAG_TYPES[code]}]"
        )
    # The taxonomy is data (a table); looked up through the cached intake service.
    try:
        incident_type_get(code)
    except IntakeError:
        raise ValueError(f"unknown offence {code!r} (see GET /api/v1/incident-types)") from None
    return code


class CrimeIn(Input):
    """A crime as the records system holds it, with its victims."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = Field(min_length=1, max_length=60, description="Unique per force")
    offence: Slug = Field(description="A code from GET /api/v1/incident-types")
    attempt: bool = False
    flags: list[str] = Field(
        default_factory=list, max_length=10, description=", ".join(sorted(CRIME_FLAGS))
    )
    hate_strands: list[str] = Field(
        default_factory=list,
        max_length=5,
        description="With flag hate_crime: " + ", ".join(sorted(HATE_STRANDS)),
    )
    reported_at: Moment | None = Field(
        default=None,
        description="When the victim reported it; blank: the linked contact's received_at, "
        "else recorded_at",
    )
    recorded_at: Moment = Field(
        description="ISO 8601, from 1990 to 2100; without an offset, UK local time"
    )
    occurred_at: PastMoment | None = Field(
        default=None, description="From 1890: a crime may be reported long after it happened"
    )
    location: LocationIn = Field(default_factory=LocationIn)
    contact_reference: str = Field(default="", max_length=60)
    officer_in_charge: str = Field(default="", max_length=20, description="Collar number")
    team: str = Field(default="", max_length=40, description="The investigating team's code")
    modus_operandi: list[Slug] = Field(default_factory=list, max_length=20)
    financial_loss: Decimal | None = Field(default=None, ge=0, le=100_000_000, decimal_places=2)
    victims: list[VictimIn] = Field(min_length=1, max_length=50)

    @field_validator("recorded_at", "occurred_at", "reported_at")
    @classmethod
    def _times(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware(value)

    @field_validator("offence")
    @classmethod
    def _offence(cls, value: str) -> str:
        return _offence_known(value)

    @field_validator("flags")
    @classmethod
    def _flags(cls, value: list[str]) -> list[str]:
        return sorted({_known(f, CRIME_FLAGS, "flag") for f in value})

    @field_validator("hate_strands")
    @classmethod
    def _strands(cls, value: list[str]) -> list[str]:
        return sorted({_known(f, HATE_STRANDS, "hate crime strand") for f in value})

    @model_validator(mode="after")
    def _order(self) -> "CrimeIn":
        if self.occurred_at and self.occurred_at > self.recorded_at:
            raise ValueError("occurred_at: after recorded_at")
        if self.reported_at and self.reported_at > self.recorded_at:
            raise ValueError("reported_at: after recorded_at")
        if self.occurred_at and self.reported_at and self.reported_at < self.occurred_at:
            raise ValueError("reported_at: before occurred_at")
        if "hate_crime" in self.flags and not self.hate_strands:
            raise ValueError(
                "hate_strands: a hate crime names its strand: " + ", ".join(sorted(HATE_STRANDS))
            )
        if self.hate_strands and "hate_crime" not in self.flags:
            raise ValueError("hate_strands: only with the flag hate_crime")
        self.modus_operandi = sorted(set(self.modus_operandi))
        return self


EventKind = Literal[
    "attended",
    "suspect_arrested",
    "suspect_interviewed",
    "released_without_charge",
    "bailed",
    "released_under_investigation",
    "bail_conditions_changed",
    "bail_cancelled",
    "charged",
    "caution",
    "conditional_caution",
    "community_resolution",
    "outcome_22",
    "no_further_action",
    "decision_not_to_investigate",
    "outcome_recorded",
    "report_confirmed",
    "vps_offered",
    "review_requested",
    "review_acknowledged",
    "review_decided",
    "complaint_received",
    "complaint_answered",
    "victim_updated",
]
# Ways of telling a victim; "safe_contact" is the number or address the victim gave as safe.
How = Literal["", "phone", "letter", "email", "sms", "visit", "in_person", "safe_contact", "portal"]


class EventIn(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: EventKind
    at: Moment
    victim_id: Integer | None = Field(default=None, description="Blank: every victim of the crime")
    outcome_code: str = Field(default="", pattern=r"^$|^[0-9]{1,2}[A-Z]?$")
    how: How = ""
    reports: list[Integer] = Field(
        default_factory=list,
        max_length=50,
        description="For victim_updated: ids of the events the victim was told of; only "
        "their clocks are met (and the regular update)",
    )
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
        if self.kind in ("victim_updated", "report_confirmed", "vps_offered") and not self.how:
            raise ValueError(f"how: required for {self.kind}")
        if self.reports and self.kind != "victim_updated":
            raise ValueError("reports: only for victim_updated")
        return self
