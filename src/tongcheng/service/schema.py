"""The situation's JSON Schema as the service publishes it: the model's own schema, plus what
only this service knows: the rule pack's service items (``request.service`` is one of them)
and the place registry's codes (every place field is one of them). Portals build forms from it
and check input with their own validators before sending it. Its titles and descriptions
come in the answer's language (the model's and this module's English, or their Chinese from
``situation.schema_zh``).

What JSON Schema cannot say is left to the service's answer (a 422 naming the path): retired
codes after their retirement, dates after ``as_of``, periods that end before they start,
``retired_on`` of a person who is not retired.
"""

from __future__ import annotations

import copy
from typing import Any

from tongcheng.pack.model import RulePack
from tongcheng.places import PlaceRegistry
from tongcheng.situation import schema_in_language, situation_json_schema


def _is_place(node: Any) -> bool:
    return isinstance(node, dict) and any(
        isinstance(option, dict) and option.get("pattern") == "^[0-9]{6}$"
        for option in node.get("anyOf", ())
    )


# What a place field says of itself, kept beside its reference (JSON Schema 2020-12 reads
# keywords beside ``$ref``): a form built from the schema keeps the field's label.
_ANNOTATIONS = ("title", "description", "default", "examples")


def _places_by_ref(node: Any) -> Any:
    if _is_place(node):
        return {"$ref": "#/$defs/PlaceCode", **{k: node[k] for k in _ANNOTATIONS if k in node}}
    if isinstance(node, dict):
        return {k: _places_by_ref(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_places_by_ref(v) for v in node]
    return node


def situation_schema(pack: RulePack, registry: PlaceRegistry, lang: str = "en") -> dict[str, Any]:
    """The situation's schema with the pack's service ids and the registry's place codes as
    enumerations (``$defs.PlaceCode``, ``$defs.Request.properties.service``), its titles and
    descriptions in ``lang``."""
    schema = _places_by_ref(copy.deepcopy(situation_json_schema()))
    codes = sorted(p.code for p in registry.all())
    schema.setdefault("$defs", {})["PlaceCode"] = {
        "anyOf": [
            {"type": "string", "enum": codes},
            {"type": "integer", "enum": [int(c) for c in codes]},
        ],
        "description": "a code of the place registry (GB/T 2260; GET /v1/places/{code}); a "
        "six-digit number is read as the same code. A retired code is accepted only for a "
        "moment before its retirement (the service checks that)",
    }
    services = sorted({item.id for item in getattr(pack, "services", ())})
    request = schema["$defs"].get("Request", {}).get("properties", {})
    if services and "service" in request:
        request["service"]["anyOf"] = [{"type": "string", "enum": services}, {"type": "null"}]
    return schema_in_language(schema, lang)
