"""Sending: invitations and reminders become messages, and messages reach a provider once.

The protocol for one message, run by the worker's tasks:

1. In one transaction the message is marked ``sending`` (attempts + 1). If it was already
   ``sending``, an earlier attempt may have been accepted before its worker died, so the
   provider is asked first (``find_sent`` by our reference) and nothing is sent twice.
2. The provider is called, outside any transaction.
3. In one transaction the answer is recorded: sent (with the provider's id); or, for a
   temporary failure (429, 5xx, the network), a retry is queued with backoff, outside quiet
   hours; or, for a permanent failure, the provider's reason, never retried.

A killed worker's job is taken over when its lease runs out, and step 1 makes the repeat
safe: at least once inside, exactly once to the person.
"""

import datetime as dt
import logging
import random
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.tasks import task
from django.utils import timezone

from bluelamp.delivery import texts
from bluelamp.delivery.models import Message
from bluelamp.delivery.providers.base import (
    PermanentFailure,
    Provider,
    Sent,
    TemporaryFailure,
)
from bluelamp.delivery.queue import tasks_enqueue
from bluelamp.forces.models import Force
from bluelamp.lib import clock
from bluelamp.surveys import contact_rules
from bluelamp.surveys.models import Invitation

if TYPE_CHECKING:
    from bluelamp.insights.models import Alert

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


def provider_for(force: Force, via: str) -> Provider:
    return provider_for_kind(provider_name(force, via))


# ----------------------------------------------------------------------------- invitations


def invitation_enqueue(invitation: Invitation) -> None:
    """Queue the invitation's sending for its time (in the caller's transaction)."""
    send_invitation.using(run_after=invitation.send_at).enqueue(invitation.pk)


def invitations_enqueue(invitations: list[Invitation]) -> None:
    """Queue the sending of many stored invitations, each for its time, in one insert (in the
    caller's transaction): what ``invitation_enqueue`` does for each."""
    tasks_enqueue(task=send_invitation, calls=[([i.pk], i.send_at) for i in invitations])


def invitation_text(invitation: Invitation, kind: str = "invitation") -> texts.Text:
    """The invitation's (or reminder's) words, in the person's language."""
    from bluelamp.surveys.services import invitation_url

    url = invitation_url(invitation)
    force = invitation.force
    if invitation.via == Invitation.Via.SMS:
        asks = (
            kind == "invitation"
            and invitation.template is not None
            and bool(invitation.template.definition.get("sms_question"))
        )
        return texts.sms(
            "invitation_question" if asks else kind,
            force=force,
            language=invitation.language,
            url=url,
        )
    expires = (
        timezone.localtime(invitation.expires_at).strftime("%-d %B %Y")
        if invitation.expires_at
        else ""
    )
    return texts.email(kind, force=force, language=invitation.language, url=url, expires=expires)


def _rules(force: Force) -> contact_rules.ContactRules:
    from bluelamp.surveys.services import contact_rules_current

    return contact_rules_current(force).rules


def _later(force: Force, at: dt.datetime) -> dt.datetime:
    return contact_rules.next_allowed(_rules(force), at)


@task()
def send_invitation(invitation_id: int) -> str:
    """Send a scheduled invitation, once: checks again that it may go, now, then sends."""
    from bluelamp.insights.rollups import sending_count
    from bluelamp.surveys.services import person_opted_out, persons_lock, surveyed_within

    now = clock.now()
    created: Message | None = None
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("contact__person", "force", "template")
            .get(pk=invitation_id)
        )
        if invitation.status == Invitation.Status.SCHEDULED:
            rules = _rules(invitation.force)
            keys = [k for k in (invitation.phone_key, invitation.email_key) if k]
            persons_lock(keys)
            person = invitation.contact.person
            why = ""
            if person_opted_out(person):
                why = "opted_out"
            elif rules.timing(invitation.stage).frequency_cap and surveyed_within(
                force_id=invitation.force_id,
                keys=keys,
                around=now,
                days=rules.frequency_days,
                exclude_pk=invitation.pk,
                sent_only=True,
            ):
                why = "frequency_cap"
            elif invitation.expires_at is not None and invitation.expires_at <= now:
                why = "expired_unsent"
            elif contact_rules.in_quiet_hours(rules, now):
                # Due at night (a retry, or a worker that was down): wait for the morning.
                send_invitation.using(run_after=contact_rules.next_allowed(rules, now)).enqueue(
                    invitation_id
                )
                return "quiet hours"
            if why:
                Invitation.objects.filter(pk=invitation.pk).update(
                    status=Invitation.Status.EXCLUDED,
                    reason=why,
                    reason_text=WITHDRAWN[why],
                    closed_at=now,
                )
                return why
            words = invitation_text(invitation)
            to = person.phone if invitation.via == Invitation.Via.SMS else person.email
            # Created as handed over (attempt 1), so a worker that dies from here on leaves
            # it "sending" and the next one asks the provider before sending again.
            message = Message.objects.create(
                force_id=invitation.force_id,
                invitation=invitation,
                purpose=Message.Purpose.INVITATION,
                via=invitation.via,
                provider=provider_name(invitation.force, invitation.via),
                to=to,
                subject=words.subject,
                body=words.body,
                created_at=now,
                status=Message.Status.SENDING,
                attempts=1,
            )
            Invitation.objects.filter(pk=invitation.pk).update(
                status=Invitation.Status.SENT, sent_at=now
            )
            invitation.status = Invitation.Status.SENT
            invitation.sent_at = now
            sending_count(invitation, invitation.stage)
            if rules.reminder_after_hours:
                send_reminder.using(
                    run_after=contact_rules.next_allowed(
                        rules, now + dt.timedelta(hours=rules.reminder_after_hours)
                    )
                ).enqueue(invitation_id)
            created = message
    if created is not None:  # committed: now, and only now, to the provider
        created.force = invitation.force
        return _hand_over(created)
    # Sent by an earlier run of this job: finish handing it over if that run died.
    earlier = Message.objects.filter(
        invitation_id=invitation_id, purpose=Message.Purpose.INVITATION
    ).first()
    if earlier is None:
        return invitation.status
    return message_deliver(earlier.pk)


