"""Themes and sentiment of survey comments against human labels; VADER against human ratings.

Two labelled sets, reported apart. The first, NHS patients' feedback written and labelled by
people outside the project, is the honest measure; the second, the self-written set, was
written by the person who tuned the lexicon and flatters it.

NHS patient feedback (``../shared/data/nhs-patient-feedback/phase1_text_data.csv`` beside the
repository; its licence allows evaluation only, so nothing is fitted to it: the cues in
``bluelamp/insights/lexicon.py`` were written by hand after reading the tuning part). Rows
whose ``criticality`` is not a whole number from -4 to 4 are dropped (36 of 8,791: "-o",
"NA", "-9", ...). The distinct comment texts (case and spacing ignored), sorted, are shuffled
once by ``random.Random(NHS_SEED)``; the first 30% of them, with every row that carries one,
are the tuning part, which may be read while writing cues (``--show tuning``), and the rest
are the scored part, which is only scored: every figure below is of the scored part. A
comment that appears several times is so in one part only.

The category mapping, from the data's README (a comment carries one human category and a
criticality from -4, most critical, to 4, most positive):

- ``sa`` Attitude of staff, ``sp`` Professionalism/competence of staff and ``ml`` Listening
  -> handler_attitude (whoever the caller dealt with);
- ``mi`` Amount/clarity of information and ``mm`` Communication -> not_informed;
- ``wa`` Time spent waiting for a first appointment and ``wb`` between appointments ->
  waiting;
- a positive criticality -> praise.

Polarity matters: the three complaint themes count only where the criticality is negative
(staff praised is praise, not handler_attitude). attendance and outcome have no NHS category
and are not scored; how often they fire is printed. Criticality 0 is read as "not rated" and
those rows are left out, because 2,501 of the 2,504 zeros come from one trust (Trust B), which
gave nearly all its comments 0, praise and complaint alike. The literal reading (0 is
neutral: neither praise nor a complaint; all rows kept) is printed after it. Precision,
recall and F1 carry 95% intervals from 1,000 bootstrap resamples of the scored rows (fixed
seed); the macro F1 is the mean over the four themes. VADER's label is compared with the
sign of the criticality against always answering the commonest label. Runtime is printed
as comments analysed per second over the scored part, the first pass and the best of three
more.

The self-written set is ``bench/data/themes_labelled.csv`` (columns text, themes, sentiment, split).
Its comments were written and labelled by hand for this benchmark before the lexicon was
tuned, and split about half and half by a hash of the text. For each split the script prints
per-theme precision, recall and F1, the macro F1, the share of comments whose theme set is
exactly right, and how often VADER's sentiment label (compound at least 0.05 positive, at
most -0.05 negative) agrees with the human label. Then it prints the time to analyse one
comment, and one of the longest the survey form accepts.

The lexicon in ``bluelamp/insights/lexicon.py`` was tuned on the dev split only. The test split
was then read once: macro F1 0.919. It showed five slips in how cues were written (such as
"text|letter|crime number", which demands "text number"), and those were fixed without adding
words. Test now reads 0.951, which flatters a little. The same person wrote the comments and
the lexicon, so real comments will score lower than either figure.

Labelling rules: waiting, handler_attitude, not_informed and attendance are complaints ("got
through at once" is praise, not waiting). handler_attitude covers whoever the caller dealt with.
outcome is the result either way (an arrest, or "nothing was done"). praise is any sincere
good word about the service or its people. other is used only when nothing else applies.

With ``--vader-sdist`` the script opens the vaderSentiment 3.3.2 source distribution, reads the
four ground-truth files in ``additional_resources/hutto_ICWSM_2014.tar.gz`` (tab separated: id,
mean rating of about 20 people from -4 to 4, text) and prints, per corpus and overall, the
Pearson correlation of VADER's compound score with the mean rating and the sign agreement
(texts rated exactly 0 are left out; a compound of 0 counts as wrong, and the share of such
texts and the agreement without them are printed beside it).

    .venv/bin/python bench/text.py
    .venv/bin/python bench/text.py --show dev          # the dev comments the analyser gets wrong
    .venv/bin/python bench/text.py --tuning            # the NHS tuning part only, no scoring
    .venv/bin/python bench/text.py --tuning --show tuning --theme waiting  # its errors
    .venv/bin/python bench/text.py --show tuning       # the scored figures, then tuning errors
    pip download vaderSentiment==3.3.2 --no-binary :all: --no-deps -d DIR
    .venv/bin/python bench/text.py --vader-sdist DIR/vaderSentiment-3.3.2.tar.gz
"""

