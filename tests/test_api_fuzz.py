"""Schemathesis over the whole OpenAPI document, against the real app on a live server with a
valid token: valid and invalid requests to every operation get no server error, only statuses
the document lists, and bodies that match its schemas. A fixed seed and a bounded number of
examples keep it to about a minute; ``bench/fuzz.py`` runs the longer version."""

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


@pytest.mark.slow(reason="about 40 s: Schemathesis generates requests for every operation")
@pytest.mark.django_db(transaction=True)
def test_every_operation_survives_generated_requests(live_server: Any) -> None:
    share_database_with(live_server)
    seed_defaults(IncidentType, SurveyTemplate)  # an earlier transactional test may have flushed
    force = Force.objects.create(slug="fuzz", name="Fuzz Constabulary")
    token = ApiToken.generate()
    ApiToken.objects.create(force=force, name="fuzz", digest=hash_token(token), prefix=token[:8])
    seed_data(live_server.url, token)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    figures = fuzz(schema, token=token, examples=EXAMPLES, seed_value=SEED)
    print(figures.report())
    assert figures.operations >= 20
    assert figures.requests >= figures.operations * EXAMPLES
    assert figures.statuses[200] > 0 and figures.statuses[400] > 0
    assert not figures.failures, figures.report()
