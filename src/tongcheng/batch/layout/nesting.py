"""A population file's columns normalised to the nested layout (``nest``): dotted columns
gathered into structs, every unknown column or field named (with the closest known one)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc  # not loaded by ``import pyarrow`` alone

from tongcheng.batch.layout.fields import (
    ID_COLUMNS,
    LISTS,
    OBJECTS,
    TOP_FIELDS,
    LayoutError,
)
from tongcheng.suggest import did_you_mean


def _suggest(name: str, allowed: Iterable[str]) -> tuple[str, str]:
    """The nearest allowed name as a hint, in English and in Chinese (empty: none is near)."""
    allowed = list(allowed)
    return did_you_mean(name, allowed, "en"), did_you_mean(name, allowed, "zh")


def _both_ways(name: str) -> LayoutError:
    return LayoutError(f"column {name!r} given both whole and as dotted columns",
                       f"列 {name!r} 既整列给出,又以带点的列给出")


def nest(table: pa.Table) -> pa.Table:
    """The nested layout of a table given in the nested or the flat (dotted) layout.

    Raises LayoutError naming an unknown column or field.
    """
    columns: dict[str, pa.Array] = {}
    groups: dict[str, dict[str, pa.Array]] = {}
    twice = sorted({n for n in table.column_names if table.column_names.count(n) > 1})
    if twice:
        raise LayoutError(f"column {twice[0]!r} given twice", f"列 {twice[0]!r} 出现了两次")
    for name, column in zip(table.column_names, table.columns, strict=True):
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if name in ID_COLUMNS or name in TOP_FIELDS:
            if name in groups:
                raise _both_ways(name)
            columns[name] = column
            continue
        head, _, rest = name.partition(".")
        if head in OBJECTS and rest:
            if head in columns:
                raise _both_ways(name)
            fields = OBJECTS[head]
            if rest not in fields:
                en, zh = _suggest(rest, fields)
                raise LayoutError(
                    f"unknown column {name!r}{en}; {head} has: {', '.join(fields)}",
                    f"未知的列 {name!r}{zh};{head} 的字段有:{', '.join(fields)}")
            groups.setdefault(head, {})[rest] = column
            continue
        allowed = [*ID_COLUMNS, *TOP_FIELDS]
        en, zh = _suggest(name, allowed)
        raise LayoutError(
            f"unknown column {name!r}{en}; a population has: {', '.join(allowed)} (and dotted "
            "columns such as person.birth_date)",
            f"未知的列 {name!r}{zh};人群文件的列有:{', '.join(allowed)}"
            "(以及带点的列,如 person.birth_date)")
    for head, fields in groups.items():
        valid = None
        for arr in fields.values():
            v = pc.is_valid(arr)
            valid = v if valid is None else pc.or_(valid, v)
        struct = pa.StructArray.from_arrays(
            list(fields.values()), names=list(fields), mask=pc.invert(valid)
        )
        columns[head] = struct
    for head, fields in OBJECTS.items():
        if head in columns:
            _check_struct(head, columns[head].type, fields)
    for name in LISTS:
        arr = _path_array(columns, name)
        if arr is not None:
            _check_list(name, arr.type)
    return pa.table(columns)


def _path_array(columns: dict[str, Any], path: str) -> Any:
    head, _, rest = path.partition(".")
    arr = columns.get(head)
    if arr is None or not rest:
        return arr
    if not pa.types.is_struct(arr.type) or arr.type.get_field_index(rest) < 0:
        return None
    return arr.field(rest)


def _check_struct(head: str, typ: pa.DataType, fields: dict[str, str]) -> None:
    if pa.types.is_null(typ):
        return
    if not pa.types.is_struct(typ):
        raise LayoutError(f"column {head!r}: expected a struct (an object), got {typ}",
                          f"列 {head!r}:应为结构(对象),实际类型为 `{typ}`")
    for f in typ:
        if f.name not in fields:
            en, zh = _suggest(f.name, fields)
            raise LayoutError(
                f"unknown field {head}.{f.name}{en}; {head} has: {', '.join(fields)}",
                f"未知的字段 {head}.{f.name}{zh};{head} 的字段有:{', '.join(fields)}")


def _check_list(name: str, typ: pa.DataType) -> None:
    if pa.types.is_null(typ):
        return
    if not (pa.types.is_list(typ) or pa.types.is_large_list(typ)):
        raise _not_structs(name, typ)
    item = typ.value_type
    if pa.types.is_null(item):
        return
    if not pa.types.is_struct(item):
        raise _not_structs(name, typ)
    allowed = LISTS[name]
    for f in item:
        if f.name not in allowed:
            en, zh = _suggest(f.name, allowed)
            raise LayoutError(
                f"unknown field {name}[].{f.name}{en}; items of {name} have: "
                f"{', '.join(allowed)}",
                f"未知的字段 {name}[].{f.name}{zh};{name} 的每项有:{', '.join(allowed)}")


def _not_structs(name: str, typ: pa.DataType) -> LayoutError:
    return LayoutError(f"column {name!r}: expected a list of structs, got {typ}",
                       f"列 {name!r}:应为结构的列表,实际类型为 `{typ}`")
