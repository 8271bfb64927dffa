"""Schemathesis over the whole OpenAPI schema: no parameter of any endpoint may cause a server error.

Every operation of `/api/schema/`, called through the Django WSGI app as alice with her API token,
with schema-conforming and -violating values; the only check is `not_a_server_error`. Bounded for the
suite (a few derandomized examples per operation, no shrinking); `bench/fuzz_api.py` runs it larger.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from interviewmaker.wsgi import application
from tests.clients import api_key_for
from tests.factories import ApplicantFactory

# bench/fuzz_api.py raises it for a larger run and collects the counts in IM_FUZZ_REPORT.
EXAMPLES_PER_OPERATION = int(os.environ.get("IM_FUZZ_EXAMPLES", "3"))
REPORT = os.environ.get("IM_FUZZ_REPORT", "")


def _openapi() -> dict[str, Any]:
    """The document /api/schema/ serves, generated without a request (collection has no database)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(generated)))


schema = schemathesis.openapi.from_dict(_openapi())
schema.app = application


@pytest.fixture(autouse=True)
def _keep_the_test_connection(db):  # type: ignore[no-untyped-def]
    # As Django's test client does: the WSGI handler's request signals would close the test's
    # connection, and with it the transaction that holds the fixtures.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def alice_token(alice, job_posting) -> str:
    for _ in range(3):
        ApplicantFactory(job_posting=job_posting)
    return api_key_for(alice)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_parameter_causes_a_server_error(case, alice_token):  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Token {alice_token}"})
    if REPORT:
        with open(REPORT, "a") as report:
            report.write(f"{case.operation.label} {response.status_code}\n")
    case.validate_response(response, checks=[not_a_server_error])
