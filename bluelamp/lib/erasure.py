"""What a retention purge erases, counted, and the little it keeps of a place: pure helpers
shared by the apps that purge (intake, care, recovery)."""

from collections import Counter
from dataclasses import dataclass, field

ERASED = "[erased]"


@dataclass
class Tally:
    """Per force (by slug) and per kind of field (``victim.phone``), how many records lost a
    value, or in a check would lose one. It holds counts only, never a value, so it may be
    printed and logged."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, force: str, kind: str, n: int) -> None:
        if n:
            self.counts.setdefault(force, Counter())[kind] += n

    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def lines(self) -> list[str]:
        """One line per force and kind of field, in a stable order."""
        return [
            f"{force}  {kind}: {n}"
            for force in sorted(self.counts)
            for kind, n in sorted(self.counts[force].items())
        ]


def postcode_district(postcode: str) -> str:
    """The outward code (postcode district) of a UK postcode: "AL1 3JS" and "AL13JS" give
    "AL1"; a district alone, or anything unrecognised without a space, is kept as it is."""
    value = " ".join(postcode.upper().split())
    if " " in value:
        return value.split(" ")[0]
    if len(value) >= 5 and value[-3].isdigit() and value[-2:].isalpha():
        return value[:-3]
    return value
