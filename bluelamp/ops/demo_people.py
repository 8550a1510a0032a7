"""The demo's invented people: names from a short list, phones in Ofcom's drama ranges, emails
at example.com. No real person's details are ever used.
"""

import random
from dataclasses import dataclass

# fmt: off
FIRST_NAMES = [
    "Alex", "Amira", "Ben", "Bethan", "Callum", "Chloe", "Dev", "Dylan", "Eleri", "Femi",
    "Grace", "Hamza", "Isla", "Jack", "Jas", "Kai", "Leah", "Maya", "Nia", "Noah",
    "Olu", "Priya", "Rhys", "Ruth", "Sam", "Tariq", "Tom", "Una", "Wes", "Zoe",
]
SURNAMES = [
    "Ashdown", "Brightwell", "Carrow", "Dunmore", "Ellery", "Fenwick", "Garside", "Hollis",
    "Ingram", "Jessop", "Kettering", "Lowther", "Marlow", "Northcott", "Oakhurst", "Pendle",
    "Quarry", "Rushmere", "Stanway", "Thornbury", "Upwood", "Vane", "Westcott", "Yardley",
]
# fmt: on


@dataclass(frozen=True)
class FakePerson:
    name: str
    phone: str
    email: str
    age: int
    language: str


def people_pool(size: int = 1000) -> list[FakePerson]:
    """Invented people, the same on every run so that repeat callers stay the same person.

    Mobile numbers are 07700 900000 to 07700 900999 and landlines 01632 960000 to 01632
    960999 (Ofcom's ranges for drama), emails are at example.com. A few have only a
    landline or nothing at all, and a few are under 16, so exclusions show.
    """
    rng = random.Random(20_260_101)
    people = []
    for i in range(min(size, 1000)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        email = f"{first}.{last}{i}@example.com".lower()
        mobile = f"07700 900{i:03d}"
        landline = f"01632 960{i:03d}"
        r = rng.random()
        if r < 0.55:
            phone, mail = mobile, ""
        elif r < 0.82:
            phone, mail = mobile, email
        elif r < 0.9:
            phone, mail = "", email
        elif r < 0.95:
            phone, mail = landline, ""
        elif r < 0.97:
            phone, mail = landline, email
        else:
            phone, mail = "", ""
        age = rng.randint(12, 15) if rng.random() < 0.03 else rng.randint(18, 92)
        language = "cy" if rng.random() < 0.02 else "en"
        people.append(FakePerson(f"{first} {last}", phone, mail, age, language))
    return people
