"""The outer ASGI middleware: what every request meets before the router."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from tongcheng.service import caching
from tongcheng.service.deps import too_large_response
from tongcheng.service.observe import REQUEST_ID, Metrics, Timer, request_id, route_of

ASGIApp = Callable[..., Awaitable[None]]

# Every answer: no MIME sniffing, no framing, no referrer sent from the page or the docs.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
# A JSON answer loads nothing and may be framed by no one. The page and the API docs set
# their own policy (``page.view.PAGE_CSP``, ``routers.meta``); Guard adds this one elsewhere.
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


class Guard:
    """Pure ASGI middleware, around every request:

    - gives it an id (``X-Request-Id``, echoed, in every log line) and times it (metrics, and
      the JSON access log when ``access_log``);
    - refuses a declared oversized body with 413 before reading it (``limit``, or the path's
      own in ``limits``);
    - answers ``304`` to a revalidated GET of what changes only with the pack, and stamps
      those answers with ``ETag`` and ``Cache-Control`` (``caching``);
    - stamps every answer with the package and rule-pack versions and the security headers;
    - answers ``HEAD`` as ``GET`` (FastAPI's routes take only the methods they name, so a load
      balancer's ``HEAD /v1/health`` was 405): the route sees GET, and the server, whose own
      scope still says HEAD, sends the head alone (uvicorn does; RFC 9110 §9.3.2).

    ``POST /v1/evaluate`` meets the same in ``front.Front``, before FastAPI's stack.
    """

    def __init__(
        self, app: ASGIApp, *, limit: int, headers: list[tuple[bytes, bytes]],
        metrics: Metrics, salt: bytes, access_log: bool = False,
        limits: Mapping[str, int | None] | None = None,
    ) -> None:
        self.app, self.limit = app, limit
        self.headers = [*headers, *SECURITY_HEADERS]
        self.metrics, self.salt, self.access_log = metrics, salt, access_log
        # paths with their own body limit (None: the handler refuses in its own words)
        self.limits = dict(limits or {})

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = scope
        if scope["method"] == "HEAD":  # answered as GET; the server sends no body (see doc)
            scope = {**scope, "method": "GET"}
        rid = request_id(scope.get("headers", ()))
        token = REQUEST_ID.set(rid)
        timer = Timer(rid)
        headers = [*self.headers, (b"x-request-id", rid.encode())]
        tag = caching.etag(scope, self.salt) if caching.cacheable(scope) else None

        async def stamped(message: dict) -> None:
            if message["type"] == "http.response.start":
                timer.status = message["status"]
                own = message.get("headers", ())
                extra = headers
                if not any(name == b"content-security-policy" for name, _ in own):
                    extra = [*extra, API_CSP]
                if tag is not None and message["status"] == 200:
                    extra = [*extra, (b"etag", tag), (b"cache-control", caching.CACHE_CONTROL),
                             (b"vary", caching.VARY)]
                message["headers"] = [*own, *extra]
            await send(message)

        route = None
        try:
            limit = self.limits.get(scope["path"], self.limit)
            if limit is not None and self.too_big(scope, limit):
                await too_large_response(scope, limit)(scope, receive, stamped)
            elif tag is not None and caching.matches(scope, tag):
                route = caching.family(scope)
                await stamped({"type": "http.response.start", "status": 304, "headers": [
                    (b"etag", tag), (b"cache-control", caching.CACHE_CONTROL),
                    (b"vary", caching.VARY)]})
                await stamped({"type": "http.response.body", "body": b""})
            else:
                await self.app(scope, receive, stamped)
        finally:
            REQUEST_ID.reset(token)
            timer.finish(asked, self.metrics, route or route_of(scope), self.access_log)

    @staticmethod
    def too_big(scope: dict, limit: int) -> bool:
        """The declared Content-Length is over the limit (an undeclared body is counted as
        it is read, ``deps.read_body``)."""
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    return int(value) > limit
                except ValueError:
                    return False
        return False
