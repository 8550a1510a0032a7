"""Sending survey invitations and reminders, each once, when the contact rules allow.

The worker runs these tasks; each checks again, at send time, that the invitation may go
(opt-out, the frequency cap, expiry, quiet hours: days may pass between the decision and the
send), writes the message and hands it to ``delivery``, which knows nothing of surveys and
asks ``SurveySendPolicy`` (registered with it by ``bluelamp.flows``) when a retry may go and
tells it when a message could not be delivered.
"""

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from bluelamp.delivery.dispatch import message_deliver, message_hand_over, provider_name
from bluelamp.delivery.models import Message
from bluelamp.delivery.queue import tasks_enqueue
from bluelamp.forces.models import Force
from bluelamp.lib import clock
from bluelamp.surveys import contact_rules, texts
from bluelamp.surveys.models import Invitation
from bluelamp.surveys.selectors import (
    contact_rules_current,
    invitation_url,
    person_opted_out,
    persons_lock,
    surveyed_within,
)

# Who hears of each invitation sent, in the sending's transaction: the live view's counts of
# sendings (``bluelamp.flows`` adds ``insights.rollups.sending_count``). Surveys sits below
# insights, so it is told whom to tell instead of importing upward.
SENT_LISTENERS: list[Callable[[Invitation], None]] = []


def invitation_enqueue(invitation: Invitation) -> None:
    """Queue the invitation's sending for its time (in the caller's transaction)."""
    send_invitation.using(run_after=invitation.send_at).enqueue(invitation.pk)


def invitations_enqueue(invitations: list[Invitation]) -> None:
    """Queue the sending of many stored invitations, each for its time, in one insert (in the
    caller's transaction): what ``invitation_enqueue`` does for each."""
    tasks_enqueue(task=send_invitation, calls=[([i.pk], i.send_at) for i in invitations])


def invitation_text(invitation: Invitation, kind: str = "invitation") -> texts.Text:
    """The invitation's (or reminder's) words, in the person's language."""
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
    return contact_rules_current(force).rules


@task()
def send_invitation(invitation_id: int) -> str:
    """Send a scheduled invitation, once: checks again that it may go, now, then sends."""
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
            for listener in SENT_LISTENERS:
                listener(invitation)
            if rules.reminder_after_hours:
                send_reminder.using(
                    run_after=contact_rules.next_allowed(
                        rules, now + dt.timedelta(hours=rules.reminder_after_hours)
                    )
                ).enqueue(invitation_id)
            created = message
    if created is not None:  # committed: now, and only now, to the provider
        created.force = invitation.force
        return message_hand_over(created)
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


class SurveySendPolicy:
    """What delivery asks of the contact rules (``delivery.policy.SendPolicy``)."""

    def next_allowed(self, force: Force, at: dt.datetime) -> dt.datetime:
        """A retry due at night waits for the morning (the force's quiet hours)."""
        return contact_rules.next_allowed(_rules(force), at)

    def message_failed(self, message: Message, reason: str, now: dt.datetime) -> None:
        """An invitation whose message cannot be delivered is closed as undeliverable."""
        if message.invitation_id is None or message.purpose != Message.Purpose.INVITATION:
            return
        Invitation.objects.filter(pk=message.invitation_id).update(
            status=Invitation.Status.FAILED,
            reason="undeliverable",
            reason_text=f"Could not be delivered: {reason}"[:200],
            closed_at=now,
        )
