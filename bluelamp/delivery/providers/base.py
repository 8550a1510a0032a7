"""What every message provider promises, and the failures it may report.

A provider either accepts a message (``Sent``, with its own id for it) or raises a
``DeliveryError``: ``TemporaryFailure`` (throttling, server errors, the network) may be tried
again later; ``PermanentFailure`` (an invalid number, a recipient who unsubscribed) never will.
The reason is always the provider's own words, so a supervisor sees what the provider said.
"""

import email.utils
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from django.core.exceptions import ImproperlyConfigured

Channel = Literal["sms", "email"]


@dataclass(frozen=True)
class Sent:
    """The provider accepted the message."""

    provider_id: str  # Notify notification id, Twilio message SID, SMTP Message-ID


class DeliveryError(Exception):
    """The provider did not accept the message; ``reason`` is in the provider's own words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(DeliveryError):
    """Throttling (429), a server error (5xx), a refused or timed-out connection: try later.

    ``retry_after`` is the provider's Retry-After in seconds, when it gave one.
    """

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ProviderMisconfigured(TemporaryFailure):
    """The provider refused our credentials or configuration (a 401 or 403).

    Not the message's fault: every message would fail the same way until someone fixes the
    configuration, so it is temporary (kept and retried), never recorded against the person.
    """


class PermanentFailure(DeliveryError):
    """The message can never be sent as it is (invalid number or address, unsubscribed)."""


class WebhookRejected(Exception):
    """A callback whose token or signature is wrong, or whose body is not the provider's."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Status = Literal["delivered", "failed", "pending"]


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery receipt: what became of a message the provider accepted."""

    provider_id: str
    reference: str | None
    status: Status
    reason: str  # the provider's own status or error code, e.g. Notify's "permanent-failure"


@dataclass(frozen=True)
class Inbound:
    """A text message a person sent us."""

    provider_id: str
    from_number: str
    body: str
    received_at: datetime


class Provider(Protocol):
    name: str  # "notify", "twilio", "smtp", "console"
    channels: frozenset[str]  # which of "sms" and "email" it can send

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent: ...

    def send_email(self, *, to: str, subject: str, body: str, reference: str) -> Sent: ...

    def find_sent(self, *, reference: str, to: str, body: str) -> Sent | None:
        """After a crash: the message the provider already accepted for this send, if any."""
        ...


# Connect quickly or give up; a read may take longer, but a worker must not hang on one send.
TIMEOUT = (5.0, 20.0)


def secret(name: str) -> str:
    """A secret from the environment variable ``NAME``, or the file named by ``NAME_FILE``.

    The file form is how Docker and Kubernetes mount secrets; surrounding whitespace (the
    trailing newline of most editors) is dropped.
    """
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE names {path!r}, which cannot be read: {error.strerror}"
            ) from None
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE names {path!r}, which is empty")
        return value
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The secret {name} is not set: set the environment variable {name}, "
            f"or {name}_FILE to the path of a file holding it"
        )
    return value


def required(config: Mapping[str, str], kind: str, key: str) -> str:
    value = config.get(key, "")
    if not value:
        raise ImproperlyConfigured(f"The {kind} channel needs {key!r} in its configuration")
    return value


def retry_after_seconds(header: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not header:
        return None
    header = header.strip()
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def unsupported(name: str, channel: Channel) -> PermanentFailure:
    return PermanentFailure(f"the {name} channel cannot send {channel}")
