from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from bluelamp.care.services import victim_data_purge
from bluelamp.intake.services import personal_data_purge


class Command(BaseCommand):
    help = "Erase personal details older than PERSONAL_DATA_RETENTION_DAYS (run it daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.PERSONAL_DATA_RETENTION_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        erased = personal_data_purge(now=now, days=options["days"])
        victims = victim_data_purge(now=now, days=options["days"])
        self.stdout.write(
            f"Erased the personal details of {erased} people and {victims} victims "
            "(victims with a referral still open or accepted are kept until it closes)."
        )
