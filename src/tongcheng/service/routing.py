"""What the router says when a request's path or method matches no route, worked out from the
routes themselves rather than from the request's headers.

Starlette answers a path with a slash too many (``/v1/rules/``) by a redirect to an absolute
URL built from the request's ``Host`` header, which a client controls; here the redirect names
the path alone (``Location: /v1/rules``), relative to wherever the client reached the service.
And it answers a method a path does not take (405) with the ``Allow`` header of the first route
whose path matched, even where another route of that path takes other methods
(``/v1/records/reopen`` is also a record id); here ``Allow`` lists the methods of every route
of the path (each route asked as a request would ask it: FastAPI wraps included routers).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.routing import BaseRoute, Match


def slash_twin(scope: dict[str, Any], routes: Iterable[BaseRoute]) -> str | None:
    """The path without its trailing slash (or with one) when a route has that path and this
    one has none; with the query, for a relative ``Location``."""
    path = scope["path"]
    twin = path.rstrip("/") if path.endswith("/") else f"{path}/"
    if not twin or twin == path or twin.startswith("//"):  # (never another host's address)
        return None
    moved = {**scope, "path": twin}
    if not any(route.matches(moved)[0] is not Match.NONE for route in routes):
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{twin}?{query}" if query else twin


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed(scope: dict[str, Any], routes: Iterable[BaseRoute]) -> str | None:
    """``Allow`` for a method the path does not take: every method some route of the path
    takes (each asked of the routes as a request would be; HEAD wherever GET is, as the guard
    answers it), or None when none does."""
    routes = list(routes)
    methods = [method for method in _METHODS
               if any(route.matches({**scope, "method": method})[0] is Match.FULL
                      for route in routes)]
    if "GET" in methods and "HEAD" not in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")  # answered as GET (guard.Guard)
    return ", ".join(methods) or None
