"""Forces, teams, staff and users.

Every row that holds a force's data carries its force; a user belongs to exactly one force and
sees nothing of another's.
"""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

# The languages a person may ask to be written to in; '' stores "not known".
LANGUAGES = ("en", "cy")


class Force(models.Model):
    class SmsProvider(models.TextChoices):
        CONSOLE = "console", "Console outbox (development and demonstration)"
        NOTIFY = "notify", "GOV.UK Notify"
        TWILIO = "twilio", "Twilio"

    class EmailProvider(models.TextChoices):
        CONSOLE = "console", "Console outbox (development and demonstration)"
        NOTIFY = "notify", "GOV.UK Notify"
        SMTP = "smtp", "SMTP"

    slug = models.SlugField(unique=True, max_length=40)
    name = models.CharField(max_length=120)
    short_name = models.CharField(
        max_length=30, blank=True, help_text="How texts name the force, e.g. Herts Police"
    )
    site_url = models.URLField(
        blank=True, help_text="The force's own address for survey links (else SITE_URL)"
    )
    sms_provider = models.CharField(
        max_length=12, choices=SmsProvider.choices, default=SmsProvider.CONSOLE
    )
    email_provider = models.CharField(
        max_length=12, choices=EmailProvider.choices, default=EmailProvider.CONSOLE
    )
    alert_recipients = models.TextField(
        blank=True,
        help_text="Where alerts go as they open: the duty supervisor's work mobile numbers "
        "or email addresses, one a line (by the force's SMS and email channels)",
    )
    contact_details_retention_days = models.PositiveSmallIntegerField(
        default=90, help_text="Days phone numbers and emails are kept after the survey closes"
    )
    bilingual_welsh_first = models.BooleanField(
        default=False,
        help_text="A Welsh force: when a person's language is not known, texts, emails and "
        "survey pages are in Welsh and English, Welsh first",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def languages_for(self, preference: str) -> tuple[str, ...]:
        """The languages to write to a person in, first first: the one they asked for ('en'
        or 'cy'); when it is not known (''), Welsh then English in a bilingual Welsh-first
        force, and English elsewhere."""
        if preference in LANGUAGES:
            return (preference,)
        if self.bilingual_welsh_first:
            return ("cy", "en")
        return ("en",)


class Team(models.Model):
    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="teams")
    code = models.SlugField(max_length=40, help_text="The force system's team code")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "code"], name="team_code_unique_in_force")
        ]

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """A call handler or officer, known to force systems by a staff or collar number."""

    class Kind(models.TextChoices):
        CALL_HANDLER = "call_handler", "Call handler"
        OFFICER = "officer", "Officer"
        STAFF = "staff", "Police staff"

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="staff")
    number = models.CharField(max_length=20, help_text="Staff or collar number")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CALL_HANDLER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["force", "number"], name="staff_number_unique_in_force")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Role(models.TextChoices):
    CALL_HANDLER = "call_handler", "Call handler"
    SUPERVISOR = "supervisor", "Supervisor"
    VICTIM_CARE = "victim_care", "Victim care"
    SPECIALIST = "specialist", "Specialist team"
    INVESTIGATOR = "investigator", "Investigator"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles whose view is limited to the teams they belong to; the others see their whole force.
TEAM_SCOPED_ROLES = frozenset({Role.CALL_HANDLER, Role.SUPERVISOR, Role.SPECIALIST})


class User(AbstractUser):
    force = models.ForeignKey(
        Force, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CALL_HANDLER)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    # Who the person is in the force's identity provider (blank for local accounts): a sign-in
    # finds its user by these, never by a name, so no provider account takes over a local one.
    idp_issuer = models.CharField("identity provider", max_length=255, blank=True)
    idp_subject = models.CharField("subject in the identity provider", max_length=255, blank=True)

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["idp_issuer", "idp_subject"],
                condition=~models.Q(idp_subject=""),
                name="user_idp_subject_unique",
            )
        ]

    @property
    def is_team_scoped(self) -> bool:
        return self.role in TEAM_SCOPED_ROLES


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A force system's bearer token. Only its SHA-256 is stored; the token is shown once."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "blp_" + secrets.token_urlsafe(32)


class IdentityMapping(models.Model):
    """What a group in the force's identity provider grants: a person whose groups claim holds
    ``group`` signs in to ``force`` with ``role`` and ``teams``. A person no mapping names is
    refused; there is no default role."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="identity_mappings")
    issuer = models.CharField(
        max_length=255,
        blank=True,
        help_text="The identity provider's issuer (the iss claim) the group belongs to, e.g. "
        "https://login.microsoftonline.com/<tenant>/v2.0; blank: any issuer the site trusts",
    )
    group = models.CharField(
        max_length=255,
        help_text="A value of the groups claim (in Microsoft Entra ID the group's object ID)",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    teams = models.ManyToManyField(Team, blank=True, related_name="+")

    class Meta:
        ordering = ["force", "group"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "group"], name="identity_group_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.get_role_display()}"
