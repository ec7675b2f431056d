"""The columnar layout of a population, its vectorised validation, and the ``Population``.

A population file holds one situation per row, in the contract's vocabulary:

- **nested** (Parquet): one column per top-level key of a situation (``as_of``, ``target``,
  ``person``, ``insurance``, ``provident_fund``, ``cards``, ``request``); objects are structs,
  lists are lists of structs (``insurance: list<struct<scheme, place, from, to, deemed>>``);
- **flat** (Parquet or CSV): dotted column names for nested scalars (``person.birth_date``,
  ``provident_fund.balance``); list columns (``insurance``, ``person.residence``,
  ``provident_fund.periods``, ``cards``) hold lists of structs (Parquet) or JSON text (CSV).

An optional ``id`` column is carried through to the output. A null cell is an absent key (the
contract: ``null`` is the same as absent); a null list is an unknown list, an empty list is
"none". Places are six-digit strings (or integers), months ``YYYY-MM`` strings, dates ISO
strings or Parquet dates, money decimals, floats or integers (yuan).

``build`` turns an Arrow table in this layout into a ``Population``: a persons frame and one
exploded frame per list, keyed by the person's row index ``_i``, with places as integers, months
as month indexes (``year * 12 + month - 1``) and money as ``Decimal(38, 2)``. It validates every
value with vectorised checks that flag at least every row the situation model would refuse;
flagged rows are then parsed by the situation model itself, which names each problem (or
accepts the row, which is then evaluated by the reference evaluator).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc  # not loaded by ``import pyarrow`` alone

from tongcheng.places import PlaceRegistry, default_registry
from tongcheng.situation import (
    CARD_KINDS,
    EMPLOYMENTS,
    MAX_ITEMS,
    RESULT_KINDS,
    SCHEMES,
    SEXES,
    TALENTS,
)

EPOCH = date(1970, 1, 1)
MONEY = pl.Decimal(38, 2)
MONTH_SHIFT = 17  # month indexes are below 2**17 (year 9999) in the packed sort keys

# The lists of a situation the columnar evaluator models, and their item fields.
LISTS: dict[str, tuple[str, ...]] = {
    "insurance": ("scheme", "place", "from", "to", "deemed"),
    "provident_fund.periods": ("place", "from", "to"),
    "cards": ("kind", "issuer"),
    "person.residence": ("place", "since"),
    "results": ("kind", "place", "issued", "level", "hospital_grade"),
}
# The field saying when an item's place applied (a retired code is valid before its change).
DATED_BY = {"insurance": "from", "provident_fund.periods": "from", "person.residence": "since",
            "results": "issued"}

# Every key of a situation: (path, kind). Kinds: date, place, enum:<values>, money, count,
# bool, text, grade, list, object, opaque (kept for the reference evaluator only).
PERSON_FIELDS = {
    "birth_date": "date",
    "sex": "enum",
    "hukou": "place",
    "lives_in": "place",
    "residence": "list",
    "employment": "enum",
    "work_place": "place",
    "retired_on": "date",
    "pension_place": "place",
    "talent": "enum",
}
FUND_FIELDS = {
    "periods": "list",
    "balance": "money",
    "outstanding_loans": "count",
    "couple_application": "bool",
    "spouse_balance": "money",
}
REQUEST_FIELDS = {"service": "text", "hospital_grade": "grade"}
TOP_FIELDS = {
    "as_of": "date",
    "target": "place",
    "person": "object",
    "insurance": "list",
    "provident_fund": "object",
    "cards": "list",
    "request": "object",
    "results": "list",
    "project": "opaque",
    "enterprise": "opaque",
}
OBJECTS = {"person": PERSON_FIELDS, "provident_fund": FUND_FIELDS, "request": REQUEST_FIELDS}
ENUMS = {
    "sex": SEXES,
    "employment": EMPLOYMENTS,
    "talent": TALENTS,
    "scheme": SCHEMES,
    "kind": CARD_KINDS,
}
ITEM_ENUMS = {("cards", "kind"): CARD_KINDS, ("results", "kind"): RESULT_KINDS,
              ("insurance", "scheme"): SCHEMES}
ITEM_KINDS = {
    "scheme": "enum",
    "place": "place",
    "from": "month",
    "to": "month",
    "deemed": "bool",
    "kind": "enum",
    "issuer": "place",
    "since": "date",
    "issued": "date",
    "level": "text",
    "hospital_grade": "grade",
}
REQUIRED_ITEM_FIELDS = {"scheme", "place", "from", "kind", "issuer"}
ID_COLUMNS = ("id",)


class LayoutError(ValueError):
    """The file's columns do not follow the population layout (a bad command, exit 2)."""


