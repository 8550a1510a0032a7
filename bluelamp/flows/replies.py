"""Acting on texts people send back (read by ``delivery.inbound``): a STOP opts the person
out of everything and is confirmed once; a score 1 to 7, when the text asked for one, is the
whole-experience answer, recorded as ``response_submit`` records one given on the page; any
other words are kept as a comment on the person's latest invitation sent by SMS."""

from django.db import IntegrityError, transaction

from bluelamp.delivery.dispatch import message_create
from bluelamp.delivery.inbound import Reply
from bluelamp.delivery.models import InboundMessage, Message
from bluelamp.flows.responses import response_submit
from bluelamp.forces.models import Force
from bluelamp.lib import clock
from bluelamp.surveys.models import Invitation
from bluelamp.surveys.services import InvitationClosed, keys_opt_out
from bluelamp.surveys.texts import sms as sms_text


def _latest_invitation(key: str, provider: str) -> Invitation | None:
    return (
        Invitation.objects.filter(phone_key=key, via=Invitation.Via.SMS, sent_at__isnull=False)
        .filter(force__sms_provider=provider)
        .select_related("force", "template")
        .order_by("-sent_at")
        .first()
    )


def reply_handle(reply: Reply) -> str:
    """Act on one text received; idempotent by the provider's id. Returns what was done."""
    provider, inbound, number, key, parsed = (
        reply.provider, reply.inbound, reply.number, reply.key, reply.parsed,
    )  # fmt: skip
    invitation = _latest_invitation(key, provider)
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
    language = invitation.language if invitation else ""  # not known: the force's languages
    message_create(
        force=force,
        purpose=Message.Purpose.OPT_OUT_CONFIRMATION,
        via="sms",
        to=number,
        body=sms_text("opt_out", force=force, language=language).body,
    )
