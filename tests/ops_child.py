"""Run by tests/test_ops_logs.py and tests/test_ops_sentry.py in a process of its own, with the
environment they choose (LOG_FORMAT, SENTRY_DSN), so that the real settings configure logging
and error reporting: a CSRF failure on a survey page, a page that raises, and a log line that
names a person. Prints nothing itself; the logs go to stderr."""

import logging
import sys

import django


def main(token: str) -> None:
    django.setup()
    from django.test import Client
    from django.test.utils import override_settings

    from tests.ops_urls import EMAIL, PHONE

    with override_settings(ROOT_URLCONF="tests.ops_urls"):
        # A survey answer posted without its CSRF cookie: Django's CSRF warning names the path.
        csrf = Client(enforce_csrf_checks=True).post(f"/s/{token}", {"whole_experience": "2"})
        assert csrf.status_code == 403, csrf.status_code
        # A page that raises: django.request logs the error with its traceback.
        failed = Client(raise_request_exception=False).get(
            f"/fails/{token}?phone={PHONE}&email={EMAIL}"
        )
        assert failed.status_code == 500, failed.status_code
    logging.getLogger("bluelamp.test").warning("texted %s and mailed %s", PHONE, EMAIL)
    try:
        import sentry_sdk

        sentry_sdk.flush(timeout=5)
    except ImportError:
        pass


if __name__ == "__main__":
    main(sys.argv[1])
