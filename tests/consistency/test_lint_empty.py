"""Lint: fields empty by their meaning (an open period's ``to``, no service asked) used where
none fails, with no guard (``consistency/lint_empty.py``)."""

from __future__ import annotations

import pytest

import tongcheng
from rulegen import load_generated
from tongcheng.consistency.lint import lint_pack
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.situation import parse_situation


def _rule(when: str) -> dict:
    return {"id": "gen.r0", "title": {"zh": "规则", "en": "A rule"}, "domain": "test",
            "zones": [{"zone": "cities", "from": "2020-01-01"}],
            "conditions": [{"label": {"zh": "条件", "en": "A condition"}, "when": when}],
            "basis": [{"document": "test_notice", "article": "第十条"}]}


def _findings(when: str) -> list:
    pack = load_generated([_rule(when)])
    return [f for f in lint_pack(pack) if f.check == "unguarded-empty"]


@pytest.mark.parametrize("when", [
    'exists(insurance[item.to < month("2024-01")])',
    'exists(insurance[item.scheme == "pension" and item.to >= month("2024-01")])',
    'exists(insurance[(item.to - item.from) > 12])',
    'exists(provident_fund.periods[max(item.to, month("2020-01")) > month("2021-01")])',
    'request.service < "b"',
    # a guard outside a filter does not reach the items inside it
    'request.service != null and exists(insurance[item.to < month("2024-01")])',
])
def test_an_unguarded_use_is_found_where_it_is(when):
    (f,) = _findings(when)
    assert f.severity == "warning" and f.file.endswith("generated.yaml") and f.line
    assert "no guard" in f.message and "gen.r0, conditions[0]" in f.message
    assert "没有前提保护" in f.zh and "规则 gen.r0 的 `conditions[0]`" in f.zh


@pytest.mark.parametrize("when", [
    'exists(insurance[item.to != null and item.to < month("2024-01")])',
    'exists(insurance[item.to == null or item.to >= month("2024-01")])',
    'exists(insurance[not (item.to == null) and item.to < month("2024-01")])',
    'exists(insurance[if item.to == null then true else item.to < month("2024-01")])',
    'exists(insurance[item.to == month("2024-01")])',  # (== and != take an empty value)
    'request.service == null or request.service < "b"',
    'exists(insurance[item.from < month("2024-01")])',
])
def test_a_guarded_or_total_use_is_not(when):
    assert _findings(when) == []


def test_what_it_warns_of_is_an_error_traced_and_a_decision_untraced():
    """The reason for the lint: the scheme test settles the rule first, untraced; traced, the
    unguarded test of the open period's ``to`` runs too, and fails."""
    rule = _rule("")
    rule["conditions"] = [
        {"label": {"zh": "养老", "en": "Pension"}, "when": 'exists(insurance[item.scheme == "x"])'},
        {"label": {"zh": "截止", "en": "Ended"},
         "when": 'exists(insurance[item.to < month("2024-01")])'}]
    pack = load_generated([rule])
    model = parse_situation({"as_of": "2025-01-01", "target": "370200", "insurance": [
        {"scheme": "pension", "place": "370200", "from": "2020-01"}]})
    assert tongcheng.evaluate(model, pack, trace=False).decisions[0].status.value == "ineligible"
    with pytest.raises(RuleError, match="cannot compare NoneType None < int"):
        tongcheng.evaluate(model, pack, trace=True)
    assert [f.check for f in lint_pack(pack) if f.check == "unguarded-empty"] == [
        "unguarded-empty"]


def test_given_of_a_field_empty_by_meaning_is_always_true_and_said_so():
    pack = load_generated([_rule("exists(insurance[given(item.to)])")])
    (f,) = [f for f in lint_pack(pack) if f.check == "given-empty"]
    assert "given(item.to) is always true" in f.message and "item.to != null" in f.message
    assert "`given(item.to)` 总是为真" in f.zh and "期间尚未结束" in f.zh
    assert "`item.to != null`" in f.zh
    model = parse_situation({"as_of": "2025-01-01", "target": "370200", "insurance": [
        {"scheme": "pension", "place": "370200", "from": "2020-01"}]})  # (a running period)
    assert tongcheng.evaluate(model, pack).decisions[0].status.value == "eligible"
    assert not [f for f in lint_pack(load_generated([_rule("exists(insurance[given(item.from)])")]))
                if f.check == "given-empty"]
