"""Figures as a supervisor reads them."""

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.314 as "31%"; a missing figure as a dash."""
    return "–" if value is None else f"{value:.0%}"


@register.filter
def whole(value: float | None) -> str:
    """12.6 as "13"; a missing figure as a dash."""
    return "–" if value is None else f"{value:,.0f}"
