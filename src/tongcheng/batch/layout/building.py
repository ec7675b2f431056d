"""``build``: a table in the nested layout to a ``Population`` (a persons frame and one
exploded frame per list), and the rows flagged for the situation model."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import polars as pl
import pyarrow as pa

from tongcheng.batch.layout.cells import (
    _bool,
    _Checks,
    _count,
    _date,
    _day,
    _enum,
    _field,
    _money,
    _month,
    _place,
    _struct_dtype,
    _text,
)
from tongcheng.batch.layout.fields import (
    DATED_BY,
    ENUMS,
    ITEM_ENUMS,
    ITEM_KINDS,
    LISTS,
    MONTH_SHIFT,
    PERSON_FIELDS,
    REQUIRED_ITEM_FIELDS,
)
from tongcheng.batch.layout.population import PlaceTables, Population, place_tables
from tongcheng.places import PlaceRegistry
from tongcheng.situation import MAX_ITEMS


def build(
    table: pa.Table | pl.DataFrame,
    *,
    first_row: int = 0,
    as_of: date | None = None,
    registry: PlaceRegistry | None = None,
    validate: bool = True,
    services: Collection[str] | None = None,
) -> tuple[Population, pl.Series]:
    """A Population from a table in the nested layout, and the rows flagged as suspect.

    Flagged rows (Boolean series over the input) must be judged by the situation model; they are
    left out of the population. ``as_of`` overrides every row's own; a row without one is
    evaluated as of today, as ``tongcheng check`` does. ``services``, when given, are the
    service items ``request.service`` may name: a row naming another is flagged.
    """
    tables = place_tables(registry)
    df = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    df = df.with_row_index("_row", offset=first_row)
    person_frame, list_exprs = _person_frame(df, as_of, tables, services)

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


def _person_frame(df: pl.DataFrame, as_of: date | None, tables: PlaceTables,
                  services: Collection[str] | None = None
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
    if services is not None:  # an item the pack does not know: the model names it
        checks.add(cols["service"].is_not_null() & ~cols["service"].is_in(sorted(services)))
    opaque = [pl.col(name).is_not_null() for name in ("project", "enterprise") if name in schema]
    list_exprs = _list_lengths(schema, cols, checks)

    return checks.staged_on(df).select(
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
    return icheck.staged_on(frame).select(
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
