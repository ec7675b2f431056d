"""The columnar twins of the reference interpreter's values, and the situation's columns.

Every value the reference interpreter can hold has a columnar twin:

- a known-or-unknown scalar (``S``): one expression, null where the reference has ``Unknown``;
  polars' ``& | ~`` are Kleene's, like ``values.k_and`` and friends;
- a number with bounds (``S`` with ``hi``): ``lo`` and ``hi`` expressions, as ``Range`` keeps them;
  known where they agree;
- a filtered list (``ItemsV``): two Boolean columns over the list's exploded rows, ``sure`` and
  ``maybe``, as ``Items`` keeps sure and maybe items; plus whether the list is given at all;
- a month set (``MonthsV``): the same rows read as month intervals; counts and runs are taken by
  a sweep over each person's intervals sorted by start (a month covered twice counts once);
- a parameter record (``Rec``): one expression per field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import polars as pl

from tongcheng.batch.layout import (
    MONEY,
)
from tongcheng.errors import Worded

NUMERIC = ("int", "dec")


class NotCompilable(Worded):
    """A construct the columnar evaluator does not model (the rule falls back), named in English
    and in Chinese: ``screen`` says why a rule is decided row by row in the run's language."""


# The compiled values and scalar kinds as a Chinese reason names them (the English one names the
# class or the kind itself).
_VALUES_ZH = {"S": "标量", "Rec": "参数记录", "ItemsV": "列表", "MonthsV": "月份集合",
              "PlacesV": "地点集合", "ByPlaceV": "按地点分的月份", "TupleV": "字面列表",
              "ItemV": "列表项", "ConstItemsV": "规则包的事项列表", "ConstItemV": "规则包的事项",
              "RootV": "情形中的对象"}
_KINDS_ZH = {"bool": "真假值", "str": "文本", "place": "地点", "date": "日期", "int": "整数",
             "dec": "小数", "none": "空值", "json": "JSON 文本"}


def value_zh(value: Any) -> str:
    """What a compiled value is, in Chinese (``ItemsV``: 列表)."""
    name = type(value).__name__
    return _VALUES_ZH.get(name, f"`{name}`")


def kind_zh(kind: str) -> str:
    """A scalar's kind in Chinese (``dec``: 小数)."""
    return _KINDS_ZH.get(kind, f"`{kind}`")


# --- compiled values --------------------------------------------------------------------------


@attrs.frozen
class S:
    """A scalar: ``e`` (null = unknown); for numbers ``hi`` is the upper bound (None: exact)."""

    kind: str  # bool | str | place | date | int | dec | none
    e: pl.Expr
    ctx: str | None = None  # None: one per person; else the list whose rows it is over
    hi: pl.Expr | None = None
    const: Any = None  # the Python value of a literal
    is_const: bool = False
    domain: tuple[str, ...] | None = None  # the values an enumerated fact can take
    none_known: bool = False  # null is a known "none" (request.service), never unknown

    @property
    def lo(self) -> pl.Expr:
        return self.e

    @property
    def upper(self) -> pl.Expr:
        return self.e if self.hi is None else self.hi

    def known(self) -> pl.Expr:
        if self.hi is None:
            return self.e.is_not_null()
        return self.e.is_not_null() & (self.e == self.hi)


@attrs.frozen
class Rec:
    fields: dict[str, S]
    known: pl.Expr
    ctx: str | None = None


@attrs.frozen
class ItemsV:
    lst: str
    sure: pl.Expr  # over the list's rows, never null
    maybe: pl.Expr
    known: pl.Expr  # per person: the list is given
    maybe_possible: bool = True


@attrs.frozen
class MonthsV:
    items: ItemsV


@attrs.frozen
class PlacesV:
    items: ItemsV


@attrs.frozen
class ByPlaceV:
    items: ItemsV


@attrs.frozen
class TupleV:
    values: tuple[Any, ...]


@attrs.frozen
class ItemV:
    lst: str


@attrs.frozen
class ConstItemsV:
    """Items from the pack (service items): per item, person-level sure and maybe flags."""

    values: tuple[Any, ...]
    sure: tuple[pl.Expr, ...]
    maybe: tuple[pl.Expr, ...]
    known: pl.Expr


@attrs.frozen
class ConstItemV:
    value: Any


@attrs.frozen
class RootV:
    path: str


V = S | Rec | ItemsV | MonthsV | PlacesV | ByPlaceV | TupleV | ItemV | RootV | ConstItemsV \
    | ConstItemV

# Situation fields as columns: path -> (column, kind, domain)
PERSON_COLUMNS: dict[str, tuple[str, str]] = {
    "person.birth_date": ("birth_date", "date"),
    "person.sex": ("sex", "str"),
    "person.hukou": ("hukou", "place"),
    "person.lives_in": ("lives_in", "place"),
    "person.employment": ("employment", "str"),
    "person.work_place": ("work_place", "place"),
    "person.retired_on": ("retired_on", "date"),
    "person.pension_place": ("pension_place", "place"),
    "person.talent": ("talent", "str"),
    "provident_fund.balance": ("balance", "dec"),
    "provident_fund.spouse_balance": ("spouse_balance", "dec"),
    "provident_fund.outstanding_loans": ("outstanding_loans", "int"),
    "provident_fund.couple_application": ("couple_application", "bool"),
    "request.hospital_grade": ("hospital_grade", "int"),
}
LIST_PATHS = {"insurance", "cards", "person.residence", "provident_fund.periods", "results"}
ITEM_COLUMNS: dict[str, str] = {
    "scheme": "str",
    "place": "place",
    "from": "int",
    "deemed": "bool",
    "kind": "str",
    "issuer": "place",
    "since": "date",
    "issued": "date",
    "level": "str",
    "hospital_grade": "int",
}
ROOTS = {"person", "provident_fund", "request"}


def _lit(value: Any) -> S:
    if value is None:
        return S("none", pl.lit(None), const=None, is_const=True)
    if isinstance(value, bool):
        return S("bool", pl.lit(value), const=value, is_const=True)
    if isinstance(value, int):
        return S("int", pl.lit(value, dtype=pl.Int64), const=value, is_const=True)
    if isinstance(value, Decimal):
        return S("dec", pl.lit(value), const=value, is_const=True)
    if isinstance(value, str):
        return S("str", pl.lit(value, dtype=pl.String), const=value, is_const=True)
    if isinstance(value, date):
        return S("date", pl.lit(value, dtype=pl.Date), const=value, is_const=True)
    raise NotCompilable(f"literal {value!r}", f"字面值 {value!r}")


def _null_if(cond: pl.Expr, value: pl.Expr) -> pl.Expr:
    return pl.when(cond).then(None).otherwise(value)


def _any_null(*exprs: pl.Expr) -> pl.Expr:
    return pl.any_horizontal([e.is_null() for e in exprs])


def _json_const(v: V) -> V:
    """A literal list as its JSON text (for ``if`` choosing between lists, and outcomes)."""
    if not isinstance(v, TupleV):
        return v
    import json

    text = json.dumps(list(v.values), ensure_ascii=False, separators=(",", ":"))
    return S("json", pl.lit(text, dtype=pl.String), const=text, is_const=True)


def _dec(e: pl.Expr, kind: str) -> pl.Expr:
    return e.cast(MONEY) if kind == "int" else e
