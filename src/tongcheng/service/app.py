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
``evaluating.py`` (the evaluate request), ``guard.py`` (the outer middleware), ``front.py``
(``POST /v1/evaluate`` answered before FastAPI's stack, with the same headers), ``openapi.py``,
``page/`` (the caseworker page), ``answer.py`` (the evaluation's bytes).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from tongcheng import __version__
from tongcheng.api import bundled_pack
from tongcheng.pack.loader import load_pack
from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry, default_registry
from tongcheng.service import catalog, openapi, routers
from tongcheng.service.answer import AnswerWriter
from tongcheng.service.deps import (
    ANSWERED,
    API,
    BODY_TIMEOUT,
    MAX_BATCH_BODY,
    MAX_BODY,
    ClientGone,
    Settings,
    dumps,
    error_response,
    internal_error,
    json_default,
    narrow,
    problems_response,
    request_lang,
)
from tongcheng.service.evaluating import check_writer
from tongcheng.service.front import Front, Service
from tongcheng.service.guard import Guard
from tongcheng.service.observe import Metrics
from tongcheng.service.refused import http_problem, parameter_problem
from tongcheng.service.routing import allowed, slash_twin

log = logging.getLogger("tongcheng.service")

GZIP_FROM = 4096  # bytes: smaller answers go as they are (gzip costs more than it saves)
GZIP_LEVEL = 5
# The headers a browser page on an allowed origin may read.
EXPOSED = ["X-Request-Id", "X-Situation-Digest", "X-Rule-Pack", "X-Rule-Pack-Digest",
           "X-Tongcheng-Version", "Content-Language", "ETag", "X-Batch-Items"]

HERE = Path(__file__).resolve().parent


def create_app(
    pack: RulePack | str | Path | None = None,
    *,
    registry: PlaceRegistry | None = None,
    max_body: int = MAX_BODY,
    body_timeout: float = BODY_TIMEOUT,
    cors_origins: Sequence[str] = (),
    access_log: bool = False,
    recording: Any = None,
) -> FastAPI:
    """The service around one rule pack (the bundled one by default, or a pack folder).

    ``cors_origins``: the origins (``https://portal.example.cn``) whose pages may call the API
    from a browser; none by default. ``access_log``: one JSON line per request.
    ``recording`` (``tongcheng.records.writer.RecordingSettings``) records every decision;
    by default the environment decides (``TONGCHENG_RECORDS``: see that module)."""
    if pack is None:
        pack = bundled_pack()
    elif not isinstance(pack, RulePack):
        pack = load_pack(pack)
    registry = registry or default_registry()
    writer = AnswerWriter(dumps, json_default, narrow)
    check_writer(writer, pack, registry)

    app = Service(
        title="tongcheng 同城",
        version=__version__,
        summary="Same-city treatment across Shandong's integration zones, as cited rules.",
        description=openapi.DESCRIPTION,
        openapi_url=f"{API}/openapi.json",
        docs_url=None,  # routers.meta serves it, with its own Content-Security-Policy
        redoc_url=None,
        redirect_slashes=False,  # (routing.slash_twin: the redirect names the path alone)
    )
    app.state.pack, app.state.registry = pack, registry
    app.state.answer_writer = writer
    app.state.settings = Settings(max_body=max_body, body_timeout=body_timeout)
    app.state.recorder = _recorder(pack, recording)
    app.state.metrics = Metrics()
    _answer_errors(app)
    for router in routers.routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.openapi = lambda: openapi.document(app)  # type: ignore[method-assign]
    _wrap(app, pack, max_body, cors_origins, access_log)
    return app


def _wrap(app: Service, pack: RulePack, max_body: int, cors_origins: Sequence[str],
          access_log: bool) -> None:
    """The layers around the routes, innermost first: the guard (sizes, time, headers naming
    the pack, metrics, access log), gzip, CORS outermost; and the front lane doing the same
    work for POST /v1/evaluate in one place."""
    metrics = app.state.metrics
    info = catalog.pack_info(pack)
    headers = [
        (b"x-tongcheng-version", __version__.encode()),
        (b"x-rule-pack", f"{info['name']} {info['version']}".encode()),
        (b"x-rule-pack-digest", info["digest"].encode()),
    ]
    app.add_middleware(Guard, limit=max_body, headers=headers,
                       limits={f"{API}/evaluate/batch": MAX_BATCH_BODY, "/": None,
                               f"{API}/records/reopen": None},  # the page's: said in its words
                       metrics=metrics,
                       salt=f"{info['digest']} {__version__}".encode(), access_log=access_log)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_FROM, compresslevel=GZIP_LEVEL)
    # POST /v1/evaluate: the same work as the stack above, in one place (front.py)
    app.front = Front(app.state, limit=max_body, headers=headers, metrics=metrics,
                      access_log=access_log, gzip_from=GZIP_FROM, gzip_level=GZIP_LEVEL,
                      cors=bool(cors_origins))
    if cors_origins:  # outermost: a preflight is answered before anything else
        app.add_middleware(
            CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Accept-Language", "X-Request-Id", "If-None-Match"],
            expose_headers=EXPOSED, max_age=600,
        )


def _recorder(pack: RulePack, recording: Any) -> Any:
    """Recording on (a store's URL configured) or off (None)."""
    if recording is None:
        import os

        if not os.environ.get("TONGCHENG_RECORDS"):
            return None
        from tongcheng.records.writer import RecordingSettings

        recording = RecordingSettings.from_environment()
    from tongcheng.records.writer import Recorder

    return Recorder(recording, pack)


def _answer_errors(app: FastAPI) -> None:
    """Every error answers ``{"problems": [...]}``: tongcheng's own, FastAPI's validation of
    query and path parameters, unknown routes and methods, and (logged) anything else; each in
    the request's language (an error carries the body's ``lang`` where a route read it, else
    ``request_lang``: the query's, the Accept-Language header's, or zh)."""

    async def tongcheng_error(request: Request, exc: Exception) -> Response:
        response = error_response(exc, request_lang(request.scope))
        assert response is not None
        return response

    for error in ANSWERED:
        app.add_exception_handler(error, tongcheng_error)

    async def bad_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [parameter_problem(error) for error in exc.errors()]
        return problems_response(422, problems, lang=request_lang(request.scope))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        routes = request.app.router.routes
        twin = slash_twin(request.scope, routes) if exc.status_code == 404 else None
        if twin is not None:  # /v1/rules/ → /v1/rules, named relative to where it was asked
            return RedirectResponse(twin, status_code=307)
        response = problems_response(exc.status_code, [http_problem(exc.status_code, exc.detail)],
                                     lang=request_lang(request.scope))
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405 and (allow := allowed(request.scope, routes)):
            response.headers["allow"] = allow
        return response

    async def client_gone(_request: Request, _exc: Exception) -> Response:
        return Response(status_code=400)  # never sent: the client has left

    async def unexpected(request: Request, exc: Exception) -> Response:  # pragma: no cover
        log.exception("unexpected error", exc_info=exc)
        return internal_error(request_lang(request.scope))

    app.add_exception_handler(ClientGone, client_gone)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


# The server's thread switch interval: a request decided in a worker thread (a large body)
# gives the event loop the interpreter back within a millisecond instead of Python's 5, so
# light requests (health, small evaluations) stay quick meanwhile. Set by the server entry
# points (``tongcheng serve``, its worker processes), never by ``create_app``.
SWITCH_INTERVAL = 0.001


def tune_server_process() -> None:
    sys.setswitchinterval(SWITCH_INTERVAL)


def app_from_environment() -> FastAPI:
    """The app for worker processes: the pack folder named by ``TONGCHENG_PACK``, if any, with
    the overlays named by ``TONGCHENG_OVERLAYS`` (separated by the path separator)."""
    import os

    tune_server_process()
    timeout = float(os.environ.get("TONGCHENG_BODY_TIMEOUT") or BODY_TIMEOUT)
    origins = [o for o in os.environ.get("TONGCHENG_CORS_ORIGINS", "").split() if o]
    overlays = [o for o in os.environ.get("TONGCHENG_OVERLAYS", "").split(os.pathsep) if o]
    pack = os.environ.get("TONGCHENG_PACK") or None
    return create_app(load_pack(pack, overlays=overlays) if overlays else pack,
                      body_timeout=timeout, cors_origins=origins,
                      access_log=os.environ.get("TONGCHENG_ACCESS_LOG") == "1")
