"""The OpenAPI document: FastAPI's, with the situation's own schema (from the model) inside
the evaluate request, and the rule pack named in ``info``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from tongcheng.service import catalog
from tongcheng.service import schemas as s
from tongcheng.situation import Situation

DESCRIPTION = (
    "Versioned API (`/v1`). Decisions are exactly the library's "
    "`Evaluation.to_json(lang)` (the contract's JSON), with the rule pack's name, "
    "version and digest in every answer and header, and the validated situation's "
    "digest in `X-Situation-Digest`. Invalid input answers 422 with every problem "
    "named by its path, as on the command line."
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
    spec["info"]["x-rule-pack"] = catalog.pack_info(app.state.pack)
    app.openapi_schema = spec
    return spec
