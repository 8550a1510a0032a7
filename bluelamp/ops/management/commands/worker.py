from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bluelamp.delivery.queue import Worker, worker_id
from bluelamp.lib.checks import refuse_development_keys
from bluelamp.ops.schedule import duties_run


class Command(BaseCommand):
    help = (
        "Run queued tasks: send invitations, reminders and other messages when due, retry "
        "with backoff, and every scheduled duty: each minute expiry, escalation and contact "
        "details past retention, once a day the personal-data purge. Run as many as you like."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit")
        parser.add_argument("--batch", type=int, default=20, help="Jobs claimed at a time")
        parser.add_argument("--no-housekeeping", action="store_true", help="Only run queued tasks")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_development_keys("worker")
        me = worker_id()
        worker = Worker(
            worker=me,
            batch=options["batch"],
            housekeeping=None if options["no_housekeeping"] else partial(duties_run, worker=me),
        )
        self.stdout.write(f"worker {worker.worker} started")
        done = worker.run(once=options["once"])
        self.stdout.write(f"worker {worker.worker} stopped after {done} job(s)")
