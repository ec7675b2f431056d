"""The OpenAPI document: FastAPI's, with the situation's own schema (from the model) inside
the evaluate request, and the rule pack named in ``info``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from tongcheng.service import caching, catalog
from tongcheng.service import schemas as s
from tongcheng.situation import Situation

DESCRIPTION = (
    "Versioned API (`/v1`). Decisions are exactly the library's "
    "`Evaluation.to_json(lang)` (the contract's JSON), with the rule pack's name, "
    "version and digest in every answer and header, and the validated situation's "
    "digest in `X-Situation-Digest`. Invalid input answers 422 with every problem "
    "named by its path, as on the command line. Every 4xx answer, whatever the endpoint and "
    "whether the problem is in the body, the query or the path, has one shape: "
    "`{\"problems\": [{\"path\": …, \"message\": …}]}`. Texts come in one language: `lang` "
    "(body or query), else Accept-Language, else zh."
)


def document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    situation = Situation.model_json_schema(
        by_alias=True, mode="validation", ref_template="#/components/schemas/{model}"
    )
    components.update(situation.pop("$defs", {}))
    components["Situation"] = situation
    request = s.EvaluateRequest.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/{model}"
    )
    request["properties"]["situation"] = {"$ref": "#/components/schemas/Situation"}
    components["EvaluateRequest"] = request
    item = {**request, "title": "BatchItem",
            "properties": {**request["properties"], "id": {
                "type": ["string", "integer"], "maxLength": 200,
                "description": "echoed in the item's answer line"}},
            "description": "One request of a batch: an evaluate request with an optional id."}
    components["BatchItem"] = item
    spec["info"]["x-rule-pack"] = catalog.pack_info(app.state.pack)
    one_problem_format(spec)
    app.openapi_schema = spec
    return spec


PROBLEMS = {"$ref": "#/components/schemas/ProblemsOut"}


def one_problem_format(spec: dict[str, Any]) -> None:
    """Every operation answers every 4xx as ``{"problems": [{path, message}]}`` (query and
    path parameters included): say so for each, in place of FastAPI's own validation error."""
    components = spec["components"]["schemas"]
    components.setdefault("ProblemsOut", s.ProblemsOut.model_json_schema(
        ref_template="#/components/schemas/{model}"))
    for path, methods in spec["paths"].items():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            if path.startswith(caching.CACHED):
                responses["304"] = {"description": "Not modified: If-None-Match named the "
                                    "answer's ETag (it changes only with the rule pack)"}
            for code, response in responses.items():
                if code.startswith("4"):
                    response["content"] = {"application/json": {"schema": PROBLEMS}}
            responses.setdefault("4XX", {
                "description": "Refused: every problem named by its path (the same shape for "
                "every 4xx)", "content": {"application/json": {"schema": PROBLEMS}}})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
