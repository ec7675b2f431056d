"""The compiled evaluator against the reference on rules nobody wrote: drawn by hypothesis.

Each example draws a small pack (``tests/rulegen.py``: typed expressions over the whole
function catalogue, definitions, filters, a place chosen by an expression, zone entries of
different firmness, exceptions), loads it through the loader and checker, then decides
situations drawn for its rules with both evaluators, traced and untraced: the evaluations must
be equal, traces and JSON in both languages included, and a rule error must be the same error
from both. A failing example prints the rules' YAML, so the fault can be kept as a rule of
``tests/packs/constructs``.
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rulegen import SETTINGS, drawn_pack, load_generated, rule_packs
from test_compiled import assert_same, decided
from tongcheng.errors import PackError
from tongcheng.situation import parse_situation
from tongcheng.testing import situations


@settings(max_examples=120, **SETTINGS)
@given(st.data())
def test_generated_rules_decide_as_the_interpreter(data):
    pack = drawn_pack(data)
    for _ in range(3):
        rule = data.draw(st.sampled_from(pack.rule_ids))
        model = parse_situation(data.draw(situations(pack=pack, rule=rule)))
        for trace in (False, True):
            ref = decided(model, pack, trace, "interpreter")
            fast = decided(model, pack, trace, "compiled")
            if isinstance(ref, tuple) or isinstance(fast, tuple):
                event("rule error")
                assert ref == fast
            else:
                assert_same(ref, fast)
                for d in ref.decisions:
                    event(f"status {d.status.value}")


def test_the_generator_writes_rules_the_checker_accepts():
    """The generator is typed: most of what it draws loads (else the differential test above
    would test little), and the drawn rules use what they are meant to."""
    loaded, refused, texts = 0, 0, []

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(rule_packs())
    def draw(rules):
        nonlocal loaded, refused
        try:
            load_generated(rules)
            loaded += 1
            texts.append(yaml.safe_dump(rules, allow_unicode=True))
        except PackError:
            refused += 1

    draw()
    assert loaded >= 0.9 * (loaded + refused), (loaded, refused)
    every = "\n".join(texts)
    for construct in ("member(item.place)", "in_zone(", "param(", "months(", "exceptions",
                      "let:", "place:", "not (", "if "):
        assert construct in every, construct
