"""A JSON Schema in a language: its ``title`` and ``description`` annotations said in Chinese
from ``schema_zh.ZH``, for the portal developers and form builders who read them; in English,
the schema as generated. Only annotations are said: property names, enum values, constants,
defaults and examples are what a program sends, and stay as they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tongcheng.situation.schema_zh import ZH

LANGS = ("zh", "en")
TEXTS = ("title", "description")
# values a program sends, not schemas: nothing in them is an annotation
_DATA = frozenset({"enum", "const", "default", "examples", "required"})
# maps of names to schemas: a property named "title" is a name, not an annotation
_NAMED = frozenset({"properties", "$defs", "definitions", "patternProperties",
                    "dependentSchemas"})

Say = Callable[[str, str], str]


def _pointer(path: str, key: str) -> str:
    return f"{path}/{key.replace('~', '~0').replace('/', '~1')}"


def _said(node: Any, say: Say, path: str) -> Any:
    """``node`` (a schema, or a list of schemas) with each annotation replaced by ``say(text,
    pointer)``: a new structure, in the same key order."""
    if isinstance(node, list):
        return [_said(item, say, f"{path}/{i}") for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        where = _pointer(path, key)
        if key in TEXTS and isinstance(value, str):
            out[key] = say(value, where)
        elif key in _DATA:
            out[key] = value
        elif key in _NAMED and isinstance(value, dict):
            out[key] = {name: _said(sub, say, _pointer(where, name))
                        for name, sub in value.items()}
        else:
            out[key] = _said(value, say, where)
    return out


def schema_texts(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """Every ``title`` and ``description`` of ``schema``: (JSON Pointer, English text), in
    document order (what the catalogue must say, for the tests to name what it lacks)."""
    found: list[tuple[str, str]] = []

    def note(text: str, where: str) -> str:
        found.append((where, text))
        return text

    _said(schema, note, "")
    return found


def schema_in_language(schema: dict[str, Any], lang: str) -> dict[str, Any]:
    """``schema`` with its titles and descriptions in ``lang``: zh from the catalogue (a text
    without an entry stays as it is), en the schema itself, unchanged."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    if lang == "en":
        return schema
    return _said(schema, lambda text, _where: ZH.get(text, text), "")
