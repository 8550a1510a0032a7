"""police.uk's outcome categories and the Home Office groups they fall in: data only.

police.uk's categories are coarser than the Home Office codes (domain.md section 5), so a
category maps onto a group, never a code. Every category found in the shared Hertfordshire
files is here (tests/test_outcomes.py reads them all); the others police.uk has published
are [unverified]: court results follow a charge, so they are counted with it.
"""

from typing import Final

from bluelamp.outcomes.models import Group

# The charge outcomes of police.uk's files (../shared/data/README.md).
CHARGED: Final = frozenset({"Suspect charged", "Suspect charged as part of another case"})

CATEGORY_GROUPS: Final[dict[str, Group]] = {
    # In the street files ("Last outcome category") and outcome files ("Outcome type").
    "Suspect charged": Group.CHARGED,
    "Suspect charged as part of another case": Group.CHARGED,
    "Offender given a caution": Group.OUT_OF_COURT_FORMAL,
    "Offender given a drugs possession warning": Group.OUT_OF_COURT_FORMAL,
    "Offender given penalty notice": Group.OUT_OF_COURT_FORMAL,
    "Local resolution": Group.OUT_OF_COURT_INFORMAL,
    "Unable to prosecute suspect": Group.EVIDENTIAL_NOT_SUPPORTS,  # [unverified]: 14 to 16
    "Investigation complete; no suspect identified": Group.NO_SUSPECT,
    "Action to be taken by another organisation": Group.TRANSFERRED,
    "Formal action is not in the public interest": Group.PREVENTED,
    "Further action is not in the public interest": Group.PREVENTED,
    "Further investigation is not in the public interest": Group.NOT_PUBLIC_INTEREST,
    # Street files only: the crime is still open, or its court result not yet known.
    "Under investigation": Group.NO_OUTCOME_YET,
    "Status update unavailable": Group.NO_OUTCOME_YET,
    "Awaiting court outcome": Group.NO_OUTCOME_YET,
    "Court result unavailable": Group.NO_OUTCOME_YET,
    # [unverified] Court results police.uk publishes elsewhere; none in the shared files.
    "Court case unable to proceed": Group.PREVENTED,
    "Defendant found not guilty": Group.CHARGED,
    "Defendant sent to Crown Court": Group.CHARGED,
    "Offender sent to prison": Group.CHARGED,
    "Offender given suspended prison sentence": Group.CHARGED,
    "Offender given community sentence": Group.CHARGED,
    "Offender fined": Group.CHARGED,
    "Offender given conditional discharge": Group.CHARGED,
    "Offender given absolute discharge": Group.CHARGED,
    "Offender ordered to pay compensation": Group.CHARGED,
    "Offender deprived of property": Group.CHARGED,
    "Offender otherwise dealt with": Group.CHARGED,
}


def category_group(category: str) -> Group | None:
    """The group of a police.uk outcome category; None for one not known here."""
    return CATEGORY_GROUPS.get(category)