# --- places as integers ---------------------------------------------------------------------


@attrs.frozen
class PlaceTables:
    """Registry facts as arrays indexed by the six-digit code."""

    status: pl.Series  # Int8: 0 unknown code, 1 current, 2 retired
    retired: pl.Series  # Int32: day (since 1970) the code was retired
    successor: pl.Series  # Int32: the current code a retired code stands for
    city: pl.Series  # Int32: the prefecture-level city (the code itself when there is none)


@functools.cache
def place_tables(registry: PlaceRegistry | None = None) -> PlaceTables:
    registry = registry or default_registry()
    status = np.zeros(1_000_000, dtype=np.int8)
    retired = np.zeros(1_000_000, dtype=np.int32)
    successor = np.zeros(1_000_000, dtype=np.int32)
    city = np.arange(1_000_000, dtype=np.int32)
    for place in registry.all():
        code = int(place.code)
        if place.retired is None:
            status[code] = 1
            successor[code] = code
        else:
            status[code] = 2
            retired[code] = (place.retired - EPOCH).days
            successor[code] = int(registry.resolve(place.code, date(1, 1, 1)))
        c = registry.city_of(place.code)
        city[code] = int(c) if c else code
    return PlaceTables(
        pl.Series(status), pl.Series(retired), pl.Series(successor), pl.Series(city)
    )


def lut(series: pl.Series, index: pl.Expr) -> pl.Expr:
    """``series[index]`` for an index expression (null stays null)."""
    return pl.lit(series).gather(index)


# --- the population ---------------------------------------------------------------------------


@attrs.define
class Population:
    """A chunk of valid situations in columns.

    ``persons``: one row per situation, ``_i`` its index in the chunk, ``_row`` its row number
    in the input. Scalars: ``as_of`` (date), ``as_of_m`` (month index), ``target`` and other
    places (Int32 codes), money (Decimal(38, 2)); ``n:<list>`` the length of each list (null when
    the list is unknown). ``lists``: one frame per list, ``_i`` first, rows ordered by ``_i``
    then start month. ``fallback``: rows the reference evaluator
    decides whole (facts the columns do not model exactly, such as a project or money finer than
    a fen).
    """

    persons: pl.DataFrame
    lists: dict[str, pl.DataFrame]
    fallback: pl.Series  # Boolean per person

    @property
    def n(self) -> int:
        return self.persons.height

    def offsets(self, name: str) -> np.ndarray:
        lengths = self.persons[f"n:{name}"].fill_null(0).to_numpy().astype(np.int64)
        out = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=out[1:])
        return out


# --- normalising the file's columns ---------------------------------------------------------


