"""Helpers of the batch tests: populations (``tongcheng.testing.situations()`` plus the edges
that matter for columns) and the comparison of the columnar evaluator with the reference."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

import tongcheng
from tongcheng.batch.engine import (
    BatchEvaluator,
    firmness_column,
    outcome_column,
    status_column,
)
from tongcheng.testing import situations


def edge_dates() -> list[date]:
    """Every date the bundled pack changes on, and the days either side."""
    pack = tongcheng.bundled_pack()
    days: set[date] = set()
    for rule in pack.rules:
        for ref in rule.zones:
            days.add(ref.start)
            if ref.end:
                days.add(ref.end)
        for d in (rule.in_force_from, rule.in_force_to):
            if d:
                days.add(d)
    for zone in pack.zones.values():
        for m in zone.members:
            days.add(m.start)
    for parameter in pack.parameters.values():
        for values in parameter.places.values():
            for v in values:
                for d in (v.start, v.end):
                    if d:
                        days.add(d)
    out = {d + timedelta(days=k) for d in days for k in (-1, 0, 1)}
    return sorted(d for d in out if date(2019, 1, 1) <= d <= date(2027, 6, 30))


EDGES = edge_dates()
# retired codes with the first month they are no longer valid for
RETIRED = (("370282", "2017-09"), ("370684", "2020-06"), ("371202", "2019-01"),
           ("370284", "2012-12"))


@st.composite
def edged(draw) -> dict[str, Any]:
    """A situation, sometimes as of an edge date, with edge birthdays and retirement dates."""
    as_of = draw(st.one_of(st.none(), st.sampled_from(EDGES)))
    s = copy.deepcopy(draw(situations(as_of=as_of)))
    when = date.fromisoformat(s["as_of"])
    person = s.get("person")
    if isinstance(person, dict) and draw(st.integers(0, 3)) == 0:
        shift = draw(st.integers(-1, 1))
        born = date(when.year - 60, when.month, min(when.day, 28)) + timedelta(days=shift)
        if draw(st.booleans()):
            born = date(1964, 2, 29)
        if born <= when:
            person["birth_date"] = born.isoformat()
            if "retired_on" in person and person["retired_on"] < born.isoformat():
                person["retired_on"] = born.isoformat()
    if isinstance(person, dict) and person.get("employment") in (None, "retired") \
            and draw(st.integers(0, 3)) == 0:
        retired = draw(st.sampled_from([d for d in EDGES if d <= when] or [when]))
        born = person.get("birth_date")
        if born is None or born <= retired.isoformat():
            person["retired_on"] = retired.isoformat()
    if s.get("insurance") and draw(st.integers(0, 4)) == 0:
        code, until = draw(st.sampled_from(RETIRED))
        period = s["insurance"][0]
        if period["from"] < until and period.get("to", "0000") < until:
            period["place"] = code
    return s


@st.composite
def populations(draw, max_size: int = 12) -> list[dict[str, Any]]:
    return draw(st.lists(edged(), min_size=1, max_size=max_size))


BREAKERS = (
    ("target", "999999"), ("target", "37020"), ("target", "370282"), ("as_of", "2025-02-30"),
    ("person.sex", "x"), ("person.birth_date", "2999-01-01"), ("person.hukou", "12"),
    ("person.employment", "retired?"), ("provident_fund.balance", -1),
    ("provident_fund.outstanding_loans", -2), ("insurance.0.from", "2015-13"),
    ("insurance.0.to", "1900-01"), ("insurance.0.place", "370699"), ("insurance.0.scheme", "x"),
    ("cards.0.kind", "metro"), ("cards.0.issuer", "371200"), ("person.residence.0.since", "2020"),
    ("insurance.0.from", "1899-12"), ("person.retired_on", "1900-01-01"),
)


@st.composite
def broken(draw) -> dict[str, Any]:
    """A situation with, sometimes, one value the situation model refuses (or may accept)."""
    s = copy.deepcopy(draw(edged()))
    if draw(st.booleans()):
        path, value = draw(st.sampled_from(BREAKERS))
        node: Any = s
        keys = path.split(".")
        for key in keys[:-1]:
            key_ = int(key) if key.isdigit() else key
            if (isinstance(node, dict) and key_ in node) or (isinstance(node, list) \
                    and isinstance(key_, int) and key_ < len(node)):
                node = node[key_]
            else:
                return s
        last = keys[-1]
        if isinstance(node, dict):
            node[last] = value
    return s


@st.composite
def same_day(draw, max_size: int = 12) -> list[dict[str, Any]]:
    """A population described on one day (as a screening run has it): the evaluator's
    one-date shortcuts (zones, parameters and rules in force taken once) are exercised."""
    day = draw(st.sampled_from(EDGES))
    return draw(st.lists(situations(as_of=day), min_size=2, max_size=max_size))


def same_value(mine: Any, theirs: Any) -> bool:
    if isinstance(mine, str) and not isinstance(theirs, str):
        mine = json.loads(mine)  # lists, records, and values of rules the reference decided
    return mine == theirs


def assert_same(engine: BatchEvaluator, result, models, rows=None, trace: bool = True) -> None:
    """Row ``k`` of ``result`` decides ``models[k]`` exactly as the reference evaluator does:
    every rule's status, and every outcome value (``trace``: the evaluation compared with)."""
    by_row = {r["_row"]: r for r in result.iter_rows(named=True)}
    rows = rows if rows is not None else list(range(len(models)))
    for number, model in zip(rows, models, strict=True):
        got = by_row[number]
        for d in tongcheng.evaluate(model, engine.pack, trace=trace).decisions:
            assert got[status_column(d.rule)] == d.status.value, (
                number, d.rule, got[status_column(d.rule)], d.status.value, model.to_dict())
            assert got[firmness_column(d.rule)] == d.firmness, (
                number, d.rule, d.status.value, got[firmness_column(d.rule)], d.firmness,
                model.to_dict())
            plan = next(p for p in engine.plans if p.rule.id == d.rule)
            for name, _ in plan.outcomes:
                mine = got[outcome_column(d.rule, name)]
                theirs = d.outcome.get(name)
                assert same_value(mine, theirs), (
                    number, d.rule, name, mine, theirs, model.to_dict())


def assert_screened_as_the_reference(engine: BatchEvaluator, models) -> str:
    """The screen of ``models`` decides each as the reference does, untraced (as a screen
    decides); where the reference ends in a rule error (a defect of a rule the checker lets
    through), the screen ends in that rule's error too. Says which ("decided", "a rule error")."""
    import re

    import pytest

    from tongcheng.batch.layout import from_situations
    from tongcheng.evaluate.evaluator import RuleError

    def screen():
        return engine.evaluate(from_situations(models), lambda idx: [models[i] for i in idx])

    try:
        for model in models:
            tongcheng.evaluate(model, engine.pack, trace=False)
    except RuleError as e:
        with pytest.raises(RuleError, match=re.escape(str(e).split(":")[0])):
            screen()
        return "a rule error"
    result = screen()
    assert result.height == len(models)
    # untraced, as a screen decides: a traced evaluation also runs the tests after the one that
    # settles a rule (to show them), and a defect of the rule there (ordering an open period's
    # `to`) is an error only then
    assert_same(engine, result, models, trace=False)
    return "decided"
