"""A force's own theme model: learnt from its supervisors' corrections, used only where it wins.

Once a force has ``THEME_MODEL_MIN_CORRECTIONS`` corrected comments, each theme gets a
logistic regression over TF-IDF features of words and word pairs (scikit-learn), trained on
those comments alone: a corrected comment's label is its effective theme set, whatever the
machine said first. Each theme is cross-validated (``FOLDS`` folds, a fixed seed) on the same
comments, and its F1 compared with the lexicon's F1 on them; the model decides a theme at
response time only where it beats the lexicon by at least ``MARGIN``. Everywhere else the
lexicon stays, and safeguarding phrases are never the model's to decide
(``care.feedback.distress_phrases`` reads every comment, whatever its themes).

What is kept is plain numbers: the vocabulary with each term's column and idf, and per won
theme its weights and intercept. ``predict`` recomputes the features by the same rules as
scikit-learn's ``TfidfVectorizer`` (lower case, tokens of two or more word characters, word
pairs, sublinear tf, l2 norm), so the web process needs no pickled object and no
scikit-learn at all. A theme is explained by the words that weighed most in the comment: the
terms present whose weight times value pushed furthest towards the theme.

Training is here (pure: lists in, numbers out); reading corrections and storing the model is
``services.theme_model_train``.
"""

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# The themes a model may learn ("other" means none of them).
LEARNT = ("waiting", "handler_attitude", "not_informed", "attendance", "outcome", "praise")
FOLDS = 5
SEED = 20260518
# How much better than the lexicon (cross-validated F1) the model must be to replace it.
MARGIN = 0.02
# Fewer positive (or negative) comments than this for a theme, and it is not tried.
MIN_EACH = 10
EXPLAIN = 3  # how many words explain a theme found by the model

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


@dataclass(frozen=True)
class ThemeFigures:
    """One theme's cross-validation on the corrected comments."""

    code: str
    positives: int
    model_f1: float | None  # None: too few positive or negative comments to try
    lexicon_f1: float
    won: bool


@dataclass
class Trained:
    comments: int
    figures: list[ThemeFigures]
    vocabulary: dict[str, int] = field(default_factory=dict)
    idf: list[float] = field(default_factory=list)
    coefficients: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def won(self) -> list[str]:
        return [f.code for f in self.figures if f.won]


def f1_score(truth: Sequence[bool], found: Sequence[bool]) -> float:
    tp = sum(1 for t, f in zip(truth, found, strict=True) if t and f)
    fp = sum(1 for t, f in zip(truth, found, strict=True) if f and not t)
    fn = sum(1 for t, f in zip(truth, found, strict=True) if t and not f)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    # min_df 2: a word seen once says nothing a second comment can use.
    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)


def _classifier() -> Any:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    # Balanced: a theme on one comment in ten must not be learnt as "never".
    return LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)


def train(
    texts: Sequence[str],
    labels: Sequence[set[str]],
    lexicon: Sequence[set[str]],
    *,
    folds: int = FOLDS,
    seed: int = SEED,
    margin: float = MARGIN,
) -> Trained:
    """Cross-validate each theme, then fit the themes the model wins on every comment.

    ``labels``: each comment's effective themes (the corrections applied); ``lexicon``: the
    themes the lexicon gives the same comment."""
    import numpy as np
    from sklearn.model_selection import KFold  # type: ignore[import-untyped]

    n = len(texts)
    truth = {code: np.array([code in lab for lab in labels]) for code in LEARNT}
    tryable = [c for c in LEARNT if MIN_EACH <= truth[c].sum() <= n - MIN_EACH]
    predicted = {code: np.zeros(n, dtype=bool) for code in tryable}
    if tryable:
        splits = KFold(n_splits=folds, shuffle=True, random_state=seed).split(np.arange(n))
        for train_rows, test_rows in splits:
            vectorizer = _vectorizer()
            x_train = vectorizer.fit_transform([texts[i] for i in train_rows])
            x_test = vectorizer.transform([texts[i] for i in test_rows])
            for code in tryable:
                y = truth[code][train_rows]
                if y.all() or not y.any():
                    predicted[code][test_rows] = bool(y[0])
                    continue
                model = _classifier().fit(x_train, y)
                predicted[code][test_rows] = model.predict(x_test).astype(bool)
    figures = []
    for code in LEARNT:
        lexicon_f1 = f1_score(list(truth[code]), [code in lex for lex in lexicon])
        model_f1 = f1_score(list(truth[code]), list(predicted[code])) if code in tryable else None
        won = model_f1 is not None and model_f1 >= lexicon_f1 + margin
        figures.append(ThemeFigures(code, int(truth[code].sum()), model_f1, lexicon_f1, won))
    trained = Trained(n, figures)
    if trained.won:
        vectorizer = _vectorizer()
        x = vectorizer.fit_transform(list(texts))
        trained.vocabulary = {str(t): int(i) for t, i in vectorizer.vocabulary_.items()}
        trained.idf = [float(v) for v in vectorizer.idf_]
        for code in trained.won:
            model = _classifier().fit(x, truth[code])
            trained.coefficients[code] = {
                "weights": [round(float(w), 6) for w in model.coef_[0]],
                "intercept": float(model.intercept_[0]),
            }
    return trained


def features(text: str, vocabulary: dict[str, int], idf: Sequence[float]) -> dict[int, float]:
    """The comment's TF-IDF row, as scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True)`` would give it: column -> value, for the terms in the vocabulary."""
    words = _TOKEN.findall(text.lower())
    terms = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    counts = Counter(t for t in terms if t in vocabulary)
    row = {vocabulary[t]: (1.0 + math.log(c)) * idf[vocabulary[t]] for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in row.values()))
    return {k: v / norm for k, v in row.items()} if norm else {}


@dataclass(frozen=True)
class Decision:
    code: str
    present: bool
    probability: float
    words: list[str]  # the terms that weighed most towards the theme, heaviest first


def predict(
    text: str,
    vocabulary: dict[str, int],
    idf: Sequence[float],
    coefficients: dict[str, dict[str, Any]],
) -> list[Decision]:
    """The model's decision on each theme it won, with the words that weighed most."""
    row = features(text, vocabulary, idf)
    terms = {i: t for t, i in vocabulary.items() if i in row}
    found = []
    for code, model in coefficients.items():
        weights = model["weights"]
        pushes = {i: v * weights[i] for i, v in row.items()}
        score = sum(pushes.values()) + float(model["intercept"])
        probability = 1.0 / (1.0 + math.exp(-score))
        heaviest = sorted((i for i, p in pushes.items() if p > 0), key=lambda i: -pushes[i])
        found.append(
            Decision(code, probability >= 0.5, probability, [terms[i] for i in heaviest[:EXPLAIN]])
        )
    return found