def _suggest(name: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def nest(table: pa.Table) -> pa.Table:
    """The nested layout of a table given in the nested or the flat (dotted) layout.

    Raises LayoutError naming an unknown column or field.
    """
    columns: dict[str, pa.Array] = {}
    groups: dict[str, dict[str, pa.Array]] = {}
    twice = sorted({n for n in table.column_names if table.column_names.count(n) > 1})
    if twice:
        raise LayoutError(f"column {twice[0]!r} given twice")
    for name, column in zip(table.column_names, table.columns, strict=True):
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if name in ID_COLUMNS or name in TOP_FIELDS:
            if name in groups:
                raise LayoutError(f"column {name!r} given both whole and as dotted columns")
            columns[name] = column
            continue
        head, _, rest = name.partition(".")
        if head in OBJECTS and rest:
            if head in columns:
                raise LayoutError(f"column {name!r} given both whole and as dotted columns")
            fields = OBJECTS[head]
            if rest not in fields:
                raise LayoutError(
                    f"unknown column {name!r}{_suggest(rest, fields)}; {head} has: "
                    f"{', '.join(fields)}"
                )
            groups.setdefault(head, {})[rest] = column
            continue
        allowed = [*ID_COLUMNS, *TOP_FIELDS]
        raise LayoutError(
            f"unknown column {name!r}{_suggest(name, allowed)}; a population has: "
            f"{', '.join(allowed)} (and dotted columns such as person.birth_date)"
        )
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
        raise LayoutError(f"column {head!r}: expected a struct (an object), got {typ}")
    for f in typ:
        if f.name not in fields:
            raise LayoutError(
                f"unknown field {head}.{f.name}{_suggest(f.name, fields)}; {head} has: "
                f"{', '.join(fields)}"
            )


def _check_list(name: str, typ: pa.DataType) -> None:
    if pa.types.is_null(typ):
        return
    if not (pa.types.is_list(typ) or pa.types.is_large_list(typ)):
        raise LayoutError(f"column {name!r}: expected a list of structs, got {typ}")
    item = typ.value_type
    if pa.types.is_null(item):
        return
    if not pa.types.is_struct(item):
        raise LayoutError(f"column {name!r}: expected a list of structs, got {typ}")
    allowed = LISTS[name]
    for f in item:
        if f.name not in allowed:
            raise LayoutError(
                f"unknown field {name}[].{f.name}{_suggest(f.name, allowed)}; items of {name} "
                f"have: {', '.join(allowed)}"
            )


# --- vectorised conversion and checks -------------------------------------------------------


class _Checks:
    """Per-row flags: a row flagged here goes to the situation model for its verdict."""

    def __init__(self) -> None:
        self.flags: list[pl.Expr] = []

    def add(self, bad: pl.Expr) -> None:
        self.flags.append(bad.fill_null(False))

    def any(self) -> pl.Expr:
        if not self.flags:
            return pl.lit(False)
        return pl.any_horizontal(self.flags)


def _kind_error(path: str, dtype: pl.DataType, expected: str) -> LayoutError:
    return LayoutError(f"column {path!r}: expected {expected}, got {dtype}")


def _place(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks,
           at_day: pl.Expr | None, dated: bool, tables: PlaceTables) -> pl.Expr:
    """A place column as Int32 current codes; retired codes map to their successor when the
    fact is dated before the change (``dated``), else the row is flagged."""
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Int32)
    if dtype == pl.String:
        shape_ok = expr.str.contains(r"^[0-9]{6}$")
        code = pl.when(shape_ok).then(expr.str.to_integer(strict=False)).cast(pl.Int32)
        checks.add(expr.is_not_null() & ~shape_ok)
    elif dtype.is_integer():
        in_range = (expr >= 100000) & (expr <= 999999)
        code = pl.when(in_range).then(expr).cast(pl.Int32)
        checks.add(expr.is_not_null() & ~in_range)
    else:
        raise _kind_error(path, dtype, "six-digit place codes as strings")
    status = lut(tables.status, code)
    if dated and at_day is not None:
        ok = (status == 1) | ((status == 2) & (at_day < lut(tables.retired, code)))
    else:
        ok = status == 1
    checks.add(code.is_not_null() & ~ok.fill_null(False))
    return pl.when(status == 2).then(lut(tables.successor, code)).otherwise(code).cast(pl.Int32)


def _date(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks) -> pl.Expr:
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Date)
    if dtype == pl.Date:  # a Parquet date may lie outside 0001-01-01 .. 9999-12-31
        checks.add((expr < pl.lit(date.min)) | (expr > pl.lit(date.max)))
        return expr
    if dtype == pl.String:
        shape_ok = expr.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
        parsed = expr.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        checks.add(expr.is_not_null() & (~shape_ok | parsed.is_null()))
        return pl.when(shape_ok).then(parsed)
    raise _kind_error(path, dtype, "dates (Parquet dates or YYYY-MM-DD strings)")


