"""A word on one item of a crime's basics, as force systems send it (the API and the file
import take the same)."""

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from bluelamp.lib.inputs import Input, Moment
from bluelamp.lib.workdays import LONDON


class BasicsIn(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    item: str = Field(min_length=1, max_length=40, description="An item of the crime's checklist")
    status: Literal["done", "not_applicable", "not_done"]
    at: Moment = Field(description="When it was done or decided; without an offset, UK time")
    by: str = Field(min_length=1, max_length=150, description="Who (collar or staff number)")
    rationale: str = Field(
        default="", max_length=2000, description="Needed for not_applicable and not_done"
    )

    @field_validator("at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=LONDON)
        return value.astimezone(dt.UTC)
