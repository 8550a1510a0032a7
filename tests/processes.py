"""The environment for a child process a test starts (serve, worker, a command).

``bluelamp serve`` and ``worker`` refuse the built-in keys with DEBUG off, as production must;
children get keys of their own (obviously not secret) and never the developer's Sentry DSN."""

import os


def child_env() -> dict[str, str]:
    env = {
        **os.environ,
        "SECRET_KEY": "tests-child-process-key-not-secret-" + "x" * 30,
        "PERSON_KEY_SECRET": "tests-child-process-person-key-not-secret-" + "y" * 30,
    }
    env.pop("SENTRY_DSN", None)
    return env
