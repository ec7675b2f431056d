"""Situations given one by one (JSON Lines, CSV, tests) as rows of the nested layout, and rows
of a nested-layout table back as the contract's JSON data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pyarrow as pa

from tongcheng.batch.layout.building import build
from tongcheng.batch.layout.population import Population
from tongcheng.places import PlaceRegistry

_S = pa.string()
_PERIOD = pa.struct([("scheme", _S), ("place", _S), ("from", _S), ("to", _S),
                     ("deemed", pa.bool_())])
JSON_SCHEMA = pa.schema([
    ("as_of", _S),
    ("target", _S),
    ("person", pa.struct([
        ("birth_date", _S), ("sex", _S), ("hukou", _S), ("lives_in", _S),
        ("residence", pa.list_(pa.struct([("place", _S), ("since", _S)]))),
        ("employment", _S), ("work_place", _S), ("retired_on", _S), ("pension_place", _S),
        ("talent", _S),
    ])),
    ("insurance", pa.list_(_PERIOD)),
    ("provident_fund", pa.struct([
        ("periods", pa.list_(pa.struct([("place", _S), ("from", _S), ("to", _S)]))),
        ("balance", pa.float64()), ("outstanding_loans", pa.int64()),
        ("couple_application", pa.bool_()), ("spouse_balance", pa.float64()),
    ])),
    ("cards", pa.list_(pa.struct([("kind", _S), ("issuer", _S)]))),
    ("request", pa.struct([("service", _S), ("hospital_grade", pa.int64())])),
    ("results", pa.list_(pa.struct([("kind", _S), ("place", _S), ("issued", _S), ("level", _S),
                                     ("hospital_grade", pa.int64())]))),
    ("project", _S),
    ("enterprise", _S),
])
"""The nested layout with the contract's JSON types, for situations already validated."""


def situation_rows(models: Iterable[Any]) -> list[dict[str, Any]]:
    """Validated situations as rows of ``JSON_SCHEMA`` (a project or enterprise is only
    marked)."""
    rows = []
    for model in models:
        row = model.to_dict()
        for subject in ("project", "enterprise"):
            if subject in row:
                row[subject] = "given"
        rows.append(row)
    return rows


def from_situations(models: list[Any], *, first_row: int = 0, as_of: date | None = None,
                    registry: PlaceRegistry | None = None) -> Population:
    """A Population of validated situations (models of ``tongcheng.situation``)."""
    table = pa.Table.from_pylist(situation_rows(models), schema=JSON_SCHEMA)
    pop, _ = build(table, first_row=first_row, as_of=as_of, registry=registry, validate=False)
    return pop


def _dates_as_text(array: pa.Array) -> pa.Array:
    """``array`` with every date (at any depth) as ISO text: Arrow holds dates Python's ``date``
    cannot (before year 1, after 9999), which the situation model then refuses by name."""
    typ = array.type
    if pa.types.is_date(typ):
        return array.cast(pa.string())
    if pa.types.is_struct(typ) and _has_date(typ):
        fields = [_dates_as_text(array.field(i)) for i in range(typ.num_fields)]
        names = [typ.field(i).name for i in range(typ.num_fields)]
        return pa.StructArray.from_arrays(fields, names=names, mask=array.is_null())
    if (pa.types.is_list(typ) or pa.types.is_large_list(typ)) and _has_date(typ):
        cls = pa.LargeListArray if pa.types.is_large_list(typ) else pa.ListArray
        return cls.from_arrays(array.offsets, _dates_as_text(array.values),
                               mask=array.is_null())
    return array


def _has_date(typ: pa.DataType) -> bool:
    if pa.types.is_date(typ):
        return True
    if pa.types.is_struct(typ):
        return any(_has_date(typ.field(i).type) for i in range(typ.num_fields))
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return _has_date(typ.value_type)
    return False


def plain_rows(table: pa.Table) -> list[dict[str, Any]]:
    """Rows of a nested-layout table as the contract's JSON data (null cells are absent keys),
    ready for the situation model."""
    if any(_has_date(f.type) for f in table.schema):
        table = pa.table({name: _dates_as_text(column.combine_chunks())
                          for name, column in zip(table.column_names, table.columns,
                                                  strict=True)})
    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    out = []
    for row in table.to_pylist():
        row.pop("id", None)
        out.append(clean(row))
    return out