import argparse
import csv
import io
import math
import random
import statistics
import tarfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
    SentimentIntensityAnalyzer,
)

from bluelamp.care.feedback import distress_phrases
from bluelamp.insights import theme_model
from bluelamp.insights.text import THEMES, analyse
from bluelamp.surveys.logic import MAX_TEXT

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "bench" / "data" / "themes_labelled.csv"
SENTIMENTS = ("negative", "neutral", "positive")
GROUND_TRUTH = "additional_resources/hutto_ICWSM_2014.tar.gz"

SAFEGUARDING = ROOT / "bench" / "data" / "safeguarding_phrases.txt"
NHS = ROOT.parent / "shared" / "data" / "nhs-patient-feedback" / "phase1_text_data.csv"
NHS_SEED = 20180418
NHS_TUNING_SHARE = 0.3
# The data README's mapping of NHS categories onto ours; a positive criticality is praise.
NHS_CATEGORIES = {
    "sa": "handler_attitude",  # Attitude Of Staff
    "sp": "handler_attitude",  # Professionalism/Competence Of Staff
    "ml": "handler_attitude",  # Listening
    "mi": "not_informed",  # Amount/clarity of information
    "mm": "not_informed",  # Communication
    "wa": "waiting",  # Time spent waiting for first appt/referral/service
    "wb": "waiting",  # Time spent waiting between appointments
}
NHS_THEMES = ("waiting", "handler_attitude", "not_informed", "praise")
BOOTSTRAP_ROUNDS = 1000
BOOTSTRAP_SEED = 4


@dataclass(frozen=True)
class Example:
    text: str
    themes: frozenset[str]
    sentiment: str
    split: str


def read_labelled(path: Path = LABELLED) -> list[Example]:
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Example(
                row["text"],
                frozenset(t.strip() for t in row["themes"].split(";") if t.strip()),
                row["sentiment"],
                row["split"],
            )
            for row in csv.DictReader(f)
        ]


