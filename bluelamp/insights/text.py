"""Themes and sentiment of a free-text survey answer: offline, fast and explainable.

A supervisor acting on "what went wrong" must see why a comment was put under a theme, so
themes come from a lexicon of words and short phrases, not from a trained model, and every
theme carries the words of the comment that put it there. Sentiment is VADER's compound score
(Hutto and Gilbert, ICWSM 2014; its lexicon ships inside the package). Safeguarding phrases
come from ``bluelamp.care.feedback``, so one list decides what a person must look at at once.

How a comment is read:

1. Words, sentences (split at . ! ? and line breaks) and clauses (also split at commas,
   semicolons, colons and brackets). Apostrophes are dropped, so "didn't" and "didnt" are
   the same word. Each word is cut to its Porter2 stem (Snowball's English stemmer:
   "arrested", "arrests" -> "arrest"), except negators, which are kept whole. A word whose
   stem has six letters or more, and is no form of a lexicon word, counts as the word the
   lexicon writes out that it is one slip away from ("recieved", "noboby"); a difference in
   the last letter only makes another word, not a slip ("caller", "called").
2. Cues are words and short phrases, kept as data in ``lexicon.py`` (its docstring says how
   one is written: alternatives, prefixes, exact words and gaps). A cue never crosses a
   clause.
3. A cue is negated when a negator comes up to four words before it in the same clause,
   with no "but" or "need" in between. Negators are "not", "no", "never", "nobody", the
   "-n't" words, "without", "nothing", "before", "lack", "still waiting for", "slow to",
   wishes such as "would be nice" or "should be more", and requests: a sentence that
   starts with "listen", "be", "keep", "explain" and the like ("Listen to the patient.",
   "Be more polite.", "Keep people updated.") says what was missing, so its first word
   negates, and a cue that starts with it is read negated. Each cue names its theme when
   plain and when negated: "came" alone names nothing but "nobody came" is attendance, and
   "on hold" is waiting but "wasn't on hold for long" is praise. A short sentence that only
   denies ("No one did.", "Never happened.") negates the sentence before it. When two cues
   start at the same word the longer one wins. A negator inside a matched phrase belongs to
   that phrase alone, and a negator that turned a cue into praise is spent: in "can't fault
   any care" it negates "fault", not "care".
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
5. Some cues of waiting are weak ("still waiting", "a 6 month waiting list", "delays",
   "slow"): said of a wait for anything, they name waiting only when no cue of the
   comment speaks of a call back, an update or a visit, named or not, and no outcome is
   named. "Told someone would call me back, still waiting a week later" is not about
   getting through. "Quicker" alone names nothing ("quicker pharmacy", "a quicker
   response"); "answer the phone quicker" is waiting.
6. A comment with no theme is "other".

The cues were written from the self-written set's dev split and from the tuning part of the
NHS patient feedback (``bench/text.py`` says how it is split and scored; nothing is fitted to
it, as its licence allows evaluation only), and kept to words a caller might use about a 999
or 101 call or an officer's visit.
"""

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import snowballstemmer  # type: ignore[import-untyped]
from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
    SentimentIntensityAnalyzer,
)

from bluelamp.care.feedback import distress_phrases
from bluelamp.insights.lexicon import (
    CONTRASTS,
    CRITICAL,
    DENIAL_WORDS,
    GOOD_NEWS,
    IMPERATIVES,
    NEGATING_PHRASES,
    NEGATORS,
    NOT_SLIPS,
    PEOPLE,
    SARCASM,
    SCOPE_BREAKS,
    THEME_CUES,
    WEAK,
    WELSH_CUES,
    WISHES,
)

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


# The themes that are complaints (for the sarcasm rule); how many words before a cue a
# negator reaches; how many words a cue's ``...`` may skip.
_COMPLAINTS = frozenset(("waiting", "handler_attitude", "not_informed", "attendance", "outcome"))
# What a caller waits for: a weak cue of waiting gives way to any of these (rule 5).
_WAITED_FOR = frozenset(("not_informed", "attendance", "outcome"))
# Cues that speak of a call back or a visit, named or not ("said they'd ring me back").
_AWAITED = frozenset(("not_informed", "attendance"))
_WINDOW = 4
_GAP = 3

# --- Words -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_CLAUSE_BREAK = re.compile(r"[,;:()]|\s[-–—]\s")


_STEMMER = snowballstemmer.stemmer("english")
# The stemmer holds the word it works on, so threads of one web process take turns with it.
_STEMMER_LOCK = threading.Lock()


def _canonical(word: str) -> str:
    """The Porter2 stem, the same for a lexicon word and a comment word ("arrests" ->
    "arrest"); negators are kept whole ("nothing", not "noth"), and so is a word with digits."""
    if word in NEGATORS or not word.isalpha():
        return word
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(word))


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
    weak: bool


