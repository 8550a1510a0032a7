"""The shipped taxonomy of incident types and the default first-contact survey templates.

Templates follow the long-standing national stages of the former Home Office user
satisfaction survey (ease of contact, actions taken, kept informed, treatment, whole
experience), one question each, kept short enough to finish in two minutes.
"""

from typing import Any

# The taxonomy's version: 2 added the offences the Victims' Code names (December 2026) and
# the Counting Rules' burglary of an unconnected building (April 2023). Types are never
# removed; each records the version it came in (``IncidentType.added_in``).
TAXONOMY_VERSION = 2

# Old types that are really flags on a crime: still readable on older records and on
# contacts, refused as a crime's offence (send the offence with the flag instead).
FLAG_TYPES = {"domestic_abuse": "domestic_abuse", "hate_crime": "hate_crime"}

# code, name, Welsh name, group, sensitive, template key
INCIDENT_TYPES: list[tuple[str, str, str, str, bool, str]] = [
    (
        "burglary_residential",
        "Residential burglary",
        "Byrgleriaeth breswyl",
        "crime",
        False,
        "burglary",
    ),
    (
        "burglary_other",
        "Burglary of other buildings",
        "Byrgleriaeth adeiladau eraill",
        "crime",
        False,
        "burglary",
    ),
    ("robbery_personal", "Personal robbery", "Lladrad personol", "crime", False, "robbery"),
    ("theft_from_person", "Theft from the person", "Dwyn oddi ar berson", "crime", False, "theft"),
    ("theft_other", "Other theft", "Dwyn arall", "crime", False, "theft"),
    ("shoplifting", "Shoplifting", "Dwyn o siopau", "crime", False, "theft"),
    ("vehicle_crime", "Vehicle crime", "Troseddau cerbydau", "crime", False, "vehicle_crime"),
    ("criminal_damage", "Criminal damage", "Difrod troseddol", "crime", False, "general"),
    (
        "antisocial_behaviour",
        "Anti-social behaviour",
        "Ymddygiad gwrthgymdeithasol",
        "incident",
        False,
        "antisocial_behaviour",
    ),
    (
        "violence",
        "Violence against the person",
        "Trais yn erbyn y person",
        "crime",
        False,
        "general",
    ),
    ("domestic_abuse", "Domestic abuse", "Cam-drin domestig", "safeguarding", True, "general"),
    ("sexual_offence", "Sexual offences", "Troseddau rhywiol", "safeguarding", True, "general"),
    ("hate_crime", "Hate crime", "Trosedd casineb", "crime", True, "general"),
    (
        "road_traffic_collision",
        "Road traffic collision",
        "Gwrthdrawiad traffig ffordd",
        "incident",
        False,
        "general",
    ),
    (
        "concern_for_welfare",
        "Concern for welfare",
        "Pryder am les",
        "safeguarding",
        True,
        "general",
    ),
    ("missing_person", "Missing person", "Person ar goll", "safeguarding", True, "general"),
    (
        "stalking_harassment",
        "Stalking and harassment",
        "Stelcian ac aflonyddu",
        "safeguarding",
        True,
        "general",
    ),
    ("other", "Other", "Arall", "incident", False, "general"),
]

