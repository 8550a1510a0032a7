"""Deployment checks of our own, beside Django's ``check --deploy``.

A deployment (DEBUG off) must not run on the built-in development keys: ``SECRET_KEY`` signs
sessions and password-reset links, and ``PERSON_KEY_SECRET`` keys the fingerprints of phone
numbers and emails that remember opt-outs, so a key anyone can read in the source lets anyone
forge a session or test whether a number has opted out. ``bluelamp serve`` and ``bluelamp
worker`` run these checks before starting and refuse to start on an error
(``refuse_development_keys``); other commands (``migrate``, ``demo``, ``runserver``...) do not.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.management.base import CommandError

DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me-in-production"  # noqa: S105


def development_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Errors naming each key still at its built-in value while DEBUG is off; a warning when
    PERSON_KEY_SECRET only falls back to SECRET_KEY (rotating that key would then forget
    every opt-out)."""
    if settings.DEBUG:
        return []
    problems: list[CheckMessage] = []
    for name in ("SECRET_KEY", "PERSON_KEY_SECRET"):
        if getattr(settings, name) == DEVELOPMENT_SECRET_KEY:
            problems.append(
                Error(
                    f"{name} is the built-in development key, and DEBUG is off.",
                    hint=f"Set {name} (or {name}_FILE) to a long random secret of its own, "
                    'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".',
                    id="bluelamp.E001",
                )
            )
    if not problems and settings.PERSON_KEY_SECRET == settings.SECRET_KEY:
        problems.append(
            Warning(
                "PERSON_KEY_SECRET is the same as SECRET_KEY.",
                hint="Set PERSON_KEY_SECRET to a secret of its own: rotating SECRET_KEY would "
                "otherwise change every phone and email fingerprint and forget the opt-outs.",
                id="bluelamp.W001",
            )
        )
    return problems


def refuse_development_keys(command: str) -> None:
    """Stop ``command`` (a long-running production process) on the built-in keys."""
    names = [m.msg.split()[0] for m in development_keys() if m.is_serious()]
    if names:
        raise CommandError(
            f"bluelamp {command} will not start: {' and '.join(names)} "
            f"{'is' if len(names) == 1 else 'are'} the built-in development key, and DEBUG "
            "is off. Set each (or NAME_FILE) to a long random secret of its own."
        )