_CUES: tuple[_Cue, ...] = tuple(
    _Cue(p, _compile(p), plain, negated, p in GOOD_NEWS, p in WEAK)
    for patterns, plain, negated in THEME_CUES
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
# The words the lexicon writes out (not its prefixes), and the negators: the words a slip of
# the keyboard is read back to.
_LEXICON_WORDS = NEGATORS | frozenset(
    alt.removeprefix("=")
    for cue in _CUES
    for part in cue.pattern.replace("'", "").split()
    if part != "..."
    for alt in part.split("|")
    if not alt.endswith("*")
)
_SLIP_WORDS = tuple(sorted(w for w in _LEXICON_WORDS if len(w) >= 6))
# Words the lexicon lists for their own sake are never read as slips ("though" is a contrast).
_LISTED_WORDS = (
    _LEXICON_WORDS
    | CONTRASTS
    | SCOPE_BREAKS
    | PEOPLE
    | DENIAL_WORDS
    | CRITICAL
    | IMPERATIVES
    | NOT_SLIPS
)


@lru_cache(maxsize=8192)
def _read_word(word: str) -> tuple[str, str]:
    """A comment word as the lexicon spells it, and its stem: see rule 1."""
    stem = _canonical(word)
    if len(stem) >= 6 and word not in _LISTED_WORDS and stem not in _LEXICON_STEMS:
        for known in _SLIP_WORDS:
            if _slip_of(word, known):
                return known, _canonical(known)
    return word, stem


def _slip_of(word: str, known: str) -> bool:
    """One slip from ``known`` inside the word: words that differ only at the end are taken to
    be different words ("caller" and "called", "please" and "pleased")."""
    return (
        abs(len(known) - len(word)) <= 1
        and word[0] == known[0]
        and word[:-1] != known[:-1]
        and word != known[:-1]
        and word[:-1] != known
        and _one_slip(word, known)
    )


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
_NEGATING = _Index([_compile(p) for p in NEGATING_PHRASES])
_WISHING = _Index([_compile(p) for p in WISHES])
_SARCASTIC = _Index([_compile(p) for p in SARCASM])


@dataclass
class _Words:
    text: str
    words: list[str]  # lower case, apostrophes dropped, slips read back (see _read_word)
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
        read = [_read_word(w) for w in words]
        spelled, stems = [w for w, _ in read], [stem for _, stem in read]
        return cls(text, spelled, stems, spans, sentence, clause, clause_end)

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
    weak: bool


def _themes(words: _Words) -> tuple[list[_Hit], bool]:
    """Leftmost-longest cue matches, each read plainly or negated; and whether any strong cue
    speaks of something a caller waits for (a call back, a visit, an outcome), named or not."""
    n = len(words.words)
    # For each negator, where its evidence starts: "still waiting for" negates with its last word.
    negates: list[int | None] = [i if s in NEGATORS else None for i, s in enumerate(words.stems)]
    for start, end in _NEGATING.find(words):
        before = negates[end - 1]
        negates[end - 1] = start if before is None else min(before, start)
    wished = [False] * n  # words of a wish start no cue
    for start, end in _WISHING.find(words):
        negates[end - 1] = start
        for j in range(start, end):
            wished[j] = True
    # A request ("Listen to the patient.", "Be more polite.") negates from its first word.
    requests = {
        i
        for i, w in enumerate(words.words)
        if w in IMPERATIVES and (i == 0 or words.sentence[i - 1] != words.sentence[i])
    }
    for i in requests:
        if negates[i] is None:
            negates[i] = i
    denials = _denials(words)
    claimed = [False] * n  # a negator inside a matched phrase belongs to that phrase
    hits: list[_Hit] = []
    awaited = False
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
        found: tuple[int, int] | None = None  # the negator's word and where its evidence starts
        if i in requests:
            found = (i, i)
        elif negates[i] is None:
            found = _negator_before(words, negates, claimed, i)
        negator = None if found is None else found[1]
        evidence = (i if negator is None else negator, end)
        denial = denials.get(words.sentence[i] + 1)
        if negator is None and denial is not None:
            negator, evidence = denial, (i, denial + 1)
        theme = cue.plain if negator is None else cue.negated
        if (theme in _WAITED_FOR and not cue.weak) or cue.negated in _AWAITED:
            awaited = True
        if theme is not None:
            complaint = theme in _COMPLAINTS and not (cue.good_news and negator is None)
            hits.append(_Hit(theme, i, end, words.sentence[i], complaint, evidence, cue.weak))
        if found is not None and theme == "praise" and cue.plain != "praise":
            claimed[found[0]] = True  # "can't fault any care": the negator is spent
        for j in range(i, end):
            claimed[j] = True
        i = end
    return hits, awaited


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
            and any(w in NEGATORS for w in sentence)
            and all(w in DENIAL_WORDS for w in sentence)
        ):
            found[words.sentence[first]] = i - 1
        first = i
    return found