# Added in taxonomy version 2.
INCIDENT_TYPES_V2: list[tuple[str, str, str, str, bool, str]] = [
    (
        "burglary_unconnected_building",
        "Burglary of an unconnected building at a home (shed, garage)",
        "Byrgleriaeth adeilad ar wahân i gartref (sied, garej)",
        "crime",
        False,
        "burglary",
    ),
    ("homicide", "Homicide", "Dynladdiad", "crime", True, "general"),
    ("attempted_murder", "Attempted murder", "Ceisio llofruddio", "crime", True, "general"),
    (
        "wounding_with_intent",
        "Wounding or grievous bodily harm with intent",
        "Clwyfo neu niwed corfforol difrifol gyda bwriad",
        "crime",
        False,
        "general",
    ),
    ("terrorism", "Terrorism", "Terfysgaeth", "crime", True, "general"),
    ("kidnap", "Kidnapping", "Herwgipio", "crime", True, "general"),
    ("false_imprisonment", "False imprisonment", "Carcharu ar gam", "crime", True, "general"),
    ("human_trafficking", "Human trafficking", "Masnachu pobl", "safeguarding", True, "general"),
    ("modern_slavery", "Modern slavery", "Caethwasiaeth fodern", "safeguarding", True, "general"),
    (
        "arson_endangering_life",
        "Arson endangering life",
        "Llosgi bwriadol sy'n peryglu bywyd",
        "crime",
        False,
        "general",
    ),
    ("stalking", "Stalking", "Stelcian", "safeguarding", True, "general"),
    ("harassment", "Harassment", "Aflonyddu", "safeguarding", True, "general"),
]


def _t(en: str, cy: str) -> dict[str, str]:
    return {"en": en, "cy": cy}


def _scale(qid: str, stage: str, en: str, cy: str, required: bool = False) -> dict[str, Any]:
    return {"id": qid, "kind": "scale7", "stage": stage, "text": _t(en, cy), "required": required}


EASE = _scale(
    "ease_of_contact",
    "ease_of_contact",
    "How satisfied were you with how easy it was to contact the police?",
    "Pa mor fodlon oeddech chi â pha mor hawdd oedd cysylltu â'r heddlu?",
)
TREATMENT = _scale(
    "treatment",
    "treatment",
    "How satisfied were you with the way you were treated by the person you spoke to?",
    "Pa mor fodlon oeddech chi â'r ffordd y cawsoch eich trin gan y person y siaradoch â nhw?",
)
KEPT_INFORMED = {
    "id": "told_what_next",
    "kind": "yes_no",
    "stage": "kept_informed",
    "text": _t(
        "Were you told what would happen next?",
        "A gawsoch chi wybod beth fyddai'n digwydd nesaf?",
    ),
}
WHOLE = _scale(
    "whole_experience",
    "whole_experience",
    "Taking the whole experience into account, how satisfied are you with the service provided "
    "by the police in this case?",
    "Gan ystyried y profiad cyfan, pa mor fodlon ydych chi â'r gwasanaeth a ddarparwyd gan yr "
    "heddlu yn yr achos hwn?",
    required=True,
)
IMPROVE = {
    "id": "what_went_wrong",
    "kind": "text",
    "stage": "whole_experience",
    "text": _t(
        "What could we have done better?",
        "Beth allen ni fod wedi'i wneud yn well?",
    ),
    "show_if": {"question": "whole_experience", "any_of": ["1", "2", "3", "4"]},
}
COMMENT = {
    "id": "comment",
    "kind": "text",
    "stage": "whole_experience",
    "text": _t(
        "Is there anything else you would like to tell us?",
        "Oes unrhyw beth arall yr hoffech ei ddweud wrthym?",
    ),
    "hint": _t(
        "Please do not include details of the crime. If you need the police, call 999 in an "
        "emergency or 101 otherwise.",
        "Peidiwch â chynnwys manylion y drosedd. Os oes angen yr heddlu arnoch, ffoniwch 999 "
        "mewn argyfwng neu 101 fel arall.",
    ),
}

SUPPORT = {
    "id": "wants_support",
    "kind": "yes_no",
    "stage": "whole_experience",
    "text": _t(
        "Would you like us to put you in touch with someone who can support you, such as "
        "Victim Support?",
        "Hoffech chi i ni eich rhoi mewn cysylltiad â rhywun a all eich cefnogi, fel Cymorth i "
        "Ddioddefwyr?",
    ),
}

INTRO = _t(
    "You recently contacted us. Your answers help us improve. It takes about two minutes, "
    "and every question except one is optional.",
    "Fe wnaethoch chi gysylltu â ni yn ddiweddar. Mae eich atebion yn ein helpu i wella. Mae'n "
    "cymryd tua dau funud, ac mae pob cwestiwn ond un yn ddewisol.",
)


