from django.db import models


class DailyDuty(models.Model):
    """A duty the worker does once a day (the personal-data purge), and its lease.

    Whichever worker first finds the day's run not yet done, and no lease held, takes it
    with one conditional update of this row; the others find it taken. A worker that dies
    mid-run leaves the lease to run out, and another runs the duty again, which every daily
    duty takes in its stride (a purge finds nothing left to erase)."""

    name = models.CharField(max_length=50, primary_key=True)
    last_day = models.DateField(
        null=True, blank=True, help_text="The London day whose run last finished"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=100, blank=True, help_text="Who took it last")
    last_error = models.CharField(
        max_length=200, blank=True, help_text="The exception's class only, never its text"
    )

    class Meta:
        verbose_name_plural = "daily duties"

    def __str__(self) -> str:
        return self.name
