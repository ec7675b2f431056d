"""Property-based run of schemathesis against the OpenAPI document the service publishes:
generated requests for every operation, valid and invalid, must never meet a server error, and
every answer must conform to the document (status codes, content types, response schemas).
The batch endpoint's NDJSON is sent and read as a list of lines (one JSON value each)."""

from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from servicetools import test_client

from tongcheng.service import create_app

NDJSON = "application/x-ndjson"


@schemathesis.serializer(NDJSON)
def _ndjson_out(_ctx, value) -> bytes:
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


@schemathesis.deserializer(NDJSON)
def _ndjson_in(_ctx, response) -> list:
    return [json.loads(line) for line in response.content.splitlines() if line.strip()]


BATCH = "/v1/evaluate/batch"
APP = create_app()
# The coverage phase posts batches at their item limit, 1,000 situations each, again and again
# (minutes on a busy machine): for the batch endpoint, examples and fuzzing only; the limit
# itself is tested in test_service_batch.py.
CONFIG = SchemathesisConfig.from_dict(
    {"operations": [{"include-path": BATCH, "phases": {"coverage": {"enabled": False}}}]})
schema = schemathesis.openapi.from_asgi("/v1/openapi.json", APP, config=CONFIG)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.exclude(path=BATCH).parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate(checks=CHECKS)


@schema.include(path=BATCH).parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_batch_endpoint_conforms_to_its_openapi_document(case):
    """Fewer examples: a generated batch may hold 1,000 situations (seconds each time)."""
    case.call_and_validate(checks=CHECKS, timeout=120)


def test_the_document_is_the_one_served():
    with test_client(APP) as c:
        served = c.get("/v1/openapi.json").json()
    assert served["paths"].keys() == schema.raw_schema["paths"].keys()
