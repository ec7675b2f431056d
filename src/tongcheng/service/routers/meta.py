"""Liveness and versions: what runs, and on which rule pack."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from tongcheng import __version__
from tongcheng.service import catalog
from tongcheng.service import schemas as s
from tongcheng.service.deps import API, JSON, PackDep

router = APIRouter(prefix=API, tags=["meta"])


@router.get("/health", response_model=s.HealthOut, summary="Liveness")
def health(pack: PackDep) -> Response:
    return JSON({"status": "ok", "rules": len(pack.rules), "rule_pack": catalog.pack_info(pack)})


@router.get("/version", response_model=s.VersionOut,
            summary="Package version and the rule pack's name, version and digest")
def version(pack: PackDep) -> Response:
    return JSON({"api": "v1", "tongcheng": __version__, "rule_pack": catalog.pack_info(pack)})
