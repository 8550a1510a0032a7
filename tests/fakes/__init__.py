"""Local fakes of the message providers' HTTP APIs, on loopback, for tests and benchmarks.

Each fake speaks its provider's documented API closely enough for the provider's real client:
requests in, the documented JSON bodies and errors out. It records every message it accepts,
can inject throttling (429), server errors (500) and latency, and posts delivery receipts and
inbound messages to the callback URLs it is given, authenticated as the provider does.

In a test::

    with NotifyFake() as fake:        # a thread; fake.url is http://127.0.0.1:<port>
        ...
        fake.messages(), fake.deliver(notification_id, "delivered"), fake.inbound(...)

As a process (the benchmark kills workers, and counts at the fake)::

    python -m tests.fakes.notify --port 0 --state-file var/notify.jsonl
    # prints the bound port on its first line; GET /_fake/count, POST /_fake/config, ...

The control API, on every HTTP fake: ``GET /_fake/messages``, ``GET /_fake/count`` (count,
distinct references, duplicates), ``POST /_fake/config`` (JSON of knobs, see ``KNOBS``),
``POST /_fake/reset``, ``POST /_fake/deliver`` (``{"id": ..., "status": ...}``) and
``POST /_fake/inbound`` (``{"from_number": ..., "body": ...}``). With a state file, every
accepted message is appended to it as a JSON line, so it can be counted after the process is
gone (``read_state_file``).
"""

import argparse
import json
import queue
import random
import signal
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

Query = dict[str, list[str]]

# The knobs POST /_fake/config accepts, shared by every HTTP fake.
KNOBS = {
    "latency",  # seconds added to every API request
    "fail_429",  # share of API requests answered 429
    "fail_500",  # share answered 500
    "errors",  # a sequence of statuses (429, 500, 503) for the next API requests, then normal
    "retry_after",  # seconds in the Retry-After header of a 429 (None: no header)
    "invalid_suffix",  # a number ending in this is invalid
    "auto_deliver",  # post a "delivered" receipt for every accepted message
    "auto_deliver_delay",  # seconds before it
    "callback_url",  # delivery receipts go here (Notify; Twilio's default StatusCallback)
    "inbound_url",  # inbound messages go here
}


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, data: Any, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(data).encode(), headers=dict(headers or {}))