def _month(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks) -> pl.Expr:
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Int32)
    if dtype != pl.String:
        raise _kind_error(path, dtype, "months as YYYY-MM strings")
    shape_ok = expr.str.contains(r"^[0-9]{4}-[0-9]{2}$")
    year = expr.str.slice(0, 4).str.to_integer(strict=False).cast(pl.Int32)
    month = expr.str.slice(5, 2).str.to_integer(strict=False).cast(pl.Int32)
    ok = shape_ok & (month >= 1) & (month <= 12) & (year >= 1900)
    checks.add(expr.is_not_null() & ~ok)
    return pl.when(ok).then(year * 12 + month - 1).cast(pl.Int32)


def _enum(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks,
          values: tuple[str, ...]) -> pl.Expr:
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    if dtype in (pl.Categorical,) or isinstance(dtype, pl.Enum):
        expr = expr.cast(pl.String)
    elif dtype != pl.String:
        raise _kind_error(path, dtype, f"one of {', '.join(values)} as strings")
    checks.add(expr.is_not_null() & ~expr.is_in(list(values)))
    return expr


def _money(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks,
           fine: list[pl.Expr]) -> pl.Expr:
    """Money as Decimal(38, 2); amounts finer than a fen are exact only for the reference
    evaluator: such rows are marked (``fine``) for it."""
    if dtype == pl.Null:
        return pl.lit(None, dtype=MONEY)
    if dtype.is_float():
        # the situation model reads a float through its shortest text (Decimal(str(x)))
        finite = expr.is_finite()
        text = expr.cast(pl.String)
        exact = text.str.contains(r"^[0-9]+(\.[0-9]{1,2})?$")
        checks.add(expr.is_not_null() & (~finite | (expr < 0) | (expr >= 1e13)))
        fine.append(expr.is_not_null() & finite & ~exact)
        return (
            pl.when(exact & (expr < 1e13))
            .then(text.cast(MONEY, strict=False))
            .cast(MONEY)
        )
    if dtype.is_integer():
        checks.add(expr.is_not_null() & ((expr < 0) | (expr >= 10**13)))
        return pl.when((expr >= 0) & (expr < 10**13)).then(expr).cast(MONEY)
    if isinstance(dtype, pl.Decimal):
        limit = pl.lit(Decimal(10) ** 13, dtype=pl.Decimal(38, 0))
        checks.add(expr.is_not_null() & ((expr < 0) | (expr >= limit)))
        if (dtype.scale or 0) > 2:
            exact = expr.round(2) == expr
            fine.append(expr.is_not_null() & ~exact)
            return pl.when(exact & (expr >= 0)).then(expr.round(2)).cast(MONEY)
        return pl.when(expr >= 0).then(expr).cast(MONEY)
    raise _kind_error(path, dtype, "amounts in yuan (decimal, float or integer)")


def _count(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks,
           lo: int = 0, hi: int | None = None) -> pl.Expr:
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Int64)
    if not dtype.is_integer():
        raise _kind_error(path, dtype, "whole numbers")
    bad = expr < lo
    if hi is not None:
        bad = bad | (expr > hi)
    checks.add(expr.is_not_null() & bad)
    return expr.cast(pl.Int64)


def _bool(expr: pl.Expr, dtype: pl.DataType, path: str) -> pl.Expr:
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Boolean)
    if dtype != pl.Boolean:
        raise _kind_error(path, dtype, "true or false (booleans)")
    return expr


def _text(expr: pl.Expr, dtype: pl.DataType, path: str) -> pl.Expr:
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    if dtype != pl.String:
        raise _kind_error(path, dtype, "strings")
    return expr


def _day(expr: pl.Expr) -> pl.Expr:
    """Days since 1970 of a date expression."""
    return expr.cast(pl.Int32)


def _struct_dtype(schema: pl.Schema, head: str) -> dict[str, pl.DataType]:
    dtype = schema.get(head)
    if dtype is None or dtype == pl.Null:
        return {}
    return {f.name: f.dtype for f in dtype.fields}  # type: ignore[union-attr]


def _field(head: str, name: str, fields: dict[str, pl.DataType]) -> tuple[pl.Expr, pl.DataType]:
    if name not in fields:
        return pl.lit(None), pl.Null
    return pl.col(head).struct.field(name), fields[name]


