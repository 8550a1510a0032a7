"""The shipped basics checklists (version 0), from the College of Policing's residential
burglary guide and the Authorised Professional Practice on acquisitive crime, and HMICFRS's
"the basics" (2022): advice on the first call, a recorded THRIVE risk assessment, attendance
at every home burglary (NPCC, October 2022), forensic examination, house-to-house for doorbell
and dashcam footage, CCTV, cocooning neighbours, linked offences and supervision. A force
changes them in the admin; every change is a new version."""

from typing import Any

SCENE = {
    "id": "scene_preservation_advice",
    "title": "Scene preservation advice on the call (touch nothing; keep doorbell and camera "
    "images)",
    "first_call": True,
}
PREVENTION = {"id": "crime_prevention_advice", "title": "Crime prevention advice on the call",
              "first_call": True}  # fmt: skip
RISK = {"id": "risk_assessment", "title": "THRIVE risk assessment recorded (with the grade)",
        "first_call": True}  # fmt: skip
ATTEND = {"id": "attendance", "title": "Attended, by the target time of the call's grade",
          "attendance": True}  # fmt: skip
FORENSIC = {"id": "forensic_examination",
            "title": "Forensic examination requested and attended, or the reason recorded",
            "within_hours": 48}  # fmt: skip
HOUSE = {"id": "house_to_house", "title": "House-to-house enquiries (doorbell and dashcam "
         "footage)", "within_hours": 48}  # fmt: skip
CCTV = {"id": "cctv", "title": "CCTV (and ANPR) sought", "within_hours": 72}
COCOON = {"id": "neighbours_warned", "title": "Neighbours warned and given prevention advice "
          "(cocooning)", "within_hours": 72}  # fmt: skip
STATEMENT = {"id": "victim_statement", "title": "Victim statement taken", "within_hours": 120}
PROPERTY = {"id": "stolen_property_recorded",
            "title": "Stolen property recorded (serial numbers, descriptions, photographs)",
            "within_hours": 72}  # fmt: skip
LINKED = {"id": "linked_offences_checked", "title": "Similar and linked offences checked",
          "from": "recorded", "within_hours": 72}  # fmt: skip
REVIEW = {"id": "supervisor_review",
          "title": "Supervisor's review and direction (then every 7 days while open)",
          "from": "recorded", "within_hours": 24, "repeat_hours": 168}  # fmt: skip
UPDATED = {"id": "victim_updated", "title": "Victim updated on progress", "from": "recorded",
           "within_hours": 120}  # fmt: skip

DEFAULT_CHECKLISTS: dict[str, Any] = {
    # Typical THRIVE targets (force-specific): grade 1 in 20 minutes, grade 2 in an hour.
    "attendance_minutes": {"1": 20, "2": 60, "3": 240, "scheduled": 2880},
    "ungraded_attendance_minutes": 1440,
    "families": [
        {"id": "residential_burglary", "title": "Residential burglary",
         "offences": ["burglary_residential"],
         "items": [SCENE, PREVENTION, RISK, ATTEND, FORENSIC, HOUSE, CCTV, COCOON, STATEMENT,
                   PROPERTY, LINKED, REVIEW, UPDATED]},
        {"id": "robbery", "title": "Personal robbery", "offences": ["robbery_personal"],
         "items": [SCENE, RISK, ATTEND, FORENSIC, CCTV, HOUSE, STATEMENT, PROPERTY, LINKED,
                   REVIEW, UPDATED]},
        {"id": "theft_from_person", "title": "Theft from the person",
         "offences": ["theft_from_person"],
         "items": [RISK, CCTV, STATEMENT, PROPERTY, LINKED, REVIEW, UPDATED]},
        {"id": "other_theft", "title": "Other theft", "offences": ["theft_other"],
         "items": [RISK, CCTV, PROPERTY, LINKED, REVIEW, UPDATED]},
        {"id": "vehicle_crime", "title": "Vehicle crime", "offences": ["vehicle_crime"],
         "items": [SCENE, PREVENTION, RISK, FORENSIC, CCTV, HOUSE, PROPERTY, LINKED, REVIEW,
                   UPDATED]},
        {"id": "shoplifting", "title": "Shoplifting", "offences": ["shoplifting"],
         "items": [CCTV, STATEMENT, PROPERTY, LINKED, REVIEW]},
    ],
}  # fmt: skip
