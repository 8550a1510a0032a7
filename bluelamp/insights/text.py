"""Themes and sentiment of a free-text survey answer: offline, fast and explainable.

A supervisor acting on "what went wrong" must see why a comment was put under a theme, so
themes come from a lexicon of words and short phrases, not from a trained model, and every
theme carries the words of the comment that put it there. Sentiment is VADER's compound score
(Hutto and Gilbert, ICWSM 2014; its lexicon ships inside the package). Safeguarding phrases
come from ``bluelamp.care.feedback``, so one list decides what a person must look at at once.

How a comment is read:

1. Words, sentences (split at . ! ? and line breaks) and clauses (also split at commas,
   semicolons, colons and brackets). Apostrophes are dropped, so "didn't" and "didnt" are
   the same word. Each word is cut to a crude stem ("arrested", "arrests" -> "arrest"). A
   word of six letters or more that is one slip away from a lexicon word counts as that
   word ("recieved", "noboby").
2. Cues are words and short phrases. In a cue, ``a|b`` offers alternative words at one place
   (never alternative phrases), ``*`` ends a prefix, ``=`` asks for the word exactly as
   written, not its stem, and ``...`` allows up to three words in between. A cue never
   crosses a clause.
3. A cue is negated when a negator comes up to four words before it in the same clause,
   with no "but" or "need" in between. Negators are "not", "no", "never", "nobody", the
   "-n't" words, "without", "nothing", "before", "still waiting for", "slow to", and wishes
   such as "would be nice". Each cue names its theme when plain and when negated: "came"
   alone names nothing but "nobody came" is attendance, and "on hold" is waiting but
   "wasn't on hold for long" is praise. A short sentence that only denies ("No one did.",
   "Never happened.") negates the sentence before it. When two cues start at the same word
   the longer one wins. A negator inside a matched phrase belongs to that phrase alone.
4. Praise is set aside as sarcasm in three cases. First, when the comment says "for
   nothing", "amazing how" or "I suppose", or ends in ", not". Second, when a praise word
   that is not about a person comes before a complaint in the same sentence with no "but",
   and either in the same clause ("thanks for closing my case in a day") or with no word
   VADER rates negative in between ("Great service, still waiting for someone to turn
   up"). Third, when a praise word is a whole sentence of its own ("Brilliant.") next to a
   sentence with a complaint. Sincere mixed comments nearly always say "but" ("lovely, but
   nobody came"), praise a person ("the officers were kind, nobody rang since") or name the
   fault in plain words ("good response, poor follow up"). VADER's score does not help here,
   since it rates "Thanks for nothing." at +0.44.
5. A comment with no theme is "other".
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
    SentimentIntensityAnalyzer,
)

from bluelamp.care.feedback import distress_phrases

THEMES: dict[str, str] = {
    "waiting": "Waiting to get through",
    "handler_attitude": "Attitude of the call handler",
    "not_informed": "Not kept informed",
    "attendance": "No attendance or late attendance",
    "outcome": "Outcome",
    "praise": "Praise",
    "other": "Other",
}

SentimentLabel = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True)
class ThemeMatch:
    code: str
    label: str
    evidence: list[str]  # the words or phrases that matched, as they appear in the text


@dataclass(frozen=True)
class TextInsight:
    sentiment: float  # VADER compound, -1 to 1
    sentiment_label: SentimentLabel  # VADER's convention: at most -0.05, at least 0.05
    themes: list[ThemeMatch]  # in THEMES order; at least one ("other" when nothing matched)
    safeguarding: list[str]  # distress phrases found (bluelamp.care.feedback)


# --- The lexicon -----------------------------------------------------------------------------
# (cues, theme when plain, theme when negated). None: the cue names no theme in that state,
# but still claims its words, so a longer phrase can keep a shorter cue from firing.

_LEXICON: tuple[tuple[tuple[str, ...], str | None, str | None], ...] = (
    # Waiting to get through.
    (
        (
            "on hold",
            "hold for",
            "holding",
            "kept wait*",
            "long wait*",
            "min|mins|minute* wait*",
            "hour* wait*",
            "the wait",
            "wait* ... min|mins|minute*|hour*|ages|forever|long",
        ),
        "waiting",
        "praise",
    ),
    (
        (
            "queu*",
            "to get through",
            "=getting through",
            "cut off",
            "call* ... dropped|drop*",
            "hung|hang up",
            "gave up",
            "rang|rings and rang|rings",
            "kept ringing",
            "recorded message",
            "call is important",
            "on the phone|line for",
            "hour* on the phone|line",
            "took ... to answer",
            "to it ring*",
        ),
        "waiting",
        None,
    ),
    (("listen* to it ring*",), "waiting", "waiting"),
    (("answer*", "get|got through", "pick*|picked up"), None, "waiting"),
    # Attitude of the call handler (and of anyone else the caller dealt with).
    (
        (
            "rude*",
            "dismissive",
            "dismissed me",
            "patronis*",
            "patroniz*",
            "condescend*",
            "sarcastic",
            "abrupt*",
            "arrogant",
            "talk*|talked|spoke|spoken down",
            "spoke|spoken|talked to me like",
            "like a child|criminal|idiot",
            "nuisance",
            "wasting police|your|their|his|her time",
            "waste of police time",
            "time waster|waster",
            "laughed",
            "bored",
            "uninterested",
            "disinterested",
            "judged",
            "judgemental|judgmental",
            "blam*",
            "unhelpful",
            "fob* off",
            "fobbed",
            "rushed",
            "attitude",
            "ignorant",
            "was|very|quite|so|bit cold",
            "interrupt*",
            "script",
            "unprofessional",
            "disrespect*",
            "rolled ... eyes",
            "snapped",
            "shout*",
            "made to feel",
            "made me feel stupid|small|guilty",
            "felt|feel stupid",
        ),
        "handler_attitude",
        None,
    ),
    (
        (
            "interested",
            "care|cared|caring",
            "bothered",
            "believe* me",
            "let me explain|speak|finish",
        ),
        None,
        "handler_attitude",
    ),
    (("cared less",), "handler_attitude", "handler_attitude"),
    (("fault",), "handler_attitude", "praise"),
    (
        (
            "helpful",
            "listen*",
            "empath*",
            "sympathetic",
            "professional*",
            "polite",
            "take|took|taken|taking ... serious*",
        ),
        "praise",
        "handler_attitude",
    ),
    # Not kept informed.
    (("=keep|=keeps ... updated|informed", "=keep|=keeps ... up to date"), None, "not_informed"),
    (
        (
            "heard|hear back|anything|from",
            "got|get|gets|getting back",
            "contact*",
            "=rang|=rung|=phoned|=called",
            "call|ring|phone me",
            "call|ring|=rang|=called|=phoned ... back",
            "callback",
            "updat*",
            "repl*",
            "return* ... call*|email*|messag*",
            "word",
            "told",
            "in touch",
            "got|get|received|receive|had ... text|letter|reference",
            "got|get|received|receive|had ... crime number",
        ),
        None,
        "not_informed",
    ),
    (
        ("=kept|=keeping ... updated|informed", "=kept|=keeping ... up to date"),
        "praise",
        "not_informed",
    ),
    (
        (
            "heard|hear nothing|nowt",
            "in the dark",
            "chas*",
            "find|found out",
            "no idea what*",
            "then nothing",
        ),
        "not_informed",
        "praise",
    ),
    (
        ("follow up|ups", "followup*", "promised ... call*|update*|ring*|phone*"),
        "not_informed",
        "not_informed",
    ),
    # No attendance or late attendance.
    (
        (
            "came|come|comes|coming",
            "turn*|turned up",
            "show*|showed",
            "show*|showed up",
            "arriv*",
            "attend*",
            "visit*",
            "been round|out|over",
            "been to see",
            "send*|sent",
            "officer*|police|unit*|patrol*|anyone|anybody|someone|one ... available",
            "saw|seen|see ... officer*|police*|anyone|anybody|pcso*",
        ),
        None,
        "attendance",
    ),
    (
        (
            "turn*|turned up ... hour*|day*|week*|later|after",
            "took ... day*|hour*|week* ... attend*|arriv*|come|turn*|visit*|respond*",
            "hour*|day* for a response",
            "=waited|=wait|=stayed|=stay in all|for",
            "appointment* ... cancel*|missed",
            "cancel* ... appointment*|visit*",
            "nobody|noone|none ... available",
            "was|were|arrived|came late",
            "late to",
            "too late",
            "long gone",
            "slow ... respond*|response|attend*|arriv*",
        ),
        "attendance",
        "attendance",
    ),
    (("promised ... visit*|officer*|attend*",), "attendance", "attendance"),
    # Outcome, either way.
    (
        (
            "arrest*",
            "charg*",
            "caught",
            "catch*",
            "convict*",
            "prosecut*",
            "court",
            "sentenc*",
            "remand*",
            "justice",
            "evidence",
            "cctv",
            "footage",
            "outcome",
            "result",
            "solved",
            "suspect*",
        ),
        "outcome",
        "outcome",
    ),
    (
        (
            "investigat*",
            "done",
            "did|do|does|doing|done anything",
            "can|could do",
            "happen*",
            "chang*",
            "came|come of it",
            "further action",
            "take|took|taken|taking ... statement*|report|details",
            "interested in catch*|finding|investigat*|looking",
        ),
        None,
        "outcome",
    ),
    (
        (
            "caution*",
            "releas*",
            "nfa",
            "case* ... clos*",
            "clos* ... case*",
            "clos* it",
            "filed",
            "shelved",
            "lines|line of enquiry",
            "did|done|do|does|doing nothing",
            "still going on",
            "still happening",
            "still doing it",
            "still at it",
            "still there",
            "still on the corner",
            "are|is back",
            "keep*|kept happening",
            "getting|got worse",
            "civil matter",
            "wrong person",
            "let him|her|them go",
            "what is the point",
            "whats the point",
            "why bother",
            "unsolved",
            "has|have stopped",
            "stopped since",
            "recover*",
            "returned to me",
            "found and returned",
            "got my ... back",
        ),
        "outcome",
        None,
    ),
    # Praise.
    (
        (
            "thank*",
            "cheers",
            "brilliant",
            "excellent",
            "fantastic",
            "amazing",
            "great",
            "superb",
            "outstanding",
            "wonderful",
            "lovely",
            "nice",
            "kind",
            "kindly",
            "kindness",
            "reassur*",
            "=understanding",
            "calm",
            "patient",
            "patience",
            "big|real|huge difference",
            "supportive",
            "efficient",
            "prompt*",
            "quick*",
            "straight|right away",
            "within ... min|mins|minute*",
            "impress*",
            "=pleased",
            "happy",
            "grateful",
            "appreciat*",
            "credit to",
            "above and beyond",
            "well done",
            "good",
            "easy",
            "explained",
            "helped",
            "stayed on the line",
            "stayed with me",
            "feel|felt|feeling safe",
            "top notch",
            "spot on",
            "first class",
            "second to none",
            "10 10",
            "perfect",
            "exceptional",
            "nothing to improve",
            "couldnt|cant|cannot ask for more",
            "couldnt|cant|cannot have asked for more",
            "could not have asked for more",
        ),
        "praise",
        None,
    ),
    (("complain*", "bad", "too much trouble"), None, "praise"),
    # Phrases that claim their words and name nothing ("I appreciate you're busy, but ...").
    (
        (
            "appreciat* youre|that",
            "appreciat* you are",
            "i understand",
            "chas* them|him|her|off",
        ),
        None,
        None,
    ),
)


def _words(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


# Negators: a cue up to four words after one of these, in the same clause, is negated.
_NEGATORS = _words(
    "not no never nobody noone none nothing nowt without neither nor cannot hardly before",
    "didnt dont doesnt isnt arent wasnt werent hasnt havent hadnt cant couldnt wouldnt",
    "shouldnt wont aint neednt mustnt",
)
# Phrases that negate what follows ("not yet"); their last word is the negator.
_NEGATING_PHRASES = ("still waiting for", "wait* ... for", "yet to", "failed to", "slow to")
# Wishes negate what follows and name nothing themselves ("would be nice to be kept informed").
_WISHES = (
    "would|could|should be good|nice|better|helpful",
    "would|could|should have been good|nice|better|helpful",
    "would|id like",
    "would|id have liked",
    "should|could|would have|of",
)
# Words that mark a contrast: a negator does not reach past them, and praise in a comment
# with one is taken as meant ("lovely, but nobody came").
_CONTRASTS = _words("but though tho although however except apart anyway shame")
# "No need for anyone to come" is not a complaint about attendance.
_SCOPE_BREAKS = _CONTRASTS | {"need", "needed"}
# Praise that reads as sarcasm wherever it appears.
_SARCASM = ("for nothing", "for absolutely|precisely nothing", "amazing how", "i suppose|guess")
# Words for the people the caller dealt with: praise of a person is taken as meant.
_PEOPLE = _words(
    "officer officers pc pcso pcsos police handler taker operator dispatcher lady man woman",
    "gentleman bloke guy girl lad staff detective sergeant inspector she he they team",
)
# Cues of good news: an outcome from these, plain, is not a complaint.
_GOOD_NEWS = frozenset(
    (
        "arrest*",
        "charg*",
        "caught",
        "catch*",
        "convict*",
        "prosecut*",
        "court",
        "sentenc*",
        "remand*",
        "justice",
        "solved",
        "has|have stopped",
        "stopped since",
        "recover*",
        "returned to me",
        "found and returned",
        "got my ... back",
    )
)

# A short sentence of these words alone, with a negator, denies the sentence before it:
# "They said someone would come out. No one did."
_DENIAL_WORDS = _NEGATORS | _words(
    "one did do does were was has have had happened they he she it that anyone ever still"
)
# Critical words VADER's lexicon lacks, for the sarcasm rule.
_CRITICAL = _words("slow late")

_COMPLAINTS = frozenset(("waiting", "handler_attitude", "not_informed", "attendance", "outcome"))
_WINDOW = 4
_GAP = 3

# --- Words -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_CLAUSE_BREAK = re.compile(r"[,;:()]|\s[-–—]\s")


def _stem(word: str) -> str:
    """A crude stem, the same for a lexicon word and a comment word: enough for inflections."""
    if not word.isalpha():
        return word
    w = word
    if len(w) > 4 and w.endswith(("ies", "ied")):
        w = w[:-3] + "y"
    elif len(w) >= 6 and w.endswith("ing"):
        w = _undouble(w[:-3])
    elif len(w) >= 5 and w.endswith("ed"):
        w = _undouble(w[:-2])
    elif len(w) >= 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) >= 4 and w.endswith("e"):
        w = w[:-1]
    return w


def _canonical(word: str) -> str:
    """Negators are kept whole ("nothing", not "noth"); other words are stemmed."""
    return word if word in _NEGATORS else _stem(word)


def _undouble(w: str) -> str:
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] in "bdgmnprt":
        return w[:-1]
    return w


def _one_slip(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, change or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


# --- Compiled patterns -----------------------------------------------------------------------

# A pattern is a tuple of steps; a step is None (a gap) or a tuple of alternatives, each
# (kind, value): 0 = stem equal, 1 = prefix of the word, 2 = the word exactly.
_Alt = tuple[int, str]
_Step = tuple[_Alt, ...] | None
_Pattern = tuple[_Step, ...]


def _compile(pattern: str) -> _Pattern:
    steps: list[_Step] = []
    for part in pattern.split():
        if part == "...":
            steps.append(None)
            continue
        alts: list[_Alt] = []
        for alt in part.split("|"):
            alt = alt.replace("'", "")
            if alt.endswith("*"):
                alts.append((1, alt[:-1]))
            elif alt.startswith("="):
                alts.append((2, alt[1:]))
            else:
                alts.append((0, _canonical(alt)))
        steps.append(tuple(alts))
    return tuple(steps)


@dataclass(frozen=True)
class _Cue:
    pattern: str
    steps: _Pattern
    plain: str | None
    negated: str | None
    good_news: bool


_CUES: tuple[_Cue, ...] = tuple(
    _Cue(p, _compile(p), plain, negated, p in _GOOD_NEWS)
    for patterns, plain, negated in _LEXICON
    for p in patterns
)
_LEXICON_STEMS = frozenset(
    value
    for cue in _CUES
    for step in cue.steps
    if step is not None
    for kind, value in step
    if kind == 0
)
_SLIP_STEMS = tuple(s for s in _LEXICON_STEMS | _NEGATORS if len(s) >= 6)


@lru_cache(maxsize=8192)
def _word_stem(word: str) -> str:
    """The stem of a comment word, or the lexicon stem it is one slip away from."""
    stem = _canonical(word)
    if stem in _LEXICON_STEMS or len(stem) < 6:
        return stem
    for known in _SLIP_STEMS:
        if abs(len(known) - len(stem)) <= 1 and known[0] == stem[0] and _one_slip(stem, known):
            return known
    return stem


class _Index:
    """Patterns by their first step, so each word is tried only with patterns that start there."""

    def __init__(self, patterns: list[_Pattern]) -> None:
        self.patterns = patterns
        self.by_first: dict[_Alt, list[int]] = {}
        for n, steps in enumerate(patterns):
            head = steps[0]
            assert head is not None, "a pattern cannot start with a gap"
            for alt in head:
                self.by_first.setdefault(alt, []).append(n)
        self.longest_prefix = max((len(v) for k, v in self.by_first if k == 1), default=0)
        self.seen: dict[str, tuple[int, ...]] = {}  # by word: comments reuse few words

    def starting_at(self, words: "_Words", i: int) -> tuple[int, ...]:
        """The numbers of the patterns whose first step matches word ``i``, in list order."""
        word = words.words[i]
        found = self.seen.get(word)
        if found is None:
            numbers = self.by_first.get((0, words.stems[i]), []) + self.by_first.get((2, word), [])
            for k in range(1, min(len(word), self.longest_prefix) + 1):
                numbers += self.by_first.get((1, word[:k]), [])
            found = tuple(sorted(numbers))
            if len(self.seen) > 50_000:
                self.seen.clear()
            self.seen[word] = found
        return found

    def find(self, words: "_Words") -> list[tuple[int, int]]:
        """(start, end) of every match of any pattern."""
        found = []
        for i in range(len(words.words)):
            for n in self.starting_at(words, i):
                end = words.match(self.patterns[n], i)
                if end is not None:
                    found.append((i, end))
        return found


_CUE_INDEX = _Index([cue.steps for cue in _CUES])
_NEGATING = _Index([_compile(p) for p in _NEGATING_PHRASES])
_WISHING = _Index([_compile(p) for p in _WISHES])
_SARCASTIC = _Index([_compile(p) for p in _SARCASM])


@dataclass
class _Words:
    text: str
    words: list[str]
    stems: list[str]
    spans: list[tuple[int, int]]
    sentence: list[int]
    clause: list[int]
    clause_end: list[int]  # index after the last word of each word's clause

    @classmethod
    def read(cls, text: str) -> "_Words":
        words: list[str] = []
        spans: list[tuple[int, int]] = []
        sentence: list[int] = []
        clause: list[int] = []
        s = c = 0
        last_end = 0
        for m in _TOKEN.finditer(text):
            gap = text[last_end : m.start()]
            if gap == " " or not words:
                pass
            elif _SENTENCE_BREAK.search(gap):
                s += 1
                c += 1
            elif _CLAUSE_BREAK.search(gap):
                c += 1
            words.append(m.group().lower().replace("'", "").replace("’", ""))
            spans.append(m.span())
            sentence.append(s)
            clause.append(c)
            last_end = m.end()
        clause_end = [0] * len(words)
        end = len(words)
        for i in range(len(words) - 1, -1, -1):
            if i + 1 < len(words) and clause[i + 1] != clause[i]:
                end = i + 1
            clause_end[i] = end
        return cls(text, words, [_word_stem(w) for w in words], spans, sentence, clause, clause_end)

    def step_matches(self, step: tuple[_Alt, ...], i: int) -> bool:
        for kind, value in step:
            if kind == 0:
                if self.stems[i] == value:
                    return True
            elif kind == 1:
                if self.words[i].startswith(value):
                    return True
            elif self.words[i] == value:
                return True
        return False

    def match(self, steps: _Pattern, i: int) -> int | None:
        """The end (exclusive) of ``steps`` matched from word ``i``, within its clause."""
        end = self.clause_end[i]
        j = i
        k = 0
        while k < len(steps):
            step = steps[k]
            if step is None:
                after = steps[k + 1]
                assert after is not None
                for g in range(_GAP + 1):
                    if j + g < end and self.step_matches(after, j + g):
                        j += g + 1
                        break
                else:
                    return None
                k += 2
                continue
            if j >= end or not self.step_matches(step, j):
                return None
            j += 1
            k += 1
        return j

    def evidence(self, start: int, end: int) -> str:
        return self.text[self.spans[start][0] : self.spans[end - 1][1]]


@dataclass(frozen=True)
class _Hit:
    theme: str
    cue_start: int
    end: int  # after the cue's last word
    sentence: int
    complaint: bool
    evidence: tuple[int, int]  # with the negator or denial, so it reads "nobody came"


def _themes(words: _Words) -> list[_Hit]:
    """Leftmost-longest cue matches, each read plainly or negated."""
    n = len(words.words)
    # For each negator, where its evidence starts: "still waiting for" negates with its last word.
    negates: list[int | None] = [i if s in _NEGATORS else None for i, s in enumerate(words.stems)]
    for start, end in _NEGATING.find(words):
        before = negates[end - 1]
        negates[end - 1] = start if before is None else min(before, start)
    wished = [False] * n  # words of a wish start no cue
    for start, end in _WISHING.find(words):
        negates[end - 1] = start
        for j in range(start, end):
            wished[j] = True
    denials = _denials(words)
    claimed = [False] * n  # a negator inside a matched phrase belongs to that phrase
    hits: list[_Hit] = []
    i = 0
    while i < n:
        best: tuple[int, _Cue] | None = None  # the longest; of equals, the first listed
        if not wished[i] and words.sentence[i] not in denials:
            for number in _CUE_INDEX.starting_at(words, i):
                stop = words.match(_CUES[number].steps, i)
                if stop is not None and (best is None or stop > best[0]):
                    best = (stop, _CUES[number])
        if best is None:
            i += 1
            continue
        end, cue = best
        negator = None if negates[i] is not None else _negator_before(words, negates, claimed, i)
        evidence = (i if negator is None else negator, end)
        denial = denials.get(words.sentence[i] + 1)
        if negator is None and denial is not None:
            negator, evidence = denial, (i, denial + 1)
        theme = cue.plain if negator is None else cue.negated
        if theme is not None:
            complaint = theme in _COMPLAINTS and not (cue.good_news and negator is None)
            hits.append(_Hit(theme, i, end, words.sentence[i], complaint, evidence))
        for j in range(i, end):
            claimed[j] = True
        i = end
    return hits


def _denials(words: _Words) -> dict[int, int]:
    """Sentences that deny the one before ("No one did.", "Never happened."): their last word."""
    found: dict[int, int] = {}
    if not words.words:
        return found
    first = 0
    for i in range(len(words.words) + 1):
        if i < len(words.words) and words.sentence[i] == words.sentence[first]:
            continue
        sentence = words.words[first:i]
        if (
            words.sentence[first] > 0
            and len(sentence) <= 4
            and any(w in _NEGATORS for w in sentence)
            and all(w in _DENIAL_WORDS for w in sentence)
        ):
            found[words.sentence[first]] = i - 1
        first = i
    return found


def _negator_before(
    words: _Words, negates: list[int | None], claimed: list[bool], i: int
) -> int | None:
    """Where the evidence of the negator up to four words before word ``i`` starts, if any."""
    for j in range(i - 1, max(-1, i - _WINDOW - 1), -1):
        if words.clause[j] != words.clause[i] or words.words[j] in _SCOPE_BREAKS:
            return None
        start = negates[j]
        if start is not None and not claimed[j]:
            return start
    return None


def _sarcastic(words: _Words, hits: list[_Hit]) -> bool:
    """Praise that is not meant: see rule 4 in the module docstring."""
    if _SARCASTIC.find(words):
        return True
    n = len(words.words)
    if n >= 2 and words.words[-1] == "not" and words.clause[-1] != words.clause[-2]:
        return True
    if any(w in _CONTRASTS for w in words.words):
        return False
    people = {c for w, c in zip(words.words, words.clause, strict=True) if w in _PEOPLE}
    sentence_length: dict[int, int] = {}
    for sentence in words.sentence:
        sentence_length[sentence] = sentence_length.get(sentence, 0) + 1
    complaints: dict[int, list[_Hit]] = {}
    for h in hits:
        if h.complaint:
            complaints.setdefault(h.sentence, []).append(h)
    lexicon = _analyser().lexicon
    for p in hits:
        if p.theme != "praise" or words.clause[p.cue_start] in people:
            continue
        for c in complaints.get(p.sentence, ()):
            if c.cue_start < p.end:
                continue
            if words.clause[c.cue_start] == words.clause[p.cue_start]:
                return True  # "thanks for closing my case in a day"
            between = words.words[p.end : c.end]
            if not any(
                (lexicon.get(w, 0) < 0 and w not in _NEGATORS) or w in _CRITICAL for w in between
            ):
                return True  # "great service, still waiting for someone to turn up"
        if sentence_length[p.sentence] <= 3 and (
            p.sentence - 1 in complaints or p.sentence + 1 in complaints
        ):
            return True  # "Brilliant. Another hour on hold."
    return False


@lru_cache(maxsize=1)
def _analyser() -> SentimentIntensityAnalyzer:
    """VADER reads its lexicon files once (about 20 ms), on first use."""
    return SentimentIntensityAnalyzer()


def analyse(text: str) -> TextInsight:
    """Sentiment, themes with their evidence, and safeguarding phrases of one comment."""
    compound = float(_analyser().polarity_scores(text)["compound"])
    label: SentimentLabel = "neutral"
    if compound >= 0.05:
        label = "positive"
    elif compound <= -0.05:
        label = "negative"
    words = _Words.read(text)
    hits = _themes(words)
    if any(h.theme == "praise" for h in hits) and _sarcastic(words, hits):
        hits = [h for h in hits if h.theme != "praise"]
    evidence: dict[str, list[str]] = {}
    for h in hits:
        found = evidence.setdefault(h.theme, [])
        phrase = words.evidence(*h.evidence)
        if phrase not in found:
            found.append(phrase)
    themes = [ThemeMatch(code, THEMES[code], evidence[code]) for code in THEMES if code in evidence]
    if not themes:
        themes = [ThemeMatch("other", THEMES["other"], [])]
    return TextInsight(compound, label, themes, distress_phrases(text))
