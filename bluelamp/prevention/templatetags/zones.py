"""Figures of the prevention pages."""

from django import template

register = template.Library()


@register.filter
def days(hours: float | None) -> str:
    """Hours as days to one place: 96.0 as "4.0"; a missing figure as a dash."""
    return "–" if hours is None else f"{hours / 24:.1f}"
