"""Opening a crime's basics checklist, recording what was done, and closing it."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.audit.versions import version_active, version_save
from bluelamp.care.models import Crime
from bluelamp.forces.models import Force, User
from bluelamp.intake.models import THRIVE_GRADES
from bluelamp.intake.services import IntakeError
from bluelamp.investigations import rules
from bluelamp.investigations.defaults import DEFAULT_CHECKLISTS
from bluelamp.investigations.models import (
    BasicsItem,
    BasicsWord,
    Checklist,
    ChecklistRulesVersion,
)
from bluelamp.investigations.schemas import BasicsIn
from bluelamp.surveys.models import IncidentType

CALL_HANDLER = "call handler"


@dataclass(frozen=True)
class CurrentChecklists:
    rules: rules.Checklists
    version: int  # 0: the shipped defaults


def checklist_rules_current(force: Force) -> CurrentChecklists:
    """The force's active checklists, else the shipped defaults (version 0)."""
    found = version_active(ChecklistRulesVersion, force=force)
    if found is None:
        return CurrentChecklists(rules.parse_checklists(DEFAULT_CHECKLISTS), 0)
    return CurrentChecklists(rules.parse_checklists(found.definition), found.version)


def checklist_rules_check(definition: Any) -> rules.Checklists:
    """Parse the checklists and refuse any offence the taxonomy does not know, naming each."""
    parsed = rules.parse_checklists(definition)
    known = set(IncidentType.objects.values_list("code", flat=True))
    problems = [
        f'families[{i}].offences: unknown offence "{code}"'
        for i, family in enumerate(parsed.families)
        for code in family.offences
        if code not in known
    ]
    if problems:
        raise ValueError("\n".join(problems))
    return parsed


def checklist_rules_save(
    *, force: Force, definition: Any, user: User | None
) -> ChecklistRulesVersion:
    """A new version of the force's checklists (checked first); crimes already open keep
    the items of the version that opened them."""
    checklist_rules_check(definition)
    return version_save(
        ChecklistRulesVersion, force=force, definition=definition, user=user,
        label="basics checklists",
    )  # fmt: skip


def checklist_open(*, crime: Crime, actor: str) -> Checklist | None:
    """Open the crime's checklist by the force's rules for its offence family, each item due
    by its rule; the first-call advice and THRIVE grade recorded on the linked contact count
    done at the contact's time, by its call handler. None for an offence in no family.
    Called in the crime's own transaction (``care.services.CRIME_LISTENERS``)."""
    current = checklist_rules_current(crime.force)
    family = current.rules.family_for(crime.offence_id)
    if family is None:
        return None
    contact = crime.contact
    grade = contact.thrive if contact is not None else ""
    now = timezone.now()
    checklist = Checklist.objects.create(
        force=crime.force, crime=crime, family=family.id, rules_version=current.version,
        grade=grade, opened_at=now,
    )  # fmt: skip
    items = BasicsItem.objects.bulk_create(
        BasicsItem(
            force=crime.force,
            checklist=checklist,
            item=item.id,
            title=item.title,
            position=position,
            repeat_hours=item.repeat_hours,
            due_at=rules.due_at(
                item,
                reported_at=crime.reported_at,
                recorded_at=crime.recorded_at,
                grade=grade,
                rules=current.rules,
            ),
        )
        for position, item in enumerate(family.items)
    )
    audit_record(
        force=crime.force, action="create", obj=checklist, actor=actor,
        summary=f"basics of {crime.reference}: {family.id} v{current.version}",
    )  # fmt: skip
    if contact is not None:
        by = contact.call_handler.number if contact.call_handler else CALL_HANDLER
        given = {code: "" for code in contact.advice_given}
        if grade:
            given["risk_assessment"] = f"THRIVE {THRIVE_GRADES.get(grade, grade)}"
        for item in items:
            if item.item in given:
                _word_store(
                    item=item, checklist=checklist, status="done", at=contact.received_at,
                    by=by, rationale=given[item.item], source=BasicsWord.Source.CONTACT,
                    actor=actor,
                )  # fmt: skip
    return checklist


def crime_basics_open(crime: Crime, actor: str) -> None:
    """The listener ``flows.wiring`` gives care: a pushed crime's checklist is opened."""
    checklist_open(crime=crime, actor=actor)


@dataclass(frozen=True)
class BasicsRecorded:
    item: BasicsItem
    created: bool  # False: the same item and time was already said, nothing changed


