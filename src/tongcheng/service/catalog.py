"""JSON views of a rule pack and the place registry, for the API and the page.

Pure functions of immutable values: no web framework here, so they can be tested and reused
alone. Every view names things by the ids the pack uses and gives titles in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from tongcheng.evaluate.decision import basis_json
from tongcheng.pack.model import Clause, Parameter, Rule, RulePack, Text, Zone, ZoneRef
from tongcheng.places import Place, PlaceRegistry

CONFIDENCE_ORDER = ("high", "medium", "low")


def jsonable(value: Any) -> Any:
    """Pack values (Decimal, dates, tuples, nested mappings) as JSON-ready data."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    return str(value)


def text_json(text: Text | None) -> dict[str, str] | None:
    return None if text is None else {"zh": text.zh, "en": text.en}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def pack_info(pack: RulePack) -> dict[str, Any]:
    info = pack.info
    return {"name": info.name, "version": info.version, "digest": info.digest}


# --- places -------------------------------------------------------------------------------------


def place_json(registry: PlaceRegistry, place: Place) -> dict[str, Any]:
    return {
        "code": place.code,
        "name": {"zh": place.name_zh, "en": place.name_en or None},
        "level": place.level,
        "parent": place.parent,
        "city": registry.city_of(place.code),
        "province": registry.province_of(place.code),
        "current": place.current,
        "retired": _iso(place.retired),
        "successor": place.successor,
    }


def place_ref(registry: PlaceRegistry, code: str) -> dict[str, Any]:
    """A code with its names, for lists that mention places."""
    try:
        place = registry.get(code)
    except ValueError:
        return {"code": code, "name": None}
    return {"code": code, "name": {"zh": place.name_zh, "en": place.name_en or None}}


# --- zones --------------------------------------------------------------------------------------


def zone_json(registry: PlaceRegistry, zone: Zone, lang: str = "zh") -> dict[str, Any]:
    return {
        "id": zone.id,
        "name": text_json(zone.name),
        "kind": zone.kind,
        "members": [
            {**place_ref(registry, m.place), "from": _iso(m.start), "to": _iso(m.end)}
            for m in zone.members
        ],
        "basis": [basis_json(b, lang) for b in zone.basis],
        "defined_at": str(zone.location),
    }


def _zone_ref_json(registry: PlaceRegistry, ref: ZoneRef) -> dict[str, Any]:
    members = sorted(
        m.place for m in ref.zone.members if ref.end is None or m.start <= ref.end
    )
    return {
        "zone": ref.zone.id,
        "name": text_json(ref.zone.name),
        "from": _iso(ref.start),
        "to": _iso(ref.end),
        "firmness": ref.firmness,
        "members": [place_ref(registry, code) for code in members],
    }


# --- parameters ---------------------------------------------------------------------------------


def parameter_json(registry: PlaceRegistry, parameter: Parameter) -> dict[str, Any]:
    places = []
    for code, values in parameter.places.items():
        places.append(
            {
                **place_ref(registry, code),
                "declared_without_value": not values,
                "values": [
                    {
                        "value": jsonable(v.value),
                        "from": _iso(v.start),
                        "to": _iso(v.end),
                        "undated": v.undated,
                        "confidence": v.confidence,
                        "flagged": v.flagged,
                        "reference": v.reference,
                        "note": v.note,
                    }
                    for v in values
                ],
            }
        )
    return {
        "id": parameter.id,
        "description": text_json(parameter.description),
        "unit": parameter.unit,
        "places": places,
        "defined_at": str(parameter.location),
    }


def parameter_confidence(parameter: Parameter) -> dict[str, Any]:
    """The range of confidences of a parameter's values, and how many places lack a value."""
    confs = {v.confidence for values in parameter.places.values() for v in values}
    return {
        "confidences": [c for c in CONFIDENCE_ORDER if c in confs],
        "places": len(parameter.places),
        "places_without_value": sum(1 for values in parameter.places.values() if not values),
        "undated_values": sum(
            1 for values in parameter.places.values() for v in values if v.undated
        ),
    }


# --- rules --------------------------------------------------------------------------------------


def rule_parameter_ids(pack: RulePack, rule: Rule) -> list[str]:
    """Parameters of the pack a rule reads, in the order its clauses name them."""
    return [name for name in rule.parameter_names() if name in pack.parameters]

def _clause_json(c: Clause) -> dict[str, Any]:
    return {"name": c.name, "label": text_json(c.label), "expression": c.text}


def rule_summary(pack: RulePack, rule: Rule, lang: str = "zh") -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": text_json(rule.title),
        "domain": rule.domain,
        "subject": rule.subject,
        "firmness": rule.firmness,
        "in_force": {"from": _iso(rule.in_force_from), "to": _iso(rule.in_force_to)},
        "zones": [
            {"zone": z.zone.id, "name": text_json(z.zone.name), "from": _iso(z.start),
             "to": _iso(z.end), "firmness": z.firmness}
            for z in rule.zones
        ],
        "parameters": {
            name: parameter_confidence(pack.parameters[name])
            for name in rule_parameter_ids(pack, rule)
        },
        "basis": [basis_json(b, lang) for b in rule.basis],
    }


def rule_detail(
    pack: RulePack, registry: PlaceRegistry, rule: Rule, lang: str = "zh"
) -> dict[str, Any]:
    out = rule_summary(pack, rule, lang)
    out["zones"] = [_zone_ref_json(registry, z) for z in rule.zones]
    out["parameters"] = {
        name: {
            **parameter_confidence(pack.parameters[name]),
            **parameter_json(registry, pack.parameters[name]),
        }
        for name in rule_parameter_ids(pack, rule)
    }
    place = getattr(rule, "place", None)
    out.update(
        {
            "asked_at": _clause_json(place) if place is not None else None,
            "definitions": [_clause_json(c) for c in rule.lets],
            "scope": [_clause_json(c) for c in rule.scope],
            "conditions": [_clause_json(c) for c in rule.conditions],
            "outcome": [_clause_json(c) for c in rule.outcome],
            "exceptions": [
                {
                    "label": e.label,
                    "title": text_json(e.title),
                    "applies": [_clause_json(c) for c in e.applies],
                    "conditions": (
                        None if e.conditions is None else [_clause_json(c) for c in e.conditions]
                    ),
                    "outcome": [_clause_json(c) for c in e.outcome],
                    "overrides": list(e.overrides),
                    "basis": [basis_json(b, lang) for b in e.basis],
                }
                for e in rule.exceptions
            ],
            "reading": rule.reading.get(lang) if rule.reading else None,
            "defined_at": str(rule.location),
        }
    )
    return out
