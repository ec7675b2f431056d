"""``POST /v1/evaluate``: a situation's decisions, the contract's JSON.

The route documents the endpoint (OpenAPI); requests reach the service's front lane first
(``service.front``), which answers this method and path before FastAPI's middleware and router.
Both answer through ``evaluating.answer``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tongcheng.service import schemas as s
from tongcheng.service.deps import API, INVALID, JSON, problems_doc
from tongcheng.service.evaluating import answer

router = APIRouter(prefix=API, tags=["decisions"])

EXAMPLE = {
    "situation": {
        "as_of": "2025-06-01",
        "target": "370200",
        "insurance": [
            {"scheme": "employee_medical", "place": "370600", "from": "2000-01",
             "to": "2015-12"},
            {"scheme": "employee_medical", "place": "370200", "from": "2016-01",
             "to": "2025-05"},
        ],
    },
    "lang": "en",
    "trace": False,
}


@router.post(
    "/evaluate",
    summary="Decide every rule (or the chosen ones) for a situation",
    response_class=JSON,
    responses={
        200: {"model": s.EvaluationOut, "description": "The decisions (the contract's JSON)"},
        409: problems_doc("A defect of the rule pack met while evaluating; names the rule"),
        408: problems_doc("Body not received in time"),
        413: problems_doc("Body larger than the limit"),
        415: problems_doc("Body not sent as JSON"),
        **INVALID,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/EvaluateRequest"},
                    "example": EXAMPLE,
                }
            },
        }
    },
)
async def evaluate(request: Request) -> Response:
    """The contract's decisions (`Evaluation.to_json(lang)`): one per rule of the pack, in
    a stable order, with `questions` to ask next. `trace: false` leaves every decision's
    `reasons` empty (a smaller, faster answer; everything else is the same)."""
    return await answer(request.app.state, request.scope, request.receive)
