"""Words in a survey comment that suggest danger or distress: a person must look at once.

A plain phrase list, deliberately broad: a false alarm costs a victim-care officer a minute,
a miss may cost far more. Matching ignores case and punctuation and works on whole words.
"""

import re

PHRASES = (
    "came back",
    "come back",
    "coming back",
    "scared",
    "afraid",
    "frightened",
    "terrified",
    "not safe",
    "don't feel safe",
    "dont feel safe",
    "do not feel safe",
    "unsafe",
    "threat",
    "threats",
    "threatened",
    "threatening",
    "kill me",
    "kill myself",
    "hurt me",
    "hurt myself",
    "harm myself",
    "self harm",
    "end my life",
    "suicide",
    "suicidal",
    "following me",
    "watching me",
    "stalking",
    "can't cope",
    "cannot cope",
    # Added for issue 18 after bench/data/safeguarding_phrases.txt was written (its recall
    # before them was 29 of 40): harm to oneself, harassment, nowhere safe, children at risk.
    "killing myself",
    "self harming",
    "self harmed",
    "overdose",
    "harassed",
    "harassing",
    "harassment",
    "knows where i live",
    "nowhere safe",
    "hurt the kids",
    "hurt the children",
    "hurt my child",
    "hurt my children",
    "comes near me",
)
_WORDS = re.compile(r"[a-z']+")


def distress_phrases(text: str) -> list[str]:
    """The listed phrases found in ``text``, in list order."""
    words = " ".join(_WORDS.findall(text.lower().replace("-", " ")))
    padded = f" {words} "
    return [p for p in PHRASES if f" {p} " in padded]
