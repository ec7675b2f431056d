"""Three-valued values: what the evaluator knows, partly knows, or does not know.

A value is either known (a plain Python value) or one of these:

- ``Unknown``: any value is possible; ``missing`` names the situation paths and ``params`` the
  parameters that would settle it. Kleene's logic decides ``and``/``or`` where it can anyway.
- ``Range``: a number known to lie between ``lo`` and ``hi`` (a count of months where some
  places are too coarse to say whether they are members).
- ``Items``: a list from the situation where some items are surely in and some only maybe
  (filters whose condition is unknown for an item). Each item keeps its path for the trace.
- ``MonthSet``: months surely covered, and months maybe covered.

Bounds make partial knowledge exact: ``count(...) > 0`` is true as soon as one month is surely
in, whatever the unknown rest, and false only when no month can be in.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from tongcheng import months as mo
from tongcheng.errors import Worded


@attrs.frozen
class Unknown:
    missing: frozenset[str] = frozenset()
    params: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=8192)
def unknown_at(path: str) -> Unknown:
    """The unknown value of one fact: immutable, so one object per path serves every
    evaluation (unknown facts are read in every one of them)."""
    return Unknown(frozenset({path}))


@attrs.frozen
class Range:
    lo: int | Decimal
    hi: int | Decimal
    missing: frozenset[str] = frozenset()
    params: frozenset[str] = frozenset()


@attrs.frozen
class Item:
    path: str
    value: Any


@attrs.frozen
class Items:
    sure: tuple[Item, ...]
    maybe: tuple[Item, ...] = ()
    missing: frozenset[str] = frozenset()
    params: frozenset[str] = frozenset()


@attrs.frozen
class MonthSet:
    sure: tuple[mo.Interval, ...]
    maybe: tuple[mo.Interval, ...] = ()  # months that may be covered, beyond ``sure``
    missing: frozenset[str] = frozenset()
    params: frozenset[str] = frozenset()


class Record(dict):
    """A parameter value with fields some of which the pack declares without a value (null):
    reading such a field is unknown, naming the parameter (``key``) as missing."""

    key: str = ""

    @classmethod
    def of(cls, value: dict, key: str) -> Record:
        out = cls(value)
        out.key = key
        return out


PARTIAL = (Unknown, Range, Items, MonthSet)


def is_known(value: Any) -> bool:
    if isinstance(value, Unknown | Range):
        return False
    if isinstance(value, Items | MonthSet):
        return not value.maybe
    return True


_NO_GAPS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def gaps(*values: Any) -> tuple[frozenset[str], frozenset[str]]:
    """Union of the missing paths and parameters of the values not fully known."""
    if len(values) == 1 and not isinstance(values[0], PARTIAL):
        return _NO_GAPS  # the common case: one plain, known value
    missing: set[str] = set()
    params: set[str] = set()
    for v in values:
        if isinstance(v, PARTIAL) and not is_known(v):
            missing |= v.missing
            params |= v.params
    return frozenset(missing), frozenset(params)


def unknown(*values: Any) -> Unknown:
    if len(values) == 1:
        if type(values[0]) is Unknown:
            return values[0]  # the common case: one unknown passed on as it is
    elif len(values) == 2:  # (a comparison's operands) one unknown, the other plainly known
        a, b = values
        if type(a) is Unknown and not isinstance(b, PARTIAL):
            return a
        if type(b) is Unknown and not isinstance(a, PARTIAL):
            return b
    missing, params = gaps(*values)
    return Unknown(missing, params)


def bounded(lo: int | Decimal, hi: int | Decimal, *sources: Any) -> Any:
    """A known number when both bounds agree, else a Range carrying the sources' gaps."""
    if lo == hi:
        return lo
    missing, params = gaps(*sources)
    return Range(lo, hi, missing, params)


def bounds(value: Any) -> tuple[Any, Any] | None:
    """(lo, hi) of a number or Range; None for Unknown."""
    if isinstance(value, Range):
        return value.lo, value.hi
    if isinstance(value, Unknown):
        return None
    return value, value


# --- Kleene logic ---------------------------------------------------------------------------


def k_and(values: Iterable[Any]) -> Any:
    open_: list[Any] = []
    for x in values:
        if x is False:
            return False
        if x is not True:
            open_.append(x)
    return unknown(*open_) if open_ else True


def k_or(values: Iterable[Any]) -> Any:
    open_: list[Any] = []
    for x in values:
        if x is True:
            return True
        if x is not False:
            open_.append(x)
    return unknown(*open_) if open_ else False


def k_not(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    return unknown(value)


def truth(value: Any, what: str) -> Any:
    """Check that a value is a truth value (True, False or unknown)."""
    if isinstance(value, (bool, Unknown)):
        return value
    raise EvalTypeError(f"{what} gave {describe(value)}, not a truth value",
                        f"{_WHAT_ZH.get(what, what)} 得出{describe(value, 'zh')},不是真假值")


_WHAT_ZH = {"a filter": "筛选条件"}


class EvalTypeError(Worded, TypeError):
    """A rule expression applied to a value of the wrong kind: a defect of the rule pack, said
    in both languages (it reaches caseworkers' pages and answers through ``RuleError``)."""


def describe(value: Any, lang: str = "en") -> str:
    """A value as a rule error names it: its kind, and the value where it is short."""
    if lang == "zh":
        return _describe_zh(value)
    if isinstance(value, Items | MonthSet | Range | Unknown):
        return type(value).__name__
    return f"{type(value).__name__} {value!r}"


_KINDS_ZH = {Items: "列表", MonthSet: "月份集合", Range: "只知范围的数", Unknown: "未知值"}


def _describe_zh(value: Any) -> str:
    kind = _KINDS_ZH.get(type(value))
    if kind is not None:
        return kind
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"真假值 {'真' if value else '假'}"
    if isinstance(value, int | float | Decimal):
        return f"数 {value}"
    if isinstance(value, str):
        return f"文本 {value!r}"
    if isinstance(value, date):
        return f"日期 {value.isoformat()}"
    if isinstance(value, tuple | list):
        return "列表"
    if isinstance(value, dict):
        return "记录"
    return f"记录({type(value).__name__})"


def to_json(value: Any) -> Any:
    """A known value as JSON-ready data (partly known values become null). A list lists the
    items surely in it: where more may be in, the gaps name what would settle them."""
    if isinstance(value, Items):
        rows = [to_json(i.value) for i in value.sure]
        return sorted(rows, key=lambda r: repr(r))
    if not is_known(value):
        return None
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, MonthSet):
        return [[mo.format_month(lo), mo.format_month(hi)] for lo, hi in value.sure]
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
