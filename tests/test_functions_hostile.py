"""Every function and operator of the rule language, given values of every kind.

The checker refuses at load the arguments whose kinds the tree shows (``expr.kinds``); what it
cannot see — a parameter's value, a branch of ``if`` of another kind, a rule's ``place`` — meets
the implementations at run time. There each must give a value or an ``EvalTypeError`` (which
the evaluator reports as a rule error naming the rule), never another exception: a traceback
on a caseworker's query.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exprtools import frame
from tongcheng.evaluate import values as v
from tongcheng.evaluate.functions import IMPLS
from tongcheng.evaluate.operators import arith, compare
from tongcheng.evaluate.values import EvalTypeError, Item, Items
from tongcheng.expr.functions import CATALOGUE

SITUATION = {
    "person": {"birth_date": "1960-05-01", "sex": "male", "hukou": "370200",
               "residence": [{"place": "370600", "since": "2019-03-01"}]},
    "insurance": [{"scheme": "pension", "place": "370200", "from": "2015-01"},
                  {"scheme": "employee_medical", "place": "370600", "from": "2010-01",
                   "to": "2014-12"}],
    "provident_fund": {"periods": [{"place": "370200", "from": "2018-01"}]},
    "cards": [{"kind": "social_security", "issuer": "370200"}],
    "results": [{"kind": "medical_test", "place": "370200"}],
}


def _pool() -> list:
    f = frame(SITUATION)
    s = f.situation

    def items(name: str, values) -> Items:
        return Items(tuple(Item(f"{name}[{i}]", x) for i, x in enumerate(values)))

    insurance = items("insurance", s.insurance)
    lists = [insurance, items("cards", s.cards), items("results", s.results),
             items("person.residence", s.person.residence),
             items("provident_fund.periods", s.provident_fund.periods),
             Items((), (Item("insurance[0]", s.insurance[0]),), frozenset({"insurance"})),
             Items(())]
    months = IMPLS["months"](f, [insurance], {}, (None,))
    return [None, True, False, 0, 7, Decimal("2.5"), "370200", "370600", "male", "2020-01",
            "", date(2020, 1, 1), 24240, ("370200", "370600"), (), (1, 2),
            {"male": 180, "female": 240}, v.Record.of({"male": None}, "k"), s.person,
            s.insurance[0], s.cards[0], months, IMPLS["months_by_place"](f, [insurance], {},
                                                                        (None,)),
            v.Range(1, 3), v.unknown_at("person.sex"), *lists]


POOL = _pool()
# English words a Chinese message must not hold (function and type names may stay)
ENGLISH = re.compile(r"\b(needs?|got|cannot|not|list|of|value|place|code|date|number|kind|"
                     r"field|unknown|division|true|false)\b")


@contextlib.contextmanager
def said_in_both():
    """A rule error, if one is raised, is worded in Chinese too (a caseworker reads it)."""
    try:
        yield
    except EvalTypeError as e:
        assert e.zh and re.search("[\u4e00-\u9fff]", e.zh), (str(e), e.zh)
        assert not ENGLISH.search(e.zh.replace("'", " ")), (str(e), e.zh)
values = st.sampled_from(POOL)
SPECS = sorted(CATALOGUE.values(), key=lambda s: s.name)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(SPECS), st.data())
def test_a_function_given_anything_gives_a_value_or_a_rule_error(spec, data):
    n = data.draw(st.integers(spec.min_args, spec.max_args or spec.min_args + 2))
    args = [data.draw(values) for _ in range(n)]
    if spec.name in ("param", "declared"):
        args[0] = "test.dated"  # (a quoted parameter id, checked at load)
    if spec.name == "date":
        args[0] = "2020-01-01"  # (a quoted date, checked at load)
    kwargs = {k: data.draw(values) for k in spec.kwargs if data.draw(st.booleans())}
    paths = (None,) * (n + len(kwargs))
    f = frame(SITUATION, trace=data.draw(st.booleans()))
    with said_in_both():
        IMPLS[spec.name](f, args, kwargs, paths)


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in"]), values, values)
def test_a_comparison_of_anything_gives_a_value_or_a_rule_error(op, a, b):
    with said_in_both():
        compare(op, a, b)


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(["+", "-", "*", "/"]), values, values)
def test_arithmetic_on_anything_gives_a_value_or_a_rule_error(op, a, b):
    with said_in_both():
        arith(op, a, b)


@pytest.mark.parametrize(("call", "args", "kwargs", "message", "zh"), [
    ("month", [None], {}, "month() needs text 'YYYY-MM' or a date, got NoneType None",
     "month() 需要'YYYY-MM' 形式的文本或日期,得到的是空值"),
    ("month", ["male"], {}, "month(): expected a month as YYYY-MM, got 'male'",
     "month():'male' 不是有效的月份(应为 YYYY-MM)"),
    ("city", [date(2020, 1, 1)], {}, "a place code was needed, got date",
     "此处需要地点代码,得到的是日期 2020-01-01"),
    ("member", ["male"], {}, "a place code was needed, got str 'male'",
     "此处需要地点代码,得到的是文本 'male'"),
    ("running", ["cards"], {}, "running() needs a list of periods with a first month, got a "
                               "list of Card",
     "running() 需要有起始月份的期间的列表,得到的是 Card 的列表"),
    ("months", ["cards"], {}, "months() needs a list of periods, got a list of Card",
     "months() 需要期间的列表,得到的是 Card 的列表"),
    ("places", ["months"], {}, "places() needs a list, got MonthSet",
     "places() 需要列表,得到的是月份集合"),
    ("param", ["test.dated"], {"at": "2020-01-01"}, "param(): at= needs a date, got str",
     "param():at= 需要日期,得到的是文本"),
    ("param", ["test.dated"], {"place": 370200}, "a place code was needed, got int 370200",
     "此处需要地点代码,得到的是数 370200"),
    ("max", ["cards"], {}, "max() needs numbers, months or dates, or one list of them",
     "max() 需要数、月份或日期,或由它们组成的一个列表"),
])
def test_what_a_rule_error_says(call, args, kwargs, message, zh):
    named = {"cards": POOL[-6], "months": POOL[21]}
    args = [named.get(a, a) if isinstance(a, str) else a for a in args]
    with pytest.raises(EvalTypeError) as e:
        IMPLS[call](frame(SITUATION), args, kwargs, (None,) * (len(args) + len(kwargs)))
    assert str(e.value).startswith(message)
    assert e.value.zh.startswith(zh)
