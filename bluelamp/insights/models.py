"""Counts the live view reads, kept up to date in the same transaction as each response."""

from django.db import models

from bluelamp.forces.models import Force

ROLLUP_KEY = ["force", "dimension", "day", "team_key", "key"]


class Rollup(models.Model):
    """Responses and invitations sent, counted per force, local day, team and one unit of
    one dimension.

    Each response (and each sending) is counted once in every dimension: ``all`` (key ``""``,
    the team's totals), ``incident_type``, ``call_handler`` (its id, ``"0"`` for none),
    ``channel``, ``stage``, ``shift`` (early, late or night by the local hour) and
    ``answer_band`` (``"<channel>:<band>"``, the band of ``planning.ANSWER_BANDS`` the
    caller waited in; only when the wait is known). Counting each dimension on its own, not
    every combination, keeps the rows to a few hundred a day however many responses there
    are, so a page reads the same number of rows at 5 million responses as at 50 thousand.

    Each is counted twice: under its team and under ``team_key`` -1 (``ALL_TEAMS``), so
    that a force-wide page reads one row per unit and day, not one per team; a team-scoped
    user's rows are those of their teams. ``team_key`` holds the team's id, or 0 for none,
    so that the unique key has no NULLs (which would never conflict, so never add up).

    The drill-down's dimensions are also counted per local week, as dimension
    ``week:<dimension>`` with ``day`` the week's Monday: a long period is summed from its whole
    weeks and the days at either end. A page that asks for a dimension by name never sees
    the weekly rows, so nothing is counted twice.
    """

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="Local (Europe/London) day; a weekly row's Monday")
    team_key = models.BigIntegerField(default=0)
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=60, blank=True)
    responses = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0, help_text="Whole experience answered")
    satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0, help_text="Invitations sent")
    # Counted on the sending's day and unit, so that responded / sent is the response rate of
    # the same invitations and never passes 100% (answers today over sent today did).
    responded = models.PositiveIntegerField(
        default=0, help_text="Of the invitations sent that day, how many have an answer"
    )
    # How many answered 1 (completely dissatisfied) to 7 (completely satisfied).
    score_1 = models.PositiveIntegerField(default=0)
    score_2 = models.PositiveIntegerField(default=0)
    score_3 = models.PositiveIntegerField(default=0)
    score_4 = models.PositiveIntegerField(default=0)
    score_5 = models.PositiveIntegerField(default=0)
    score_6 = models.PositiveIntegerField(default=0)
    score_7 = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        # The key leads with force, dimension and day: every page's query is a range of it.
        constraints = [models.UniqueConstraint(fields=ROLLUP_KEY, name="rollup_day_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.key}"


class AlertState(models.Model):
    """A unit's running CUSUM and the run of answers it describes."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=60)
    cusum = models.FloatField(default=0.0)
    run_start = models.DateTimeField(null=True, blank=True)
    run_n = models.PositiveIntegerField(default=0)
    run_x = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "dimension", "key"], name="alert_state_key")
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key}: {self.cusum:.2f}"


class Alert(models.Model):
    """Dissatisfaction unusually high for a team, call handler, incident type or channel.

    One per cause (method and unit) until it clears: a new alert for the same unit by the
    same method only after this one has. ``cusum``: against the unit's own past, ``run_n``
    and ``run_x`` the run of answers described. ``funnel``: against the force over a period,
    ``run_n`` and ``run_x`` the period's answers and those not satisfied, ``expected_share``
    the force's share not satisfied (on a team's mix of incidents)."""

    class Method(models.TextChoices):
        CUSUM = "cusum", "Against its own past"
        FUNNEL = "funnel", "Against the force"

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.CUSUM)
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    text = models.TextField()
    run_n = models.PositiveIntegerField()
    run_x = models.PositiveIntegerField()
    expected_share = models.FloatField()
    force_share = models.FloatField(
        null=True, blank=True, help_text="Funnel: the force's share not satisfied in the period"
    )
    chance = models.FloatField()
    opened_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["force", "cleared_at"])]

    def __str__(self) -> str:
        return self.text


class ThemeCorrection(models.Model):
    """A supervisor said a comment is not about a theme, or is about one it was not put under.

    The response's ``themes`` hold the effective themes (the machine's, with every correction
    applied); these rows say who changed what and when, and the responses they touch are the
    force's own labelled set, which its theme model learns from (``theme_model.py``).
    """

    class Change(models.TextChoices):
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(
        "surveys.Response", on_delete=models.CASCADE, related_name="theme_corrections"
    )
    code = models.CharField(max_length=20)
    change = models.CharField(max_length=8, choices=Change.choices)
    by = models.ForeignKey(
        "forces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["force", "at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.change} on response {self.response_id}"


class ThemeModel(models.Model):
    """A force's own theme classifier, trained on its corrections; one row per force.

    ``figures`` holds, per theme, the cross-validated F1 of the model and of the lexicon on
    the same corrected comments, with the counts; ``won`` the themes where the model beat the
    lexicon, which alone it decides at response time. ``vocabulary``, ``idf`` and
    ``coefficients`` (per won theme: weights and intercept) are plain JSON, so the model is
    read without unpickling anything."""

    force = models.OneToOneField(Force, on_delete=models.CASCADE, related_name="+")
    trained_at = models.DateTimeField()
    comments = models.PositiveIntegerField(help_text="Corrected comments trained on")
    figures = models.JSONField(default=dict)
    won = models.JSONField(default=list)
    vocabulary = models.JSONField(default=dict)
    idf = models.JSONField(default=list)
    coefficients = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"theme model of force {self.force_id} ({self.comments} comments)"
