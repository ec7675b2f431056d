"""The JSON Schema of one line of a ``tongcheng watch`` stream (``tongcheng schema --events``).

Generated from the models themselves — the situation model for ``open`` and ``facts``, the life
event models for ``event`` — so it cannot drift from what the watcher accepts. A line has a
``subject`` (except a stream-wide ``advance_to``), an optional ``on`` and exactly one action.
An event inside a line may leave out its own ``on`` (the line's is used). Its titles and
descriptions come in either language (``situation.schema_in_language``).
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["events_json_schema"]

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"}
ACTIONS = ("open", "event", "facts", "advance_to", "close")


def events_json_schema(lang: str = "en") -> dict[str, Any]:
    """The schema of a line, its titles and descriptions in ``lang`` (en: as written here and
    in the models)."""
    from tongcheng.situation import schema_in_language

    return schema_in_language(_events_schema(), lang)


def _events_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter

    from tongcheng.cases.events import EVENT_TYPES, Event
    from tongcheng.situation import situation_json_schema

    situation = copy.deepcopy(situation_json_schema())
    defs: dict[str, Any] = situation.pop("$defs", {})
    situation.pop("$schema", None)
    defs["Situation"] = situation
    event = TypeAdapter(Event).json_schema(ref_template="#/$defs/{model}")
    for name, schema in event.pop("$defs", {}).items():
        if name in defs and defs[name] != schema:
            raise ValueError(f"two definitions named {name}")
        if "on" in schema.get("required", ()):  # the line's own "on" may give the date
            schema["required"] = [r for r in schema["required"] if r != "on"]
        defs[name] = schema
    defs["Event"] = event
    one_action = []
    for action in ACTIONS:
        others = [a for a in ACTIONS if a != action]
        entry: dict[str, Any] = {"required": [action] if action == "advance_to"
                                 else ["subject", action],
                                 "not": {"anyOf": [{"required": [o]} for o in others]}}
        one_action.append(entry)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tongcheng watch: one line of the event stream",
        "description": "One JSON object a line (JSON Lines). Actions: open a case with facts, "
                       "an event (type: " + ", ".join(EVENT_TYPES) + "), facts merged into the "
                       "case, advance_to (one case's clock with subject, every case's without), "
                       "close.",
        "type": "object",
        "properties": {
            "subject": {"type": "string", "minLength": 1,
                        "description": "whose case: one case per subject"},
            "on": {**DATE, "description": "the day the line speaks of"},
            "open": {"$ref": "#/$defs/Situation",
                     "description": "the facts known at the opening"},
            "event": {"$ref": "#/$defs/Event", "description": "a life event"},
            "facts": {"$ref": "#/$defs/Situation",
                      "description": "a partial situation: mappings merge, lists replace, null "
                                     "makes a fact unknown"},
            "advance_to": {**DATE, "description": "move the clock to this day"},
            "close": {"const": True, "description": "close the case"},
        },
        "additionalProperties": False,
        "oneOf": one_action,
        "$defs": defs,
    }
