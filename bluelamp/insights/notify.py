"""New alerts reach the force's duty supervisor, as messages through delivery."""

import logging

from django.conf import settings

from bluelamp.delivery.dispatch import message_create
from bluelamp.delivery.models import Message
from bluelamp.insights.models import Alert
from bluelamp.lib.contact import normalise_phone

log = logging.getLogger(__name__)


def alert_notify(alert: Alert) -> list[Message]:
    """Send a new alert to the force's duty supervisor (``Force.alert_recipients``), by SMS
    to a mobile number and by email to an address, queued in the response's transaction."""
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