def build(
    table: pa.Table | pl.DataFrame,
    *,
    first_row: int = 0,
    as_of: date | None = None,
    registry: PlaceRegistry | None = None,
    validate: bool = True,
) -> tuple[Population, pl.Series]:
    """A Population from a table in the nested layout, and the rows flagged as suspect.

    Flagged rows (Boolean series over the input) must be judged by the situation model; they are
    left out of the population. ``as_of`` overrides every row's own; a row without one is
    evaluated as of today, as ``tongcheng check`` does.
    """
    tables = place_tables(registry)
    df = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    df = df.with_row_index("_row", offset=first_row)
    person_frame, list_exprs = _person_frame(df, as_of, tables)

    # lists: explode, convert, check; a bad item flags its row
    exploded: dict[str, pl.DataFrame] = {}
    for name in LISTS:
        frame = _list_frame(df, name, list_exprs[name], person_frame["as_of"], tables)
        exploded[name] = frame
        if "level" in frame.columns:  # free text: its JSON and repr are exact only for plain text
            odd = frame.filter(pl.col("level").str.contains(r"[\"'\\\x00-\x1f\x7f]"))
            person_frame = _flag_rows(person_frame, "_fallback", odd["_i"].unique())
        person_frame = _flag_rows(person_frame, "_bad",
                                  frame.filter(pl.col("_bad"))["_i"].unique())

    bad = person_frame["_bad"]
    if not validate:
        bad = pl.Series("_bad", [False] * person_frame.height, dtype=pl.Boolean)
    pop = _population(person_frame, exploded, bad)
    return pop, bad


def _person_frame(df: pl.DataFrame, as_of: date | None, tables: PlaceTables
                  ) -> tuple[pl.DataFrame, dict[str, pl.Expr]]:
    """One row per situation: its scalar facts converted, its lists' lengths, ``_bad`` (the
    situation model must judge the row) and ``_fallback`` (only the reference evaluator is
    exact for it); and the lists' columns, exploded apart."""
    schema = df.schema
    checks = _Checks()
    fine: list[pl.Expr] = []
    cols: dict[str, pl.Expr] = {}

    # as_of: the override, the row's own, or today.
    own_as_of = (
        _date(pl.col("as_of"), schema["as_of"], "as_of", checks)
        if "as_of" in schema else pl.lit(None, dtype=pl.Date)
    )
    default = as_of or date.today()
    as_of_expr = pl.lit(as_of) if as_of else own_as_of.fill_null(pl.lit(default))
    cols["as_of"] = as_of_expr.cast(pl.Date)
    cols["target"] = (
        _place(pl.col("target"), schema["target"], "target", checks, None, False, tables)
        if "target" in schema else pl.lit(None, dtype=pl.Int32)
    )
    _person_columns(schema, cols, checks, tables)
    # born after the day of the situation: the row's own day unless ``as_of`` overrides it
    checks.add(cols["birth_date"] > own_as_of if as_of is None else cols["birth_date"] > as_of_expr)
    _fund_and_request_columns(schema, cols, checks, fine)
    opaque = [pl.col(name).is_not_null() for name in ("project", "enterprise") if name in schema]
    list_exprs = _list_lengths(schema, cols, checks)

    return df.select(
        pl.col("_row"),
        *([pl.col("id")] if "id" in schema else []),
        *[e.alias(k) for k, e in cols.items()],
        checks.any().alias("_bad"),
        (pl.any_horizontal([*fine, *opaque]) if fine or opaque else pl.lit(False))
        .fill_null(False).alias("_fallback"),
    ), list_exprs


def _person_columns(schema: pl.Schema, cols: dict[str, pl.Expr], checks: _Checks,
                    tables: PlaceTables) -> None:
    """The person's scalar facts into ``cols``, and the checks across them the model makes."""
    person = _struct_dtype(schema, "person")
    cols["person_known"] = pl.col("person").is_not_null() if "person" in schema else pl.lit(False)
    for name, kind in PERSON_FIELDS.items():
        if kind == "list":
            continue
        expr, dtype = _field("person", name, person)
        path = f"person.{name}"
        if kind == "date":
            cols[name] = _date(expr, dtype, path, checks)
        elif kind == "place":
            cols[name] = _place(expr, dtype, path, checks, None, False, tables)
        elif kind == "enum":
            cols[name] = _enum(expr, dtype, path, checks, ENUMS[name])
    employment = cols["employment"]
    not_retired = employment.is_not_null() & (employment != "retired")
    checks.add(not_retired
               & (cols["retired_on"].is_not_null() | cols["pension_place"].is_not_null()))
    checks.add(cols["retired_on"] < cols["birth_date"])


