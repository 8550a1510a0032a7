"""Texts people send back: a score, a STOP, or words kept as a comment.

A reply is matched to the person's latest survey invitation sent by SMS, through the keyed
fingerprint of their number (the number itself is never stored with the reply):

* ``STOP`` and its common variants, in English and Welsh, opt the person out of everything at
  once, withdraw anything still to be sent, and are confirmed by one text (never twice);
* a number from 1 to 7, when the text asked for one (the template's ``sms_question``), is the
  whole-experience answer, recorded like one given on the page, so the same recovery rules
  apply (words after it are kept as the comment);
* anything else is kept as a comment on the invitation.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from bluelamp.delivery.models import InboundMessage, Message
from bluelamp.delivery.providers.base import Inbound
from bluelamp.delivery.texts import sms as sms_text
from bluelamp.forces.models import Force
from bluelamp.lib import clock
from bluelamp.lib.contact import normalise_phone, person_key
from bluelamp.surveys.models import Invitation

# Carriers and providers treat these as opt-outs; Welsh: "stopio" (to stop), "stopiwch"
# (stop!), "diddymu" (cancel), "dad-danysgrifio" (unsubscribe), "dim mwy" (no more).
STOP_WORDS = frozenset(
    {
        "stop",
        "stopall",
        "stop all",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "opt out",
        "optout",
        "revoke",
        "stopio",
        "stopiwch",
        "diddymu",
        "dad-danysgrifio",
        "dad danysgrifio",
        "dim mwy",
    }
)
_SCORE = re.compile(r"^\s*([1-7])(?![0-9.,])\s*[.!)\-:,]?\s*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Parsed:
    kind: str  # "stop", "score" or "comment"
    score: int | None = None
    comment: str = ""


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[^\w\s-]", " ", folded).split("\n")[0].strip()


def parse_reply(body: str) -> Parsed:
    """What a reply means: ``STOP`` (a stop word alone or first), a score 1 to 7, or words."""
    plain = " ".join(_plain(body).split())
    first_two = " ".join(plain.split()[:2])
    if plain in STOP_WORDS or first_two in STOP_WORDS or plain.split(" ", 1)[0] in STOP_WORDS:
        return Parsed("stop")
    match = _SCORE.match(body)
    if match:
        return Parsed("score", int(match.group(1)), match.group(2).strip())
    return Parsed("comment", comment=body.strip())


def _latest_invitation(key: str, provider: str) -> Invitation | None:
    return (
        Invitation.objects.filter(phone_key=key, via=Invitation.Via.SMS, sent_at__isnull=False)
        .filter(force__sms_provider=provider)
        .select_related("force", "template")
        .order_by("-sent_at")
        .first()
    )


def inbound_handle(*, provider: str, inbound: Inbound) -> str:
    """Act on one text received; idempotent by the provider's id. Returns what was done."""
    from bluelamp.surveys.services import (
        InvitationClosed,
        keys_opt_out,
        response_submit,
    )

    try:
        number = normalise_phone(inbound.from_number)
    except ValueError:
        number = inbound.from_number
    key = person_key(settings.PERSON_KEY_SECRET, number)
    invitation = _latest_invitation(key, provider)
    parsed = parse_reply(inbound.body)
    now = clock.now()
    action = InboundMessage.Action.COMMENT if invitation else InboundMessage.Action.UNMATCHED
    try:
        with transaction.atomic():
            record = InboundMessage.objects.create(
                force=invitation.force if invitation else _any_force(provider),
                invitation=invitation,
                provider=provider,
                provider_id=inbound.provider_id,
                from_key=key,
                body=inbound.body[:2000],
                action=action,
                received_at=inbound.received_at,
            )
            if parsed.kind == "stop":
                forces = (
                    [invitation.force]
                    if invitation
                    else list(Force.objects.filter(sms_provider=provider))
                )
                for force in forces:
                    if keys_opt_out(force=force, keys=[key], source="sms_stop", now=now):
                        _confirm_opt_out(force, number, invitation)
                record.action = InboundMessage.Action.OPT_OUT
            elif parsed.kind == "score" and invitation is not None and _asks(invitation):
                try:
                    submitted = response_submit(
                        invitation_id=invitation.pk,
                        form={"whole_experience": str(parsed.score), "comment": parsed.comment},
                        callback_requested=False,
                        language=invitation.language,
                        now=now,
                    )
                except InvitationClosed:
                    submitted = None
                if submitted is not None and submitted.response is not None:
                    record.action = InboundMessage.Action.ANSWER
            record.save(update_fields=["action"])
    except IntegrityError:
        return "duplicate"  # the provider posted the same text twice
    return record.action


def _asks(invitation: Invitation) -> bool:
    """Whether the invitation's text asked for a score by reply (else a number is words)."""
    template = invitation.template
    return template is not None and bool(template.definition.get("sms_question"))


def _any_force(provider: str) -> Force:
    force = Force.objects.filter(sms_provider=provider).order_by("pk").first()
    if force is None:
        raise LookupError(f"no force sends SMS through {provider}")
    return force


def _confirm_opt_out(force: Force, number: str, invitation: Invitation | None) -> None:
    from bluelamp.delivery.dispatch import message_create

    language = invitation.language if invitation else ""  # not known: the force's languages
    message_create(
        force=force,
        purpose=Message.Purpose.OPT_OUT_CONFIRMATION,
        via="sms",
        to=number,
        body=sms_text("opt_out", force=force, language=language).body,
    )
