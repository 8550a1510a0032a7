"""The basics checklist of each offence family, held as data and read by small pure functions.

A force edits its checklist rules in the admin as JSON; every version is kept and a crime's
checklist names the version that opened it. A rule set::

    {"attendance_minutes": {"1": 20, "2": 60, "3": 240, "scheduled": 2880},
     "ungraded_attendance_minutes": 1440,
     "families": [{"id": "residential_burglary", "title": "Residential burglary",
                   "offences": ["burglary_residential"],
                   "items": [{"id": "scene_preservation_advice",
                              "title": "Scene preservation advice", "first_call": true},
                             {"id": "attendance", "title": "Attended", "attendance": true},
                             {"id": "supervisor_review", "title": "Supervisor review",
                              "from": "recorded", "within_hours": 24, "repeat_hours": 168},
                             ...]}]}

An item is due ``within_hours`` after the crime was ``reported`` (the default) or
``recorded``; a ``first_call`` item is due on the call itself (at the report), and is counted
done from the contact when the call handler recorded it; an ``attendance`` item is due by the
target of the call's THRIVE grade (``attendance_minutes``), else ``ungraded_attendance_minutes``;
a ``repeat_hours`` item (the supervisor's review) falls due again that long after each time it
was done, while the checklist is open. Offences in no family open no checklist.
"""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bluelamp.lib.conditions import CODE, error_path

STATUSES = ("due", "overdue", "done", "not_applicable", "not_done")
# What a force system may say of an item; ``due`` and ``overdue`` follow from the clock.
WORDS = ("done", "not_applicable", "not_done")
NEEDS_RATIONALE = frozenset({"not_applicable", "not_done"})
# Settled for closing the crime: done, not applicable or not done with a reason.
SETTLED = frozenset({"done", "not_applicable", "not_done"})


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=CODE)
    title: str = Field(min_length=1, max_length=200)
    first_call: bool = False
    attendance: bool = False
    start: Literal["reported", "recorded"] = Field("reported", alias="from")
    within_hours: float = Field(0, ge=0, le=24 * 365)
    repeat_hours: float | None = Field(None, gt=0, le=24 * 365)


class Family(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=CODE)
    title: str = Field(min_length=1, max_length=100)
    offences: tuple[str, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_items(self) -> "Family":
        ids = [i.id for i in self.items]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"item named twice: {', '.join(twice)}")
        return self

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.id == code), None)


class Checklists(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    attendance_minutes: dict[str, int] = Field(default_factory=dict)
    ungraded_attendance_minutes: int = Field(1440, gt=0, le=60 * 24 * 30)
    families: tuple[Family, ...] = ()

    @model_validator(mode="after")
    def _one_family_per_offence(self) -> "Checklists":
        seen: dict[str, str] = {}
        for family in self.families:
            for offence in family.offences:
                if offence in seen:
                    raise ValueError(f"offence {offence} is in {seen[offence]} and {family.id}")
                seen[offence] = family.id
        for grade, minutes in self.attendance_minutes.items():
            if not 0 < minutes <= 60 * 24 * 30:
                raise ValueError(f"attendance_minutes.{grade}: from 1 minute to 30 days")
        return self

    def family_for(self, offence: str) -> Family | None:
        return next((f for f in self.families if offence in f.offences), None)


def parse_checklists(data: Any) -> Checklists:
    """The rule set, or ValueError naming the bad path."""
    try:
        return Checklists.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        raise ValueError(f"{error_path(first['loc'])}: {first['msg']}") from None


def dump_checklists(rules: Checklists) -> dict[str, Any]:
    return rules.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def due_at(
    item: Item,
    *,
    reported_at: dt.datetime,
    recorded_at: dt.datetime,
    grade: str,
    rules: Checklists,
) -> dt.datetime:
    """When the item falls due for a crime (first-call items: on the call itself)."""
    if item.first_call:
        return reported_at
    if item.attendance:
        minutes = rules.attendance_minutes.get(grade, rules.ungraded_attendance_minutes)
        return reported_at + dt.timedelta(minutes=minutes)
    start = reported_at if item.start == "reported" else recorded_at
    return start + dt.timedelta(hours=item.within_hours)


def status_at(
    *,
    status: str,
    due: dt.datetime | None,
    next_due: dt.datetime | None,
    closed: bool,
    now: dt.datetime,
) -> str:
    """The item's status now: ``due`` turns ``overdue`` once its time has passed, and a done
    repeating item is overdue again once its next time has passed while the crime is open.
    Computed from the clock, so no job has to have run."""
    if status == "due":
        return "overdue" if due is not None and due < now and not closed else "due"
    if status == "done" and next_due is not None and next_due < now and not closed:
        return "overdue"
    return status


def missed(
    *, status: str, due: dt.datetime | None, done_at: dt.datetime | None, now: dt.datetime
) -> bool:
    """Missed: not done, or done after its time, once the time has come. A reasoned ``not
    applicable`` never counts; a ``not_done`` always does."""
    if status == "not_applicable" or due is None:
        return False
    if status == "not_done":
        return True
    if status == "done":
        return done_at is not None and done_at > due
    return due < now
