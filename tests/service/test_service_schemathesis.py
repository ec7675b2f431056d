"""Property-based run of schemathesis against the OpenAPI document the service publishes:
generated requests for every operation, valid and invalid, must never meet a server error, and
every answer must conform to the document (status codes, content types, response schemas)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from servicetools import test_client

from tongcheng.service import create_app

APP = create_app()
schema = schemathesis.openapi.from_asgi("/v1/openapi.json", APP)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate(checks=CHECKS)


def test_the_document_is_the_one_served():
    with test_client(APP) as c:
        served = c.get("/v1/openapi.json").json()
    assert served["paths"].keys() == schema.raw_schema["paths"].keys()
