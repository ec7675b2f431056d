"""The screen on rules an author gets wrong (``rulegen.ill_typed_rules``): a rule the loader
lets through ends, in the columns too, in the reference's decisions or its ``RuleError`` —
never in an error of polars or a traceback (``tests/test_ill_typed_rules.py``: the evaluators).
"""

from __future__ import annotations

import yaml
from batchtools import assert_screened_as_the_reference
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from rulegen import SETTINGS, ill_typed_rules, load_generated
from tongcheng.batch.engine import BatchEvaluator
from tongcheng.errors import PackError
from tongcheng.situation import parse_situation
from tongcheng.testing import situations


@settings(max_examples=100, **SETTINGS)
@given(st.data())
def test_a_rule_of_the_wrong_kinds_screens_as_the_reference(data):
    rule = data.draw(ill_typed_rules())
    note(yaml.safe_dump([rule], allow_unicode=True, sort_keys=False))
    try:
        pack = load_generated([rule])
    except PackError:
        event("refused at load")
        return
    models = [parse_situation(data.draw(situations(pack=pack, rule="ill.r0")))
              for _ in range(data.draw(st.integers(1, 6)))]
    engine = BatchEvaluator(pack)
    event("in columns" if not engine.fallback_rules else "left to the reference")
    event(assert_screened_as_the_reference(engine, models))
