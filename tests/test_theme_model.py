"""The force's own theme model, from synthetic corrections: it replaces the lexicon for a theme
only where cross-validation shows it scores better, explains itself by the words that weighed
most, and is stored as plain JSON that gives the same answers as scikit-learn."""

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from bluelamp.care.models import NeedsReview
from bluelamp.forces.models import Force, User
from bluelamp.insights import theme_model
from bluelamp.insights.models import ThemeModel
from bluelamp.insights.text import analyse
from bluelamp.insights.themes import theme_correct, theme_model_train, theme_models_train_all
from bluelamp.ops.schedule import DAILY
from bluelamp.surveys.models import Response
from tests.helpers import answer

PLACES = ["shed", "garden", "car", "flat", "shop", "garage", "van", "bike", "house", "office"]
DAYS = ["Monday", "Tuesday", "Friday", "Sunday", "the weekend", "last night"]
FILLER = [
    "I reported the {place} break in on {day}.",
    "It was about my {place}, {day}.",
    "Called about the {place} on {day}.",
    "The {place} was damaged on {day}.",
]
# The force's callers say a car "never materialised": a cue no lexicon knows.
ABSENT = ["The patrol never materialised.", "The car never materialised at all."]
PRAISE = ["Thank you, brilliant officer.", "Great help from the officer."]


def synthetic(n: int, seed: int) -> tuple[list[str], list[set[str]], list[bool]]:
    """Comments with the themes a force's supervisors gave them, and whether the praise label
    was flipped (the noise). attendance's true cue is "materialised", which the lexicon does
    not know; praise is what the lexicon reads, with 15% of labels flipped at random."""
    rng = random.Random(seed)
    texts, labels, flipped = [], [], []
    for _ in range(n):
        parts = [rng.choice(FILLER).format(place=rng.choice(PLACES), day=rng.choice(DAYS))]
        themes = set()
        if rng.random() < 0.35:
            parts.append(rng.choice(ABSENT))
            themes.add("attendance")
        if rng.random() < 0.4:
            parts.append(rng.choice(PRAISE))
            themes.add("praise")
        flip = rng.random() < 0.15
        if flip:
            themes ^= {"praise"}
        rng.shuffle(parts)
        texts.append(" ".join(parts))
        labels.append(themes)
        flipped.append(flip)
    return texts, labels, flipped


def lexicon_of(texts: list[str]) -> list[set[str]]:
    return [{t.code for t in analyse(text).themes} - {"other"} for text in texts]


def test_the_model_replaces_the_lexicon_only_where_it_scores_better() -> None:
    texts, labels, _ = synthetic(300, seed=1)
    lexicon = lexicon_of(texts)
    trained = theme_model.train(texts, labels, lexicon)
    figures = {f.code: f for f in trained.figures}
    assert trained.won == ["attendance"]
    # attendance: the lexicon finds none of it, the model nearly all.
    assert figures["attendance"].lexicon_f1 == 0.0
    assert figures["attendance"].model_f1 is not None and figures["attendance"].model_f1 > 0.9
    # praise: the lexicon is right and the labels noisy, so the model cannot do better.
    praise = figures["praise"]
    assert praise.model_f1 is not None and praise.model_f1 < praise.lexicon_f1 + theme_model.MARGIN
    assert praise.lexicon_f1 > 0.75
    # Themes nobody labelled are not tried.
    assert figures["outcome"].model_f1 is None and not figures["outcome"].won
    assert set(trained.coefficients) == {"attendance"}


def test_a_lexicon_beaten_nowhere_keeps_every_theme() -> None:
    texts, labels, _ = synthetic(300, seed=2)
    without_absent = [
        (t, lab - {"attendance"}) for t, lab in zip(texts, labels, strict=True) if "materi" not in t
    ]
    kept = [t for t, _ in without_absent]
    trained = theme_model.train(kept, [lab for _, lab in without_absent], lexicon_of(kept))
    assert trained.won == []
    assert trained.coefficients == {} and trained.vocabulary == {}


def test_the_stored_numbers_give_scikit_learns_answers() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels, _ = synthetic(200, seed=3)
    trained = theme_model.train(texts, labels, lexicon_of(texts))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
    model.fit(x, [("attendance" in lab) for lab in labels])
    probe = ["Nobody came, the car never materialised on Friday.", "Thanks for the shed visit."]
    expected = model.predict_proba(vectorizer.transform(probe))[:, 1]
    got = [
        theme_model.predict(t, trained.vocabulary, trained.idf, trained.coefficients)[0]
        for t in probe
    ]
    assert np.allclose([d.probability for d in got], expected, atol=1e-4)
    assert got[0].present and "materialised" in got[0].words
    assert not got[1].present


@pytest.mark.django_db
@pytest.mark.slow(reason="about 6 s: 120 responses stored and corrected through the services")
def test_a_force_trains_on_its_corrections_and_its_model_decides_attendance(
    force: Force,
    other_force: Force,
    alice: User,
    dave: User,
    login: Callable[[User], Client],
    settings: Any,
) -> None:
    settings.THEME_MODEL_MIN_CORRECTIONS = 120
    texts, labels, _ = synthetic(120, seed=4)
    now = timezone.now()
    assert theme_model_train(force=force, now=now) is None  # nothing corrected yet
    for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
        # "the wait" makes the lexicon say waiting, which the supervisor removes from every
        # comment; so every comment is corrected, and then given its other themes.
        response = answer(force, f"SYN-{i}", 4, comment=f"{text} The wait was fine.", team="team-a")
        response = Response.objects.get(pk=response.pk)
        found = {t["code"] for t in response.themes} - {"other"}
        for code in sorted(found - label):
            theme_correct(response=response, code=code, added=False, user=alice, now=now)
        for code in sorted(label - found):
            theme_correct(response=response, code=code, added=True, user=alice, now=now)
    summary = DAILY["train-theme-models"](now)
    assert summary == f"theme models trained for 1 force(s): {force.slug}"
    model = ThemeModel.objects.get(force=force)
    assert model.won == ["attendance"] and model.comments == 120
    assert not ThemeModel.objects.filter(force=other_force).exists()
    assert theme_models_train_all(now=now).startswith("theme models trained for 1")

    # A new comment of this force: attendance by the model, explained by its words; the
    # lexicon still reads praise; a safeguarding phrase still reaches a person.
    response = answer(
        force, "NEW-1", 2, comment="Thank you. The car never materialised and I'm scared."
    )
    themes = {t["code"]: t for t in response.themes}
    assert set(themes) == {"attendance", "praise"}
    assert themes["attendance"]["by"] == "model"
    assert "materialised" in " ".join(themes["attendance"]["evidence"])
    assert NeedsReview.objects.filter(response=response, reason="safeguarding").exists()
    # Another force's comment is read by the lexicon alone.
    other = answer(other_force, "NEW-2", 2, comment="The car never materialised.")
    assert [t["code"] for t in other.themes] == ["other"]

    # The administrator sees the figures; a supervisor does not.
    page = login(dave).get("/live/theme-model/")
    assert page.status_code == 200
    row = page.content.decode().split('data-testid="figures-attendance"')[1].split("</tr>")[0]
    assert "the model" in row
    assert login(alice).get("/live/theme-model/").status_code == 403
