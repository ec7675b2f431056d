"""The service's routers, one module per resource; ``create_app`` includes every one listed in
``ROUTERS``, in order.

To add a resource: write ``routers/<name>.py`` with a module-level
``router = APIRouter(prefix=API, tags=[...])`` (``API`` from ``service.deps``), take the pack,
registry and settings as ``PackDep`` / ``RegistryDep`` / ``SettingsDep`` parameters, answer
with ``deps.JSON`` and raise ``NotFound`` / ``SituationError`` for problems (the app turns them
into ``{"problems": [...]}``), then add one line ``"<name>",`` to ``ROUTERS`` below. Routers
import ``service.deps`` and the library, never each other nor ``service.app``.
"""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter

ROUTERS = (
    "evaluate",
    "batch",
    "catalogue",
    "meta",
    "records",
    "timeline",
    "page",  # the page's "/" routes stay out of the OpenAPI document
)


def routers() -> list[APIRouter]:
    """Every router listed, in order."""
    return [import_module(f"{__name__}.{name}").router for name in ROUTERS]
