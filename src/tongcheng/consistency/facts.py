"""The situation vocabulary as data: field types, paths, and what kind of value each holds.

Shared by the strategies (``tongcheng.testing``), the property suite and the static checks, so
that a field added to the situation model is generated, varied and checked without code here
changing. Needs neither hypothesis nor z3.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from typing import Any

import attrs
from pydantic import BaseModel, StrictBool, StrictStr
from pydantic.fields import FieldInfo

from tongcheng import situation as sit

Path = tuple[str | int, ...]


def strip_optional(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(inner) == 1:
            return strip_optional(inner[0])
    return annotation


def full_annotation(info: FieldInfo) -> Any:
    """A field's annotation with the metadata pydantic moved off it put back (a required
    ``place: Place`` has annotation ``str`` and its validator in ``metadata``)."""
    if info.metadata:
        return typing.Annotated[(info.annotation, *info.metadata)]  # type: ignore[misc]
    return info.annotation


def fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """A model's fields by the key written in input (``from``, not ``from_``)."""
    return {(info.alias or name): info for name, info in model.model_fields.items()}


@attrs.frozen
class Kind:
    """What a field holds: ``place``, ``date``, ``month``, ``money``, ``count``, ``bool``,
    ``str``, ``literal`` (with ``choices``), ``model`` (with ``model``), ``list`` (with
    ``elem``), ``int`` (another validated whole number) or ``any``."""

    name: str
    choices: tuple[Any, ...] = ()
    model: type[BaseModel] | None = None
    elem: Kind | None = None
    annotation: Any = None


_NAMED = (
    ("place", sit.Place),
    ("date", sit.Date),
    ("month", sit.Month),
    ("money", sit.Money),
    ("count", sit.Count),
    ("bool", StrictBool),
    ("str", StrictStr),
)


def kind_of(annotation: Any) -> Kind:
    ann = strip_optional(annotation)
    for name, known in _NAMED:
        if ann == known:
            return Kind(name, annotation=ann)
    base = ann
    if typing.get_origin(ann) is typing.Annotated:
        base = typing.get_args(ann)[0]
    if typing.get_origin(base) is typing.Literal:
        return Kind("literal", choices=typing.get_args(base), annotation=ann)
    origin = typing.get_origin(base)
    if origin in (tuple, list):
        args = [a for a in typing.get_args(base) if a is not Ellipsis]
        return Kind("list", elem=kind_of(args[0]) if args else Kind("any"), annotation=ann)
    if isinstance(base, type) and issubclass(base, BaseModel):
        return Kind("model", model=base, annotation=ann)
    if base is bool:
        return Kind("bool", annotation=ann)
    if base is int:
        return Kind("int", annotation=ann)
    if base is str:
        return Kind("str", annotation=ann)
    return Kind("any", annotation=ann)


def field_kind(info: FieldInfo) -> Kind:
    return kind_of(full_annotation(info))


_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def parse_path(text: str) -> Path | None:
    """``"insurance[1].place"`` -> ``("insurance", 1, "place")``; None when it is not a path."""
    out: list[str | int] = []
    pos = 0
    expect_name = True
    while pos < len(text):
        if text[pos] == "." and not expect_name:
            pos += 1
            expect_name = True
            continue
        m = _TOKEN.match(text, pos)
        if not m or (m.group(1) and not expect_name):
            return None
        out.append(m.group(1) if m.group(1) else int(m.group(2)))
        expect_name = False
        pos = m.end()
    return tuple(out) if out and not expect_name else None


def format_path(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def field_at(path: Sequence[str | int], root: type[BaseModel] | None = None) -> Kind | None:
    """The kind of the situation field at ``path`` (list indices allowed; a path may also stop
    at a list, ``insurance``); None when the model has no such field. ``as_of`` is a date."""
    if tuple(path) == ("as_of",):
        return Kind("date")
    kind = Kind("model", model=root or sit.Situation)
    for key in path:
        if isinstance(key, int):
            if kind.name != "list" or kind.elem is None:
                return None
            kind = kind.elem
            continue
        if kind.name == "list" and kind.elem is not None and kind.elem.name == "model":
            return None  # a field of a list needs an index
        if kind.name != "model" or kind.model is None:
            return None
        fs = fields(kind.model)
        if key not in fs:
            return None
        kind = field_kind(fs[key])
    return kind


def field_path_kind(dotted: Sequence[str]) -> Kind | None:
    """Like :func:`field_at` for a path written without indices, as rules do
    (``insurance.place`` names the place of every period)."""
    kind = Kind("model", model=sit.Situation)
    for key in dotted:
        while kind.name == "list" and kind.elem is not None:
            kind = kind.elem
        if kind.name != "model" or kind.model is None:
            return None
        fs = fields(kind.model)
        if key not in fs:
            return None
        kind = field_kind(fs[key])
    return kind


def known_none() -> frozenset[str]:
    """Fields whose absence is a known value (an open period's ``to``), not an unknown fact."""
    from tongcheng.evaluate.frame import KNOWN_NONE

    return frozenset(KNOWN_NONE)
