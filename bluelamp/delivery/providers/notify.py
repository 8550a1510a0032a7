"""GOV.UK Notify: SMS and email through its official client, receipts and received texts.

Each channel has one generic Notify template whose content is only placeholders: the SMS
template is ``((body))``, the email template has subject ``((subject))`` and body ``((body))``.
We compose the words (and the force administrator previews them); Notify only carries them.
"""

import hmac
import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Self

import requests
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

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
)
from bluelamp.lib.contact import normalise_phone

BASE_URL = "https://api.notifications.service.gov.uk"
# Notify's whole key is "<key name>-<service id>-<secret>", the last two being UUIDs.
_API_KEY = re.compile(r".+-[0-9a-f-]{36}-[0-9a-f-]{36}", re.IGNORECASE)

# Notify's statuses: https://docs.notifications.service.gov.uk/python.html#status-text-message
# "sent" means sent to an international number whose network gives no further receipt.
_STATUSES = {
    "delivered": "delivered",
    "sent": "delivered",
    "permanent-failure": "failed",
    "temporary-failure": "failed",
    "technical-failure": "failed",
    "validation-failed": "failed",
}
# A 400 that no message could get past until someone changes the configuration.
_CONFIGURATION_ERRORS = ("Template not found", "Missing personalisation", "sms_sender_id")


class NotifyProvider:
    """GOV.UK Notify for SMS and email; one client per thread (the client is not thread-safe)."""

    name = "notify"
    channels = frozenset({"sms", "email"})

    def __init__(
        self,
        *,
        api_key: str,
        sms_template_id: str = "",
        email_template_id: str = "",
        callback_token: str = "",
        base_url: str = BASE_URL,
        sms_sender_id: str = "",
        email_reply_to_id: str = "",
    ) -> None:
        if not _API_KEY.fullmatch(api_key):
            raise ImproperlyConfigured(
                "The Notify api_key must be the whole key Notify shows "
                "(key name, service id and secret joined by hyphens)"
            )
        self.api_key = api_key
        self.base_url = base_url
        self.sms_template_id = sms_template_id
        self.email_template_id = email_template_id
        self.callback_token = callback_token
        self.sms_sender_id = sms_sender_id or None
        self.email_reply_to_id = email_reply_to_id or None
        self._local = threading.local()

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> Self:
        if not (config.get("sms_template_id") or config.get("email_template_id")):
            raise ImproperlyConfigured(
                "The notify channel needs 'sms_template_id' or 'email_template_id' "
                "in its configuration"
            )
        return cls(
            api_key=required(config, "notify", "api_key"),
            sms_template_id=config.get("sms_template_id", ""),
            email_template_id=config.get("email_template_id", ""),
            callback_token=config.get("callback_token", ""),
            base_url=config.get("base_url") or BASE_URL,
            sms_sender_id=config.get("sms_sender_id", ""),
            email_reply_to_id=config.get("email_reply_to_id", ""),
        )

    @property
    def client(self) -> NotificationsAPIClient:
        client: NotificationsAPIClient | None = getattr(self._local, "client", None)
        if client is None:
            client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=TIMEOUT)
            self._local.client = client
        return client

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent:
        if not self.sms_template_id:
            raise ProviderMisconfigured("no Notify SMS template is configured (sms_template_id)")
        with _mapped_errors():
            result = self.client.send_sms_notification(
                phone_number=to,
                template_id=self.sms_template_id,
                personalisation={"body": body},
                reference=reference,
                sms_sender_id=self.sms_sender_id,
            )
        return Sent(provider_id=str(result["id"]))

    def send_email(self, *, to: str, subject: str, body: str, reference: str) -> Sent:
        if not self.email_template_id:
            raise ProviderMisconfigured(
                "no Notify email template is configured (email_template_id)"
            )
        with _mapped_errors():
            result = self.client.send_email_notification(
                email_address=to,
                template_id=self.email_template_id,
                personalisation={"subject": subject, "body": body},
                reference=reference,
                email_reply_to_id=self.email_reply_to_id,
            )
        return Sent(provider_id=str(result["id"]))

    def find_sent(self, *, reference: str, to: str, body: str) -> Sent | None:
        """Notify keeps our reference on each notification (for 7 days), so ask by it."""
        with _mapped_errors():
            result = self.client.get_all_notifications(reference=reference)
        matches = [n for n in result.get("notifications", []) if n.get("reference") == reference]
        if not matches:
            return None
        earliest = min(matches, key=lambda n: str(n.get("created_at", "")))
        return Sent(provider_id=str(earliest["id"]))

    def received_texts(self, older_than: str | None = None) -> list[Inbound]:
        """One page of texts people sent to the service's number, newest first.

        Pass the id of the oldest one seen as ``older_than`` for the page before it.
        """
        with _mapped_errors():
            result = self.client.get_received_texts(older_than=older_than)
        return [
            Inbound(
                provider_id=str(text["id"]),
                from_number=_e164(str(text["user_number"])),
                body=str(text.get("content", "")),
                received_at=_timestamp(str(text["created_at"])),
            )
            for text in result.get("received_text_messages", [])
        ]

    def parse_delivery_receipt(self, request: HttpRequest) -> StatusUpdate:
        return parse_delivery_receipt(request, callback_token=self.callback_token)

    def parse_received_text(self, request: HttpRequest) -> Inbound:
        return parse_received_text(request, callback_token=self.callback_token)


