"""The rule set a force starts with: referrals and Enhanced Rights, in the shape of ``rules``.

- Older person liaison officer: HMICFRS praised Hertfordshire's practice of referring older
  victims of residential burglary who may have been targeted because of their age, suffered a
  significant financial loss, or are vulnerable to exploitation. Attempts and distraction
  burglaries are residential burglaries (offence ``burglary_residential``).
  The officer is the force's own, so no consent is needed to tell them (``partner`` false).
- Victim Support: the Victims' Code (right 4) refers every victim unless they object, except
  for sexual offences, domestic abuse and bereaved relatives, who are referred only if they
  agree (``consent_needed``).
- Trading Standards: doorstep crime and rogue traders are theirs to pursue; a council
  service, so only with the victim's agreement or another lawful basis a person records.
- Safeguarding hub: adults who may be at risk (dementia, a learning disability or a mental
  health condition); shared with the victim's agreement, or on a safeguarding duty a person
  records with a reason.

Clock limits: the Code fixes Right 4 (2 working days), Right 6 (5, or 1 under Enhanced
Rights) and the Right to Review (acknowledged in 10, decided in 30). It asks for Right 3's
written confirmation, Right 7's personal statement offer and Right 9's outcome "without
unnecessary delay"; 5 working days (1 for an outcome under Enhanced Rights) is this
product's starting point, and 20 working days to answer a Right 12 complaint follows common
force practice. A force changes any of them in its rule set.

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

DEFAULT_RULE_SET: dict[str, Any] = {
    "rules": [
        {
            "id": "older_person_liaison_burglary",
            "service": "older_person_liaison",
            "partner": False,
            "consent": "explicit",
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
            "id": "victim_support",
            "service": "victim_support",
            "partner": True,
            "title": "Every victim, unless they object (only with their agreement where the "
            "Code needs it)",
            "reason": "Referred to Victim Support because every victim of crime is offered support",
            "consent": "unless_objected",
        },
        {
            "id": "trading_standards_doorstep",
            "service": "trading_standards",
            "partner": True,
            "consent": "explicit",
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
            "partner": True,
            "consent": "explicit",
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
            "terrorism",
            "human_trafficking",
            "modern_slavery",
            "attempted_murder",
            "kidnap",
            "false_imprisonment",
            "arson_endangering_life",
            "wounding_with_intent",
            "homicide",
            # Codes from before flags, kept so older records keep their rights.
            "hate_crime",
        ],
        "most_serious_flags": ["hate_crime", "honour_based_abuse"],
        "most_serious_indicators": ["bereaved"],
        "vulnerable_indicators": VULNERABILITY_INDICATORS,
        "intimidated_indicators": ["intimidated"],
    },
    "consent_needed": {
        "offences": ["sexual_offence", "domestic_abuse"],
        "flags": ["domestic_abuse", "honour_based_abuse"],
        "indicators": ["bereaved"],
    },
    "clocks": {
        "written_confirmation": {"working_days": 5},
        "referral": {"working_days": 2},
        "suspect_decision": {"working_days": 5, "enhanced_working_days": 1},
        "vps_offer": {"working_days": 5},
        "outcome": {"working_days": 5, "enhanced_working_days": 1},
        "review_acknowledge": {"working_days": 10},
        "review_decide": {"working_days": 30},
        "complaint": {"working_days": 20},
        "review_request_months": 3,
    },
}
