"""National charge or summons rates, to show beside a force's own: data only, each with its
period and source (domain.md sections 1 and 5)."""

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class NationalRate:
    rate: float
    period: str
    what: str
    source: str


HOME_OFFICE_2023: Final = (
    "https://www.gov.uk/government/statistics/crime-outcomes-in-england-and-wales-2022-to-2023/"
    "crime-outcomes-in-england-and-wales-2022-to-2023"
)
HMICFRS_2021: Final = (
    "https://www.perspectivemedia.com/"
    "police-response-to-burglary-robbery-and-theft-not-good-enough-report-finds/"
)

ALL_CRIME: Final = NationalRate(
    0.057, "year to March 2023", "charge or summons, all offences, England and Wales",
    HOME_OFFICE_2023,
)  # fmt: skip

# By police.uk crime type, where domain.md gives a figure. The theft figure is for theft
# offences as a whole (not shoplifting's own), so it is shown beside the other thefts.
_THEFT: Final = NationalRate(0.042, "year to December 2021", "charge or summons, thefts",
                             HMICFRS_2021)  # fmt: skip
BY_CRIME_TYPE: Final[dict[str, NationalRate]] = {
    "Robbery": NationalRate(
        0.066, "year to December 2021", "charge or summons, robberies", HMICFRS_2021
    ),
    "Other theft": _THEFT,
    "Theft from the person": _THEFT,
    "Bicycle theft": _THEFT,
}

# By the force's own offence codes (the taxonomy's), where domain.md gives a figure: the
# robbery figure is of all robberies, the theft figure of theft offences as a whole.
BY_OFFENCE: Final[dict[str, NationalRate]] = {
    "robbery_personal": BY_CRIME_TYPE["Robbery"],
    "theft_from_person": _THEFT,
    "theft_other": _THEFT,
    "shoplifting": _THEFT,
}
