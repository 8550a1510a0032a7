"""The recovery rules a force starts with, in the shape of ``recovery.rules``.

- Safeguarding: words of danger or distress in a comment (the one list in
  ``care.feedback``) open a high-priority case due in 4 hours. No follow-up survey: the
  phone may not be safe to text.
- Dissatisfied: a whole-experience score counted as dissatisfied (3 or less by default).
- Call back: the respondent asked for one.
- Strongly negative comment: VADER's compound score at -0.6 or below, whatever the score
  (sarcastic praise, or a complaint beside a middling score).

The dissatisfied and call-back deadlines are RECOVERY_DEADLINE_HOURS (24 by default).
Phrases are written to be read by the supervisor who calls back.
"""

from typing import Any

from django.conf import settings

from bluelamp.care.feedback import PHRASES

NEGATIVE_SENTIMENT = -0.6
SAFEGUARDING_HOURS = 4
NEGATIVE_COMMENT_HOURS = 48


def default_rule_set() -> dict[str, Any]:
    hours = settings.RECOVERY_DEADLINE_HOURS
    return {
        "rules": [
            {
                "id": "safeguarding",
                "title": "Words of danger or distress in the comment",
                "reason": "Their comment suggests danger or distress",
                "deadline_hours": SAFEGUARDING_HOURS,
                "priority": "high",
                "follow_up": False,
                "when": {
                    "fact": "safeguarding",
                    "intersects": list(PHRASES),
                    "says": "it says {value}",
                },
            },
            {
                "id": "dissatisfied",
                "title": "Dissatisfied with the service",
                "reason": "Dissatisfied with the service",
                "deadline_hours": hours,
                "priority": "normal",
                "follow_up": True,
                "when": {
                    "all": [
                        {"fact": "outcome", "eq": "dissatisfied"},
                        {
                            "fact": "whole_experience",
                            "gte": 1,
                            "says": "rated the whole experience {value} out of 7",
                        },
                    ]
                },
            },
            {
                "id": "callback",
                "title": "Asked for a call back",
                "reason": "Asked for a call back",
                "deadline_hours": hours,
                "priority": "normal",
                "follow_up": True,
                "when": {"fact": "callback_requested", "eq": True},
            },
            {
                "id": "negative_comment",
                "title": "A strongly negative comment",
                "reason": "Their comment is strongly negative",
                "deadline_hours": NEGATIVE_COMMENT_HOURS,
                "priority": "normal",
                "follow_up": True,
                "when": {
                    "fact": "sentiment",
                    "lte": NEGATIVE_SENTIMENT,
                    "says": "sentiment {value}, on a scale from -1 to 1",
                },
            },
        ],
        "follow_up": True,
    }
