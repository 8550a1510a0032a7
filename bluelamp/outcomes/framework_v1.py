"""Version 1 of the Home Office outcomes framework, as seeded by migration 0002: data only,
never edited (a changed list is a new version in a new file and migration).

``verified``: the code's meaning is confirmed by the sources domain.md names (section 5: the
West Midlands FOI, Cleveland's FOI on outcome 21, YJLC on outcome 22); the others are
[unverified] there. Which group each code belongs to is [unverified] too, except outcome 22
(diversionary, domain.md): it follows the Home Office bulletins' tables as forces publish
them. Outcome 19 is left out: domain.md could not confirm it exists ("check HOCR").
"""

from typing import Final

VERSION: Final = 1
SOURCE: Final = (
    "https://www.gov.uk/government/statistics/crime-outcomes-in-england-and-wales-2022-to-2023/"
    "crime-outcomes-in-england-and-wales-technical-annex"
)

# (code, name, group, verified)
# fmt: off
CODES: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("1", "Charge or summons", "charged", True),
    ("1A", "Charge or summons: alternative offence", "charged", True),
    ("2", "Caution: youth", "out_of_court_formal", False),
    ("3", "Caution: adult", "out_of_court_formal", True),
    ("4", "Taken into consideration (TIC)", "tic", True),
    ("5", "The offender has died", "prevented", False),
    ("6", "Penalty notice for disorder", "out_of_court_formal", False),
    ("7", "Cannabis or khat warning", "out_of_court_formal", False),
    ("8", "Community resolution", "out_of_court_informal", True),
    ("9", "Prosecution not in the public interest (CPS decision)", "prevented", False),
    ("10", "Formal action not in the public interest (police decision)", "prevented", False),
    ("11", "Prosecution prevented: suspect under the age of criminal responsibility",
     "prevented", False),
    ("12", "Prosecution prevented: suspect too ill to prosecute", "prevented", False),
    ("13", "Prosecution prevented: victim or key witness dead or too ill to give evidence",
     "prevented", False),
    ("14", "Evidential difficulties: suspect not identified; victim declines or is unable "
     "to support action", "evidential_not_supports", True),
    ("15", "Evidential difficulties: suspect identified; victim supports action",
     "evidential_supports", True),
    ("16", "Evidential difficulties: suspect identified; victim does not support (or has "
     "withdrawn support for) action", "evidential_not_supports", True),
    ("17", "Prosecution time limit expired", "prevented", False),
    ("18", "Investigation complete: no suspect identified", "no_suspect", True),
    ("20", "Further action by another body or agency", "transferred", True),
    ("21", "Further investigation not in the public interest (police decision)",
     "not_public_interest", True),
    ("22", "Diversionary, educational or intervention activity", "diversionary", True),
)
# fmt: on
