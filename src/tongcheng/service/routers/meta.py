"""Liveness, versions and the API docs: what runs, and on which rule pack."""

from __future__ import annotations

import base64
import functools
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tongcheng import __version__
from tongcheng.service import catalog
from tongcheng.service import schemas as s
from tongcheng.service.deps import API, JSON, PackDep

router = APIRouter(tags=["meta"])  # /metrics sits at the root, where Prometheus looks


@router.get(f"{API}/health", response_model=s.HealthOut, summary="Liveness")
async def health(pack: PackDep) -> Response:
    return JSON({"status": "ok", "rules": len(pack.rules), "rule_pack": catalog.pack_info(pack)})


@router.get(f"{API}/version", response_model=s.VersionOut,
            summary="Package version and the rule pack's name, version and digest")
async def version(pack: PackDep) -> Response:
    return JSON({"api": "v1", "tongcheng": __version__, "rule_pack": catalog.pack_info(pack)})


@router.get(
    "/metrics", include_in_schema=False,
    summary="Prometheus metrics: requests and latency per route, decisions per rule and status",
)
def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


# --- the API docs (Swagger UI), with a policy that allows exactly its scripts -------------------

_CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


@functools.cache
def _docs(title: str) -> tuple[bytes, str]:
    """The Swagger UI page and its Content-Security-Policy: scripts from the CDN and the one
    inline script by its hash (computed from the very bytes served, so they cannot drift)."""
    html = get_swagger_ui_html(openapi_url=f"{API}/openapi.json",
                               title=f"{title} - Swagger UI").body
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(html.decode())
    )
    csp = (
        f"default-src 'none'; script-src {_CDN} {hashes}; style-src {_CDN} 'unsafe-inline'; "
        f"img-src 'self' data: {_CDN} https://fastapi.tiangolo.com; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return bytes(html), csp


@router.get(f"{API}/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    html, csp = _docs(request.app.title)
    return HTMLResponse(html, headers={"content-security-policy": csp})
