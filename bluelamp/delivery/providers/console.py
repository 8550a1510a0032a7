"""The console channel, for development and the demonstration: nothing leaves the building.

"Sending" writes the message to the outbox table, where administrators can read it; the
outbox row carries our reference, so after a crash the worker finds what was already "sent".
"""

from collections.abc import Mapping
from typing import Self

from bluelamp.delivery.providers.base import Sent


class ConsoleProvider:
    name = "console"
    channels = frozenset({"sms", "email"})

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> Self:
        return cls()

    def _store(self, *, via: str, to: str, subject: str, body: str, reference: str) -> Sent:
        from bluelamp.delivery.models import Message, OutboxMessage

        message = Message.objects.filter(reference=reference).only("force_id", "invitation_id")
        found = message.first()
        if found is None:
            raise LookupError(f"no message with reference {reference}")
        row = OutboxMessage.objects.create(
            force_id=found.force_id,
            invitation_id=found.invitation_id,
            reference=reference,
            via=via,
            to=to,
            subject=subject,
            body=body,
        )
        return Sent(provider_id=f"console-{row.pk}")

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent:
        return self._store(via="sms", to=to, subject="", body=body, reference=reference)

    def send_email(self, *, to: str, subject: str, body: str, reference: str) -> Sent:
        return self._store(via="email", to=to, subject=subject, body=body, reference=reference)

    def find_sent(self, *, reference: str, to: str, body: str) -> Sent | None:
        from bluelamp.delivery.models import OutboxMessage

        row = OutboxMessage.objects.filter(reference=reference).first()
        return Sent(provider_id=f"console-{row.pk}") if row else None