def _template(title_en: str, title_cy: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "title": _t(title_en, title_cy),
        "intro": INTRO,
        "questions": [EASE, *actions, KEPT_INFORMED, TREATMENT, WHOLE, IMPROVE, SUPPORT, COMMENT],
    }


TEMPLATES: dict[str, dict[str, Any]] = {
    "burglary": _template(
        "Your report of a burglary",
        "Eich adroddiad am fyrgleriaeth",
        [
            {
                "id": "scene_advice",
                "kind": "yes_no",
                "stage": "actions_taken",
                "text": _t(
                    "When you called, were you given advice on keeping evidence safe (for "
                    "example not touching anything the burglar may have touched)?",
                    "Pan wnaethoch chi ffonio, a gawsoch chi gyngor ar gadw tystiolaeth yn "
                    "ddiogel (er enghraifft peidio â chyffwrdd ag unrhyw beth y gallai'r "
                    "lleidr fod wedi'i gyffwrdd)?",
                ),
            },
            _scale(
                "actions_taken",
                "actions_taken",
                "How satisfied are you with the actions taken by the police so far?",
                "Pa mor fodlon ydych chi â'r camau a gymerwyd gan yr heddlu hyd yma?",
            ),
        ],
    ),
    "robbery": _template(
        "Your report of a robbery",
        "Eich adroddiad am ladrad",
        [
            {
                "id": "felt_safe",
                "kind": "yes_no",
                "stage": "actions_taken",
                "text": _t(
                    "Did the person you spoke to check that you were safe?",
                    "A wnaeth y person y siaradoch â nhw wirio eich bod yn ddiogel?",
                ),
            },
            _scale(
                "actions_taken",
                "actions_taken",
                "How satisfied are you with the actions taken by the police so far?",
                "Pa mor fodlon ydych chi â'r camau a gymerwyd gan yr heddlu hyd yma?",
            ),
        ],
    ),
    "theft": _template(
        "Your report of a theft",
        "Eich adroddiad am ddwyn",
        [
            _scale(
                "actions_taken",
                "actions_taken",
                "How satisfied are you with the actions taken by the police so far?",
                "Pa mor fodlon ydych chi â'r camau a gymerwyd gan yr heddlu hyd yma?",
            ),
        ],
    ),
    "vehicle_crime": _template(
        "Your report of a vehicle crime",
        "Eich adroddiad am drosedd cerbyd",
        [
            {
                "id": "what_happened",
                "kind": "choice",
                "stage": "actions_taken",
                "text": _t("What happened to your vehicle?", "Beth ddigwyddodd i'ch cerbyd?"),
                "options": [
                    {"value": "stolen", "label": _t("It was stolen", "Cafodd ei ddwyn")},
                    {
                        "value": "broken_into",
                        "label": _t("It was broken into", "Torrwyd i mewn iddo"),
                    },
                    {"value": "damaged", "label": _t("It was damaged", "Cafodd ei ddifrodi")},
                ],
            },
            _scale(
                "actions_taken",
                "actions_taken",
                "How satisfied are you with the actions taken by the police so far?",
                "Pa mor fodlon ydych chi â'r camau a gymerwyd gan yr heddlu hyd yma?",
            ),
        ],
    ),
    "antisocial_behaviour": _template(
        "Your report of anti-social behaviour",
        "Eich adroddiad am ymddygiad gwrthgymdeithasol",
        [
            {
                "id": "first_report",
                "kind": "yes_no",
                "stage": "actions_taken",
                "text": _t(
                    "Was this the first time you reported this problem?",
                    "Ai dyma'r tro cyntaf i chi adrodd am y broblem hon?",
                ),
            },
        ],
    ),
    "general": _template(
        "Your recent call to the police",
        "Eich galwad ddiweddar i'r heddlu",
        [
            _scale(
                "actions_taken",
                "actions_taken",
                "How satisfied are you with what the police did in response to your call?",
                "Pa mor fodlon ydych chi â'r hyn a wnaeth yr heddlu mewn ymateb i'ch galwad?",
            ),
        ],
    ),
}