WITHDRAWN = {
    "opted_out": "The person asked not to be contacted again",
    "frequency_cap": "Already surveyed within the frequency window",
    "expired_unsent": "Not sent before its link would have expired",
}


@task()
def send_reminder(invitation_id: int) -> str:
    """One reminder if the link was not opened, the survey is still open and not at night."""
    now = clock.now()
    earlier = Message.objects.filter(
        invitation_id=invitation_id, purpose=Message.Purpose.REMINDER
    ).first()
    if earlier is not None:  # an earlier run wrote it: finish handing it over if it died
        return message_deliver(earlier.pk)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("contact__person", "force", "template")
            .get(pk=invitation_id)
        )
        if (
            invitation.status != Invitation.Status.SENT
            or invitation.opened_at is not None
            or invitation.reminded_at is not None
            or (invitation.expires_at is not None and invitation.expires_at <= now)
        ):
            return "not needed"
        rules = _rules(invitation.force)
        if contact_rules.in_quiet_hours(rules, now):
            send_reminder.using(run_after=contact_rules.next_allowed(rules, now)).enqueue(
                invitation_id
            )
            return "quiet hours"
        words = invitation_text(invitation, "reminder")
        person = invitation.contact.person
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    force_id=invitation.force_id,
                    invitation=invitation,
                    purpose=Message.Purpose.REMINDER,
                    via=invitation.via,
                    provider=provider_name(invitation.force, invitation.via),
                    to=person.phone if invitation.via == Invitation.Via.SMS else person.email,
                    subject=words.subject,
                    body=words.body,
                    created_at=now,
                )
        except IntegrityError:
            return "already reminded"
        Invitation.objects.filter(pk=invitation.pk).update(reminded_at=now)
    return message_deliver(message.pk)


def message_create(
    *,
    force: Force,
    purpose: str,
    via: str,
    to: str,
    body: str,
    subject: str = "",
    invitation: Invitation | None = None,
) -> Message:
    """A message that is not an invitation (an opt-out confirmation, an alert), queued to go."""
    now = clock.now()
    message = Message.objects.create(
        force=force,
        invitation=invitation,
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
    return _hand_over(message)


def _hand_over(message: Message) -> str:
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
    at = _later(message.force, now + wait)
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
    if message.invitation_id is not None and message.purpose == Message.Purpose.INVITATION:
        Invitation.objects.filter(pk=message.invitation_id).update(
            status=Invitation.Status.FAILED,
            reason="undeliverable",
            reason_text=f"Could not be delivered: {reason}"[:200],
            closed_at=now,
        )


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


def alert_notify(alert: "Alert") -> list[Message]:
    """Send a new alert to the force's duty supervisor (``Force.alert_recipients``), by SMS
    to a mobile number and by email to an address, queued in the response's transaction."""
    from bluelamp.lib.contact import normalise_phone

    force = alert.force
    url = f"{(force.site_url or settings.SITE_URL).rstrip('/')}/live/"
    sent = []
    for line in force.alert_recipients.splitlines():
        to = line.strip()
        if not to:
            continue
        if "@" in to:
            sent.append(message_create(
                force=force, purpose=Message.Purpose.ALERT, via="email", to=to,
                subject=f"Bluelamp alert: {alert.label}", body=f"{alert.text}\n\n{url}",
            ))  # fmt: skip
            continue
        try:
            number = normalise_phone(to)
        except ValueError:
            log.warning("alert recipient of force %s is not a phone or email", force.slug)
            continue
        sent.append(message_create(
            force=force, purpose=Message.Purpose.ALERT, via="sms", to=number,
            body=f"Bluelamp alert: {alert.text} {url}",
        ))  # fmt: skip
    return sent
