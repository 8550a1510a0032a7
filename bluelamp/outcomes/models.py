"""Home Office outcomes (the framework's codes, versioned) and police.uk's published crimes
and outcomes, kept as published in their own tables, never mixed with a force's own crimes."""

from django.db import models

from bluelamp.forces.models import Force


class Group(models.TextChoices):
    """The Home Office outcome groups, as forces publish them (domain.md, "Home Office
    outcome groups"), and police.uk's "no outcome yet" for crimes still open."""

    CHARGED = "charged", "Charged or summonsed"
    OUT_OF_COURT_FORMAL = "out_of_court_formal", "Out-of-court (formal)"
    OUT_OF_COURT_INFORMAL = "out_of_court_informal", "Out-of-court (informal)"
    DIVERSIONARY = "diversionary", "Diversionary"
    TAKEN_INTO_CONSIDERATION = "tic", "Taken into consideration"
    EVIDENTIAL_SUPPORTS = "evidential_supports", "Evidential difficulties (victim supports)"
    EVIDENTIAL_NOT_SUPPORTS = (
        "evidential_not_supports",
        "Evidential difficulties (victim does not support)",
    )
    PREVENTED = "prevented", "Prosecution prevented or not in the public interest"
    NOT_PUBLIC_INTEREST = (
        "not_public_interest",
        "Further investigation not in the public interest",
    )
    TRANSFERRED = "transferred", "Transferred (further action by another body)"
    NO_SUSPECT = "no_suspect", "Investigation complete, no suspect identified"
    NO_OUTCOME_YET = "no_outcome_yet", "No outcome yet"


class OutcomeFramework(models.Model):
    """One version of the Home Office outcomes framework: its codes never change once
    seeded (events name the code they were checked against); a new list is a new version."""

    version = models.PositiveIntegerField(unique=True)
    source = models.URLField(max_length=300)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Home Office outcomes framework, version {self.version}"


class OutcomeCode(models.Model):
    framework = models.ForeignKey(OutcomeFramework, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=4, help_text="1 to 22, with sub-codes such as 1A")
    name = models.CharField(max_length=200)
    group = models.CharField(max_length=30, choices=Group.choices)
    verified = models.BooleanField(
        default=False, help_text="The code's meaning is confirmed by the sources in domain.md"
    )

    class Meta:
        ordering = ["framework", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="outcome_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PoliceUkCrime(models.Model):
    """A crime as police.uk published it in a street file (the first row of its Crime ID)."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    crime_id = models.CharField(max_length=64)
    month = models.DateField(help_text="The first day of the month the crime was recorded in")
    crime_type = models.CharField(max_length=60)
    last_outcome_category = models.CharField(max_length=80, blank=True)
    lsoa_code = models.CharField(max_length=9, blank=True)
    lsoa_name = models.CharField(max_length=80, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    location = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "crime_id"], name="policeuk_crime_unique")
        ]
        indexes = [models.Index(fields=["force", "month"])]

    def __str__(self) -> str:
        return self.crime_id


class PoliceUkOutcome(models.Model):
    """An outcome row of an outcomes file: the month it was recorded and its type; the same
    row published twice is stored once."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    crime_id = models.CharField(max_length=64)
    month = models.DateField(help_text="The first day of the month the outcome was recorded in")
    outcome_type = models.CharField(max_length=80)
    lsoa_code = models.CharField(max_length=9, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    location = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["force", "crime_id", "month", "outcome_type"],
                name="policeuk_outcome_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.crime_id} {self.month:%Y-%m} {self.outcome_type}"
