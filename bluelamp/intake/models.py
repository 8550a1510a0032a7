"""Contacts pushed by force systems, and the people they are about."""

from django.db import models
from django.utils.functional import cached_property

from bluelamp.forces.models import Force, StaffMember, Team
from bluelamp.surveys.models import IncidentType, Invitation

# Advice a call handler may record as given on the call (HMICFRS 2022: 71% of burglary
# reports had no scene preservation advice at first contact, and Dorset found advice given
# but never recorded). A crime linked to the contact counts these items of its basics done.
FIRST_CALL_ADVICE = {
    "scene_preservation_advice": "Scene preservation advice (doorbell and camera images kept)",
    "crime_prevention_advice": "Crime prevention advice",
}
# The THRIVE grade given to the call (NPCC model; grades are the force's, these the usual
# ones): 1 immediate, 2 priority, 3 standard, scheduled an appointment.
THRIVE_GRADES = {
    "1": "Grade 1: immediate",
    "2": "Grade 2: priority",
    "3": "Grade 3: standard",
    "scheduled": "Scheduled appointment",
}


class Person(models.Model):
    """The caller or victim of one contact. Personal data: scoped, audited, purged on schedule.

    ``phone_key`` and ``email_key`` are keyed fingerprints of the normalised phone and email,
    so opt-outs (and, later, frequency caps) match a person across contacts without a search
    over the personal data itself.
    """

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +447700900123")
    email = models.EmailField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(
        max_length=2,
        blank=True,
        default="",
        help_text="'en' or 'cy' as the person asked; blank when not known (the force decides)",
    )
    postcode = models.CharField(max_length=10, blank=True)
    phone_key = models.CharField(max_length=64, blank=True, db_index=True)
    email_key = models.CharField(max_length=64, blank=True, db_index=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Person {self.pk}"


class Contact(models.Model):
    class Channel(models.TextChoices):
        EMERGENCY = "999", "999"
        NON_EMERGENCY = "101", "101"
        ONLINE = "online", "Online"
        FRONT_COUNTER = "front_counter", "Front counter"
        OTHER = "other", "Other"

    force = models.ForeignKey(Force, on_delete=models.CASCADE)
    reference = models.CharField(max_length=60, help_text="The force's incident or call reference")
    received_at = models.DateTimeField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    incident_type = models.ForeignKey(IncidentType, on_delete=models.PROTECT)
    call_handler = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    answer_seconds = models.PositiveIntegerField(null=True, blank=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts")
    flags = models.JSONField(default=list, blank=True)
    advice_given = models.JSONField(
        default=list, blank=True, help_text="Codes from FIRST_CALL_ADVICE given on the call"
    )
    thrive = models.CharField(
        max_length=10, blank=True, help_text="The THRIVE grade (THRIVE_GRADES); blank: none"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "reference"], name="contact_reference_unique")
        ]
        indexes = [models.Index(fields=["force", "received_at"])]

    def __str__(self) -> str:
        return self.reference

    @cached_property
    def invitation(self) -> "Invitation":
        """The decision taken at first contact (every contact has one).

        Intake sets it on the contact it creates, so reading it there costs no query.
        """
        return self.invitations.get(stage="first_contact")
