"""``bluelamp demo``: set up the demonstration force, serve it, and keep it moving."""

import datetime as dt
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from bluelamp.ops import demo
from bluelamp.ops.simulator import Simulator, simulator_run

HOST = "127.0.0.1"


class Command(BaseCommand):
    help = (
        "Create the demonstration force (slug demo) with 28 days of history, serve it on "
        "127.0.0.1 and play new contacts and answers every few seconds. --no-serve seeds and "
        "exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Seed, then exit")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo force's rows and seed afresh"
        )
        parser.add_argument(
            "--contacts",
            type=int,
            default=demo.DEFAULT_CONTACTS,
            help="Contacts in the 28 days of history",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        site_url = f"http://{HOST}:{port}"
        if not options["no_serve"] and _port_in_use(port):
            raise CommandError(f"port: something is already listening on {HOST}:{port}")
        if "SITE_URL" not in os.environ:
            # Links in the outbox must point at the server this command starts.
            settings.SITE_URL = site_url
            os.environ["SITE_URL"] = site_url
        self.stdout.write(f"Database: {connection.settings_dict['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"] and demo.demo_reset():
            self.stdout.write("Deleted the demo force and all its rows.")
        self.stdout.write("Setting up the demo force…")
        try:
            seeded = demo.demo_seed(contacts=options["contacts"])
        except demo.DemoError as e:
            raise CommandError(str(e)) from None
        self._report(seeded, site_url)
        if options["no_serve"]:
            return
        self._serve_and_simulate(port, site_url)

    def _report(self, seeded: demo.Seeded, site_url: str) -> None:
        history = seeded.history
        if seeded.created:
            self.stdout.write(f"Created {len(seeded.created)} force, team, staff and user rows.")
        if history is None:
            self.stdout.write(
                "The demo force already has its history; nothing added (use --reset to start "
                "again)."
            )
        else:
            self.stdout.write(
                f"History: {history.contacts} contacts over {demo.HISTORY_DAYS} days "
                f"({history.excluded} not surveyed), {history.sent} invitations sent, "
                f"{history.responses} responses ({history.dissatisfied} dissatisfied), "
                f"{history.opted_out} opt-outs, {history.cases} recovery cases "
                f"({history.cases_open} still open). Took {history.seconds:.1f} s."
            )
            self.stdout.write(f"Crime mix and places: {seeded.mix_source}")
        if seeded.call_intervals:
            self.stdout.write(
                f"Call statistics: {seeded.call_intervals} intervals of 999 and 101 over "
                "8 weeks, and a roster to the day after tomorrow (101 short from 18:00 to "
                "22:00): see the live view's staffing panel."
            )
        if seeded.crimes:
            self.stdout.write(
                f"Victim care: {seeded.crimes} crimes behind those contacts, with referrals, "
                "Victims' Code clocks and a month of work on them (sign in as demo-victim-care "
                "or demo-specialist)."
            )
        self.stdout.write("")
        self.stdout.write(f"Logins (every demo user's password is {demo.DEMO_PASSWORD}):")
        self.stdout.write(f"  {'username':<26}{'password':<16}{'role':<15}sees")
        for user in seeded.users:
            self.stdout.write(
                f"  {user.username:<26}{demo.DEMO_PASSWORD:<16}{user.role:<15}{user.description}"
            )
        self.stdout.write("")
        self.stdout.write(f"API token for the demo force (replaced on each run): {seeded.token}")
        body = {
            "reference": f"TRY-{timezone.localtime():%y%m%d-%H%M%S}",
            "received_at": timezone.now().replace(microsecond=0).isoformat(),
            "channel": "101",
            "incident_type": "burglary_residential",
            "call_handler": "CH1001",
            "team": "alpha",
            "answer_seconds": 12,
            "person": {"name": "Sam Example", "phone": "07700 900123", "age": 40},
        }
        self.stdout.write("Try it:")
        self.stdout.write(
            f"  curl -sS -X POST {site_url}/api/v1/contacts "
            f'-H "Authorization: Bearer {seeded.token}" '
            f'-H "Content-Type: application/json" -d {shlex.quote(json.dumps(body))}'
        )
        self.stdout.write("")

    def _serve_and_simulate(self, port: int, site_url: str) -> None:
        if _port_in_use(port):
            raise CommandError(f"port: something is already listening on {HOST}:{port}")
        command = [sys.executable, "-m", "bluelamp.cli", "serve", "--demo"]
        command += ["--host", HOST, "--port", str(port), "--workers", "2"]
        server = subprocess.Popen(command)  # noqa: S603  (our own interpreter and arguments)
        # A plain `kill` stops the server too, as Ctrl-C does; SIGINT is set explicitly
        # because a shell starts background jobs with it ignored.
        previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            _wait_until_listening(server, port)
            self.stdout.write(f"Serving on {site_url}/ (supervisor's live view: {site_url}/live/)")
            self.stdout.write(
                "Sign in as demo-supervisor. New contacts and answers arrive every few seconds; "
                "Ctrl-C stops."
            )
            sim = Simulator.for_demo()
            simulator_run(sim=sim, write=lambda line: self.stdout.write(f"  + {line}"))
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            _stop(server)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((HOST, port)) == 0


def _wait_until_listening(server: subprocess.Popen[bytes], port: int, seconds: int = 30) -> None:
    deadline = dt.datetime.now() + dt.timedelta(seconds=seconds)
    while dt.datetime.now() < deadline:
        if server.poll() is not None:
            raise CommandError(f"the server stopped at once (exit code {server.returncode})")
        if _port_in_use(port):
            return
        time.sleep(0.2)
    raise CommandError(f"the server did not start listening on {HOST}:{port}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn: a graceful stop first, then a hard one if it hangs."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
