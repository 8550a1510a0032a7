"""``bluelamp demo``: set up the demonstration force, serve it, and keep it moving."""

import datetime as dt
import os
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

from bluelamp.ops import demo
from bluelamp.ops.demo_policeuk import demo_policeuk_import
from bluelamp.ops.demo_welcome import welcome_lines
from bluelamp.ops.simulator import Simulator, simulator_run

HOST = "127.0.0.1"


class Command(BaseCommand):
    help = (
        "Create the demonstration force (slug demo) with 28 days of history, serve it on "
        "127.0.0.1 and play new contacts and answers every few seconds. --no-serve seeds and "
        "exits. police.uk's Hertfordshire files are imported into the force once, when "
        "SHARED_DATA_DIR has them (--no-policeuk: not)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Seed, then exit")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo force's rows and seed afresh"
        )
        parser.add_argument(
            "--no-policeuk",
            action="store_true",
            help="Do not import police.uk's Hertfordshire files (SHARED_DATA_DIR) into the force",
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
        if not options["no_policeuk"]:
            self.stdout.write(demo_policeuk_import(seeded.force))
        for line in welcome_lines(seeded, site_url):
            self.stdout.write(line)
        if options["no_serve"]:
            return
        self._serve_and_simulate(port, site_url)

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
