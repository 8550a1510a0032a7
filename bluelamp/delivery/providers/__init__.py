"""Message providers: GOV.UK Notify, Twilio, SMTP and the console, behind one interface.

``provider_from_config(kind, config)`` builds one from a force's channel configuration, whose
secrets the caller has already read (``secret("NOTIFY_API_KEY")`` reads ``NAME`` or
``NAME_FILE``). The webhook parsers live beside each provider: ``notify.parse_delivery_receipt``,
``notify.parse_received_text``, ``twilio.parse_status_callback`` and ``twilio.parse_inbound``.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

from bluelamp.delivery.providers.base import (
    DeliveryError,
    Inbound,
    PermanentFailure,
    Provider,
    ProviderMisconfigured,
    Sent,
    StatusUpdate,
    TemporaryFailure,
    WebhookRejected,
    secret,
)
from bluelamp.delivery.providers.console import ConsoleProvider
from bluelamp.delivery.providers.notify import NotifyProvider
from bluelamp.delivery.providers.smtp import SmtpProvider
from bluelamp.delivery.providers.twilio import TwilioProvider

KINDS = ("notify", "twilio", "smtp", "console")

__all__ = [
    "KINDS",
    "ConsoleProvider",
    "DeliveryError",
    "Inbound",
    "NotifyProvider",
    "PermanentFailure",
    "Provider",
    "ProviderMisconfigured",
    "Sent",
    "SmtpProvider",
    "StatusUpdate",
    "TemporaryFailure",
    "TwilioProvider",
    "WebhookRejected",
    "provider_from_config",
    "secret",
]


def provider_from_config(kind: str, config: Mapping[str, str]) -> Provider:
    """The provider of this kind, configured; ImproperlyConfigured names what is missing."""
    if kind == "notify":
        return NotifyProvider.from_config(config)
    if kind == "twilio":
        return TwilioProvider.from_config(config)
    if kind == "smtp":
        return SmtpProvider.from_config(config)
    if kind == "console":
        return ConsoleProvider.from_config(config)
    raise ImproperlyConfigured(
        f"Unknown message channel {kind!r}: choose one of {', '.join(KINDS)}"
    )
