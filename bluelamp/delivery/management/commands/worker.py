import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from bluelamp.delivery.services import invitations_send_due


class Command(BaseCommand):
    help = "Send due survey invitations, in a loop. Several workers may run at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            sent = invitations_send_due(now=timezone.now())
            if sent:
                self.stdout.write(f"sent {sent} invitation(s)")
            if options["once"]:
                return
            if not sent:
                time.sleep(settings.WORKER_POLL_SECONDS)
