"""What every router shares: the app's rule pack and registry as dependencies (``PackDep``,
``RegistryDep``), JSON in and out, the problem answers, and body reading within a limit.

One module that routers, the page and the middleware all import, and that imports none of
them: the routers depend on it, never on each other or on ``app.py``.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import attrs
from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse

from tongcheng.errors import Problem, RuleConflict, SituationError, TongchengError
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry
from tongcheng.service import schemas as s
from tongcheng.service.answer import AnswerWriter
from tongcheng.situation import no_duplicate_keys

API = "/v1"
MAX_BODY = 256 * 1024


@attrs.frozen
class Settings:
    """How one app is configured (``create_app``'s options)."""

    max_body: int = MAX_BODY


# --- dependencies -------------------------------------------------------------------------------


def get_pack(request: Request) -> RulePack:
    return request.app.state.pack


def get_registry(request: Request) -> PlaceRegistry:
    return request.app.state.registry


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_writer(request: Request) -> AnswerWriter:
    return request.app.state.answer_writer


PackDep = Annotated[RulePack, Depends(get_pack)]
RegistryDep = Annotated[PlaceRegistry, Depends(get_registry)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LangQuery = Annotated[
    Literal["zh", "en"], Query(description="language of readings in the basis")
]


# --- errors -------------------------------------------------------------------------------------


class PayloadTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"request body larger than {limit} bytes")


class NotFound(Exception):
    def __init__(self, path: str, message: str) -> None:
        self.path, self.message = path, message
        super().__init__(message)


def problems_doc(description: str) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry for a problems answer."""
    return {"model": s.ProblemsOut, "description": description}


INVALID = {422: problems_doc("Invalid input: every problem named by its path")}


# --- JSON in and out ----------------------------------------------------------------------------


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def dumps(data: Any) -> bytes:
    return json.dumps(
        data, ensure_ascii=False, separators=(",", ":"), default=json_default
    ).encode("utf-8")


class JSON(JSONResponse):
    """A JSON response written with the standard library (Decimal- and date-safe, compact,
    UTF-8 rather than escapes)."""

    def render(self, content: Any) -> bytes:
        return dumps(content)


def problems_response(status: int, problems: list[Problem], **extra: Any) -> JSON:
    body = {"problems": [{"path": p.path, "message": p.message} for p in problems], **extra}
    return JSON(body, status_code=status)


def error_response(exc: Exception) -> JSON | None:
    """The answer for an error tongcheng raises on purpose (None for any other error)."""
    if isinstance(exc, PayloadTooLarge):
        return problems_response(413, [Problem("", str(exc))])
    if isinstance(exc, NotFound):
        return problems_response(404, [Problem(exc.path, exc.message)])
    if isinstance(exc, SituationError):
        return problems_response(422, exc.problems)
    if isinstance(exc, RuleConflict | RuleError):
        return problems_response(409, [Problem("", str(exc))], rule=exc.rule)
    if isinstance(exc, TongchengError):
        return problems_response(422, [Problem("", str(exc))])
    return None


ANSWERED = (TongchengError, PayloadTooLarge, NotFound)  # the errors error_response answers


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json(raw: bytes) -> Any:
    """The request body as JSON (exact decimals, no duplicate keys), or SituationError."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SituationError([Problem("", f"not UTF-8 text (byte {exc.start})")]) from None
    if not text.strip():
        raise SituationError([Problem("", "empty body: expected a JSON object")])
    try:
        return json.loads(
            text,
            object_pairs_hook=no_duplicate_keys,
            parse_float=Decimal,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}: "
        raise SituationError([Problem("", f"{where}not valid JSON: {exc.msg}")]) from None
    except (ValueError, RecursionError) as exc:
        raise SituationError([Problem("", f"not valid JSON: {exc}")]) from None


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refusing more than ``limit`` bytes even when no Content-Length was sent."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(limit)
    return bytes(body)