def f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def theme_scores(
    examples: list[Example], predicted: list[frozenset[str]]
) -> dict[str, tuple[float, float, float, int]]:
    """Per theme: precision, recall, F1 and support (comments labelled with it)."""
    scores = {}
    for code in THEMES:
        tp = sum(1 for e, p in zip(examples, predicted, strict=True) if code in e.themes & p)
        fp = sum(1 for e, p in zip(examples, predicted, strict=True) if code in p - e.themes)
        fn = sum(1 for e, p in zip(examples, predicted, strict=True) if code in e.themes - p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[code] = (precision, recall, f1(precision, recall), tp + fn)
    return scores


def macro_f1(scores: dict[str, tuple[float, float, float, int]]) -> float:
    """Mean F1 over the themes that occur in the labels."""
    return statistics.fmean(s[2] for s in scores.values() if s[3] > 0)


def report_split(name: str, examples: list[Example], show: bool) -> None:
    insights = [analyse(e.text) for e in examples]
    predicted = [frozenset(t.code for t in i.themes) for i in insights]
    scores = theme_scores(examples, predicted)
    exact = sum(1 for e, p in zip(examples, predicted, strict=True) if e.themes == p)
    agree = sum(
        1 for e, i in zip(examples, insights, strict=True) if e.sentiment == i.sentiment_label
    )
    print(f"\n== {name} split: {len(examples)} comments ==")
    print(f"{'theme':<18}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    for code, (p, r, f, n) in scores.items():
        print(f"{code:<18}{p:>10.2f}{r:>8.2f}{f:>7.2f}{n:>9}")
    print(
        f"macro F1 {macro_f1(scores):.3f}; exact theme set {exact}/{len(examples)} "
        f"({exact / len(examples):.1%})"
    )
    print(
        f"sentiment label agrees with the human label: {agree}/{len(examples)} "
        f"({agree / len(examples):.1%})"
    )
    print("  human \\ VADER   " + "".join(f"{s:>10}" for s in SENTIMENTS))
    for human in SENTIMENTS:
        row = [
            sum(
                1
                for e, i in zip(examples, insights, strict=True)
                if e.sentiment == human and i.sentiment_label == vader
            )
            for vader in SENTIMENTS
        ]
        print(f"  {human:<16}" + "".join(f"{n:>10}" for n in row))
    if show:
        print(f"\n-- {name}: comments whose themes or sentiment disagree with the labels --")
        for e, i, got in zip(examples, insights, predicted, strict=True):
            if e.themes != got or e.sentiment != i.sentiment_label:
                found = "; ".join(f"{t.code} {t.evidence}" for t in i.themes)
                print(
                    f"{e.text!r}\n   label {sorted(e.themes)} {e.sentiment}"
                    f" | got {found} {i.sentiment_label} ({i.sentiment:+.2f})"
                )


@dataclass(frozen=True)
class Feedback:
    """One NHS comment with its human category and criticality (-4 to 4)."""

    text: str
    code: str
    criticality: int
    organisation: str

    def themes(self, literal: bool = False) -> frozenset[str] | None:
        """Our themes for the human labels; None when the row is not rated (see the docstring)."""
        if self.criticality == 0 and not literal:
            return None
        if self.criticality > 0:
            return frozenset({"praise"})
        if self.criticality < 0 and self.code in NHS_CATEGORIES:
            return frozenset({NHS_CATEGORIES[self.code]})
        return frozenset()

    def sentiment(self) -> str:
        if self.criticality > 0:
            return "positive"
        return "negative" if self.criticality < 0 else "neutral"


def read_nhs(path: Path = NHS) -> list[Feedback]:
    """The rows whose criticality is a whole number from -4 to 4."""
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                criticality = int(row["criticality"])
            except ValueError:
                continue
            if -4 <= criticality <= 4:
                rows.append(
                    Feedback(row["feedback"], row["code"].strip(), criticality, row["organization"])
                )
    return rows


def nhs_key(text: str) -> str:
    """The same comment whatever its case and spacing."""
    return " ".join(text.lower().split())


def nhs_split(
    rows: Sequence[Feedback], seed: int = NHS_SEED, share: float = NHS_TUNING_SHARE
) -> tuple[list[Feedback], list[Feedback]]:
    """(tuning, scored): ``share`` of the distinct texts, shuffled by ``seed``, and the rest."""
    texts = sorted({nhs_key(r.text) for r in rows})
    random.Random(seed).shuffle(texts)
    tuning = set(texts[: int(len(texts) * share)])
    return (
        [r for r in rows if nhs_key(r.text) in tuning],
        [r for r in rows if nhs_key(r.text) not in tuning],
    )


def _matrices(
    rows: Sequence[Feedback], predicted: Sequence[frozenset[str]], literal: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Human and predicted themes of the rated rows, one column per theme of NHS_THEMES."""
    truth, guess = [], []
    for row, found in zip(rows, predicted, strict=True):
        human = row.themes(literal)
        if human is None:
            continue
        truth.append([t in human for t in NHS_THEMES])
        guess.append([t in found for t in NHS_THEMES])
    shape = (len(truth), len(NHS_THEMES))
    return np.array(truth, dtype=bool).reshape(shape), np.array(guess, dtype=bool).reshape(shape)


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """Precision, recall and F1 along the last axis (0 where undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return np.stack([precision, recall, f], axis=-1)


def nhs_theme_scores(
    rows: Sequence[Feedback], predicted: Sequence[frozenset[str]], literal: bool = False
) -> dict[str, tuple[float, float, float, int]]:
    """Per theme of NHS_THEMES: precision, recall, F1 and support, over the rated rows."""
    truth, guess = _matrices(rows, predicted, literal)
    tp = (truth & guess).sum(axis=0)
    prf = _prf(tp, (~truth & guess).sum(axis=0), (truth & ~guess).sum(axis=0))
    support = truth.sum(axis=0)
    return {
        t: (float(prf[k, 0]), float(prf[k, 1]), float(prf[k, 2]), int(support[k]))
        for k, t in enumerate(NHS_THEMES)
    }


def nhs_intervals(
    rows: Sequence[Feedback],
    predicted: Sequence[frozenset[str]],
    literal: bool = False,
    rounds: int = BOOTSTRAP_ROUNDS,
) -> tuple[np.ndarray, np.ndarray]:
    """95% bootstrap intervals over the rated rows: (themes, [P, R, F1], [low, high]) and the
    macro F1's [low, high]."""
    truth, guess = _matrices(rows, predicted, literal)
    cells = np.stack([truth & guess, ~truth & guess, truth & ~guess]).astype(float)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n = len(truth)
    counts = np.empty((rounds, 3, len(NHS_THEMES)))
    for b in range(rounds):
        weights = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        counts[b] = cells.transpose(0, 2, 1) @ weights
    prf = _prf(counts[:, 0], counts[:, 1], counts[:, 2])  # (rounds, themes, 3)
    macro = prf[:, :, 2].mean(axis=1)
    return (
        np.percentile(prf, [2.5, 97.5], axis=0).transpose(1, 2, 0),
        np.percentile(macro, [2.5, 97.5]),
    )


def nhs_sentiment(
    rows: Sequence[Feedback], labels: Sequence[str], literal: bool = False
) -> tuple[int, int, str, int]:
    """(VADER agrees, rated rows, the commonest human label, how many carry it)."""
    pairs = [
        (r.sentiment(), label)
        for r, label in zip(rows, labels, strict=True)
        if literal or r.criticality != 0
    ]
    agree = sum(1 for human, vader in pairs if human == vader)
    counts = {s: sum(1 for human, _ in pairs if human == s) for s in SENTIMENTS}
    majority = max(counts, key=lambda s: counts[s])
    return agree, len(pairs), majority, counts[majority]


def _interval(low: float, high: float) -> str:
    return f"[{low:.2f},{high:.2f}]"


def report_nhs(path: Path, show: bool, theme: str | None) -> None:
    rows = read_nhs(path)
    tuning, scored = nhs_split(rows)
    print(
        "\n== NHS patient feedback, written and labelled by others: the scored part only ==\n"
        f"{len(rows)} rows with a criticality from -4 to 4; split by seed {NHS_SEED}: "
        f"tuning {len(tuning)} rows ({len({nhs_key(r.text) for r in tuning})} distinct texts), "
        f"scored {len(scored)} rows ({len({nhs_key(r.text) for r in scored})} distinct texts)"
    )
    started = time.perf_counter()
    insights = [analyse(r.text) for r in scored]
    elapsed = time.perf_counter() - started
    predicted = [frozenset(t.code for t in i.themes) for i in insights]
    labels = [i.sentiment_label for i in insights]
    for literal in (False, True):
        rated = sum(1 for r in scored if r.themes(literal) is not None)
        if literal:
            print(f"\n-- literal reading: criticality 0 is neutral, all {rated} scored rows --")
        else:
            print(f"\n-- criticality 0 not rated: {rated} of {len(scored)} scored rows --")
        scores = nhs_theme_scores(scored, predicted, literal)
        bands, macro_band = nhs_intervals(scored, predicted, literal)
        print(
            f"{'theme':<18}{'precision [95%]':>22}{'recall [95%]':>22}{'F1 [95%]':>22}"
            f"{'support':>9}{'found':>7}"
        )
        for k, (code, (p, r, f, n)) in enumerate(scores.items()):
            found = sum(
                1
                for row, got in zip(scored, predicted, strict=True)
                if code in got and row.themes(literal) is not None
            )
            cells = "".join(
                f"{v:>10.2f} {_interval(*bands[k, m]):<11}" for m, v in enumerate((p, r, f))
            )
            print(f"{code:<18}{cells}{n:>9}{found:>7}")
        print(f"macro F1 {macro_f1(scores):.3f} {_interval(*macro_band)}")
        agree, total, majority, most = nhs_sentiment(scored, labels, literal)
        print(
            f"sentiment: VADER's label agrees with the criticality's sign on {agree}/{total} "
            f"({agree / total:.1%}); always {majority!r} would agree on {most / total:.1%}"
        )
        if not literal:
            print("  human \\ VADER   " + "".join(f"{s:>10}" for s in SENTIMENTS))
            for human in ("negative", "positive"):
                counts = [
                    sum(
                        1
                        for r, label in zip(scored, labels, strict=True)
                        if r.criticality != 0 and r.sentiment() == human and label == vader
                    )
                    for vader in SENTIMENTS
                ]
                print(f"  {human:<16}" + "".join(f"{n:>10}" for n in counts))
    for code in ("attendance", "outcome"):
        fired = sum(1 for p in predicted if code in p)
        print(f"{code} (no NHS category) found in {fired}/{len(scored)} scored comments")
    passes = []
    for _ in range(3):
        started = time.perf_counter()
        for r in scored:
            analyse(r.text)
        passes.append(time.perf_counter() - started)
    print(
        f"analysed the {len(scored)} scored comments in {elapsed:.2f} s the first time "
        f"({len(scored) / elapsed:,.0f} comments/s; the stemmer's and matcher's caches cold), "
        f"best of 3 more {min(passes):.2f} s ({len(scored) / min(passes):,.0f} comments/s)"
    )
    if show:
        show_nhs_tuning(tuning, theme)


def report_nhs_tuning(path: Path, show: bool, theme: str | None) -> None:
    """The tuning part's figures, and with ``show`` its errors; the scored part is not analysed,
    so looking at the tuning part while writing cues costs no look at the scored part."""
    tuning, _ = nhs_split(read_nhs(path))
    predicted = [frozenset(t.code for t in analyse(r.text).themes) for r in tuning]
    rated = sum(1 for r in tuning if r.themes() is not None)
    print(
        f"\n== NHS patient feedback: the TUNING part only ({rated} of {len(tuning)} rows rated; "
        "read while writing cues, so these figures flatter) =="
    )
    print(f"{'theme':<18}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    scores = nhs_theme_scores(tuning, predicted)
    for code, (p, r, f, n) in scores.items():
        print(f"{code:<18}{p:>10.2f}{r:>8.2f}{f:>7.2f}{n:>9}")
    print(f"macro F1 {macro_f1(scores):.3f}")
    if show:
        show_nhs_tuning(tuning, theme)


def show_nhs_tuning(tuning: list[Feedback], theme: str | None) -> None:
    """The tuning comments whose scored themes disagree with the human labels."""
    print("\n-- NHS tuning part: comments whose themes disagree with the labels --")
    for row in tuning:
        human = row.themes()
        if human is None:
            continue
        insight = analyse(row.text)
        got = frozenset(t.code for t in insight.themes) & set(NHS_THEMES)
        wrong = human ^ got
        if not wrong or (theme is not None and theme not in wrong):
            continue
        found = "; ".join(f"{t.code} {t.evidence}" for t in insight.themes)
        print(
            f"{row.text!r}\n   label {row.code} {row.criticality:+d} {sorted(human)} | got {found}"
        )


def report_timing(examples: list[Example], rounds: int) -> None:
    texts = [e.text for e in examples]
    times: list[float] = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            analyse(text)
            times.append(time.perf_counter() - started)
    ordered = sorted(times)
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]
    median = ordered[len(ordered) // 2]
    print(
        f"\ntime per comment over {len(times)} analyses ({rounds} rounds of {len(texts)}): "
        f"mean {statistics.fmean(times) * 1000:.3f} ms, median {median * 1000:.3f} ms, "
        f"p99 {p99 * 1000:.3f} ms, max {ordered[-1] * 1000:.3f} ms"
    )
    # The longest answer the survey form accepts, made of labelled comments end to end.
    longest = " ".join(texts)[:MAX_TEXT]
    vader = SentimentIntensityAnalyzer()
    whole, vader_only = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        analyse(longest)
        whole.append(time.perf_counter() - started)
        started = time.perf_counter()
        vader.polarity_scores(longest)
        vader_only.append(time.perf_counter() - started)
    print(
        f"a comment of {len(longest)} characters (the form's limit): median "
        f"{statistics.median(whole) * 1000:.2f} ms, of which VADER alone "
        f"{statistics.median(vader_only) * 1000:.2f} ms"
    )


def ground_truth(sdist: Path) -> dict[str, list[tuple[float, str]]]:
    """Corpus name to (mean human rating, text), from the sdist's nested tarball."""
    with tarfile.open(sdist) as outer:
        member = next(m for m in outer.getmembers() if m.name.endswith(GROUND_TRUTH))
        nested = outer.extractfile(member)
        assert nested is not None
        data = nested.read()
    corpora: dict[str, list[tuple[float, str]]] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as inner:
        for m in sorted(inner.getmembers(), key=lambda m: m.name):
            if not m.name.endswith("_GroundTruth.txt"):
                continue
            f = inner.extractfile(m)
            assert f is not None
            name = Path(m.name).name.removesuffix("_GroundTruth.txt")
            rows = []
            for line in f.read().decode("utf-8").splitlines():
                if not line.strip():
                    continue
                _, rating, text = line.split("\t", 2)
                rows.append((float(rating), text))
            corpora[name] = rows
    return corpora


def report_vader(sdist: Path) -> None:
    vader = SentimentIntensityAnalyzer()
    corpora = ground_truth(sdist)
    print(f"\n== VADER compound against mean human ratings ({sdist.name}, {GROUND_TRUTH}) ==")
    print(
        f"{'corpus':<22}{'texts':>7}{'Pearson r':>11}{'sign agrees':>13}{'VADER 0':>9}"
        f"{'sign agrees where VADER is not 0':>34}"
    )
    all_human: list[float] = []
    all_vader: list[float] = []
    for name, rows in corpora.items():
        human = [r for r, _ in rows]
        scores = [vader.polarity_scores(t)["compound"] for _, t in rows]
        print(vader_row(name, human, scores))
        all_human += human
        all_vader += scores
    print(vader_row("all", all_human, all_vader))


def vader_row(name: str, human: list[float], scores: list[float]) -> str:
    """Pearson r; sign agreement over texts rated non-zero (a compound of 0 counts as wrong);
    the share VADER scores 0; the sign agreement where both are non-zero."""
    rated = [(h, s) for h, s in zip(human, scores, strict=True) if h != 0]
    agree = sum(1 for h, s in rated if s != 0 and (h > 0) == (s > 0))
    sided = [(h, s) for h, s in rated if s != 0]
    zero = sum(1 for s in scores if s == 0) / len(scores)
    return (
        f"{name:<22}{len(human):>7}{statistics.correlation(human, scores):>11.3f}"
        f"{agree / len(rated):>13.1%}{zero:>9.1%}{agree / len(sided):>34.1%}"
    )


def report_safeguarding(nhs: Path, phrases: Path = SAFEGUARDING) -> None:
    """Recall of the safeguarding phrases (``care.feedback``) on comments written for this
    benchmark from victim-care guidance, and the share of NHS comments they would flag."""
    lines = [
        line.strip()
        for line in phrases.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    missed = [line for line in lines if not distress_phrases(line)]
    print(f"\n== Safeguarding phrases ({phrases.name}: written from care guidance) ==")
    print(f"recall {len(lines) - len(missed)}/{len(lines)} = {1 - len(missed) / len(lines):.3f}")
    for line in missed:
        print(f"  missed: {line}")
    if not nhs.exists():
        print("NHS patient feedback not found: false-alarm rate not measured")
        return
    texts = sorted({nhs_key(r.text): r.text for r in read_nhs(nhs)}.values())
    _, scored = nhs_split(read_nhs(nhs))
    scored_texts = {nhs_key(r.text) for r in scored}
    flagged = [t for t in texts if distress_phrases(t)]
    flagged_scored = [t for t in flagged if nhs_key(t) in scored_texts]
    print(
        f"NHS comments flagged (false alarms: none is a police victim at risk): "
        f"{len(flagged)}/{len(texts)} = {len(flagged) / len(texts):.3%} of the distinct "
        f"comments; scored part {len(flagged_scored)}/{len(scored_texts)} = "
        f"{len(flagged_scored) / len(scored_texts):.3%}"
    )


def synthetic_corrections(n: int, seed: int) -> tuple[list[str], list[set[str]]]:
    """A force's corrections, invented: the kind of set ``tests/test_theme_model.py`` trains
    on. Its callers say the car "never materialised" (attendance, a cue the lexicon lacks);
    praise is what the lexicon reads, with 15% of the supervisors' labels flipped."""
    rng = random.Random(seed)
    places = ["shed", "garden", "car", "flat", "shop", "garage", "van", "bike", "house"]
    filler = ["I reported the {} break in.", "It was about my {}.", "The {} was damaged."]
    texts, labels = [], []
    for _ in range(n):
        parts, themes = [rng.choice(filler).format(rng.choice(places))], set()
        if rng.random() < 0.35:
            parts.append(rng.choice(["The patrol never materialised.", "Nobody materialised."]))
            themes.add("attendance")
        if rng.random() < 0.4:
            parts.append(rng.choice(["Thank you, brilliant officer.", "Great help."]))
            themes.add("praise")
        if rng.random() < 0.15:
            themes ^= {"praise"}
        rng.shuffle(parts)
        texts.append(" ".join(parts))
        labels.append(themes)
    return texts, labels


def report_corrections_cv(n: int = 300) -> None:
    """The corrections cross-validation, on a synthetic correction set (no force's real
    corrections exist yet): per theme, the model's and the lexicon's F1 and which is used."""
    texts, labels = synthetic_corrections(n, seed=7)
    lexicon = [{t.code for t in analyse(text).themes} - {"other"} for text in texts]
    started = time.perf_counter()
    trained = theme_model.train(texts, labels, lexicon)
    took = time.perf_counter() - started
    print(
        f"\n== The corrections cross-validation ({theme_model.FOLDS}-fold, a SYNTHETIC set of "
        f"{n} corrected comments, seed 7; trained in {took:.1f} s) =="
    )
    print(f"{'theme':<18}{'labelled':>9}{'model F1':>10}{'lexicon F1':>12}  used")
    for f in trained.figures:
        model = "-" if f.model_f1 is None else f"{f.model_f1:.3f}"
        used = "model" if f.won else "lexicon"
        print(f"{f.code:<18}{f.positives:>9}{model:>10}{f.lexicon_f1:>12.3f}  {used}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--nhs", type=Path, default=NHS, help="phase1_text_data.csv")
    parser.add_argument(
        "--show",
        choices=["dev", "test", "tuning"],
        help="list the comments got wrong (tuning: the NHS tuning part; the scored part is "
        "never listed)",
    )
    parser.add_argument("--theme", choices=NHS_THEMES, help="with --show tuning: only this theme")
    parser.add_argument(
        "--tuning",
        action="store_true",
        help="only the NHS tuning part's figures (with --show tuning, its errors); the scored "
        "part is not analysed",
    )
    parser.add_argument("--rounds", type=int, default=20, help="timing rounds over the set")
    parser.add_argument("--vader-sdist", type=Path, help="vaderSentiment-3.3.2.tar.gz")
    args = parser.parse_args()
    if args.tuning:
        report_nhs_tuning(args.nhs, args.show == "tuning", args.theme)
        return
    examples = read_labelled(args.labelled)
    started = time.perf_counter()
    analyse("warm up: the first call loads VADER's lexicon")
    print(f"first call (loads VADER's lexicon): {(time.perf_counter() - started) * 1000:.1f} ms")
    if args.nhs.exists():
        report_nhs(args.nhs, args.show == "tuning", args.theme)
    else:
        print(f"\nNHS patient feedback not found at {args.nhs}: not measured")
    print("\n== The self-written set, written by the person who tuned the lexicon (flatters it) ==")
    for split in ("dev", "test"):
        report_split(split, [e for e in examples if e.split == split], args.show == split)
    report_timing(examples, args.rounds)
    report_safeguarding(args.nhs)
    report_corrections_cv()
    if args.vader_sdist:
        report_vader(args.vader_sdist)


if __name__ == "__main__":
    main()
