"""The HTTP service: a versioned JSON API for portals (``/v1``) and a caseworker page (``/``).

``tongcheng serve`` starts it; ``create_app(pack)`` builds the ASGI app around one compiled,
immutable rule pack. This module stays import-light (no FastAPI) so that the command line can
register ``serve`` without slowing down ``tongcheng check``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(pack: Any = None, **options: Any) -> FastAPI:
    """The ASGI app (see ``tongcheng.service.app.create_app``)."""
    from tongcheng.service.app import create_app as _create_app

    return _create_app(pack, **options)
