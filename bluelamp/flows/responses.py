"""A response, end to end: stored, counted, alerted on, a case opened, needs reviewed.

Each step is its own app's (surveys stores, insights counts and alerts, recovery opens a
case, care opens a needs review); this is where they meet, in one transaction, so a
dissatisfied caller is never left without an owner and the live view never counts an answer
that was rolled back.
"""

import datetime as dt
from collections.abc import Mapping

from django.db import transaction

from bluelamp.care.services import needs_review_if_needed
from bluelamp.insights.notify import alert_notify
from bluelamp.insights.rollups import response_count
from bluelamp.insights.services import alerts_update
from bluelamp.insights.themes import comment_themes
from bluelamp.recovery.services import case_open_if_needed
from bluelamp.surveys.services import Submitted, response_store


def text_insight(comment: str, force_id: int, language: str) -> dict[str, object]:
    """Sentiment and themes of what the respondent wrote (the force's model deciding the
    themes it won), or nothing if they wrote nothing. Safeguarding is not read here:
    ``needs_review_if_needed`` reads every answer's words for distress, whatever the themes."""
    if not comment.strip():
        return {}
    sentiment, themes = comment_themes(comment, force_id=force_id, language=language)
    return {"sentiment": round(sentiment, 4), "themes": themes}


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
    with transaction.atomic():
        submitted = response_store(
            invitation_id=invitation_id,
            form=form,
            callback_requested=callback_requested,
            language=language,
            now=now,
            insight=text_insight,
        )
        response = submitted.response
        if response is None:
            return submitted
        response_count(response, response.template.stage)
        for alert in alerts_update(response=response, now=now):
            alert_notify(alert)
        case_open_if_needed(response=response, now=now)
        needs_review_if_needed(response=response, now=now)
    return submitted
