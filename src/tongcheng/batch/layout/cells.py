"""Each kind of value converted in columns (places to Int32 codes, months to month indexes,
money to Decimal(38, 2)...) with vectorised checks that flag at least every row the situation
model would refuse; a column of the wrong type raises ``LayoutError``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import polars as pl

from tongcheng.batch.layout.fields import (
    MONEY,
    LayoutError,
)
from tongcheng.batch.layout.population import PlaceTables, lut


class _Checks:
    """Per-row flags: a row flagged here goes to the situation model for its verdict; and the
    values read more than once (``once``), computed in a first pass over the frame."""

    def __init__(self) -> None:
        self.flags: list[pl.Expr] = []
        self.staged: dict[str, pl.Expr] = {}

    def once(self, path: str, value: pl.Expr) -> pl.Expr:
        """``value`` (reading only the input's columns) as a column computed once, by
        ``staged``: a polars ``select`` computes each occurrence of an expression again."""
        name = f"~{path}"
        self.staged[name] = value.alias(name)
        return pl.col(name)

    def staged_on(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with the values of ``once`` as columns."""
        return frame.with_columns(*self.staged.values()) if self.staged else frame

    def add(self, bad: pl.Expr) -> None:
        self.flags.append(bad.fill_null(False))

    def any(self) -> pl.Expr:
        if not self.flags:
            return pl.lit(False)
        return pl.any_horizontal(self.flags)


def _kind_error(path: str, dtype: pl.DataType, expected: str, zh: str) -> LayoutError:
    """A column of the wrong type: what it should hold (``expected``, ``zh``) and what it is."""
    return LayoutError(f"column {path!r}: expected {expected}, got {dtype}",
                       f"列 {path!r}:应为{zh},实际类型为 `{dtype}`")


def _place(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks,
           at_day: pl.Expr | None, dated: bool, tables: PlaceTables) -> pl.Expr:
    """A place column as Int32 current codes; retired codes map to their successor when the
    fact is dated before the change (``dated``), else the row is flagged."""
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Int32)
    if dtype == pl.String:
        shape_ok = expr.str.contains(r"^[0-9]{6}$")
        code = checks.once(path, pl.when(shape_ok).then(expr.str.to_integer(strict=False))
                           .cast(pl.Int32))
        checks.add(expr.is_not_null() & code.is_null())  # six digits always parse
    elif dtype.is_integer():
        in_range = (expr >= 100000) & (expr <= 999999)
        code = checks.once(path, pl.when(in_range).then(expr).cast(pl.Int32))
        checks.add(expr.is_not_null() & code.is_null())
    else:
        raise _kind_error(path, dtype, "six-digit place codes as strings",
                          "字符串形式的六位行政区划代码")
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
        parsed = checks.once(path, pl.when(shape_ok).then(
            expr.str.strptime(pl.Date, "%Y-%m-%d", strict=False)))
        checks.add(expr.is_not_null() & parsed.is_null())
        return parsed
    raise _kind_error(path, dtype, "dates (Parquet dates or YYYY-MM-DD strings)",
                      "日期(Parquet 日期或 YYYY-MM-DD 字符串)")


def _month(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks) -> pl.Expr:
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Int32)
    if dtype != pl.String:
        raise _kind_error(path, dtype, "months as YYYY-MM strings", "YYYY-MM 字符串形式的月份")
    shape_ok = expr.str.contains(r"^[0-9]{4}-[0-9]{2}$")
    year = expr.str.slice(0, 4).str.to_integer(strict=False).cast(pl.Int32)
    month = expr.str.slice(5, 2).str.to_integer(strict=False).cast(pl.Int32)
    ok = shape_ok & (month >= 1) & (month <= 12) & (year >= 1900)
    value = checks.once(path, pl.when(ok).then(year * 12 + month - 1).cast(pl.Int32))
    checks.add(expr.is_not_null() & value.is_null())
    return value


def _enum(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks,
          values: tuple[str, ...]) -> pl.Expr:
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    if dtype in (pl.Categorical,) or isinstance(dtype, pl.Enum):
        expr = expr.cast(pl.String)
    elif dtype != pl.String:
        raise _kind_error(path, dtype, f"one of {', '.join(values)} as strings",
                          f"以下之一的字符串:{', '.join(values)}")
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
    raise _kind_error(path, dtype, "amounts in yuan (decimal, float or integer)",
                      "以元计的金额(定点小数、浮点数或整数)")


def _count(expr: pl.Expr, dtype: pl.DataType, path: str, checks: _Checks,
           lo: int = 0, hi: int | None = None) -> pl.Expr:
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.Int64)
    if not dtype.is_integer():
        raise _kind_error(path, dtype, "whole numbers", "整数")
    bad = expr < lo
    if hi is not None:
        bad = bad | (expr > hi)
    checks.add(expr.is_not_null() & bad)
    return expr.cast(pl.Int64)


def _exactly(kind: pl.DataType, expected: str,
             zh: str) -> Callable[[pl.Expr, pl.DataType, str], pl.Expr]:
    """A column that must be of ``kind`` (or all null), taken as it is."""

    def cell(expr: pl.Expr, dtype: pl.DataType, path: str) -> pl.Expr:
        if dtype == pl.Null:
            return pl.lit(None, dtype=kind)
        if dtype != kind:
            raise _kind_error(path, dtype, expected, zh)
        return expr

    return cell


_bool = _exactly(pl.Boolean, "true or false (booleans)", "true 或 false(布尔值)")
_text = _exactly(pl.String, "strings", "字符串")


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
