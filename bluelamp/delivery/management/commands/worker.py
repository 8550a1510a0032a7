from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bluelamp.delivery.housekeeping import housekeeping
from bluelamp.delivery.queue import Worker, worker_id
from bluelamp.lib.checks import refuse_development_keys


class Command(BaseCommand):
    help = (
        "Run queued tasks: send invitations, reminders and other messages when due, retry "
        "with backoff, and the scheduled jobs (expiry, retention). Run as many as you like."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit")
        parser.add_argument("--batch", type=int, default=20, help="Jobs claimed at a time")
        parser.add_argument("--no-housekeeping", action="store_true", help="Only run queued tasks")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_development_keys("worker")
        worker = Worker(
            worker=worker_id(),
            batch=options["batch"],
            housekeeping=None if options["no_housekeeping"] else housekeeping,
        )
        self.stdout.write(f"worker {worker.worker} started")
        done = worker.run(once=options["once"])
        self.stdout.write(f"worker {worker.worker} stopped after {done} job(s)")