def _fund_and_request_columns(schema: pl.Schema, cols: dict[str, pl.Expr], checks: _Checks,
                              fine: list[pl.Expr]) -> None:
    """The provident fund's and the request's scalar facts into ``cols``."""
    fund = _struct_dtype(schema, "provident_fund")
    cols["fund_known"] = (
        pl.col("provident_fund").is_not_null() if "provident_fund" in schema else pl.lit(False)
    )
    for name in ("balance", "spouse_balance"):
        expr, dtype = _field("provident_fund", name, fund)
        cols[name] = _money(expr, dtype, f"provident_fund.{name}", checks, fine)
    expr, dtype = _field("provident_fund", "outstanding_loans", fund)
    cols["outstanding_loans"] = _count(expr, dtype, "provident_fund.outstanding_loans", checks)
    expr, dtype = _field("provident_fund", "couple_application", fund)
    cols["couple_application"] = _bool(expr, dtype, "provident_fund.couple_application")

    request = _struct_dtype(schema, "request")
    expr, dtype = _field("request", "service", request)
    cols["service"] = _text(expr, dtype, "request.service")
    expr, dtype = _field("request", "hospital_grade", request)
    cols["hospital_grade"] = _count(expr, dtype, "request.hospital_grade", checks, 1, 3)


def _list_lengths(schema: pl.Schema, cols: dict[str, pl.Expr], checks: _Checks
                  ) -> dict[str, pl.Expr]:
    """Each list's length into ``cols`` (too many items flags the row); the lists' columns."""
    list_exprs: dict[str, pl.Expr] = {}
    for name in LISTS:
        head, _, rest = name.partition(".")
        if rest:
            sub = _struct_dtype(schema, head)
            expr, dtype = _field(head, rest, sub)
        else:
            expr, dtype = ((pl.col(head), schema[head]) if head in schema
                           else (pl.lit(None), pl.Null))
        list_exprs[name] = expr
        cols[f"n:{name}"] = (
            pl.lit(None, dtype=pl.UInt32) if dtype == pl.Null else expr.list.len()
        )
        checks.add(cols[f"n:{name}"] > MAX_ITEMS[name])
    return list_exprs


