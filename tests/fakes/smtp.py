"""A fake SMTP relay on loopback (aiosmtpd), recording what it accepts.

Knobs: ``errors``, a sequence of reply codes for the next messages' DATA (451 temporary,
554 permanent, ...); ``fail_4xx`` and ``fail_5xx``, shares of messages refused so;
``invalid_suffix``, recipients ending in it are refused at RCPT with 550 (no such user);
``username`` and ``password``, to require AUTH (plain text allowed on loopback).

    python -m tests.fakes.smtp --port 0 --state-file var/smtp.jsonl
"""

import argparse
import logging
import random
import socket
import threading
import uuid
from collections import deque
from collections.abc import Iterable
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.fakes import Store, now_utc

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command

REPLIES = {
    421: "421 4.3.2 Service not available, closing transmission channel",
    450: "450 4.2.0 Mailbox temporarily unavailable: greylisted, try again later",
    451: "451 4.3.0 Error: queue file write error, try again later",
    452: "452 4.3.1 Insufficient system storage",
    550: "550 5.1.1 Recipient address rejected: User unknown",
    552: "552 5.3.4 Message size exceeds fixed limit",
    554: "554 5.7.1 Message rejected: content refused by policy",
}


def free_port() -> int:
    # aiosmtpd's controller checks it is up by connecting to its port, so it needs a real one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpFake:
    def __init__(
        self,
        *,
        port: int = 0,
        state_file: str | Path | None = None,
        errors: Iterable[int] = (),
        fail_4xx: float = 0.0,
        fail_5xx: float = 0.0,
        invalid_suffix: str = "@invalid.example",
        username: str = "",
        password: str = "",
        seed: int | None = None,
    ) -> None:
        self.store = Store(state_file)
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.errors: deque[int] = deque(errors)
        self.fail_4xx = fail_4xx
        self.fail_5xx = fail_5xx
        self.invalid_suffix = invalid_suffix
        self.username = username
        self.password = password
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._controller = Controller(
            self,
            hostname=self.host,
            port=self.port,
            auth_require_tls=False,  # loopback only: plain-text AUTH is fine here
            authenticator=self._authenticate,
        )

    def start(self) -> Self:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
        self.store.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def configure(self, **knobs: Any) -> None:
        with self._lock:
            for name, value in knobs.items():
                if name not in ("errors", "fail_4xx", "fail_5xx", "invalid_suffix"):
                    raise ValueError(f"unknown knob {name}")
                setattr(self, name, deque(value) if name == "errors" else value)

    def messages(self) -> list[dict[str, Any]]:
        return self.store.all()

    def count(self) -> int:
        return len(self.store.all())

    # aiosmtpd's handler hooks

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        good = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.username
            and data.password.decode() == self.password
        )
        return AuthResult(success=good, handled=False)  # aiosmtpd then answers 235 or 535

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        # Checked here rather than by aiosmtpd's auth_required, which warns about plain text.
        if self.username and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.invalid_suffix and address.endswith(self.invalid_suffix):
            return REPLIES[550]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            if self.errors:
                fault: int | None = self.errors.popleft()
            else:
                draw = self._random.random()
                fault = (
                    451
                    if draw < self.fail_4xx
                    else 554
                    if draw < self.fail_4xx + self.fail_5xx
                    else None
                )
        if fault:
            return REPLIES.get(fault, f"{fault} {'4' if fault < 500 else '5'}.0.0 Refused")
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = message_from_bytes(content.replace(b"\r\n", b"\n"), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        queue_id = uuid.uuid4().hex[:12].upper()
        self.store.add(
            {
                "id": str(message.get("Message-ID", queue_id)),
                "queue_id": queue_id,
                "mail_from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "subject": str(message.get("Subject", "")),
                "body": body.get_content() if body is not None else "",
                "reference": str(message.get("Message-ID", "")) or None,
                "created_at": now_utc().isoformat(),
            }
        )
        return f"250 2.0.0 Ok: queued as {queue_id}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-file")
    parser.add_argument("--fail-4xx", type=float, default=0.0)
    parser.add_argument("--fail-5xx", type=float, default=0.0)
    parser.add_argument("--username", default="")
    parser.add_argument("--password", default="")
    options = parser.parse_args(argv)
    fake = SmtpFake(
        port=options.port,
        state_file=options.state_file,
        fail_4xx=options.fail_4xx,
        fail_5xx=options.fail_5xx,
        username=options.username,
        password=options.password,
    ).start()
    print(fake.port, flush=True)
    try:
        threading.Event().wait()  # until killed; the state file is written as messages arrive
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
