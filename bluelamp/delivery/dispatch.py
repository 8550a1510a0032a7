"""Messages reach a provider once: the transport, which knows nothing of what a message is for.

The protocol for one message, run by the worker's tasks:

1. In one transaction the message is marked ``sending`` (attempts + 1). If it was already
   ``sending``, an earlier attempt may have been accepted before its worker died, so the
   provider is asked first (``find_sent`` by our reference) and nothing is sent twice.
2. The provider is called, outside any transaction.
3. In one transaction the answer is recorded: sent (with the provider's id); or, for a
   temporary failure (429, 5xx, the network), a retry is queued with backoff, when the send
   policy allows (quiet hours); or, for a permanent failure, the provider's reason, never
   retried, and the policy is told (an invitation is closed as undeliverable).

A killed worker's job is taken over when its lease runs out, and step 1 makes the repeat
safe: at least once inside, exactly once to the person.
"""

import datetime as dt
import logging
import random
from collections.abc import Mapping
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.tasks import task

from bluelamp.delivery.models import Message
from bluelamp.delivery.policy import send_policy
from bluelamp.delivery.providers.base import (
    PermanentFailure,
    Provider,
    Sent,
    TemporaryFailure,
)
from bluelamp.forces.models import Force
from bluelamp.lib import clock

log = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 10  # about a day of backoff, then the message is given up as failed


@cache
def provider_for_kind(kind: str) -> Provider:
    """The configured provider of a kind; ImproperlyConfigured when it is not set up."""
    from bluelamp.delivery.providers import provider_from_config

    config: Mapping[str, str] = settings.DELIVERY_PROVIDERS.get(kind, {})
    return provider_from_config(kind, config)


def provider_cache_clear() -> None:
    provider_for_kind.cache_clear()


def provider_name(force: Force, via: str) -> str:
    return force.sms_provider if via == "sms" else force.email_provider


def message_create(
    *,
    force: Force,
    purpose: str,
    via: str,
    to: str,
    body: str,
    subject: str = "",
    invitation_id: int | None = None,
) -> Message:
    """A message that is not an invitation (an opt-out confirmation, an alert), queued to go."""
    now = clock.now()
    message = Message.objects.create(
        force=force,
        invitation_id=invitation_id,
        purpose=purpose,
        via=via,
        provider=provider_name(force, via),
        to=to,
        subject=subject,
        body=body,
        created_at=now,
    )
    deliver_message.using(run_after=now).enqueue(message.pk)
    return message


@task()
def deliver_message(message_id: int) -> str:
    return message_deliver(message_id)


def _backoff(attempts: int, retry_after: float | None) -> float:
    base = retry_after if retry_after else min(15 * 2 ** (attempts - 1), 3600)
    return base * random.uniform(1.0, 1.25)  # jitter, so retries do not arrive together


def message_deliver(message_id: int) -> str:
    """Hand a message to its provider once (see the module's protocol). Returns its status."""
    now = clock.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("force").get(pk=message_id)
        if message.status not in (Message.Status.QUEUED, Message.Status.SENDING):
            return message.status
        provider = provider_for_kind(message.provider)
        if message.status == Message.Status.SENDING:
            try:
                found = provider.find_sent(
                    reference=message.reference, to=message.to, body=message.body
                )
            except TemporaryFailure as e:
                return _retry_later(message, e)
            if found is not None:
                _record_sent(message, found, now)
                return message.status
        message.status = Message.Status.SENDING
        message.attempts += 1
        message.save(update_fields=["status", "attempts"])
    return message_hand_over(message)


def message_hand_over(message: Message) -> str:
    """Call the provider for a message marked ``sending`` (committed), record the answer."""
    provider = provider_for_kind(message.provider)
    try:
        if message.via == "sms":
            sent = provider.send_sms(to=message.to, body=message.body, reference=message.reference)
        else:
            sent = provider.send_email(
                to=message.to,
                subject=message.subject,
                body=message.body,
                reference=message.reference,
            )
    except PermanentFailure as e:
        with transaction.atomic():
            _record_failed(message, e.reason, clock.now())
        return message.status
    except TemporaryFailure as e:
        with transaction.atomic():
            return _retry_later(message, e)
    with transaction.atomic():
        _record_sent(message, sent, clock.now())
    return message.status


def _retry_later(message: Message, error: TemporaryFailure) -> str:
    """Try again after a backoff (the provider's Retry-After if it gave one), outside quiet
    hours; give up after MAX_SEND_ATTEMPTS. The message stays ``sending``, so the next try
    asks the provider first: a timed-out send may have been accepted."""
    now = clock.now()
    if message.attempts >= MAX_SEND_ATTEMPTS:
        _record_failed(message, f"gave up after {message.attempts} tries: {error.reason}", now)
        return message.status
    Message.objects.filter(pk=message.pk).update(reason=error.reason[:300])
    wait = dt.timedelta(seconds=_backoff(max(message.attempts, 1), error.retry_after))
    at = send_policy().next_allowed(message.force, now + wait)
    deliver_message.using(run_after=at).enqueue(message.pk)
    log.info("message %s: temporary failure, retry at %s", message.pk, at.isoformat())
    return "retrying"


def _record_sent(message: Message, sent: Sent, now: dt.datetime) -> None:
    """Record the provider's acceptance. On PostgreSQL this commit need not wait for the disk
    (3 ms here): were it lost in a database crash, the message would still be ``sending`` and
    the next run would find it at the provider, so nothing is sent twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, provider_id=sent.provider_id[:100], sent_at=now, reason=""
    )
    message.status = Message.Status.SENT


def _record_failed(message: Message, reason: str, now: dt.datetime) -> None:
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED, reason=reason[:300], failed_at=now
    )
    message.status = Message.Status.FAILED
    send_policy().message_failed(message, reason, now)


def status_update(*, provider: str, provider_id: str, status: str, reason: str) -> bool:
    """A delivery receipt: the message is delivered, or failed with the provider's reason."""
    now = clock.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(provider=provider, provider_id=provider_id)
            .first()
        )
        if message is None:
            return False
        if status == "delivered" and message.status in (
            Message.Status.SENT,
            Message.Status.SENDING,
        ):
            Message.objects.filter(pk=message.pk).update(
                status=Message.Status.DELIVERED, delivered_at=now, reason=reason[:300]
            )
        elif status == "failed" and message.status != Message.Status.FAILED:
            _record_failed(message, reason, now)
    return True