def _list_frame(df: pl.DataFrame, name: str, expr: pl.Expr, as_of: pl.Series,
                tables: PlaceTables) -> pl.DataFrame:
    """One list exploded to an item per row, keyed by the person's ``_i``, each field converted
    and checked (``_bad``: the item would be refused by the situation model)."""
    fields = LISTS[name]
    frame = df.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"),
        expr.alias("_item"),
        as_of.alias("_as_of"),
    )
    if frame.schema["_item"] == pl.Null:
        return pl.DataFrame(schema=_list_schema(name))
    frame = frame.filter(pl.col("_item").list.len() > 0).explode("_item")
    item_fields = {}
    inner = frame.schema["_item"]
    if inner != pl.Null:
        item_fields = {f.name: f.dtype for f in inner.fields}  # type: ignore[union-attr]
    icheck = _Checks()
    icheck.add(pl.col("_item").is_null())
    out: dict[str, pl.Expr] = {}
    for field in fields:
        if field == "place":
            continue
        fexpr, fdtype = _field("_item", field, item_fields)
        if field in REQUIRED_ITEM_FIELDS:
            icheck.add(pl.col("_item").is_not_null() & fexpr.is_null())
        out[field] = _item_value(name, field, fexpr, fdtype, icheck, tables)
    if "place" in fields:
        fexpr, fdtype = _field("_item", "place", item_fields)
        icheck.add(pl.col("_item").is_not_null() & fexpr.is_null())
        dated = out[DATED_BY[name]]
        at = _day(pl.date(dated // 12, dated % 12 + 1, 1)) if ITEM_KINDS[
            DATED_BY[name]] == "month" else _day(dated)
        out["place"] = _place(fexpr, fdtype, f"{name}[].place", icheck, at, True, tables)
    if "from" in out and "to" in out:
        icheck.add(out["to"] < out["from"])
    return frame.select(
        "_i", *[out[f].alias(f) for f in fields], icheck.any().alias("_bad")
    )


def _item_value(name: str, field: str, fexpr: pl.Expr, fdtype: pl.DataType, icheck: _Checks,
                tables: PlaceTables) -> pl.Expr:
    """One field of a list's items, converted by its kind (``ITEM_KINDS``)."""
    path = f"{name}[].{field}"
    kind = ITEM_KINDS[field]
    if kind == "month":
        return _month(fexpr, fdtype, path, icheck)
    if kind == "date":
        return _date(fexpr, fdtype, path, icheck)
    if kind == "enum":
        return _enum(fexpr, fdtype, path, icheck, ITEM_ENUMS[(name, field)])
    if kind == "bool":
        return _bool(fexpr, fdtype, path).fill_null(False)
    if kind == "place":
        return _place(fexpr, fdtype, path, icheck, None, False, tables)
    if kind == "text":
        return _text(fexpr, fdtype, path)
    return _count(fexpr, fdtype, path, icheck, 1, 3)


def _flag_rows(persons: pl.DataFrame, column: str, rows: pl.Series) -> pl.DataFrame:
    """``persons`` with the Boolean ``column`` set on the rows (person indexes) ``rows``."""
    if not rows.len():
        return persons
    return persons.with_columns(
        (pl.col(column) | pl.int_range(pl.len()).is_in(rows.implode())).alias(column)
    )


def _list_schema(name: str) -> dict[str, pl.DataType]:
    kinds = {"month": pl.Int32, "place": pl.Int32, "enum": pl.String, "bool": pl.Boolean,
             "date": pl.Date, "text": pl.String, "grade": pl.Int64}
    schema: dict[str, pl.DataType] = {"_i": pl.Int64}
    for field in LISTS[name]:
        schema[field] = kinds[ITEM_KINDS[field]]
    schema["_bad"] = pl.Boolean
    return schema


def _population(persons: pl.DataFrame, lists: dict[str, pl.DataFrame], bad: pl.Series
                ) -> Population:
    """Keep the good rows, renumber ``_i``, sort list items by start month."""
    keep = ~bad
    old_index = pl.int_range(persons.height, dtype=pl.Int64, eager=True)
    persons = persons.filter(keep)
    kept = old_index.filter(keep)
    remap = pl.DataFrame({"_i": kept, "_new": pl.int_range(kept.len(), dtype=pl.Int64,
                                                            eager=True)})
    persons = persons.drop("_bad").with_columns(
        pl.col("as_of").dt.year().cast(pl.Int32).mul(12)
        .add(pl.col("as_of").dt.month().cast(pl.Int32) - 1).alias("as_of_m"),
    )
    out_lists = {}
    for name, frame in lists.items():
        frame = frame.drop("_bad")
        if bad.any():
            frame = frame.join(remap, on="_i", how="inner").drop("_i").rename({"_new": "_i"})
            frame = frame.select("_i", *[c for c in frame.columns if c != "_i"])
        start = "from" if "from" in frame.columns else None
        if start is not None:
            key = (pl.col("_i") * (1 << MONTH_SHIFT) + pl.col(start)).alias("_key")
            frame = frame.with_columns(key)
            if not frame["_key"].is_sorted():
                frame = frame.sort("_key")
            frame = frame.drop("_key")
        elif name == "person.residence":
            frame = frame.sort(["_i", "since"], nulls_last=True)
        elif not frame["_i"].is_sorted():
            frame = frame.sort("_i", maintain_order=True)
        out_lists[name] = frame
    fallback = persons["_fallback"]
    persons = persons.drop("_fallback").with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_i")
    )
    return Population(persons, out_lists, fallback)


# --- situations given one by one (JSON Lines, CSV, tests) -----------------------------------

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
