"""Twilio SMS through its official client, status callbacks and inbound messages.

Twilio has no field for our reference, so it travels in the status callback's query string
(``?reference=...``); Twilio signs the whole URL, query included, so it cannot be altered.
"""

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.rest import Client

from bluelamp.delivery.providers.base import (
    TIMEOUT,
    DeliveryError,
    Inbound,
    PermanentFailure,
    ProviderMisconfigured,
    Sent,
    StatusUpdate,
    TemporaryFailure,
    WebhookRejected,
    required,
    retry_after_seconds,
    unsupported,
)

BASE_URL = "https://api.twilio.com"

# https://www.twilio.com/docs/messaging/api/message-resource#message-status-values
_STATUSES = {
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}
# Errors of our account or sender, not of the recipient: every message would fail alike.
_CONFIGURATION_CODES = {
    20003,  # authentication failed
    20404,  # the account (or resource) does not exist
    21212,  # invalid 'From' number
    21606,  # the 'From' number cannot send SMS
    21659,  # 'From' is not a Twilio number of this account
    21660,  # mismatch between 'From' and the account
    21701,  # the messaging service does not exist
    21703,  # the messaging service has no phone numbers
}


# Twilio's client logs every request, query string (the recipient's number) included, at INFO:
# personal data stays out of our logs, so its logger only passes warnings.
_http_log = logging.getLogger("bluelamp.delivery.twilio_http")
_http_log.setLevel(logging.WARNING)


class _HttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio is untyped
    """Twilio's own HTTP client, keeping the last response so a 429's Retry-After can be read.

    TwilioRestException carries the status and code but not the headers.
    """

    last_response: Response | None = None

    def request(self, *args: Any, **kwargs: Any) -> Response:
        self.last_response = None
        response = super().request(*args, **kwargs)
        self.last_response = response
        return response


class TwilioProvider:
    """Twilio for SMS; one client per thread."""

    name = "twilio"
    channels = frozenset({"sms"})

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        messaging_service_sid: str = "",
        status_callback_url: str = "",
        base_url: str = BASE_URL,
        find_window: timedelta = timedelta(days=2),
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ImproperlyConfigured(
                "The twilio channel needs 'from_number' or 'messaging_service_sid'"
            )
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback_url = status_callback_url
        self.base_url = base_url
        self.find_window = find_window
        self._local = threading.local()

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> Self:
        return cls(
            account_sid=required(config, "twilio", "account_sid"),
            auth_token=required(config, "twilio", "auth_token"),
            from_number=config.get("from_number", ""),
            messaging_service_sid=config.get("messaging_service_sid", ""),
            status_callback_url=config.get("status_callback_url", ""),
            base_url=config.get("base_url") or BASE_URL,
        )

    @property
    def client(self) -> Client:
        client: Client | None = getattr(self._local, "client", None)
        if client is None:
            # A float: the client compares it with zero, so it cannot be a (connect, read) pair.
            http_client = _HttpClient(timeout=TIMEOUT[1], logger=_http_log)
            client = Client(self.account_sid, self.auth_token, http_client=http_client)
            # The API domain's base URL is the one place the client builds its URLs from.
            client.api.base_url = self.base_url
            self._local.client = client
        return client

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent:
        sender: dict[str, str] = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        callback: dict[str, str] = {}
        if self.status_callback_url:
            callback["status_callback"] = with_reference(self.status_callback_url, reference)
        with self._mapped_errors():
            message = self.client.messages.create(to=to, body=body, **sender, **callback)
        return Sent(provider_id=str(message.sid))

    def send_email(self, *, to: str, subject: str, body: str, reference: str) -> Sent:
        raise unsupported(self.name, "email")

    def find_sent(self, *, reference: str, to: str, body: str) -> Sent | None:
        """A message to ``to`` with this very body, created within the window.

        Twilio keeps no reference of ours, and a queued message has no DateSent yet, so this
        lists the recipient's latest messages and compares bodies (each carries its own link).
        """
        since = datetime.now(UTC) - self.find_window
        with self._mapped_errors():
            messages = self.client.messages.list(to=to, limit=50)
        matches = [
            message
            for message in messages
            if message.body == body
            and str(message.direction or "").startswith("outbound")
            and (message.date_created is None or message.date_created >= since)
        ]
        if not matches:
            return None
        earliest = min(matches, key=lambda m: m.date_created or since)
        return Sent(provider_id=str(earliest.sid))

    def parse_status_callback(self, request: HttpRequest, *, url: str) -> StatusUpdate:
        return parse_status_callback(request, auth_token=self.auth_token, url=url)

    def parse_inbound(self, request: HttpRequest, *, url: str) -> Inbound:
        return parse_inbound(request, auth_token=self.auth_token, url=url)

    @contextmanager
    def _mapped_errors(self) -> Iterator[None]:
        try:
            yield
        except DeliveryError:
            raise
        except TwilioRestException as error:
            raise self._failure(error.status, error.code, str(error.msg)) from error
        except TwilioServiceException as error:
            reason = f"{error.title}: {error.detail}" if error.detail else error.title
            raise self._failure(error.status, error.code, reason) from error
        except (requests.RequestException, OSError) as error:
            raise TemporaryFailure(f"Twilio could not be reached: {error}") from error
        except TwilioException as error:
            raise TemporaryFailure(f"Twilio: {error}") from error

    def _failure(self, status: int, code: int | None, message: str) -> DeliveryError:
        reason = f"{code}: {message}" if code else message
        if status == 429 or code == 20429 or status >= 500:
            last = getattr(self.client.http_client, "last_response", None)
            header = last.headers.get("Retry-After") if last is not None and last.headers else None
            return TemporaryFailure(reason, retry_after=retry_after_seconds(header))
        if status in (401, 403) or code in _CONFIGURATION_CODES:
            return ProviderMisconfigured(f"Twilio refused our account or sender: {reason}")
        if 400 <= status < 500:
            return PermanentFailure(reason)
        return TemporaryFailure(reason)


