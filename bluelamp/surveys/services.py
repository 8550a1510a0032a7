"""Invitations, responses and opt-outs."""

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from bluelamp.audit.services import audit_record
from bluelamp.surveys import logic, rules
from bluelamp.surveys.models import (
    IncidentType,
    Invitation,
    OptOut,
    Response,
    SurveyTemplate,
    new_token,
)

if TYPE_CHECKING:
    from bluelamp.forces.models import Force
    from bluelamp.intake.models import Contact, Person


# The current template per force, key and stage, for TEMPLATE_CACHE_SECONDS: looking it up
# for every contact was a fifth of intake time. The admin clears it on save; other processes
# see a new version within the TTL.
TEMPLATE_CACHE_SECONDS = 30.0
_templates: dict[tuple[int, str, str, str], tuple[float, SurveyTemplate]] = {}


def template_cache_clear() -> None:
    _templates.clear()


def template_current(*, force: "Force", key: str, stage: str = "first_contact") -> SurveyTemplate:
    """The force's own active template for the key and stage, else the shipped default."""
    cache_key = (force.pk, force.created_at.isoformat(), key, stage)
    cached = _templates.get(cache_key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = _template_lookup(force=force, key=key, stage=stage)
    _templates[cache_key] = (time.monotonic() + TEMPLATE_CACHE_SECONDS, found)
    return found


def _template_lookup(*, force: "Force", key: str, stage: str) -> SurveyTemplate:
    found = (
        SurveyTemplate.objects.filter(
            Q(force=force) | Q(force=None), key=key, stage=stage, active=True
        )
        .order_by(F("force_id").asc(nulls_last=True), "-version")
        .first()
    )
    if found is None and key != "general":
        return _template_lookup(force=force, key="general", stage=stage)
    if found is None:
        raise SurveyTemplate.DoesNotExist(f"no template for {key}/{stage}")
    return found


def person_opted_out(person: "Person") -> bool:
    keys = [k for k in (person.phone_key, person.email_key) if k]
    return bool(keys) and OptOut.objects.filter(force_id=person.force_id, key__in=keys).exists()


def invitation_decide(
    *,
    contact: "Contact",
    incident_type: IncidentType,
    age: int | None,
    has_mobile: bool,
    has_email: bool,
    now: dt.datetime,
) -> Invitation:
    """Record, for every contact, whether its person is invited to a survey and why not."""
    decision = rules.decide(
        incident_sensitive=incident_type.sensitive,
        incident_name=incident_type.name,
        flags=list(contact.flags),
        age=age,
        minimum_age=settings.MINIMUM_SURVEY_AGE,
        opted_out=person_opted_out(contact.person),
        has_mobile=has_mobile,
        has_email=has_email,
    )
    if not decision.scheduled:
        return Invitation.objects.create(
            force_id=contact.force_id,
            contact=contact,
            status=Invitation.Status.EXCLUDED,
            reason=decision.reason,
            reason_text=decision.reason_text,
        )
    return Invitation.objects.create(
        force_id=contact.force_id,
        contact=contact,
        status=Invitation.Status.SCHEDULED,
        token=new_token(),
        template=template_current(force=contact.force, key=incident_type.template_key),
        via=decision.via,
        language=contact.person.language,
        send_at=now,
        expires_at=now + dt.timedelta(days=settings.INVITATION_EXPIRY_DAYS),
    )


def invitation_url(invitation: Invitation) -> str:
    return f"{settings.SITE_URL}/s/{invitation.token}"


class InvitationClosed(Exception):
    """The link has expired or was already used."""


@dataclass(frozen=True)
class Submitted:
    response: Response | None
    errors: dict[str, str]


def invitation_state(invitation: Invitation, now: dt.datetime) -> str:
    """``open``, ``answered`` or ``expired``: what a respondent following the link may do."""
    if invitation.status == Invitation.Status.ANSWERED:
        return "answered"
    if invitation.status == Invitation.Status.EXCLUDED:
        return "expired"
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return "expired"
    return "open"


def invitation_open(*, invitation: Invitation, now: dt.datetime) -> None:
    """Note the first time the link was opened (used later for reminders and response rates)."""
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at=None).update(opened_at=now)


