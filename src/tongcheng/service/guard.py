"""The outer ASGI middleware: what every request meets before the router."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from tongcheng.errors import Problem
from tongcheng.service.deps import problems_response

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
    """Pure ASGI middleware: refuses declared oversized bodies with 413 before reading them,
    stamps every response with the package and rule-pack versions and the security headers,
    and sends the hot endpoints (``lanes``: method and exact path) straight to their
    handlers."""

    def __init__(
        self, app: ASGIApp, *, limit: int, headers: list[tuple[bytes, bytes]],
        lanes: Mapping[tuple[str, str], ASGIApp] | None = None,
    ) -> None:
        self.app, self.limit = app, limit
        self.headers = [*headers, *SECURITY_HEADERS]
        self.lanes = dict(lanes or {})

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = self.headers

        async def stamped(message: dict) -> None:
            if message["type"] == "http.response.start":
                own = message.get("headers", ())
                extra = headers
                if not any(name == b"content-security-policy" for name, _ in own):
                    extra = [*headers, API_CSP]
                message["headers"] = [*own, *extra]
            await send(message)

        if self.too_big(scope):
            response = problems_response(
                413, [Problem("", f"request body larger than {self.limit} bytes")],
                headers={"connection": "close"},
            )
            await response(scope, receive, stamped)
            return
        lane = self.lanes.get((scope["method"], scope["path"]))
        await (lane or self.app)(scope, receive, stamped)

    def too_big(self, scope: dict) -> bool:
        """The declared Content-Length is over the limit (an undeclared body is counted as
        it is read, ``deps.read_body``)."""
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    return int(value) > self.limit
                except ValueError:
                    return False
        return False