def with_reference(url: str, reference: str) -> str:
    """The status callback URL with our reference added to its query string."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "reference"]
    query.append(("reference", reference))
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_status_callback(request: HttpRequest, *, auth_token: str, url: str) -> StatusUpdate:
    """Twilio's status callback (a signed form POST) for a message we sent.

    ``url`` is the public URL Twilio posted to, as configured; the request's own query string
    (which carries our reference) is added to it when ``url`` has none.
    """
    form = _verified_form(request, auth_token, url)
    provider_id = form.get("MessageSid") or form.get("SmsSid")
    status = form.get("MessageStatus") or form.get("SmsStatus")
    if not provider_id or not status:
        raise WebhookRejected("a Twilio status callback without MessageSid or MessageStatus")
    error_code = form.get("ErrorCode")
    return StatusUpdate(
        provider_id=provider_id,
        reference=request.GET.get("reference") or None,
        status=_STATUSES.get(status, "pending"),  # type: ignore[arg-type]
        reason=f"{status} {error_code}" if error_code else status,
    )


def parse_inbound(request: HttpRequest, *, auth_token: str, url: str) -> Inbound:
    """Twilio's incoming-message webhook (a signed form POST): a text someone sent us."""
    form = _verified_form(request, auth_token, url)
    provider_id = form.get("MessageSid") or form.get("SmsSid")
    from_number = form.get("From")
    if not provider_id or not from_number:
        raise WebhookRejected("a Twilio inbound message without MessageSid or From")
    return Inbound(
        provider_id=provider_id,
        from_number=from_number,
        body=form.get("Body", ""),
        received_at=datetime.now(UTC),  # Twilio posts it as it arrives and sends no time
    )


def _verified_form(request: HttpRequest, auth_token: str, url: str) -> Mapping[str, str]:
    if not auth_token:
        raise WebhookRejected("no Twilio auth token is configured")
    query = request.META.get("QUERY_STRING", "")
    full_url = f"{url}?{query}" if query and "?" not in url else url
    signature = request.headers.get(SIGNATURE_HEADER, "")
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    if not signature or not RequestValidator(auth_token).validate(
        full_url, request.POST, signature, algorithm
    ):
        raise WebhookRejected("the Twilio signature does not match")
    return request.POST
