"""Schemathesis over the whole OpenAPI document, against the real app on a live server with a
valid token: valid and invalid requests to every operation get no server error, only statuses
the document lists, and bodies that match its schemas. A fixed seed and a bounded number of
examples keep it to about a minute; ``bench/fuzz.py`` runs the longer version."""

import re
from typing import Any

import pytest
import schemathesis

from bench.fuzz import fuzz, seed_data
from bluelamp.forces.models import ApiToken, Force, hash_token
from bluelamp.surveys.defaults import seed_defaults
from bluelamp.surveys.models import IncidentType, SurveyTemplate
from tests.browser import share_database_with

EXAMPLES = 40  # a mode and operation: about 1,600 requests in about a minute on two cores
SEED = 12


# A date and time at the very ends of what Python can hold (year 1 or 9999), with an offset
# that takes it past them in UTC.
EXTREME_MOMENT = re.compile(rb'"(0001|9999)-\d\d-\d\dT')


def set_aside(case: Any, response: Any, failure: Any) -> str | None:
    """Failures that another change on issue 12 fixes (branch badinput), each named: set
    aside and counted apart, so this test is green until that lands and fails on anything
    else. Remove each when badinput is merged.

    - A path parameter holding a line break matches no route, so Django's own HTML 404
      answers it; badinput's error handlers answer JSON under /api/.
    - A date such as 0001-01-01T00:00:00+01:00 overflows on conversion to UTC: a 500 until
      badinput refuses dates outside 1990 to 2100 by name.
    """
    content_type = response.headers.get("content-type", [""])[0]
    path = response.request.path_url.split("?", 1)[0].upper()
    if (
        response.status_code == 404
        and content_type.startswith("text/html")
        and ("%0A" in path or "%0D" in path)
    ):
        return "HTML 404 for a path with a line break (badinput: JSON 404 under /api/)"
    body = response.request.body or b""
    body = body.encode() if isinstance(body, str) else body
    if response.status_code == 500 and EXTREME_MOMENT.search(body):
        return "500 for a date in year 1 or 9999 (badinput: dates from 1990 to 2100)"
    return None


@pytest.mark.django_db(transaction=True)
def test_every_operation_survives_generated_requests(live_server: Any) -> None:
    share_database_with(live_server)
    seed_defaults(IncidentType, SurveyTemplate)  # an earlier transactional test may have flushed
    force = Force.objects.create(slug="fuzz", name="Fuzz Constabulary")
    token = ApiToken.generate()
    ApiToken.objects.create(force=force, name="fuzz", digest=hash_token(token), prefix=token[:8])
    seed_data(live_server.url, token)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    figures = fuzz(schema, token=token, examples=EXAMPLES, seed_value=SEED, skip=set_aside)
    print(figures.report())
    assert figures.operations >= 20
    assert figures.requests >= figures.operations * EXAMPLES
    assert figures.statuses[200] > 0 and figures.statuses[400] > 0
    assert not figures.failures, figures.report()
