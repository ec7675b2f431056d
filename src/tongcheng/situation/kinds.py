"""What kind of value each field of the situation model holds (``place``, ``date``, ``month``,
``money``…), read from the models' annotations: the checker types rule expressions by it, the
strategies and static checks of ``tongcheng.consistency`` generate and vary facts by it.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import attrs
from pydantic import BaseModel, StrictBool, StrictStr
from pydantic.fields import FieldInfo

from tongcheng import scalars as sc


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
    ("place", sc.Place),
    ("date", sc.Date),
    ("month", sc.Month),
    ("money", sc.Money),
    ("count", sc.Count),
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