def parse_delivery_receipt(request: HttpRequest, *, callback_token: str) -> StatusUpdate:
    """Notify's delivery-receipt callback: JSON, with the bearer token we gave Notify."""
    data = _callback_json(request, callback_token)
    try:
        provider_id = str(data["id"])
        status = str(data["status"])
    except KeyError as missing:
        raise WebhookRejected(f"a Notify delivery receipt has no {missing}") from None
    reference = data.get("reference")
    return StatusUpdate(
        provider_id=provider_id,
        reference=str(reference) if reference else None,
        status=_STATUSES.get(status, "pending"),  # type: ignore[arg-type]
        reason=status,
    )


def parse_received_text(request: HttpRequest, *, callback_token: str) -> Inbound:
    """Notify's received-text callback: a text someone sent to the service's number."""
    data = _callback_json(request, callback_token)
    try:
        return Inbound(
            provider_id=str(data["id"]),
            from_number=_e164(str(data["source_number"])),
            body=str(data["message"]),
            received_at=_timestamp(str(data["date_received"])),
        )
    except KeyError as missing:
        raise WebhookRejected(f"a Notify received text has no {missing}") from None
    except ValueError as error:
        raise WebhookRejected(f"a Notify received text has a bad date: {error}") from None


def _callback_json(request: HttpRequest, callback_token: str) -> dict[str, Any]:
    if not callback_token:
        # Without a token anyone could post receipts: refuse rather than trust.
        raise WebhookRejected("no Notify callback token is configured")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {callback_token}".encode()):
        raise WebhookRejected("the Notify callback's bearer token is wrong")
    try:
        data = json.loads(request.body)
    except ValueError:
        raise WebhookRejected("a Notify callback whose body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookRejected("a Notify callback whose body is not a JSON object")
    return data


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """Turns the Notify client's and requests' exceptions into our failures."""
    try:
        yield
    except APIError as error:
        raise _failure(error) from error
    except (requests.RequestException, OSError) as error:
        raise TemporaryFailure(f"Notify could not be reached: {error}") from error


def _failure(error: APIError) -> DeliveryError:
    status = error.status_code
    reason = _reason(error)
    if error.response is None:
        # The client reports a refused connection or a timeout as a 503 with no response.
        cause = error.__cause__
        return TemporaryFailure(f"Notify could not be reached: {cause or reason}")
    if status == 429 or status >= 500:
        return TemporaryFailure(
            reason, retry_after=retry_after_seconds(error.response.headers.get("Retry-After"))
        )
    if status in (401, 403):
        return ProviderMisconfigured(f"Notify refused our API key: {reason}")
    if status == 400 and any(text in reason for text in _CONFIGURATION_ERRORS):
        return ProviderMisconfigured(reason)
    if 400 <= status < 500:
        return PermanentFailure(reason)
    return TemporaryFailure(reason)


def _reason(error: APIError) -> str:
    """Notify's words: "ValidationError: phone_number Not a UK mobile number"."""
    message = error.message
    if isinstance(message, list):
        return "; ".join(
            f"{item.get('error', 'Error')}: {item.get('message', '')}"
            if isinstance(item, dict)
            else str(item)
            for item in message
        )
    return f"{error.status_code} {message}"


def _e164(number: str) -> str:
    try:
        return normalise_phone(number)
    except ValueError:
        return number


def _timestamp(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
