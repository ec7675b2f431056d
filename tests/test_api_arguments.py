"""``tongcheng.evaluate`` refuses an argument of the wrong kind by name, where Python's own
error would have said nothing useful (``'<=' not supported``, ``tuple indices must be
integers``) or the call would have gone wrong quietly (a text of rule ids read letter by
letter); and takes the ISO text of a date for ``as_of``, as the situation does."""

from __future__ import annotations

import datetime

import pytest

import tongcheng

SENIOR = {"target": "370200", "person": {"birth_date": "1950-01-01", "hukou": "370200"}}
RULE = "transit.senior_free_ride"


def test_as_of_is_a_date_or_its_iso_text():
    by_text = tongcheng.evaluate(SENIOR, as_of="2025-01-01", rules=[RULE], trace=False)
    by_date = tongcheng.evaluate(SENIOR, as_of=datetime.date(2025, 1, 1), rules=[RULE],
                                 trace=False)
    assert by_text == by_date and by_text.as_of == datetime.date(2025, 1, 1)
    with pytest.raises(ValueError, match=r"as_of: '2025-02-30' is not a calendar date"):
        tongcheng.evaluate(SENIOR, as_of="2025-02-30")
    for bad in ("2025-1-1", "01/01/2025", 20250101, datetime.datetime(2025, 1, 1)):
        with pytest.raises(TypeError, match=r"as_of: expected a date \(or text YYYY-MM-DD\)"):
            tongcheng.evaluate(SENIOR, as_of=bad)


def test_rules_are_a_list_of_ids_never_a_text_read_letter_by_letter():
    with pytest.raises(TypeError, match=r"write rules=\['transit.senior_free_ride'\]"):
        tongcheng.evaluate(SENIOR, rules=RULE)
    with pytest.raises(TypeError, match="rules: expected a list of rule ids"):
        tongcheng.evaluate(SENIOR, rules=[RULE, 3])
    for given in ([RULE], (RULE,), {RULE}, {RULE: 1}.keys()):
        assert [d.rule for d in tongcheng.evaluate(SENIOR, rules=given).decisions] == [RULE]
    with pytest.raises(KeyError, match="unknown rule nope"):
        tongcheng.evaluate(SENIOR, rules=["nope"])


def test_trace_and_pack_of_the_wrong_kind_are_named():
    with pytest.raises(TypeError, match="trace: expected True or False, got 'no'"):
        tongcheng.evaluate(SENIOR, trace="no")
    with pytest.raises(TypeError, match="pack: expected a RulePack, a pack folder"):
        tongcheng.evaluate(SENIOR, pack=3)
    with pytest.raises(ValueError, match="unknown evaluator 'fast'"):
        tongcheng.evaluate(SENIOR, evaluator="fast")
