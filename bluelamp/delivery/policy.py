"""What the transport asks of the layer that owns the rules about sending.

Delivery sends messages; whether a retry may go at night, and what follows when a message
cannot be delivered, belong to whoever asked for it. That layer registers a ``SendPolicy``
(``bluelamp.flows`` registers the contact rules' ``surveys.sending.SurveySendPolicy``);
until one is registered, a message may go at any time and a failure concerns nobody else.
"""

import datetime as dt
from typing import Protocol

from bluelamp.delivery.models import Message
from bluelamp.forces.models import Force


class SendPolicy(Protocol):
    def next_allowed(self, force: Force, at: dt.datetime) -> dt.datetime:
        """The first moment at or after ``at`` when the force may send (a retry's time)."""
        ...

    def message_failed(self, message: Message, reason: str, now: dt.datetime) -> None:
        """A message could not be delivered, for ``reason`` (in the caller's transaction)."""
        ...


class AnyTime:
    """No rules: send whenever, and a failure is the message's own."""

    def next_allowed(self, force: Force, at: dt.datetime) -> dt.datetime:
        return at

    def message_failed(self, message: Message, reason: str, now: dt.datetime) -> None:
        return None


_policy: list[SendPolicy] = [AnyTime()]


def send_policy_set(policy: SendPolicy) -> None:
    """Register the policy (at start-up, from an AppConfig's ``ready``)."""
    _policy[0] = policy


def send_policy() -> SendPolicy:
    return _policy[0]
