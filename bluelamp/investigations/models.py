"""The basics checklist of each crime: one item per thing the force's rules say a good
investigation of that offence does, with its due time, status, who and when, and every word
the force's systems (or a person) said of it."""

import datetime as dt

from django.db import models

from bluelamp.care.models import Crime
from bluelamp.forces.models import Force
from bluelamp.investigations import rules
from bluelamp.lib.versions import RulesVersion


class ChecklistRulesVersion(RulesVersion):
    """A force's basics checklists by offence family; every save is a new version."""

    force = models.ForeignKey(Force, null=True, blank=True, on_delete=models.CASCADE)

    class Meta(RulesVersion.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["force", "version"], name="checklist_rules_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Basics checklists v{self.version}"


class Checklist(models.Model):
    """The basics of one crime, opened when the crime is pushed; closed by a person's decision
    once every item is settled."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    crime = models.OneToOneField(Crime, on_delete=models.CASCADE, related_name="checklist")
    family = models.CharField(max_length=40)
    rules_version = models.PositiveIntegerField(help_text="0: the shipped checklists")
    grade = models.CharField(max_length=10, blank=True, help_text="The THRIVE grade, if known")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["force", "closed_at"])]

    def __str__(self) -> str:
        return f"Basics of {self.crime_id}"


class BasicsItem(models.Model):
    class Status(models.TextChoices):
        DUE = "due", "Due"
        DONE = "done", "Done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"
        NOT_DONE = "not_done", "Not done"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    item = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DUE)
    due_at = models.DateTimeField()
    next_due_at = models.DateTimeField(
        null=True, blank=True, help_text="A repeating item: when it falls due again"
    )
    repeat_hours = models.FloatField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, help_text="When the last word said")
    done_by = models.CharField(max_length=150, blank=True)
    rationale = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "item"], name="basics_item_once")
        ]
        indexes = [models.Index(fields=["force", "due_at"])]

    def __str__(self) -> str:
        return self.item

    def status_at(self, now: dt.datetime) -> str:
        return rules.status_at(
            status=self.status, due=self.due_at, next_due=self.next_due_at,
            closed=self.checklist.closed_at is not None, now=now,
        )  # fmt: skip


class BasicsWord(models.Model):
    """One thing said of an item: kept for ever; the latest ``at`` is the item's status."""

    class Source(models.TextChoices):
        API = "api", "Force system (API)"
        IMPORT = "import", "File import"
        CONTACT = "contact", "Recorded on the call"
        PAGE = "page", "Recorded on the page"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    item = models.ForeignKey(BasicsItem, on_delete=models.CASCADE, related_name="words")
    status = models.CharField(max_length=20, choices=BasicsItem.Status.choices)
    at = models.DateTimeField()
    by = models.CharField(max_length=150)
    rationale = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    actor = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "at"], name="basics_word_once")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.status} at {self.at:%Y-%m-%d %H:%M}"
