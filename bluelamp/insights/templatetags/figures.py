"""Figures as a supervisor reads them."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.314 as "31%"; a missing figure as a dash."""
    return "–" if value is None else f"{value:.0%}"


@register.filter
def pct1(value: float | None) -> str:
    """0.0571 as "5.7%" (charge rates are small); a missing figure as a dash."""
    return "–" if value is None else f"{value:.1%}"


@register.filter
def whole(value: float | None) -> str:
    """12.6 as "13"; a missing figure as a dash."""
    return "–" if value is None else f"{value:,.0f}"


@register.filter
def words(value: object) -> str:
    """A code as words: "older_person_liaison" as "older person liaison"; lists joined."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value).replace("_", " ")


@register.filter
def deadline(value: dt.datetime | None) -> str:
    """A Victims' Code deadline: midnight is shown as the end of the day before it."""
    if value is None:
        return "–"
    local = timezone.localtime(value)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"end of {local - dt.timedelta(days=1):%a %-d %b %Y}"
    return f"{local:%a %-d %b %Y %H:%M}"


@register.filter
def theme(code: str) -> str:
    """A theme code as its label: "not_informed" as "Not kept informed"."""
    from bluelamp.insights.text import THEMES

    return THEMES.get(code, code)


@register.filter
def get_item(mapping: dict[object, str], key: object) -> str:
    return mapping.get(key, "")


@register.filter
def themes_missing(themes: list[dict[str, object]]) -> list[str]:
    """The themes a supervisor may add to a comment: those it is not under yet."""
    from bluelamp.insights.themes import CORRECTABLE

    present = {t.get("code") for t in themes}
    return [code for code in CORRECTABLE if code not in present]
