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
        indexes = [
            models.Index(fields=["force", "due_at"]),
            # The open crimes list counts only these (``selectors.LIVE``).
            models.Index(
                fields=["force", "checklist"],
                condition=models.Q(status="due")
                | models.Q(status="done", next_due_at__isnull=False),
                name="basics_item_live",
            ),
        ]

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


# Days to an outcome: the upper edge of each histogram bucket but the last (365 days and
# more). The median is read from these, so the rollup keeps no list of times.
DAY_EDGES = (1, 2, 3, 7, 14, 28, 56, 91, 182, 365)
BUCKETS = tuple(f"b{i}" for i in range(len(DAY_EDGES) + 1))


class OutcomeRollup(models.Model):
    """The force's own crimes counted by the month they were recorded in (Europe/London),
    one dimension at a time, and the Home Office outcome group they have now, with the days
    from recording to that outcome as a sum and a histogram (``DAY_EDGES``).

    Dimensions: ``all`` (key ``""``), ``offence`` (the offence's code) and ``area`` (the
    crime's postcode district, ``""`` when not known). Each crime is counted under its team
    (``team_key`` the team's id, 0 for none) and again under all teams (-1), as
    ``insights.Rollup`` is. Counted in the transaction that stores the crime (group
    ``no_outcome_yet``) and moved from one group to another in the one that records an
    outcome, so a page reads a few rows per month, however many crimes there are.
    ``bluelamp rebuild-outcome-rollups --check`` compares every row with a direct count."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the local month the crimes were recorded")
    team_key = models.BigIntegerField()
    dimension = models.CharField(max_length=10)
    key = models.CharField(max_length=60, blank=True)
    group = models.CharField(max_length=30)
    crimes = models.IntegerField(default=0)
    days_sum = models.FloatField(default=0.0, help_text="Days from recording to the outcome")
    b0 = models.IntegerField(default=0)
    b1 = models.IntegerField(default=0)
    b2 = models.IntegerField(default=0)
    b3 = models.IntegerField(default=0)
    b4 = models.IntegerField(default=0)
    b5 = models.IntegerField(default=0)
    b6 = models.IntegerField(default=0)
    b7 = models.IntegerField(default=0)
    b8 = models.IntegerField(default=0)
    b9 = models.IntegerField(default=0)
    b10 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["force", "month", "team_key", "dimension", "key", "group"],
                name="outcome_rollup_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension}:{self.key} {self.group}"
