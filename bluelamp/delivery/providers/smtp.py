"""Email through an SMTP relay, with Django's SMTP mail backend.

The Message-ID is ``<reference@bluelamp>``, so a message sent twice would be the same
message to the recipient's mail system, and a bounce names the send it belongs to. SMTP gives
no way to ask what was accepted before a crash, so ``find_sent`` cannot know.
"""

import re
import smtplib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Self

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from bluelamp.delivery.providers.base import (
    TIMEOUT,
    DeliveryError,
    PermanentFailure,
    ProviderMisconfigured,
    Sent,
    TemporaryFailure,
    required,
    unsupported,
)

# The characters a Message-ID's left part may hold without quoting (RFC 5322 dot-atom text).
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_AUTHENTICATION_CODES = {530, 534, 535, 538}


class SmtpProvider:
    name = "smtp"
    channels = frozenset({"email"})

    def __init__(
        self,
        *,
        host: str,
        port: int = 587,
        username: str = "",
        password: str = "",
        use_tls: bool = True,
        from_email: str,
        timeout: float = TIMEOUT[1],
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.use_tls = use_tls
        self.from_email = from_email
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> Self:
        use_tls = config.get("use_tls", "true").strip().lower()
        if use_tls not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            raise ValueError(f"The smtp channel's use_tls must be true or false, not {use_tls!r}")
        port = config.get("port", "587")
        try:
            port_number = int(port)
        except ValueError:
            raise ValueError(f"The smtp channel's port must be a number, not {port!r}") from None
        return cls(
            host=required(config, "smtp", "host"),
            port=port_number,
            username=config.get("username", ""),
            password=config.get("password", ""),
            use_tls=use_tls in ("1", "true", "yes", "on"),
            from_email=required(config, "smtp", "from_email"),
        )

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent:
        raise unsupported(self.name, "sms")

    def send_email(self, *, to: str, subject: str, body: str, reference: str) -> Sent:
        message_id = f"<{message_id_part(reference)}@bluelamp>"
        backend = EmailBackend(
            host=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            timeout=self.timeout,
            alias="bluelamp-smtp",  # built by us, not from settings.MAILERS
        )
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=self.from_email,
            to=[to],
            headers={"Message-ID": message_id},
        )
        with _mapped_errors():
            backend.send_messages([message])
        return Sent(provider_id=message_id)

    def find_sent(self, *, reference: str, to: str, body: str) -> Sent | None:
        return None


def message_id_part(reference: str) -> str:
    """The reference itself when it can stand in a Message-ID, else a safe spelling of it."""
    if _ATOM.fullmatch(reference) and not reference.startswith(".") and ".." not in reference:
        return reference.rstrip(".") or "message"
    return reference.encode().hex()


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """SMTP's own rule: 4xx replies are temporary, 5xx permanent."""
    try:
        yield
    except DeliveryError:
        raise
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise _failure(code, text) from error
    except smtplib.SMTPResponseException as error:
        raise _failure(error.smtp_code, error.smtp_error) from error
    except ValueError as error:  # Django refuses an address it cannot encode
        raise PermanentFailure(str(error)) from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(f"the SMTP exchange failed: {error}") from error


def _failure(code: int, text: bytes | str) -> DeliveryError:
    words = text.decode(errors="replace") if isinstance(text, bytes) else text
    reason = f"{code} {words}"
    if code in _AUTHENTICATION_CODES:
        return ProviderMisconfigured(f"the SMTP server refused our login: {reason}")
    if 400 <= code < 500:
        return TemporaryFailure(reason)
    if 500 <= code < 600:
        return PermanentFailure(reason)
    return TemporaryFailure(reason)
