"""The console channel: nothing leaves the building.

It accepts every message and records nothing itself; the outbox row that shows what would
have been sent is written by the delivery service, in the same transaction as the send.
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

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent:
        return Sent(provider_id=f"console-{reference}")

    def send_email(self, *, to: str, subject: str, body: str, reference: str) -> Sent:
        return Sent(provider_id=f"console-{reference}")

    def find_sent(self, *, reference: str, to: str, body: str) -> Sent | None:
        return None