@dataclass
class Callback:
    """A request the provider makes to us: a delivery receipt or an inbound message."""

    url: str
    body: bytes
    headers: dict[str, str]
    response_status: int | None = None  # once posted: the status our app answered

    @property
    def path(self) -> str:
        """The path and query string, for Django's RequestFactory."""
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "application/octet-stream")

    def post(self, timeout: float = 5.0) -> int:
        """POST it; the answer's status, or 0 when nothing answered."""
        request = urllib.request.Request(  # noqa: S310 (loopback or the configured app URL)
            self.url, data=self.body, headers=self.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                self.response_status = int(response.status)
        except urllib.error.HTTPError as error:
            self.response_status = int(error.code)
        except OSError:
            self.response_status = 0
        return self.response_status


def now_utc() -> datetime:
    return datetime.now(UTC)


class Store:
    """The messages a fake accepted, thread-safe, in order, optionally kept in a file."""

    def __init__(self, state_file: str | Path | None = None) -> None:
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}
        self._file = None
        if state_file:
            path = Path(state_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            for record in read_state_file(path):
                self._append(record)
            # Line-buffered: each record reaches the kernel at once, so it survives a kill -9.
            self._file = path.open("a", buffering=1, encoding="utf-8")

    def _append(self, record: dict[str, Any]) -> None:
        self._records.append(record)
        self._by_id[record["id"]] = record

    def add(self, record: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._append(record)
            if self._file:
                self._file.write(json.dumps(record) + "\n")
        return record

    def get(self, record_id: str) -> dict[str, Any] | None:
        with self._lock:
            record = self._by_id.get(record_id)
            return dict(record) if record else None

    def update(self, record_id: str, **changes: Any) -> dict[str, Any] | None:
        with self._lock:
            record = self._by_id.get(record_id)
            if record is None:
                return None
            record.update(changes)
            return dict(record)

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(record) for record in self._records]

    def select(self, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(record) for record in self._records if keep(record)]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._by_id.clear()
            if self._file:
                self._file.truncate(0)

    def close(self) -> None:
        with self._lock:
            if self._file:
                self._file.close()
                self._file = None


def read_state_file(path: str | Path) -> list[dict[str, Any]]:
    """The messages a fake (perhaps a process long gone) accepted, from its state file."""
    path = Path(path)
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a line cut short when the fake was killed mid-write
    return records


def summary(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Count, distinct sends, and duplicates (messages beyond one per send).

    A send is known by its reference; a message without one (Twilio with no status callback
    URL) by its recipient and body, which carries the invitation's own link.
    """
    records = list(records)
    keys = [record.get("reference") or (record.get("to"), record.get("body")) for record in records]
    distinct = len({json.dumps(key, default=str) for key in keys})
    return {
        "count": len(records),
        "distinct_references": distinct,
        "duplicates": len(records) - distinct,
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive connections must not hold up stop()
    request_queue_size = 256
    fake: "FakeServer"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs: clients reuse connections
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        try:
            reply = self.server.fake.dispatch(method, parts.path, query, self.headers, body)
        except Exception:
            reply = json_reply(500, {"fake_error": traceback.format_exc()})
        phrase = HTTPStatus(reply.status).phrase
        head = [
            f"HTTP/1.1 {reply.status} {phrase}",
            f"Content-Type: {reply.content_type}",
            f"Content-Length: {len(reply.body)}",
            *(f"{name}: {value}" for name, value in reply.headers.items()),
        ]
        # One write: headers and body in a single segment, no Nagle stall.
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # silence: a benchmark makes thousands of requests


class FakeServer:
    """A provider's API on 127.0.0.1, in a thread (``start``) or as a process (``serve``)."""

    name = "fake"

    def __init__(
        self,
        *,
        port: int = 0,
        state_file: str | Path | None = None,
        latency: float = 0.0,
        fail_429: float = 0.0,
        fail_500: float = 0.0,
        errors: Iterable[int] = (),
        retry_after: float | None = 1,
        invalid_suffix: str = "0000",
        auto_deliver: bool = False,
        auto_deliver_delay: float = 0.0,
        callback_url: str = "",
        inbound_url: str = "",
        seed: int | None = None,
    ) -> None:
        self.store = Store(state_file)
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.latency = latency
        self.fail_429 = fail_429
        self.fail_500 = fail_500
        self.errors: deque[int] = deque(errors)
        self.retry_after = retry_after
        self.invalid_suffix = invalid_suffix
        self.auto_deliver = auto_deliver
        self.auto_deliver_delay = auto_deliver_delay
        self.callback_url = callback_url
        self.inbound_url = inbound_url
        self.requests = 0  # API requests seen, faults included
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.fake = self
        self._thread: threading.Thread | None = None
        self._outbox: queue.Queue[tuple[float, Callable[[], Any]] | None] = queue.Queue()
        self._poster = threading.Thread(target=self._post_later, name=f"{self.name}-callbacks")
        self._poster.daemon = True
        self._poster.start()

    # Running

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name=self.name
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._outbox.put(None)
        self.store.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve(self) -> None:
        """Serve in this thread until SIGTERM or SIGINT (the process form)."""

        def leave(signum: int, frame: object) -> None:
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, leave)
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()
            self.store.close()

    # Knobs and records

    def configure(self, **knobs: Any) -> None:
        unknown = set(knobs) - KNOBS - self.extra_knobs()
        if unknown:
            raise ValueError(f"unknown knobs: {', '.join(sorted(unknown))}")
        with self._lock:
            for name, value in knobs.items():
                if name == "errors":
                    self.errors = deque(int(status) for status in value)
                else:
                    setattr(self, name, value)

    def extra_knobs(self) -> set[str]:
        return set()

    def messages(self) -> list[dict[str, Any]]:
        return self.store.all()

    def count(self) -> int:
        return len(self.store.all())

    def reset(self) -> None:
        self.store.clear()
        with self._lock:
            self.errors.clear()
            self.fail_429 = self.fail_500 = 0.0
            self.latency = 0.0

    # Requests

    def dispatch(
        self, method: str, path: str, query: Query, headers: Message, body: bytes
    ) -> Reply:
        if path.startswith("/_fake/"):
            return self._control(method, path, body)
        with self._lock:
            self.requests += 1
            latency = self.latency
            fault = self._fault()
        if latency:
            time.sleep(latency)
        if fault == 429:
            retry = {} if self.retry_after is None else {"Retry-After": f"{self.retry_after:g}"}
            return self.throttled(retry)
        if fault:
            return self.server_error(fault)
        return self.handle(method, path, query, headers, body)

    def _fault(self) -> int | None:
        if self.errors:
            return self.errors.popleft()
        draw = self._random.random()
        if draw < self.fail_429:
            return 429
        if draw < self.fail_429 + self.fail_500:
            return 500
        return None

    def _control(self, method: str, path: str, body: bytes) -> Reply:
        data = json.loads(body) if body else {}
        if method == "GET" and path == "/_fake/messages":
            return json_reply(200, {"messages": self.messages()})
        if method == "GET" and path == "/_fake/count":
            return json_reply(200, summary(self.messages()) | {"requests": self.requests})
        if method == "POST" and path == "/_fake/config":
            try:
                self.configure(**data)
            except ValueError as error:
                return json_reply(400, {"error": str(error)})
            return json_reply(200, {"ok": True})
        if method == "POST" and path == "/_fake/reset":
            self.reset()
            return json_reply(200, {"ok": True})
        if method == "POST" and path == "/_fake/deliver":
            callback = self.deliver(data["id"], data.get("status", "delivered"))
            return json_reply(200, {"url": callback.url, "posted": callback.response_status})
        if method == "POST" and path == "/_fake/inbound":
            callback = self.inbound(data["from_number"], data["body"])
            return json_reply(200, {"url": callback.url, "posted": callback.response_status})
        return json_reply(404, {"error": f"no control {method} {path}"})

    # For each provider

    def handle(self, method: str, path: str, query: Query, headers: Message, body: bytes) -> Reply:
        raise NotImplementedError

    def throttled(self, headers: dict[str, str]) -> Reply:
        raise NotImplementedError

    def server_error(self, status: int) -> Reply:
        raise NotImplementedError

    def deliver(
        self, provider_id: str, status: str = "delivered", *, post: bool = True
    ) -> Callback:
        raise NotImplementedError

    def inbound(self, from_number: str, body: str, *, post: bool = True) -> Callback:
        raise NotImplementedError

    # Callbacks posted in the background (auto-deliver), in order, off the request threads.

    def post_later(self, delay: float, send: Callable[[], Any]) -> None:
        self._outbox.put((time.monotonic() + delay, send))

    def _post_later(self) -> None:
        while True:
            item = self._outbox.get()
            if item is None:
                return
            when, send = item
            wait = when - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                send()
            except Exception:
                traceback.print_exc()


class CallbackCatcher:
    """Stands in for our app's webhook endpoints: records each POST and answers 204.

    ``caught()`` gives the requests as ``Callback`` objects (URL, body, headers), ready to be
    turned into Django requests and parsed as the real endpoint would.
    """

    def __init__(self) -> None:
        catcher = self
        self._lock = threading.Lock()
        self._caught: list[Callback] = []
        self._arrived = threading.Condition(self._lock)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                url = f"{catcher.url}{self.path}"
                with catcher._arrived:
                    catcher._caught.append(Callback(url, body, dict(self.headers.items())))
                    catcher._arrived.notify_all()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def caught(self, at_least: int = 0, timeout: float = 5.0) -> list[Callback]:
        """The callbacks caught so far, waiting up to ``timeout`` for ``at_least`` of them."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self._caught) >= at_least, timeout)
            return list(self._caught)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def serve_main(
    make: Callable[..., FakeServer],
    argv: list[str] | None,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> None:
    """The process form: parse the common flags, print the bound port, serve until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-file", help="append each accepted message here (JSON lines)")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--fail-429", type=float, default=0.0)
    parser.add_argument("--fail-500", type=float, default=0.0)
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--invalid-suffix", default="0000")
    parser.add_argument("--auto-deliver", action="store_true")
    parser.add_argument("--auto-deliver-delay", type=float, default=0.0)
    parser.add_argument("--callback-url", default="")
    parser.add_argument("--inbound-url", default="")
    parser.add_argument("--seed", type=int)
    if add_arguments:
        add_arguments(parser)
    options = vars(parser.parse_args(argv))
    fake = make(**options)
    print(fake.port, flush=True)
    sys.stdout.flush()
    fake.serve()
