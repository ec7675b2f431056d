"""The outer ASGI middleware: what every request meets before the router."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from tongcheng.errors import Problem
from tongcheng.service.deps import problems_response

ASGIApp = Callable[..., Awaitable[None]]


class Guard:
    """Pure ASGI middleware: refuses declared oversized bodies with 413 before reading them,
    stamps every response with the package and rule-pack versions, and sends the hot
    endpoints (``lanes``: method and exact path) straight to their handlers."""

    def __init__(
        self, app: ASGIApp, *, limit: int, headers: list[tuple[bytes, bytes]],
        lanes: Mapping[tuple[str, str], ASGIApp] | None = None,
    ) -> None:
        self.app, self.limit, self.headers = app, limit, headers
        self.lanes = dict(lanes or {})

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                length = value
                break
        if length is not None:
            try:
                too_big = int(length) > self.limit
            except ValueError:
                too_big = False
            if too_big:
                response = problems_response(
                    413, [Problem("", f"request body larger than {self.limit} bytes")]
                )
                response.headers.update({k.decode(): v.decode() for k, v in self.headers})
                await response(scope, receive, send)
                return
        headers = self.headers

        async def stamped(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *headers]
            await send(message)

        lane = self.lanes.get((scope["method"], scope["path"]))
        await (lane or self.app)(scope, receive, stamped)
