from django import template

from bluelamp.signin import oidc

register = template.Library()


@register.simple_tag
def force_sign_in_enabled() -> bool:
    """Whether the login page offers the force's identity provider (OIDC_RP_CLIENT_ID set)."""
    return oidc.is_enabled()
