"""The rule set a force starts with: referrals and Enhanced Rights, in the shape of ``rules``.

- Older person liaison officer: HMICFRS praised Hertfordshire's practice of referring older
  victims of residential burglary who may have been targeted because of their age, suffered a
  significant financial loss, or are vulnerable to exploitation. Attempts and distraction
  burglaries are residential burglaries (offence ``burglary_residential``).
- Victim Support: the Victims' Code (right 4) makes referral opt-out, except for sexual
  offences, domestic abuse and bereaved relatives, who are referred only if they agree.
- Trading Standards: doorstep crime and rogue traders are theirs to pursue.
- Safeguarding hub: adults who may be at risk (dementia, a learning disability or a mental
  health condition).

Phrases are written to be read to the victim.
"""

from typing import Any

MINIMUM_AGE_OLDER_PERSON = 65
SIGNIFICANT_LOSS_POUNDS = 1000
ADULT_AGE = 18

VULNERABILITY_INDICATORS = ["disability", "dementia", "learning_disability", "mental_health"]
ADULT_AT_RISK_INDICATORS = ["dementia", "learning_disability", "mental_health"]
TARGETING_MODUS_OPERANDI = ["distraction", "bogus_caller", "doorstep"]
TRADING_STANDARDS_MODUS_OPERANDI = ["doorstep", "rogue_trader"]
CONSENT_NEEDED_OFFENCES = ["sexual_offence", "domestic_abuse"]

DEFAULT_RULE_SET: dict[str, Any] = {
    "rules": [
        {
            "id": "older_person_liaison_burglary",
            "service": "older_person_liaison",
            "title": "Older victims of burglary at home who were targeted, lost a lot or are "
            "vulnerable",
            "reason": "Referred to the older person liaison officer because",
            "when": {
                "all": [
                    {
                        "fact": "age",
                        "gte": MINIMUM_AGE_OLDER_PERSON,
                        "says": f"aged {{value}}, {MINIMUM_AGE_OLDER_PERSON} or over",
                    },
                    {
                        "fact": "offence",
                        "eq": "burglary_residential",
                        "says": "a burglary at home",
                    },
                    {
                        "any": [
                            {
                                "fact": "modus_operandi",
                                "intersects": TARGETING_MODUS_OPERANDI,
                                "says": "a {value} approach, often used to target older people",
                            },
                            {
                                "fact": "financial_loss",
                                "gte": SIGNIFICANT_LOSS_POUNDS,
                                "says": "a financial loss of {value_pounds} "
                                f"(£{SIGNIFICANT_LOSS_POUNDS:,} or more)",
                            },
                            {
                                "fact": "indicators",
                                "intersects": VULNERABILITY_INDICATORS,
                                "says": "{value}, which can put someone at risk of being exploited",
                            },
                            {
                                "fact": "indicators",
                                "intersects": ["lives_alone"],
                                "says": "living alone",
                            },
                            {
                                "fact": "indicators",
                                "intersects": ["previously_targeted"],
                                "says": "targeted before",
                            },
                            {
                                "fact": "persistently_targeted",
                                "eq": True,
                                "says": "targeted again and again",
                            },
                        ]
                    },
                ]
            },
        },
        {
            "id": "victim_support_with_consent",
            "service": "victim_support",
            "title": "Any victim who asked to be referred",
            "reason": "Referred to Victim Support because",
            "when": {
                "fact": "consent.victim_support",
                "eq": True,
                "says": "asked to be referred",
            },
        },
        {
            "id": "victim_support_unless_declined",
            "service": "victim_support",
            "title": "Every other victim, unless they said no or the crime needs their consent",
            "reason": "Referred to Victim Support because",
            "when": {
                "all": [
                    {
                        "fact": "consent.victim_support",
                        "ne": False,
                        "says": "every victim of crime is offered support unless they say no",
                    },
                    # Sexual offences, domestic abuse and bereavement: only with consent.
                    {"fact": "offence", "not_in": CONSENT_NEEDED_OFFENCES},
                    {"not": {"fact": "indicators", "intersects": ["bereaved"]}},
                ]
            },
        },
        {
            "id": "trading_standards_doorstep",
            "service": "trading_standards",
            "title": "Doorstep crime and rogue traders",
            "reason": "Referred to Trading Standards because",
            "when": {
                "fact": "modus_operandi",
                "intersects": TRADING_STANDARDS_MODUS_OPERANDI,
                "says": "a {value} approach, which Trading Standards can act on",
            },
        },
        {
            "id": "safeguarding_adult_at_risk",
            "service": "safeguarding_hub",
            "title": "Adults who may be at risk",
            "reason": "Referred to the safeguarding hub as an adult who may be at risk because",
            "when": {
                "all": [
                    {
                        "fact": "age",
                        "gte": ADULT_AGE,
                        "says": "aged {value}, an adult",
                    },
                    {
                        "fact": "indicators",
                        "intersects": ADULT_AT_RISK_INDICATORS,
                        "says": "{value}, which may mean needing care and support to stay safe",
                    },
                ]
            },
        },
    ],
    "enhanced_rights": {
        # Domestic abuse and sexual offences always count; these are the Code's other most
        # serious crimes, under the codes a force's taxonomy is expected to use.
        "most_serious_offences": [
            "hate_crime",
            "terrorism",
            "human_trafficking",
            "modern_slavery",
            "attempted_murder",
            "kidnap",
            "false_imprisonment",
            "arson_endangering_life",
            "wounding_with_intent",
        ],
        "most_serious_indicators": ["bereaved"],
        "vulnerable_indicators": VULNERABILITY_INDICATORS,
        "intimidated_indicators": ["intimidated"],
    },
}
