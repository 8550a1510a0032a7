"""The themes of a comment as a force sees them: the lexicon's, a supervisor's corrections,
and the force's own model where it has earned its place.

A response's ``themes`` are always its effective themes, so every page, rule and count that
reads them sees a correction at once: ``theme_correct`` changes them, writes a
``ThemeCorrection`` and an audit record, and moves the theme counts, in one transaction.
``theme_model_train`` learns a force's model from its corrected comments (the worker runs it
nightly, ``ops.schedule``); ``comment_themes`` reads a new comment with the lexicon and, for
the themes the force's model won, with the model.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from bluelamp.audit.services import audit_record
from bluelamp.forces.models import Force, User
from bluelamp.insights import theme_model
from bluelamp.insights.models import ThemeCorrection, ThemeModel
from bluelamp.insights.rollups import theme_count_change
from bluelamp.insights.text import THEMES, analyse
from bluelamp.surveys.models import Response

# The themes a supervisor may add or remove ("other" is what a comment with none shows).
CORRECTABLE = tuple(code for code in THEMES if code != "other")


class ThemeError(ValueError):
    """A correction that cannot be made, in words for the supervisor."""


def _ordered(themes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_code = {t["code"]: t for t in themes if t.get("code") != "other"}
    found = [by_code[code] for code in THEMES if code in by_code]
    return found or [{"code": "other", "evidence": []}]


def theme_correct(
    *, response: Response, code: str, added: bool, user: User, now: dt.datetime
) -> ThemeCorrection:
    """Add a theme a comment is about, or remove one it is not: the response's effective
    themes change, the counts follow, and who did it is recorded and audited. The caller
    loads ``response`` through ``surveys.access`` (locked for update), in a transaction."""
    if code not in CORRECTABLE:
        raise ThemeError(f"{code!r} is not a theme")
    present = {t.get("code") for t in response.themes}
    if added and code in present:
        raise ThemeError(f"The comment is already under {THEMES[code].lower()}")
    if not added and code not in present:
        raise ThemeError(f"The comment is not under {THEMES[code].lower()}")
    with transaction.atomic():
        if added:
            themes = [*response.themes, {"code": code, "evidence": [], "by": "supervisor"}]
        else:
            themes = [t for t in response.themes if t.get("code") != code]
        response.themes = _ordered(themes)
        response.save(update_fields=["themes"])
        theme_count_change(response, code, added)
        change = ThemeCorrection.Change.ADDED if added else ThemeCorrection.Change.REMOVED
        correction = ThemeCorrection.objects.create(
            force_id=response.force_id, response=response, code=code, change=change, by=user, at=now
        )
        audit_record(
            force=response.force,
            action="update",
            obj=response,
            user=user,
            summary=f"theme {code} {change}",
        )
    return correction


# --- The force's model ----------------------------------------------------------------------


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[set[str]]
    lexicon: list[set[str]]


def labelled_set(force: Force) -> Labelled:
    """The force's corrected comments with their effective themes and the lexicon's reading
    (comments erased since are left out: there is nothing left to learn from)."""
    rows = (
        Response.objects.filter(force=force, theme_corrections__isnull=False)
        .exclude(comment="")
        .distinct()
        .order_by("pk")
        .values_list("comment", "themes", "language")
    )
    texts, labels, lexicon = [], [], []
    for comment, themes, language in rows.iterator(chunk_size=2000):
        texts.append(comment)
        labels.append({str(t["code"]) for t in themes} - {"other"})
        lexicon.append({t.code for t in analyse(comment, language).themes} - {"other"})
    return Labelled(texts, labels, lexicon)


def theme_model_train(*, force: Force, now: dt.datetime) -> ThemeModel | None:
    """Train the force's model on its corrections once there are enough
    (``THEME_MODEL_MIN_CORRECTIONS`` corrected comments); None, and any old model left as
    it was, when there are not."""
    found = labelled_set(force)
    if len(found.texts) < settings.THEME_MODEL_MIN_CORRECTIONS:
        return None
    trained = theme_model.train(found.texts, found.labels, found.lexicon)
    figures = {
        f.code: {
            "positives": f.positives,
            "model_f1": f.model_f1,
            "lexicon_f1": f.lexicon_f1,
            "won": f.won,
        }
        for f in trained.figures
    }
    model, _ = ThemeModel.objects.update_or_create(
        force=force,
        defaults={
            "trained_at": now,
            "comments": trained.comments,
            "figures": figures,
            "won": trained.won,
            "vocabulary": trained.vocabulary,
            "idf": trained.idf,
            "coefficients": trained.coefficients,
        },
    )
    return model


def theme_models_train_all(*, now: dt.datetime) -> str:
    """Every force's model, retrained (the worker's nightly duty): what was done, in words."""
    trained = [
        force.slug
        for force in Force.objects.order_by("pk")
        if theme_model_train(force=force, now=now) is not None
    ]
    return f"theme models trained for {len(trained)} force(s): {', '.join(trained) or 'none'}"


def comment_themes(
    comment: str, *, force_id: int, language: str
) -> tuple[float, list[dict[str, Any]]]:
    """A new comment's sentiment and themes: the lexicon's, except for the themes the
    force's model won, which the model decides (its evidence the words that weighed most)."""
    found = analyse(comment, language)
    themes: list[dict[str, Any]] = [{"code": t.code, "evidence": t.evidence} for t in found.themes]
    model = (
        ThemeModel.objects.filter(force_id=force_id)
        .exclude(won=[])
        .only("won", "vocabulary", "idf", "coefficients")
        .first()
    )
    if model is None:
        return found.sentiment, themes
    won = set(model.won)
    decisions = theme_model.predict(comment, model.vocabulary, model.idf, model.coefficients)
    themes = [t for t in themes if t["code"] not in won]
    themes += [{"code": d.code, "evidence": d.words, "by": "model"} for d in decisions if d.present]
    return found.sentiment, _ordered(themes)
