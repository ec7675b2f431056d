"""Rules an author gets wrong: expressions drawn with no regard for kinds, on both evaluators.

``tests/rulegen.py`` draws typed rules, to prove the evaluators decide alike; an author's pack
is also input, and its mistakes must end as an error naming the rule, never as a traceback. Here
each example draws a rule (``rulegen.ill_typed_rules``) whose condition, and sometimes outcome,
applies any function or operator to facts and literals of any kind — a date where a place is
wanted, a list of cards where periods are, an open period's empty ``to`` — and then either the
loader refuses it (file and line) or both evaluators, traced and untraced, give a decision or a
``RuleError``, the compiled evaluator the same as the reference
(``tests/batch/test_batch_ill_typed.py``: the screen the same as the reference).
"""

from __future__ import annotations

import yaml
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from rulegen import SETTINGS, ill_typed_rules, load_generated
from test_compiled import assert_same, decided
from tongcheng.errors import PackError
from tongcheng.situation import parse_situation
from tongcheng.testing import situations


@settings(max_examples=200, **SETTINGS)
@given(st.data())
def test_a_rule_of_the_wrong_kinds_is_refused_or_ends_in_a_rule_error(data):
    rule = data.draw(ill_typed_rules())
    note(yaml.safe_dump([rule], allow_unicode=True, sort_keys=False))
    try:
        pack = load_generated([rule])
    except PackError as e:
        event("refused at load")
        assert "generated.yaml:" in str(e)  # (file and line)
        return
    models = [parse_situation(data.draw(situations(pack=pack, rule="ill.r0")))
              for _ in range(3)]
    errors = set()
    for model in models:
        for trace in (False, True):
            ref = decided(model, pack, trace, "interpreter")
            fast = decided(model, pack, trace, "compiled")
            if isinstance(ref, tuple) and not isinstance(fast, tuple):
                # a re-decision that cannot change the answer (a finite case while the target
                # is unknown) the compiled evaluator skips: an error there only the reference
                # meets, and the compiled evaluator's answer is the undetermined it began with
                assert [d.status.value for d in fast.decisions] == ["undetermined"], ref
                event("an error in a re-decision the compiled evaluator skips")
            elif isinstance(ref, tuple) or isinstance(fast, tuple):
                assert ref == fast
                errors.add(trace)
            else:
                assert_same(ref, fast)
    event("a rule error" if errors else "decided")
