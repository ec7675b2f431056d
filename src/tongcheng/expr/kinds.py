"""The kinds of values a rule expression computes, and the kinds each function and operator
takes: the checker (``check``) refuses at load a rule that hands one a value it cannot take —
a date where a place is wanted, cards where periods are, a month compared with a number —
which would otherwise be a rule error on some caseworker's query, or, worse, a comparison that
is quietly never true (``item.from == "2020-01"``: a month is not text).

A kind is known where the tree says it: a fact (by the situation model's annotations), a
literal, a function's result. A parameter's value, a definition of two kinds or anything not
known is let through, and the evaluators refuse it at run time with a rule error.
"""

from __future__ import annotations

from typing import Any

TRUTH = "truth"
NUMBER = "number"
TEXT = "text"
PLACE = "place"
DATE = "date"
MONTH = "month"
NONE = "none"  # the literal null

WORDS = {
    TRUTH: "a truth value", NUMBER: "a number", TEXT: "text", PLACE: "a place code",
    DATE: "a date", MONTH: "a month", NONE: "null",
}
WORDS_ZH = {
    TRUTH: "真假值", NUMBER: "数", TEXT: "文本", PLACE: "地区代码", DATE: "日期", MONTH: "月份",
    NONE: "null(空值)",
}

# the kind of a plain value by the kind of field that holds it (tongcheng.situation.kinds)
_OF_FIELD = {
    "place": PLACE, "date": DATE, "month": MONTH, "money": NUMBER, "count": NUMBER,
    "int": NUMBER, "bool": TRUTH, "str": TEXT, "literal": TEXT,
}

# what may be ordered (< <= > >=), and what arithmetic takes
ORDERED = frozenset({NUMBER, MONTH, DATE, TEXT})
COUNTED = frozenset({NUMBER, MONTH})
# what a place is given as where the rule writes it: a code (text, checked as a code)
PLACE_LIKE = frozenset({PLACE, TEXT})


def of_field(kind_name: str) -> str | None:
    """The kind of a plain field's values (None: not known here)."""
    return _OF_FIELD.get(kind_name)


def of_literal(value: Any) -> str:
    if value is None:
        return NONE
    if isinstance(value, bool):
        return TRUTH
    if isinstance(value, str):
        return TEXT
    return NUMBER


def may_equal(a: str, b: str) -> bool:
    """Whether values of these two kinds can ever be equal (null may equal anything: a field
    left empty by its meaning, an open period's ``to``; a place is written as text)."""
    return a == b or NONE in (a, b) or {a, b} == {PLACE, TEXT}


def arith(op: str, a: str | None, b: str | None) -> tuple[bool, str | None]:
    """Whether ``a op b`` may be computed (both numbers or months, or of kinds not known), and
    the kind of its result where known: a month plus or minus a number of months is a month,
    two months apart a number; months are not multiplied or divided."""
    if MONTH not in (a, b):
        return True, NUMBER if a == b == NUMBER else None
    if op == "+" and a != b:
        return True, MONTH if None not in (a, b) else None
    if op == "-" and a == MONTH:
        return True, NUMBER if b == MONTH else MONTH if b == NUMBER else None
    if op == "-" and a is None:
        return True, None
    return False, None
