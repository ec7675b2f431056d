"""A definition that is a plain situation path (``p: person``) names the same facts: a missing
one is asked by its path in the situation, in every evaluator and in the trace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tongcheng
from tongcheng.situation import parse_situation

TINY = Path(__file__).parent / "packs" / "tiny"

RULE = """\
- id: test.tiny
  title: {zh: 测试规则, en: A test rule}
  domain: test
  zones:
    - {zone: test_zone, from: 2020-01-01}
  let:
    p: person
    homes: p.residence
  scope:
    - label: {zh: 有缴费记录, en: Some periods}
      when: count(insurance) > 0
  conditions:
    - label: {zh: 户籍在青岛市南区, en: Household registration in Shinan}
      when: p.hukou == "370202"
    - label: {zh: 有居住登记, en: A residence is registered}
      when: exists(homes)
  outcome:
    months:
      label: {zh: 月数, en: Months}
      expr: count(months(insurance))
  basis:
    - document: tiny_notice
      quote: 推动测试区域内缴费年限互认
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("alias") / "pack"
    shutil.copytree(TINY, root)
    (root / "rules" / "tiny.yaml").write_text(RULE, encoding="utf-8")
    return tongcheng.load_pack(root)


def situation(person: dict):
    return parse_situation({
        "as_of": "2024-01-01", "target": "370200", "person": person,
        "insurance": [{"scheme": "pension", "place": "370600", "from": "2020-01",
                       "to": "2021-12"}],
    })


@pytest.mark.parametrize("evaluator", ["interpreter", "compiled"])
def test_a_missing_fact_read_through_an_alias_is_named_by_its_path(pack, evaluator):
    result = tongcheng.evaluate(situation({}), pack, evaluator=evaluator)
    (d,) = result.decisions
    assert d.status.value == "undetermined"
    assert set(d.missing) == {"person.hukou", "person.residence"}
    assert {q.path for q in result.questions} == {"person.hukou", "person.residence"}
    facts = {k for r in d.reasons for k in (r.facts or {})}
    assert "person.hukou" in facts and "hukou" not in facts


@pytest.mark.parametrize("evaluator", ["interpreter", "compiled"])
def test_the_alias_decides_as_the_path_does(pack, evaluator):
    known = situation({"hukou": "370202",
                       "residence": [{"place": "370200", "since": "2023-01-01"}]})
    (d,) = tongcheng.evaluate(known, pack, evaluator=evaluator).decisions
    assert d.status.value == "eligible" and d.outcome == {"months": 24}
    elsewhere = situation({"hukou": "370602"})
    (d,) = tongcheng.evaluate(elsewhere, pack, evaluator=evaluator).decisions
    assert d.status.value == "ineligible"
