"""Kinds of values checked at load (``expr/kinds.py``, ``expr/check.py``): a rule that hands a
function or operator a value it cannot take is refused with the file, the line and what was
wrong — each row of the README's table — while every way the bundled pack and the packs of the
tests write rules still loads."""

from __future__ import annotations

import pytest

from rulegen import load_generated
from tongcheng.errors import PackError


def _rule(when: str, outcome: str | None = None) -> dict:
    rule = {"id": "gen.r0", "title": {"zh": "规则", "en": "A rule"}, "domain": "test",
            "zones": [{"zone": "cities", "from": "2020-01-01"}],
            "conditions": [{"label": {"zh": "条件", "en": "A condition"}, "when": when}],
            "basis": [{"document": "test_notice", "article": "第十条"}]}
    if outcome:
        rule["outcome"] = {"value": outcome}
    return rule


@pytest.mark.parametrize(("when", "says"), [
    ("person.sex", "a condition needs a truth value, got text"),
    ("count(insurance)", "a condition needs a truth value, got a number"),
    ('exists(insurance[item.from == "2020-01"])',
     "'==' compares a month with text, which are never equal (write a month as "
     'month("YYYY-MM"))'),
    ('person.birth_date == "1960-01-01"',
     "'==' compares a date with text, which are never equal (write a date as "
     'date("YYYY-MM-DD"))'),
    ("person.sex == 1", "'==' compares text with a number, which are never equal"),
    ("exists(insurance[item.from > 24000])",
     "'>' compares a month with a number, which are not ordered one by the other"),
    ("person.hukou < person.work_place", "'<' needs a date or a month or a number or text, got "
                                         "a place code"),
    ("person.birth_date + 1 > 2", "'+' needs a month or a number, got a date"),
    ("exists(insurance[item.from * 2 > 3])", "'*' of a month and a number: months are added"),
    ("exists(months(cards))", "months() needs a list of periods, got a list of Card"),
    ("exists(running(person.residence))",
     "running() needs a list of periods with a first month, got a list of Residence"),
    ("count(places(person)) > 1", "places() needs a list, got a record (Person)"),
    ("member(person.birth_date)", "member() needs a place code, got a date"),
    ("member(person.sex)", "member() needs a place code, got text"),
    ('param("test.dated", at=person.sex) > 1', "param(at=...) needs a date, got text"),
    ('param("test.dated", place=person.retired_on) > 1',
     "param(place=...) needs a place code, got a date"),
    ("age(person.birth_date, as_of) > age(person.hukou)", "age() needs a date, got a place code"),
    ('month(person.sex) == month("2020-01")', "month() needs a date, got text"),
    ("min(person.birth_date, 3) > 1", "min() needs values of one kind, got a date, a number"),
    ("count(person.sex) > 1", "count() needs a list or months (months(...)), got text"),
    ("consecutive_months(insurance) > 1",
     "consecutive_months() needs months (months(...)), got a list of InsurancePeriod"),
    ("round_down(person.birth_date, 2) > 1", "round_down() needs a number, got a date"),
    ("not person.sex", "'not' needs a truth value, got text"),
    ("person.sex and true", "'and' needs a truth value, got text"),
    ("-person.sex > 1", "'-' needs a number, got text"),
    ('person.sex in "male"', "'in' needs a list, got text"),
    ("person.sex in [1, 2]", "'in' compares text with a number, which are never equal"),
    ("exists(insurance[item.place])", "a filter needs a truth value, got a place code"),
    ("(if person.sex then 1 else 2) > 1", "if() needs a truth value, got text"),
    ("exists((if given(cards) then cards else insurance)[item.place == \"370200\"])",
     "cannot take .place of a value whose kind depends on the branch taken"),
    ("(if true then cards else 1).kind == 1",
     "cannot take .kind of a value whose kind depends on the branch taken"),
    ("exists(service_items(person.hukou)[item])", "a filter needs a truth value, got a service "
                                                  "item"),
    ("count(provident_fund.outstanding_loans) > 1", "count() needs a list or months "
                                                    "(months(...)), got a number"),
    ("count(request.hospital_grade) > 1", "got a number"),
    ("(person.sex == \"male\" or true) + 1 > 2", "'+' needs a month or a number, got a truth"),
    ("(not (person.sex == \"male\")) + 1 > 2", "'+' needs a month or a number, got a truth"),
    ("places(insurance) > 1", "'>' needs a date or a month or a number or text, got a list"),
    ("insurance.place == \"370200\"", "cannot take .place of a list; filter it or count it"),
    ('month("2020-13") == month("2020-01")', "month(): month 13 in '2020-13' is not a calendar"),
    ("round_down(provident_fund.balance, 11) > 1", "round_down() needs the number of decimals"),
    ("min() > 1", "min() takes 1 or more positional argument(s), got 0"),
    ("max(months(person.sex)) > 1", "max() needs a date or a month or a number or a place code "
                                    "or text, got a set of months (months(...))"),
])
def test_a_value_of_the_wrong_kind_is_refused_at_load(when, says):
    with pytest.raises(PackError) as e:
        load_generated([_rule(when)])
    problems = e.value.problems
    assert all(loc.file.endswith("generated.yaml") and loc.line for loc, _ in problems)
    assert any(says in message for _, message in problems), problems


@pytest.mark.parametrize("when", [
    'exists(insurance[item.from >= month("2020-01") and item.to == null])',
    'exists(insurance[item.to != null and item.to - item.from >= 12])',
    'exists(insurance[item.from + 12 <= month("2024-01")])',
    'person.hukou == "370200" and city(person.work_place) == "370200"',
    'min(places(insurance)) == "370200"',
    'max(person.birth_date, date("1960-01-01")) < as_of',
    'count(months(insurance)) >= param("test.dated")',
    'consecutive_months(months(running(insurance))) > 3',
    'person.sex in ["male", "female"] and request.service == null',
    "age(person.birth_date) >= 60 and member(person.hukou)",
    'param("test.dated", place=person.hukou, at=person.retired_on) > 1',
    '(if person.sex == "male" then 1 else "x") == 1',  # (two kinds: left to run time)
    "round_down(provident_fund.balance, 0) > 1",
    "round_down(provident_fund.balance, 10) > 1",
    # a month and a value of a kind not known here: the result's kind is not known either
    'exists(insurance[item.from + param("test.dated") > 3])',
    'exists(insurance[param("test.dated") - item.from > 1])',
])
def test_what_is_of_the_right_kind_loads(when):
    load_generated([_rule(when)])
