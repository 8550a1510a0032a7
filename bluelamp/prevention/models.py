"""Near-repeat analyses of a force's crimes, and the prevention zones and cocooning tasks each
new residential burglary opens."""

import datetime as dt

from django.db import models

from bluelamp.care.models import Crime
from bluelamp.forces.models import Force, Team


class NearRepeatRun(models.Model):
    """One Knox test over the force's stored crimes of an offence family in a period (the
    force's own, or one team's or postcode district's), on demand or by the nightly duty."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    family = models.CharField(max_length=40, help_text="A key of prevention.analysis.FAMILIES")
    first_day = models.DateField(help_text="The period's first day (London)")
    last_day = models.DateField(help_text="The period's last day (London), included")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, help_text="Blank: every team"
    )
    area = models.CharField(max_length=8, blank=True, help_text="Postcode district; blank: all")
    parameters = models.JSONField(help_text="Bands, distance, permutations and seed")
    result = models.JSONField(help_text="knox_as_dict and the words, or why it could not run")
    crimes = models.PositiveIntegerField(help_text="Crimes with a location, tested")
    no_location = models.PositiveIntegerField(help_text="Crimes left out for want of a place")
    window_metres = models.FloatField(
        null=True, blank=True, help_text="The significant window's reach; blank: none found"
    )
    window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    seconds = models.FloatField(help_text="How long the test took")
    ran_at = models.DateTimeField()
    ran_by = models.CharField(max_length=150, help_text="A username, or the nightly duty")

    class Meta:
        indexes = [models.Index(fields=["force", "family", "ran_at"])]

    def __str__(self) -> str:
        return f"{self.family} {self.first_day} to {self.last_day}"


class PreventionZone(models.Model):
    """The risk around a new residential burglary: a circle of ``radius_metres`` about its
    place for ``days`` after it happened, from the force's latest analysis (else 200 m and
    14 days). Later burglaries inside it are linked to it."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    crime = models.OneToOneField(Crime, on_delete=models.CASCADE, related_name="prevention_zone")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    # The home's place: erased with the crime's exact location after retention.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    easting = models.FloatField(null=True, blank=True, help_text="British National Grid, metres")
    northing = models.FloatField(null=True, blank=True, help_text="British National Grid, metres")
    radius_metres = models.FloatField()
    days = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField(help_text="When the burglary happened (else was reported)")
    ends_at = models.DateTimeField()
    run = models.ForeignKey(
        NearRepeatRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The analysis that gave the window; blank: the defaults",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    linked = models.ManyToManyField(Crime, through="ZoneLink", related_name="prevention_links")

    class Meta:
        indexes = [models.Index(fields=["force", "ends_at"])]

    def __str__(self) -> str:
        return f"zone of {self.crime_id}"

    def is_open(self, now: dt.datetime) -> bool:
        return self.ends_at > now


class ZoneLink(models.Model):
    """A later burglary inside a zone: within its radius and its days."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    zone = models.ForeignKey(PreventionZone, on_delete=models.CASCADE, related_name="links")
    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="+")
    metres = models.FloatField(help_text="From the zone's centre")
    # Where from the centre: with either home's place known, the other's would follow, so
    # these go when either crime's exact location is erased; the distance stays.
    east = models.FloatField(null=True, blank=True, help_text="Metres east of the centre")
    north = models.FloatField(null=True, blank=True, help_text="Metres north of the centre")
    hours_after = models.FloatField()
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zone", "crime"], name="zone_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.crime_id} in zone {self.zone_id}"


class CocooningTask(models.Model):
    """Warning the neighbours of a burglary, for its neighbourhood team, due 48 hours after
    it was recorded: the homes visited, the leaflets left and the advice given."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    zone = models.OneToOneField(PreventionZone, on_delete=models.CASCADE, related_name="task")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.CharField(max_length=150, blank=True)
    homes_visited = models.PositiveIntegerField(null=True, blank=True)
    leaflets = models.PositiveIntegerField(null=True, blank=True)
    advice = models.TextField(blank=True, help_text="The advice given, in the officer's words")

    class Meta:
        indexes = [models.Index(fields=["force", "done_at", "due_at"])]

    def __str__(self) -> str:
        return f"cocooning of zone {self.zone_id}"

    def status_at(self, now: dt.datetime) -> str:
        if self.done_at is not None:
            return "done in time" if self.done_at <= self.due_at else "done late"
        return "overdue" if now > self.due_at else "due"
