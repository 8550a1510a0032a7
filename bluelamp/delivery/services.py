"""Sending invitations. The console channel writes to the outbox; real providers come later."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bluelamp.delivery.models import OutboxMessage
from bluelamp.insights.rollups import sending_count
from bluelamp.surveys.models import Invitation
from bluelamp.surveys.services import invitation_url

SMS_TEXT = {
    "en": "{force}: you contacted us recently. Please tell us how we did, it takes 2 minutes: "
    "{url}",
    "cy": "{force}: fe wnaethoch gysylltu â ni yn ddiweddar. Dywedwch wrthym sut wnaethon ni, "
    "mae'n cymryd 2 funud: {url}",
}
EMAIL_SUBJECT = {
    "en": "How did we do? {force}",
    "cy": "Sut wnaethon ni? {force}",
}
EMAIL_TEXT = {
    "en": "Hello,\n\nYou contacted {force} recently. We would like to know how we did. The "
    "survey takes about two minutes:\n\n{url}\n\nThe link works until {expires}. If you do not "
    "want to hear from us again, the same page lets you say so.\n\n{force}",
    "cy": "Helo,\n\nFe wnaethoch chi gysylltu â {force} yn ddiweddar. Hoffem wybod sut wnaethon "
    "ni. Mae'r arolwg yn cymryd tua dau funud:\n\n{url}\n\nMae'r ddolen yn gweithio tan "
    "{expires}. Os nad ydych am glywed gennym eto, gallwch ddweud hynny ar yr un dudalen."
    "\n\n{force}",
}


def invitation_send(*, invitation_id: int, now: dt.datetime) -> OutboxMessage | None:
    """Send one scheduled invitation, at most once.

    The claim is a conditional update (scheduled to sent) in the same transaction as the
    message, so two workers can never both send it.
    """
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation_id, status=Invitation.Status.SCHEDULED
        ).update(status=Invitation.Status.SENT, sent_at=now)
        if not claimed:
            return None
        invitation = Invitation.objects.select_related("contact__person", "force", "template").get(
            pk=invitation_id
        )
        sending_count(
            invitation, invitation.template.stage if invitation.template else "first_contact"
        )
        person = invitation.contact.person
        language = invitation.language if invitation.language in SMS_TEXT else "en"
        values = {
            "force": invitation.force.name,
            "url": invitation_url(invitation),
            "expires": timezone.localtime(invitation.expires_at).strftime("%-d %B %Y")
            if invitation.expires_at
            else "",
        }
        if invitation.via == Invitation.Via.SMS:
            return OutboxMessage.objects.create(
                force_id=invitation.force_id,
                invitation=invitation,
                via="sms",
                to=person.phone,
                body=SMS_TEXT[language].format(**values),
            )
        return OutboxMessage.objects.create(
            force_id=invitation.force_id,
            invitation=invitation,
            via="email",
            to=person.email,
            subject=EMAIL_SUBJECT[language].format(**values),
            body=EMAIL_TEXT[language].format(**values),
        )


def invitations_send_due(*, now: dt.datetime, limit: int = 100) -> int:
    """Send every invitation whose time has come; returns how many this call sent."""
    due = list(
        Invitation.objects.filter(status=Invitation.Status.SCHEDULED, send_at__lte=now)
        .order_by("send_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if invitation_send(invitation_id=pk, now=now) is not None)