def _negator_before(
    words: _Words, negates: list[int | None], claimed: list[bool], i: int
) -> tuple[int, int] | None:
    """The negator up to four words before word ``i``, if any: its word, and where its
    evidence starts."""
    for j in range(i - 1, max(-1, i - _WINDOW - 1), -1):
        if words.clause[j] != words.clause[i] or words.words[j] in SCOPE_BREAKS:
            return None
        start = negates[j]
        if start is not None and not claimed[j]:
            return j, start
    return None


def _sarcastic(words: _Words, hits: list[_Hit]) -> bool:
    """Praise that is not meant: see rule 4 in the module docstring."""
    if _SARCASTIC.find(words):
        return True
    n = len(words.words)
    if n >= 2 and words.words[-1] == "not" and words.clause[-1] != words.clause[-2]:
        return True
    if any(w in CONTRASTS for w in words.words):
        return False
    people = {c for w, c in zip(words.words, words.clause, strict=True) if w in PEOPLE}
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
                (lexicon.get(w, 0) < 0 and w not in NEGATORS) or w in CRITICAL for w in between
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


_WELSH_WORD = re.compile(r"[a-zâêîôûŵŷäëïöüÿáéíóúàèìòù]+(?:['’-][a-zâêîôûŵŷ]+)*")
# Welsh letters with a to-bach (circumflex) and other accents, read as the plain letter, so
# "ffôn" and "ffon" are one word.
_WELSH_PLAIN = str.maketrans("âêîôûŵŷäëïöüÿáéíóúàèìòù", "aeiouwyaeiouyaeiouaeiou")


def _welsh_clauses(text: str) -> list[list[tuple[str, tuple[int, int]]]]:
    """Words of each clause (split like the English reading), plain-lettered, apostrophes
    dropped, with their places in the text."""
    clauses: list[list[tuple[str, tuple[int, int]]]] = [[]]
    last = 0
    lowered = text.lower()
    for m in _WELSH_WORD.finditer(lowered):
        gap = lowered[last : m.start()]
        if clauses[-1] and (_SENTENCE_BREAK.search(gap) or _CLAUSE_BREAK.search(gap)):
            clauses.append([])
        word = m.group().translate(_WELSH_PLAIN).replace("'", "").replace("’", "")
        clauses[-1].append((word, m.span()))
        last = m.end()
    return clauses


@lru_cache(maxsize=1)
def _welsh_patterns() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(
        (code, tuple(cue.translate(_WELSH_PLAIN).replace("'", "").split()))
        for code, cues in WELSH_CUES.items()
        for cue in cues
    )


def welsh_themes(text: str) -> dict[str, list[str]]:
    """Themes of a Welsh comment from the Welsh cues (``lexicon.WELSH_CUES``): theme ->
    the words that put it there, as written."""
    found: dict[str, list[str]] = {}
    for clause in _welsh_clauses(text):
        words = [w for w, _ in clause]
        for code, steps in _welsh_patterns():
            for i in range(len(words) - len(steps) + 1):
                if all(
                    words[i + k].startswith(s[:-1]) if s.endswith("*") else words[i + k] == s
                    for k, s in enumerate(steps)
                ):
                    phrase = text[clause[i][1][0] : clause[i + len(steps) - 1][1][1]]
                    if phrase not in found.setdefault(code, []):
                        found[code].append(phrase)
    return found


def analyse(text: str, language: str = "en") -> TextInsight:
    """Sentiment, themes with their evidence, and safeguarding phrases of one comment; a
    comment written on a Welsh page (``language`` "cy") is read with the Welsh cues too."""
    compound = float(_analyser().polarity_scores(text)["compound"])
    label: SentimentLabel = "neutral"
    if compound >= 0.05:
        label = "positive"
    elif compound <= -0.05:
        label = "negative"
    words = _Words.read(text)
    hits, awaited = _themes(words)
    if awaited:
        hits = [h for h in hits if not h.weak]
    if any(h.theme == "praise" for h in hits) and _sarcastic(words, hits):
        hits = [h for h in hits if h.theme != "praise"]
    evidence: dict[str, list[str]] = {}
    for h in hits:
        found = evidence.setdefault(h.theme, [])
        phrase = words.evidence(*h.evidence)
        if phrase not in found:
            found.append(phrase)
    if language == "cy":
        for code, phrases in welsh_themes(text).items():
            found = evidence.setdefault(code, [])
            found += [p for p in phrases if p not in found]
    themes = [ThemeMatch(code, THEMES[code], evidence[code]) for code in THEMES if code in evidence]
    if not themes:
        themes = [ThemeMatch("other", THEMES["other"], [])]
    return TextInsight(compound, label, themes, distress_phrases(text))
