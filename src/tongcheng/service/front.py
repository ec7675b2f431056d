"""The service's front lane: ``POST /v1/evaluate`` answered before FastAPI's stack.

Every other request goes through FastAPI: its error middleware, its telemetry check (which
reads the environment and OpenTelemetry's providers on every request), its body-limit layer,
CORS, gzip, ``guard.Guard``, the exception middleware and the router, each a layer of ASGI
calls and header parsing. For the one endpoint a portal calls for every person, ``Front`` does
the same work in one place, on the ASGI messages themselves:

- ``Guard``'s: the request id (taken or made, echoed, in the logs), the 413 for a declared
  oversized body, the version, rule-pack and security headers, the metrics and the access log;
- ``GZipMiddleware``'s, as it does it: ``Vary: Accept-Encoding`` on answers of ``GZIP_FROM``
  bytes and more, compressed (same zlib stream, same level) when the request accepts gzip;
- the answers to tongcheng's errors (``deps.error_response``), and for any other error the
  app's 500 problem answer, logged, the error raised on to the server as Starlette does.

The bytes and headers are those the route gives through the whole stack (a test compares both
ways). A request that CORS must see (an ``Origin`` header while origins are configured) takes
the whole stack. Not seen by the lane: FastAPI's own OpenTelemetry instrumentation (tongcheng
configures none) and middleware added to the app after ``create_app``. About 0.05-0.1 ms of
CPU less per request (benchmarks/README.md, HTTP service).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from fastapi import FastAPI

from tongcheng.service.deps import (
    ANSWERED,
    API,
    ClientGone,
    error_response,
    internal_error,
    request_lang,
    too_large_response,
)
from tongcheng.service.evaluating import decided, not_recorded
from tongcheng.service.guard import API_CSP, SECURITY_HEADERS, Guard
from tongcheng.service.observe import REQUEST_ID, Metrics, Timer, request_id
from tongcheng.service.protocol import SEND_NOW

log = logging.getLogger("tongcheng.service")

PATH = f"{API}/evaluate"
THREAD_FROM = 128 * 1024  # bytes compressed in a worker thread, as GZipMiddleware does


class Service(FastAPI):
    """FastAPI with a front lane: ``front`` (when set) answers ``POST /v1/evaluate``."""

    front: Front | None = None

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        front = self.front
        if (front is not None and scope["type"] == "http" and scope["path"] == PATH
                and scope["method"] == "POST" and front.takes(scope)):
            await front(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class Front:
    """The evaluate lane (module doc). ``headers``: the version and rule-pack headers."""

    def __init__(
        self, state: Any, *, limit: int, headers: list[tuple[bytes, bytes]], metrics: Metrics,
        access_log: bool, gzip_from: int, gzip_level: int, cors: bool,
    ) -> None:
        self.state, self.limit, self.metrics = state, limit, metrics
        self.headers = [*headers, *SECURITY_HEADERS]
        self.access_log, self.cors = access_log, cors
        self.gzip_from, self.gzip_level = gzip_from, gzip_level

    def takes(self, scope: dict) -> bool:
        """False for a request CORS must answer (configured, and the request has an origin)."""
        return not self.cors or all(name != b"origin" for name, _ in scope["headers"])

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        rid = request_id(scope["headers"])
        token = REQUEST_ID.set(rid)
        timer = Timer(rid)
        try:
            try:
                if Guard.too_big(scope, self.limit):
                    response: Any = too_large_response(scope, self.limit)
                else:
                    response = await decided(self.state, scope, receive)
            except ClientGone:
                return
            except ANSWERED as exc:
                # in the lang the error carries (a SituationError: the body's), else the
                # query's or the header's (a refusal at the door never read the body)
                response = error_response(exc, request_lang(scope))
                if response is None:  # pragma: no cover - every such error has an answer
                    raise
            except Exception as exc:  # pragma: no cover - no input makes one (tests: fuzz)
                log.exception("unexpected error", exc_info=exc)
                await self.send(internal_error(request_lang(scope)), scope, send, timer)
                raise
            if getattr(response, "record", None) is not None:
                await self.send_recorded(response, scope, send, timer)
            else:
                await self.send(response, scope, send, timer)
        finally:
            REQUEST_ID.reset(token)
            timer.finish(scope, self.metrics, PATH, self.access_log)

    async def send(self, response: Any, scope: dict, send: Callable[[dict], Awaitable[None]],
                   timer: Timer) -> None:
        """The answer with Guard's headers, then gzip's (``GZipMiddleware``'s order)."""
        timer.status = status = response.status_code
        body = response.body
        headers = [*response.raw_headers, *self.headers,
                   (b"x-request-id", timer.rid.encode())]
        if not any(name == b"content-security-policy" for name, _ in response.raw_headers):
            headers.append(API_CSP)
        if len(body) >= self.gzip_from:
            vary = [i for i, (name, _) in enumerate(headers) if name == b"vary"]
            if vary:  # as MutableHeaders.add_vary_header: the first kept, extended
                headers[vary[0]] = (b"vary", headers[vary[0]][1] + b", Accept-Encoding")
                headers = [h for i, h in enumerate(headers) if i not in vary[1:]]
            else:
                headers.append((b"vary", b"Accept-Encoding"))
            if self.accepts_gzip(scope):
                body = await self.compress(body)
                headers = [(n, str(len(body)).encode()) if n == b"content-length" else (n, v)
                           for n, v in headers]
                headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def send_recorded(self, response: Any, scope: dict,
                            send: Callable[[dict], Awaitable[None]], timer: Timer) -> None:
        """Send an answer once its record is committed (recording on), sent from the callback
        that learns of the commit, not by waking this task: a woken task runs only at the
        event loop's next turn, after every request that turn holds has been decided (~1 ms
        each), which made a recorded answer wait ~6 ms at the median and ~30 ms at p99 for
        nothing (benchmarks/README.md, decision records)."""
        sent = asyncio.get_running_loop().create_future()
        # another server's send may need to run in a task (its own scheduling): woken then
        at_once = SEND_NOW in scope.get("extensions", ())

        def committed(exc: BaseException | None) -> None:
            if sent.done():  # the request was cancelled (client gone)
                return
            answered = response if exc is None else error_response(
                not_recorded(exc, response.headers.get("content-language")), request_lang(scope))
            if not at_once or len(answered.body) >= THREAD_FROM:  # sent by this task
                sent.set_result(answered)
                return
            run_now(self.send(answered, scope, send, timer), sent)

        self.state.recorder.when_committed(response.record, committed)
        answered = await sent
        if answered is not None:
            await self.send(answered, scope, send, timer)

    @staticmethod
    def accepts_gzip(scope: dict) -> bool:
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                return b"gzip" in value
        return False

    async def compress(self, body: bytes) -> bytes:
        if len(body) >= THREAD_FROM:
            return await anyio.to_thread.run_sync(self._gzip, body)
        return self._gzip(body)

    def _gzip(self, body: bytes) -> bytes:
        compressor = zlib.compressobj(self.gzip_level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        return compressor.compress(body) + compressor.flush()


def run_now(coroutine: Any, done: asyncio.Future) -> None:
    """Run ``coroutine`` here and now, up to its end (as Python 3.12's eager tasks start), and
    settle ``done`` with None or its error. Should it wait (a client that reads slowly pauses
    uvicorn's transport), it goes on when what it waits for is done."""
    try:
        waits = coroutine.send(None)
    except StopIteration:
        if not done.done():
            done.set_result(None)
        return
    except BaseException as exc:
        if not done.done():
            done.set_exception(exc)
        return
    if waits is None:  # a bare yield (``asyncio.sleep(0)``): go on at the next turn
        asyncio.get_running_loop().call_soon(run_now, coroutine, done)
    else:  # an asyncio future, as a task would await it
        waits._asyncio_future_blocking = False
        waits.add_done_callback(lambda _: run_now(coroutine, done))
