"""The ASGI app: the ``/v1`` JSON API for portals and the caseworker page at ``/``.

``create_app(pack)`` holds one compiled rule pack and the place registry, both immutable, in
``app.state`` (the routers read them through ``deps.PackDep`` and ``deps.RegistryDep``); the
app keeps no other state between requests. Every tongcheng error is mapped to an answer that
names the problem (422 invalid input, 404 unknown id, 409 a defect of the rule pack, 413 an
oversized body); no input makes an endpoint answer 500.

Responses carry ``X-Tongcheng-Version``, ``X-Rule-Pack`` and ``X-Rule-Pack-Digest``; an
evaluation also carries ``X-Situation-Digest`` (sha256 of the validated situation in canonical
JSON), so a stored answer can be traced back to exactly which facts and which rules made it.

Where things are: ``routers/`` (one module per resource), ``deps.py`` (what routers share),
``evaluating.py`` (the evaluate request), ``guard.py`` (the outer middleware), ``openapi.py``,
``page/`` (the caseworker page), ``answer.py`` (the evaluation's bytes).
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from tongcheng import __version__
from tongcheng.api import bundled_pack
from tongcheng.errors import Problem
from tongcheng.pack.loader import load_pack
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry, default_registry
from tongcheng.service import catalog, openapi, routers
from tongcheng.service.answer import AnswerWriter
from tongcheng.service.deps import (
    ANSWERED,
    API,
    BODY_TIMEOUT,
    MAX_BODY,
    ClientGone,
    Settings,
    dumps,
    error_response,
    json_default,
    problems_response,
)
from tongcheng.service.evaluating import check_writer
from tongcheng.service.guard import Guard
from tongcheng.service.routers.evaluate import LANES

log = logging.getLogger("tongcheng.service")

HERE = Path(__file__).resolve().parent


def create_app(
    pack: RulePack | str | Path | None = None,
    *,
    registry: PlaceRegistry | None = None,
    max_body: int = MAX_BODY,
    body_timeout: float = BODY_TIMEOUT,
) -> FastAPI:
    """The service around one rule pack (the bundled one by default, or a pack folder)."""
    if pack is None:
        pack = bundled_pack()
    elif not isinstance(pack, RulePack):
        pack = load_pack(pack)
    registry = registry or default_registry()
    writer = AnswerWriter(dumps, json_default)
    check_writer(writer, pack, registry)

    app = FastAPI(
        title="tongcheng 同城",
        version=__version__,
        summary="Same-city treatment across Shandong's integration zones, as cited rules.",
        description=openapi.DESCRIPTION,
        openapi_url=f"{API}/openapi.json",
        docs_url=None,  # routers.meta serves it, with its own Content-Security-Policy
        redoc_url=None,
    )
    app.state.pack, app.state.registry = pack, registry
    app.state.answer_writer = writer
    app.state.settings = Settings(max_body=max_body, body_timeout=body_timeout)
    _answer_errors(app)
    for router in routers.routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.openapi = lambda: openapi.document(app)  # type: ignore[method-assign]
    info = catalog.pack_info(pack)
    headers = [
        (b"x-tongcheng-version", __version__.encode()),
        (b"x-rule-pack", f"{info['name']} {info['version']}".encode()),
        (b"x-rule-pack-digest", info["digest"].encode()),
    ]
    app.add_middleware(Guard, limit=max_body, headers=headers, lanes=LANES)
    return app


def _answer_errors(app: FastAPI) -> None:
    """Every error answers ``{"problems": [...]}``: tongcheng's own, FastAPI's validation of
    query and path parameters, unknown routes and methods, and (logged) anything else."""

    async def tongcheng_error(_request: Request, exc: Exception) -> Response:
        response = error_response(exc)
        assert response is not None
        return response

    for error in ANSWERED:
        app.add_exception_handler(error, tongcheng_error)

    async def bad_request(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = []
        for error in exc.errors():
            loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")]
            problems.append(Problem(".".join(loc), str(error.get("msg", "invalid"))))
        return problems_response(422, problems)

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        response = problems_response(exc.status_code, [Problem("", str(exc.detail))])
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def client_gone(_request: Request, _exc: Exception) -> Response:
        return Response(status_code=400)  # never sent: the client has left

    async def unexpected(_request: Request, exc: Exception) -> Response:  # pragma: no cover
        log.exception("unexpected error", exc_info=exc)
        return problems_response(500, [Problem("", "internal error; the log has the details")])

    app.add_exception_handler(ClientGone, client_gone)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def app_from_environment() -> FastAPI:
    """The app for worker processes: the pack folder named by ``TONGCHENG_PACK``, if any."""
    import os

    timeout = float(os.environ.get("TONGCHENG_BODY_TIMEOUT") or BODY_TIMEOUT)
    return create_app(os.environ.get("TONGCHENG_PACK") or None, body_timeout=timeout)
