"""The operators of rule expressions, three-valued: comparisons (``compare``) and arithmetic
(``arith``) of known values as Python has them, of unknown or partly known values (ranges of
counts, items that may or may not be there) as Kleene logic has them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from tongcheng.evaluate import values as v
from tongcheng.evaluate.values import EvalTypeError, Items, MonthSet, Range, Unknown

# Types of plain known values: two of them compare as Python compares them.
_PLAIN = frozenset({bool, int, Decimal, str, date, type(None)})
_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


def compare(op: str, a: Any, b: Any) -> Any:
    if op == "in":
        if isinstance(b, Unknown):  # a list not known (``places()`` of unknown periods)
            return v.unknown(a, b)
        if isinstance(a, Unknown | Range):
            return v.unknown(a)
        if not isinstance(b, tuple):
            raise EvalTypeError(f"'in' needs a list on its right, got {v.describe(b)}",
                                f"'in' 的右边需要列表,得到的是{v.describe(b, 'zh')}")
        return a in b
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return v.unknown(a, b)
    if _has_maybe(a) or _has_maybe(b):
        return v.unknown(a, b)  # a list with maybe-items equals nothing for sure
    if isinstance(a, Range) or isinstance(b, Range):
        lo_a, hi_a = v.bounds(a)  # type: ignore[misc]
        lo_b, hi_b = v.bounds(b)  # type: ignore[misc]
        try:
            sure, possible = _range_compare(op, lo_a, hi_a, lo_b, hi_b)
        except TypeError:  # (a count compared with what is not a number)
            raise _incomparable(op, a, b) from None
        if sure:
            return True
        if not possible:
            return False
        return v.unknown(a, b)
    known = _COMPARISONS.get(op)
    if known is None:
        raise _unknown_operator(op)
    try:
        return known(a, b)
    except TypeError:
        raise _incomparable(op, a, b) from None


def _incomparable(op: str, a: Any, b: Any) -> EvalTypeError:
    return EvalTypeError(f"cannot compare {v.describe(a)} {op} {v.describe(b)}",
                         f"无法比较{v.describe(a, 'zh')} {op} {v.describe(b, 'zh')}")


def _unknown_operator(op: str) -> EvalTypeError:
    return EvalTypeError(f"unknown operator {op!r}", f"未知的运算符 {op!r}")


def _has_maybe(x: Any) -> bool:
    return isinstance(x, Items | MonthSet) and bool(x.maybe)


def _range_compare(op: str, lo_a, hi_a, lo_b, hi_b) -> tuple[bool, bool]:
    """(surely true, possibly true) for a comparison of two intervals."""
    match op:
        case "<":
            return hi_a < lo_b, lo_a < hi_b
        case "<=":
            return hi_a <= lo_b, lo_a <= hi_b
        case ">":
            return lo_a > hi_b, hi_a > lo_b
        case ">=":
            return lo_a >= hi_b, hi_a >= lo_b
        case "==":
            return (lo_a == hi_a == lo_b == hi_b), not (hi_a < lo_b or hi_b < lo_a)
        case "!=":
            return (hi_a < lo_b or hi_b < lo_a), not (lo_a == hi_a == lo_b == hi_b)
    raise _unknown_operator(op)


def _num(x: Any) -> bool:
    return isinstance(x, int | Decimal) and not isinstance(x, bool)


def arith(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return v.unknown(a, b)
    ba, bb = v.bounds(a), v.bounds(b)
    assert ba is not None and bb is not None
    for x in (*ba, *bb):
        if not _num(x):
            raise EvalTypeError(f"cannot compute {v.describe(a)} {op} {v.describe(b)}",
                                f"无法计算{v.describe(a, 'zh')} {op} {v.describe(b, 'zh')}")
    (lo_a, hi_a), (lo_b, hi_b) = ba, bb
    if op == "+":
        return v.bounded(lo_a + lo_b, hi_a + hi_b, a, b)
    if op == "-":
        return v.bounded(lo_a - hi_b, hi_a - lo_b, a, b)
    if op == "*":
        products = [lo_a * lo_b, lo_a * hi_b, hi_a * lo_b, hi_a * hi_b]
        return v.bounded(min(products), max(products), a, b)
    if op == "/":
        if lo_b <= 0 <= hi_b:
            if lo_b == hi_b == 0:
                raise EvalTypeError("division by zero", "除数为零")
            return v.unknown(a, b)
        quotients = [Decimal(x) / Decimal(y) for x in (lo_a, hi_a) for y in (lo_b, hi_b)]
        return v.bounded(min(quotients), max(quotients), a, b)
    raise _unknown_operator(op)