def _text_insight(comment: str) -> dict[str, object]:
    """Sentiment and themes of what the respondent wrote, or nothing if they wrote nothing."""
    from bluelamp.insights.text import analyse

    if not comment.strip():
        return {}
    found = analyse(comment)
    return {
        "sentiment": round(found.sentiment, 4),
        "themes": [{"code": t.code, "evidence": t.evidence} for t in found.themes],
    }


def response_submit(
    *,
    invitation_id: int,
    form: Mapping[str, str],
    callback_requested: bool,
    language: str,
    now: dt.datetime,
) -> Submitted:
    """Store a respondent's answers; one submission per invitation.

    A dissatisfied whole-experience answer or a call-back request opens a service-recovery
    case in the same transaction, so a dissatisfied caller is never left without an owner.
    """
    from bluelamp.care.services import needs_review_if_needed
    from bluelamp.insights.rollups import response_count
    from bluelamp.insights.services import alerts_update
    from bluelamp.recovery.services import case_open_if_needed

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("template", "contact")
            .get(pk=invitation_id)
        )
        if invitation_state(invitation, now) != "open":
            raise InvitationClosed(invitation_state(invitation, now))
        assert invitation.template is not None
        definition = logic.parse_definition(invitation.template.definition)
        checked = logic.check_answers(definition, form, language)
        if checked.errors:
            return Submitted(None, checked.errors)
        score = checked.answers.get(logic.WHOLE_EXPERIENCE)
        whole = score if isinstance(score, int) else None
        contact = invitation.contact
        comment = logic.free_text(definition, checked.answers)
        response = Response.objects.create(
            force_id=invitation.force_id,
            invitation=invitation,
            contact=contact,
            template=invitation.template,
            answers=checked.answers,
            whole_experience=whole,
            outcome=logic.classify(whole, settings.SATISFIED_FROM, settings.DISSATISFIED_TO),
            callback_requested=callback_requested,
            comment=comment,
            **_text_insight(comment),
            submitted_at=now,
            incident_type_id=contact.incident_type_id,
            team_id=contact.team_id,
            call_handler_id=contact.call_handler_id,
            channel=contact.channel,
        )
        response_count(response, invitation.template.stage)
        alerts_update(response=response, now=now)
        invitation.status = Invitation.Status.ANSWERED
        invitation.answered_at = now
        invitation.save(update_fields=["status", "answered_at"])
        case_open_if_needed(response=response, now=now)
        needs_review_if_needed(response=response, now=now)
    return Submitted(response, {})


def person_opt_out(*, invitation_id: int, now: dt.datetime) -> int:
    """Honour "please do not contact me again" at once, for every future contact.

    The person's phone and email fingerprints join the force's opt-out list, and any of their
    invitations not yet answered is withdrawn. Returns how many were withdrawn.
    """
    from bluelamp.intake.models import Person

    with transaction.atomic():
        invitation = Invitation.objects.select_related("contact__person").get(pk=invitation_id)
        person = invitation.contact.person
        keys = [k for k in (person.phone_key, person.email_key) if k]
        for key in keys:
            OptOut.objects.get_or_create(force_id=invitation.force_id, key=key)
        same_person = Person.objects.filter(force_id=invitation.force_id).filter(
            Q(phone_key__in=keys) | Q(email_key__in=keys)
        )
        withdrawn = Invitation.objects.filter(
            force_id=invitation.force_id,
            contact__person__in=same_person,
            status__in=[Invitation.Status.SCHEDULED, Invitation.Status.SENT],
        ).update(
            status=Invitation.Status.EXCLUDED,
            reason="opted_out",
            reason_text="The person asked not to be contacted again",
        )
        audit_record(
            force=invitation.contact.force,
            action="update",
            obj=person,
            actor="respondent",
            summary=f"opted out; {withdrawn} invitation(s) withdrawn",
        )
    return withdrawn