def basics_record(*, crime: Crime, data: BasicsIn, source: str, actor: str) -> BasicsRecorded:
    """Record what a force system says of one item. The same item and time again changes
    nothing; the latest time is the item's status (an older word is kept in its history but
    changes nothing); ``not_applicable`` and ``not_done`` need a rationale. IntakeError
    names the field."""
    checklist, item = _item_of(crime, data)
    with transaction.atomic():
        found = BasicsItem.objects.select_for_update().get(pk=item.pk)
        if BasicsWord.objects.filter(item=found, at=data.at).exists():
            return BasicsRecorded(found, created=False)
        try:
            with transaction.atomic():
                _word_store(
                    item=found, checklist=checklist, status=data.status, at=data.at,
                    by=data.by, rationale=data.rationale, source=source, actor=actor,
                )  # fmt: skip
        except IntegrityError:  # the same word, arriving at the same moment
            return BasicsRecorded(found, created=False)
    return BasicsRecorded(found, created=True)


def basics_meet(
    *, crime: Crime, item: str, at: dt.datetime, by: str, rationale: str, actor: str
) -> bool:
    """Record an item done from another of Bluelamp's pages (the cocooning task meets
    ``neighbours_warned``). False, and nothing changed, when the crime has no checklist or
    its checklist has no such item."""
    if not BasicsItem.objects.filter(checklist__crime=crime, item=item).exists():
        return False
    data = BasicsIn(item=item, status="done", at=at, by=by[:150], rationale=rationale[:2000])
    basics_record(crime=crime, data=data, source=BasicsWord.Source.PAGE, actor=actor)
    return True


def basics_check(*, crime: Crime, data: BasicsIn) -> None:
    """Raise IntakeError naming the field if the word cannot be recorded (reads only)."""
    _item_of(crime, data)


def _item_of(crime: Crime, data: BasicsIn) -> tuple[Checklist, BasicsItem]:
    checklist = Checklist.objects.filter(crime=crime).first()
    if checklist is None:
        raise IntakeError("item", f"the offence {crime.offence_id} has no basics checklist")
    items = {i.item: i for i in checklist.items.all()}
    item = items.get(data.item)
    if item is None:
        raise IntakeError("item", f"unknown item; this crime's are: {', '.join(items)}")
    if data.status in rules.NEEDS_RATIONALE and not data.rationale:
        raise IntakeError("rationale", f"needed when the status is {data.status}")
    item.checklist = checklist
    return checklist, item


def _word_store(
    *, item: BasicsItem, checklist: Checklist, status: str, at: dt.datetime, by: str,
    rationale: str, source: str, actor: str,
) -> BasicsWord:  # fmt: skip
    word = BasicsWord.objects.create(
        force=item.force, item=item, status=status, at=at, by=by, rationale=rationale,
        source=source, actor=actor,
    )  # fmt: skip
    if item.done_at is None or at >= item.done_at:
        item.status = status
        item.done_at = at
        item.done_by = by
        item.rationale = rationale
        repeat = item.repeat_hours if status == BasicsItem.Status.DONE else None
        item.next_due_at = at + dt.timedelta(hours=repeat) if repeat else None
        item.save(update_fields=["status", "done_at", "done_by", "rationale", "next_due_at"])
    audit_record(
        force=item.force, action="update", obj=item, actor=actor,
        summary=f"{checklist.crime_id} {item.item}: {status} at {at:%Y-%m-%d %H:%M}",
    )  # fmt: skip
    return word


class CloseRefused(ValueError):
    def __init__(self, message: str, blocking: list[BasicsItem]) -> None:
        super().__init__(message)
        self.blocking = blocking


def blocking_items(items: list[BasicsItem]) -> list[BasicsItem]:
    """The items that keep a crime open: not done, not applicable, nor not done with a
    reason (a word without a reason is refused, so only items still due block)."""
    return [
        i for i in items
        if i.status not in rules.SETTLED or (i.status in rules.NEEDS_RATIONALE and not i.rationale)
    ]  # fmt: skip


def checklist_close(*, checklist: Checklist, user: User, now: dt.datetime) -> None:
    """Close the crime's basics, a supervisor's decision, only once every item is settled;
    CloseRefused lists the items that block it."""
    with transaction.atomic():
        locked = Checklist.objects.select_for_update().get(pk=checklist.pk)
        if locked.closed_at is not None:
            raise CloseRefused("already closed", [])
        blocking = blocking_items(list(locked.items.all()))
        if blocking:
            raise CloseRefused("not every item is settled", blocking)
        Checklist.objects.filter(pk=locked.pk).update(closed_at=now, closed_by=user.username)
        # A closed crime's items fall due no more (``rules.status_at``); clearing the time
        # keeps them out of the open list's partial index.
        BasicsItem.objects.filter(checklist=locked).exclude(next_due_at=None).update(
            next_due_at=None
        )
        audit_record(
            force=locked.force, action="update", obj=locked, user=user,
            summary=f"basics of crime {locked.crime_id} closed",
        )  # fmt: skip
    checklist.closed_at = now
    checklist.closed_by = user.username
