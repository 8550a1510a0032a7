"""Call statistics and rosters as force telephony and workforce systems send them."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bluelamp.lib.inputs import FINITE, WHOLE, Input, Moment
from bluelamp.lib.workdays import LONDON

QueueCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]+$",
        max_length=20,
        description="999, 101, online or the force's own queue code",
    ),
]
Count = Annotated[int, Field(ge=0, le=1_000_000), WHOLE]
Seconds = Annotated[float, Field(ge=0, le=86_400), FINITE]
MAX_BATCH = 5000


def _interval_start(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    if value.second or value.microsecond:
        raise ValueError("should start on a whole minute")
    if value > dt.datetime.now(dt.UTC) + dt.timedelta(days=400):
        raise ValueError("is more than 400 days ahead")
    return value.astimezone(dt.UTC)


class _Slot(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    queue: QueueCode
    start: Moment = Field(
        description="ISO 8601, from 1990 to 2100; without an offset, UK local time"
    )
    minutes: Literal[15, 30, 60] = 15

    @field_validator("start")
    @classmethod
    def _start(cls, value: dt.datetime) -> dt.datetime:
        return _interval_start(value)

    @model_validator(mode="after")
    def _aligned(self) -> "_Slot":
        if self.start.minute % self.minutes:
            raise ValueError(f"start: should be on a {self.minutes}-minute boundary")
        return self


class CallIntervalIn(_Slot):
    """One queue's figures for one interval."""

    offered: Count
    answered: Count
    abandoned: Count
    answered_within_target: Count = Field(
        description="Answered within the queue's target time (for 999 usually 10 s)"
    )
    average_handle_seconds: Seconds | None = Field(
        default=None, description="Talk plus wrap-up, per answered call"
    )
    average_answer_seconds: Seconds | None = Field(
        default=None, description="Average speed of answer"
    )
    average_abandon_seconds: Seconds | None = Field(
        default=None, description="Average wait of the callers who hung up"
    )
    handlers_logged_in: Annotated[float, Field(ge=0, le=100_000), FINITE] | None = None
    handlers_rostered: Annotated[int, Field(ge=0, le=100_000), WHOLE] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "CallIntervalIn":
        if self.start > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
            raise ValueError("start: an interval's figures cannot be from the future")
        if self.answered + self.abandoned > self.offered:
            raise ValueError("answered: answered plus abandoned is more than offered")
        if self.answered_within_target > self.answered:
            raise ValueError("answered_within_target: more than answered")
        if self.answered and self.average_handle_seconds is None:
            raise ValueError("average_handle_seconds: required when calls were answered")
        return self


class CallIntervalBatch(Input):
    model_config = ConfigDict(extra="forbid")

    intervals: list[CallIntervalIn] = Field(min_length=1, max_length=MAX_BATCH)


class RosterSlotIn(_Slot):
    handlers: Annotated[int, Field(ge=0, le=100_000), WHOLE] = Field(
        description="Call handlers rostered on this queue"
    )


class RosterBatch(Input):
    model_config = ConfigDict(extra="forbid")

    slots: list[RosterSlotIn] = Field(min_length=1, max_length=MAX_BATCH)


class Stored(BaseModel):
    created: int
    updated: int
    unchanged: int
