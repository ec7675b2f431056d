"""The rule pack's catalogue and the place registry: rules, zones, parameters, places, and the
situation's JSON Schema. Everything here changes only with the pack (or the registry)."""

from __future__ import annotations

import functools
import re

from fastapi import APIRouter, Query
from fastapi.responses import Response

from tongcheng import wording as W
from tongcheng.errors import Problem, SituationError
from tongcheng.places import Place, PlaceRegistry
from tongcheng.service import catalog
from tongcheng.service import schemas as s
from tongcheng.service.deps import (
    API,
    INVALID,
    JSON,
    LangDep,
    NotFound,
    PackDep,
    RegistryDep,
    narrow,
    problems_doc,
)
from tongcheng.service.schema import situation_schema

router = APIRouter(prefix=API)

# --- rules, zones, parameters --------------------------------------------------------------------


@router.get("/rules", tags=["rule pack"], response_model=s.RulesOut, responses=INVALID,
            summary="The pack's rules with zones, basis and parameters")
def list_rules(pack: PackDep, lang: LangDep) -> Response:
    return JSON(narrow({"rules": [catalog.rule_summary(pack, r, lang) for r in pack.rules]}, lang))


@router.get(
    "/rules/{rule_id}",
    tags=["rule pack"],
    response_model=s.RuleDetailOut,
    responses={404: problems_doc("No such rule"), **INVALID},
    summary="One rule: basis, zones with members, clauses, parameters with their values",
)
def show_rule(
    rule_id: str, pack: PackDep, registry: RegistryDep, lang: LangDep
) -> Response:
    if rule_id not in pack.rule_ids:
        known = ", ".join(pack.rule_ids)
        raise NotFound("rule_id", f"unknown rule {rule_id!r}; the pack's rules: {known}",
                       f"未知的规则 {rule_id!r};本规则包的规则:{known}")
    return JSON(narrow(catalog.rule_detail(pack, registry, pack.rule(rule_id), lang), lang))


@router.get("/zones", tags=["rule pack"], response_model=s.ZonesOut, responses=INVALID,
            summary="Zones with their dated members and basis")
def list_zones(pack: PackDep, registry: RegistryDep, lang: LangDep) -> Response:
    zones = [catalog.zone_json(registry, z, lang) for z in pack.zones.values()]
    return JSON(narrow({"zones": zones}, lang))


@router.get(
    "/zones/{zone_id}",
    tags=["rule pack"],
    response_model=s.ZoneOut,
    responses={404: problems_doc("No such zone"), **INVALID},
    summary="One zone",
)
def show_zone(
    zone_id: str, pack: PackDep, registry: RegistryDep, lang: LangDep
) -> Response:
    zone = pack.zones.get(zone_id)
    if zone is None:
        known = ", ".join(pack.zones)
        raise NotFound("zone_id", f"unknown zone {zone_id!r}; the pack's zones: {known}",
                       f"未知的区域 {zone_id!r};本规则包的区域:{known}")
    return JSON(narrow(catalog.zone_json(registry, zone, lang), lang))


@router.get("/parameters", tags=["rule pack"], response_model=s.ParametersOut,
            summary="Parameters with dated values per place, references and confidences")
def list_parameters(pack: PackDep, registry: RegistryDep, lang: LangDep) -> Response:
    parameters = [catalog.parameter_json(registry, p) for p in pack.parameters.values()]
    return JSON(narrow({"parameters": parameters}, lang))


@router.get(
    "/parameters/{parameter_id}",
    tags=["rule pack"],
    response_model=s.ParameterOut,
    responses={404: problems_doc("No such parameter")},
    summary="One parameter",
)
def show_parameter(
    parameter_id: str, pack: PackDep, registry: RegistryDep, lang: LangDep
) -> Response:
    parameter = pack.parameters.get(parameter_id)
    if parameter is None:
        known = ", ".join(pack.parameters)
        raise NotFound("parameter_id",
                       f"unknown parameter {parameter_id!r}; the pack's parameters: {known}",
                       f"未知的参数 {parameter_id!r};本规则包的参数:{known}")
    return JSON(narrow(catalog.parameter_json(registry, parameter), lang))


# --- places --------------------------------------------------------------------------------------


@router.get(
    "/places",
    tags=["places"],
    response_model=s.PlacesOut,
    responses=INVALID,
    summary="Search places by name (Chinese or English) or code prefix, a page at a time",
)
def search_places(
    registry: RegistryDep,
    lang: LangDep,
    q: str | None = Query(
        None, max_length=100,
        description="part of a name (青岛, qingdao) or a code prefix (3702); "
        "absent: every current place of Shandong",
    ),
    limit: int = Query(20, ge=1, le=200, description="most places in this page"),
    offset: int = Query(0, ge=0, le=100_000, description="places to skip (the page's start)"),
) -> Response:
    if q is None or not q.strip():
        found = shandong_now(registry)
    else:
        found = registry.search(q, limit=len(registry))
    page = found[offset:offset + limit]
    return JSON({
        "places": [narrow(catalog.place_json(registry, p), lang) for p in page],
        "total": len(found), "offset": offset, "limit": limit,
    })


@functools.cache
def shandong_now(registry: PlaceRegistry) -> list[Place]:
    """Every current place of Shandong, in the registry's order (the registry is immutable)."""
    return [p for p in registry.all() if p.current and p.code.startswith("37")]


@router.get(
    "/places/{code}",
    tags=["places"],
    response_model=s.PlaceDetailOut,
    responses={404: problems_doc("No such place"), **INVALID},
    summary="One place, with its current children",
)
def show_place(code: str, registry: RegistryDep, lang: LangDep) -> Response:
    if not re.fullmatch(r"[0-9]{6}", code):
        raise SituationError([Problem(
            "code", f'expected a six-digit place code, e.g. "370200", got {code!r}',
            f'应为六位行政区划代码(如 "370200"),实际为 {code!r}')], lang=lang)
    if code not in registry:
        words = W.unknown_place(code)
        raise NotFound("code", words.en, words.zh)
    place = registry.get(code)
    return JSON(narrow({
        **catalog.place_json(registry, place),
        "children": [
            catalog.place_json(registry, registry.get(c)) for c in registry.children(code)
        ],
    }, lang))


# --- the situation's schema ----------------------------------------------------------------------


@router.get("/schema/situation", tags=["meta"],
            summary="JSON Schema of a situation: the model's, with the pack's service items "
            "and the registry's place codes; titles and descriptions in the answer's language")
def schema(pack: PackDep, registry: RegistryDep, lang: LangDep) -> Response:
    return JSON(situation_schema(pack, registry, lang))