# Later stages and the follow-up after service recovery: one general template each.
STAGE_TEMPLATES: dict[str, dict[str, Any]] = {
    "attendance": {
        "title": _t("The officer's visit", "Ymweliad y swyddog"),
        "intro": INTRO,
        "questions": [
            _scale(
                "arrival",
                "actions_taken",
                "How satisfied were you with how long it took for an officer to arrive?",
                "Pa mor fodlon oeddech chi â faint o amser a gymerodd i swyddog gyrraedd?",
            ),
            {
                **TREATMENT,
                "text": _t(
                    "How satisfied were you with the way the officer treated you?",
                    "Pa mor fodlon oeddech chi â'r ffordd y gwnaeth y swyddog eich trin?",
                ),
            },
            KEPT_INFORMED,
            WHOLE,
            IMPROVE,
            SUPPORT,
            COMMENT,
        ],
    },
    "outcome": {
        "title": _t("The outcome of your report", "Canlyniad eich adroddiad"),
        "intro": INTRO,
        "questions": [
            _scale(
                "kept_informed",
                "kept_informed",
                "How satisfied are you with how well you were kept informed?",
                "Pa mor fodlon ydych chi â pha mor dda y cawsoch eich hysbysu?",
            ),
            _scale(
                "outcome",
                "actions_taken",
                "How satisfied are you with the outcome?",
                "Pa mor fodlon ydych chi â'r canlyniad?",
            ),
            WHOLE,
            IMPROVE,
            SUPPORT,
            COMMENT,
        ],
    },
    "recovery_follow_up": {
        "sms_question": True,
        "title": _t("Our call back", "Ein galwad yn ôl"),
        "intro": _t(
            "We called you back after you told us about our service. One question, and a "
            "comment if you wish.",
            "Fe wnaethon ni eich ffonio'n ôl ar ôl i chi ddweud wrthym am ein gwasanaeth. Un "
            "cwestiwn, a sylw os dymunwch.",
        ),
        "questions": [
            _scale(
                "whole_experience",
                "whole_experience",
                "Did our call back put things right? How satisfied are you now?",
                "A wnaeth ein galwad yn ôl unioni pethau? Pa mor fodlon ydych chi nawr?",
                required=True,
            ),
            COMMENT,
        ],
    },
}


def _seed_template(template_model: Any, key: str, stage: str, definition: Any) -> None:
    latest = (
        template_model.objects.filter(force=None, key=key, stage=stage).order_by("-version").first()
    )
    if latest is not None and latest.definition == definition:
        return
    template_model.objects.create(
        force=None,
        key=key,
        stage=stage,
        version=(latest.version + 1) if latest else 1,
        definition=definition,
    )


def seed_defaults(incident_type_model: Any, template_model: Any) -> None:
    """Create or update the shipped taxonomy and default templates (idempotent).

    A shipped template whose text changed becomes a new version; answered versions stay.
    """
    versions = [(1, row) for row in INCIDENT_TYPES] + [(2, row) for row in INCIDENT_TYPES_V2]
    has_version = any(f.name == "added_in" for f in incident_type_model._meta.get_fields())
    for order, (version, (code, name, name_cy, group, sensitive, key)) in enumerate(versions):
        defaults = {
            "name": name,
            "name_cy": name_cy,
            "group": group,
            "sensitive": sensitive,
            "template_key": key,
            "sort_order": order,
        }
        if has_version:
            defaults["added_in"] = version
        incident_type_model.objects.update_or_create(code=code, defaults=defaults)
    for key, definition in TEMPLATES.items():
        _seed_template(template_model, key, "first_contact", definition)
    for stage, definition in STAGE_TEMPLATES.items():
        _seed_template(template_model, "general", stage, definition)
