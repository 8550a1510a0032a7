"""``bluelamp serve``: the production web server, gunicorn, run in this process."""

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from bluelamp.lib.checks import refuse_development_keys

# Respondent links are capabilities: whoever has one may answer (or opt out of) the survey.
# They are kept out of the access log, as are query strings. Gunicorn never logs bodies.
_SURVEY_LINK = re.compile(r"^/s/[^/]+")
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class RedactingLogger(Logger):  # type: ignore[misc]
    """Gunicorn's logger with an access line that names no survey token and no query."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO") or "/"
        atoms["U"] = _SURVEY_LINK.sub("/s/[link]", path)
        atoms["r"] = (
            f"{environ.get('REQUEST_METHOD')} {atoms['U']} {environ.get('SERVER_PROTOCOL')}"
        )
        atoms["q"] = ""
        # Headers and the environment could carry cookies or tokens: only the named atoms.
        return {key: value for key, value in atoms.items() if "{" not in key}

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from bluelamp.lib import logscrub

        # Gunicorn's own handlers scrub as Django's do, and write JSON when asked.
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                logscrub.handler_install(handler)
                if settings.LOG_FORMAT == "json":
                    handler.setFormatter(logscrub.JsonFormatter())


def metrics_directory() -> str:
    """The directory gunicorn's workers share their request counts through (prometheus_client's
    multiprocess mode): ``PROMETHEUS_MULTIPROC_DIR`` if set, else a new one; emptied of the
    last run's files either way, as prometheus_client requires."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="bluelamp-metrics-"
    )
    Path(path).mkdir(parents=True, exist_ok=True)
    for old in Path(path).glob("*.db"):
        old.unlink()
    return path


def child_exit(server: Any, worker: Any) -> None:
    """A worker gone: its live gauges go with it (its counts stay in the totals)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


class BluelampServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn configured from this command's options instead of its own command line."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # Gunicorn 24+ opens a control socket at one path per user; two servers on one
            # machine (the demo beside a benchmark, say) would fight over it, and nothing
            # here uses it.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        from bluelamp.lib.warm import worker_ready
        from bluelamp.wsgi import application

        worker_ready()
        return application


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Command(BaseCommand):
    help = (
        "Serve Bluelamp with gunicorn: pre-forked worker processes, each with threads so the "
        "live view's polling does not hold up other pages. Static files come from WhiteNoise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="For `bluelamp demo` only: serve on the loopback address with the built-in "
            "development keys",
        )
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="Worker processes")
        parser.add_argument("--threads", type=int, default=4, help="Threads per worker")

    def execute(self, *args: Any, **options: Any) -> Any:
        # Before anything imports prometheus_client (the system checks load the URLs), so the
        # workers forked later count into the shared directory.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_directory()
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["demo"] and options["host"] in ("127.0.0.1", "::1", "localhost")):
            refuse_development_keys("serve")
        threads = max(1, options["threads"])
        # Workers are forked from this process: no database connection may cross the fork.
        connections.close_all()
        BluelampServer(
            {
                "bind": bind_address(options["host"], options["port"]),
                "workers": max(1, options["workers"]),
                "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "proc_name": "bluelamp",
                "accesslog": "-",
                "errorlog": "-",
                "access_log_format": ACCESS_LOG_FORMAT,
                "logger_class": RedactingLogger,
                "child_exit": child_exit,
                "timeout": 30,
                # Stop quickly: requests here are short, and the demo restarts it often.
                "graceful_timeout": 10,
            }
        ).run()
