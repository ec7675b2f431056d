"""The compiled evaluator against the reference interpreter: the same decisions, traces included.

The differential tests draw situations (``tongcheng.testing``: sparse and nearly complete, some
focused on one rule) and decide each with both evaluators, traced and untraced; the evaluations
must be equal field for field (statuses, outcomes, firmness, basis, missing facts, questions,
every trace line with its facts, parameters and notes) and print the same JSON, key order
included.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tongcheng
from tongcheng.evaluate import compiled
from tongcheng.evaluate.compiled.codegen import clauses_of
from tongcheng.situation import load_situation, parse_situation
from tongcheng.testing import situations

PACK = tongcheng.bundled_pack()
ROOT = Path(__file__).resolve().parents[1]


def both(situation, trace: bool):
    model = parse_situation(situation) if isinstance(situation, dict) else situation
    ref = tongcheng.evaluate(model, PACK, trace=trace, evaluator="interpreter")
    fast = tongcheng.evaluate(model, PACK, trace=trace, evaluator="compiled")
    return ref, fast


def decided(model, pack, trace: bool, evaluator: str):
    """The evaluation, or the rule error it ends in (``("error", message)``)."""
    from tongcheng.evaluate.evaluator import RuleError

    try:
        return tongcheng.evaluate(model, pack, trace=trace, evaluator=evaluator)
    except RuleError as e:
        return ("error", str(e))


def assert_same(ref, fast) -> None:
    for a, b in zip(ref.decisions, fast.decisions, strict=True):
        assert a == b, a.rule
    assert ref == fast
    for lang in ("zh", "en"):
        assert json.dumps(ref.to_json(lang), ensure_ascii=False, default=str) == json.dumps(
            fast.to_json(lang), ensure_ascii=False, default=str)


@given(situations(), st.booleans())
def test_compiled_decides_as_the_interpreter(situation, trace):
    assert_same(*both(situation, trace))


@given(st.data())
def test_compiled_decides_as_the_interpreter_rule_by_rule(data):
    rule = data.draw(st.sampled_from(PACK.rule_ids))
    situation = data.draw(situations(rule=rule))
    for trace in (True, False):
        assert_same(*both(situation, trace))


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_decide_alike(path):
    model = load_situation(path)
    for trace in (True, False):
        ref, fast = both(model, trace)
        assert_same(ref, fast)
        assert len(ref.decisions) == len(PACK.rules)


def test_default_is_compiled_and_runs_generated_code(monkeypatch):
    """The default evaluator runs the generated functions: a broken function shows."""
    model = load_situation(ROOT / "examples" / "recognition-yantai-qingdao.yaml")
    rule = PACK.rule("medical_insurance.contribution_years_recognition")
    good = tongcheng.evaluate(model, PACK).decision(rule.id)
    assert good.status is tongcheng.Status.ELIGIBLE
    runners = dict(compiled.runners(PACK))
    scope = rule.scope[0]
    monkeypatch.setitem(runners, id(scope.expr), lambda frame, env: False)
    monkeypatch.setattr(compiled, "runners", lambda pack: runners)
    changed = tongcheng.evaluate(model, PACK).decision(rule.id)
    assert changed.status is tongcheng.Status.NOT_APPLICABLE
    ref = tongcheng.evaluate(model, PACK, evaluator="interpreter").decision(rule.id)
    assert ref.status is tongcheng.Status.ELIGIBLE


def test_every_clause_has_a_generated_function_and_no_rule_text():
    pack = compiled.compiled_pack(PACK)
    assert set(pack.rules) == set(PACK.rule_ids)
    for rule in PACK.rules:
        src = compiled.source(PACK, rule.id)
        compile(src, rule.id, "exec")
        funcs = pack.rules[rule.id].runners
        for _, clause in clauses_of(rule):
            assert id(clause.expr) in funcs
            # the expression's text and its labels never reach the source (only the tree)
            if " " in clause.text.strip():  # more than a bare path
                assert clause.text not in src, (rule.id, clause.text)
            if not clause.label.zh.isascii():  # a label, not a definition's bare name
                assert clause.label.zh not in src
        assert rule.title.zh not in src


def test_unknown_evaluator_is_refused():
    with pytest.raises(ValueError, match="interpreter"):
        tongcheng.evaluate({"as_of": "2025-06-01"}, PACK, evaluator="fast")


def test_rules_compiled_prints_the_generated_code():
    from click.testing import CliRunner

    from tongcheng.cli import main

    rule = "medical_insurance.retiree_benefit_years"
    out = CliRunner().invoke(main, ["rules", rule, "--compiled"])
    assert out.exit_code == 0, out.output
    assert out.output == compiled.source(PACK, rule)
    assert out.output.startswith(f"# rule {rule}: generated")
    assert "def condition_" in out.output and "IMPLS['param']" in out.output
    bare = CliRunner().invoke(main, ["rules", "--compiled", "--lang", "en"])
    assert bare.exit_code == 2
    assert "--compiled needs a rule id" in bare.output


def test_environment_picks_the_default_evaluator(monkeypatch):
    from click.testing import CliRunner

    from tongcheng.cli import main
    from tongcheng.evaluate import evaluator

    monkeypatch.setattr(evaluator, "DEFAULT_EVALUATOR", "interpreter")
    assert evaluator.runners_for(PACK, None) is None
    assert evaluator.runners_for(PACK, "compiled") is compiled.runners(PACK)
    monkeypatch.setattr(evaluator, "DEFAULT_EVALUATOR", "bogus")
    out = CliRunner().invoke(main, ["rules"])
    assert out.exit_code == 2
    assert "TONGCHENG_EVALUATOR='bogus'" in out.output and "未知的评估器" in out.output


def test_generated_source_takes_names_and_literals_only_through_repr():
    """Strings of the pack (literals, a rule id) never break out of their quotes."""
    import attrs

    from tongcheng.evaluate.compiled.codegen import generate
    from tongcheng.expr import ast as x

    rule = PACK.rule("transit.senior_free_ride")
    hostile = "x'\n__import__('os').system('true')  # "
    clause = attrs.evolve(rule.scope[0] if rule.scope else rule.conditions[0],
                          expr=x.Compare("==", x.Literal(hostile), x.Literal(hostile)))
    odd = attrs.evolve(rule, id="x\nimport os", scope=(clause,))
    src = generate(odd).source
    tree = compile(src, "odd", "exec", flags=0x400, dont_inherit=True)  # PyCF_ONLY_AST
    assert src.splitlines()[0].startswith("# rule 'x\\nimport os'")
    assert "import" not in {type(n).__name__.lower() for n in __import__("ast").walk(tree)}
    assert repr(hostile) in src


def test_rules_are_decided_by_their_generated_decisions(monkeypatch):
    """Each rule has a generated decision, untraced and traced, and the default evaluator uses
    them: a clause broken where the decision calls it shows."""
    pack = compiled.compiled_pack(PACK)
    for rule in PACK.rules:
        src = compiled.source(PACK, rule.id)
        assert "def decide_untraced(frame, outcomes):" in src, rule.id
        assert "def decide_traced(frame, outcomes):" in src, rule.id
        assert pack.rules[rule.id].decider is not None
        assert ("choose(RULE, " in src) is bool(rule.exceptions)
    model = load_situation(ROOT / "examples" / "recognition-yantai-qingdao.yaml")
    rule = PACK.rule("medical_insurance.contribution_years_recognition")
    for trace in (True, False):
        assert tongcheng.evaluate(model, PACK, trace=trace).decision(rule.id).status is \
            tongcheng.Status.ELIGIBLE
    untraced, traced = pack.rules[rule.id].decider
    scope_fn = pack.rules[rule.id].runners[id(rule.scope[0].expr)]
    # untraced: the generated decision calls the scope's function by its name
    monkeypatch.setitem(untraced.__globals__, scope_fn.__name__, lambda frame, env: False)
    out = tongcheng.evaluate(model, PACK, trace=False).decision(rule.id)
    assert out.status is tongcheng.Status.NOT_APPLICABLE
    assert tongcheng.evaluate(model, PACK).decision(rule.id).status is tongcheng.Status.ELIGIBLE
    # traced: the generated decision shows the broken test, as false, in its trace
    monkeypatch.setitem(pack.runners, id(rule.scope[0].expr), lambda frame, env: False)
    out = tongcheng.evaluate(model, PACK).decision(rule.id)
    assert out.status is tongcheng.Status.NOT_APPLICABLE
    assert [r.value for r in out.reasons if r.kind == "scope"] == [False]
    assert traced.__name__ == "decide_traced"


def test_untraced_decisions_are_the_traced_ones_without_their_trace():
    """Without a trace, every example decides as with one: the same fields but the reasons."""
    import attrs

    for path in sorted((ROOT / "examples").glob("*.yaml")):
        model = load_situation(path)
        traced = tongcheng.evaluate(model, PACK)
        bare = tongcheng.evaluate(model, PACK, trace=False)
        for a, b in zip(traced.decisions, bare.decisions, strict=True):
            assert b.reasons == ()
            assert attrs.evolve(a, reasons=()) == b, (path.stem, a.rule)


def test_an_exception_that_may_apply_leaves_the_decision_to_the_shared_loops():
    """Where an exception surely applies, its variant is decided in the generated code; where
    it may or may not apply, the generated decision gives None and the evaluator's own loops
    decide (the outcome value it would change is null, as the reference says)."""
    from tongcheng.evaluate.compiled import deciding
    from tongcheng.evaluate.values import Unknown

    rule = PACK.rule("services.cross_city_handling")
    assert deciding.choose(rule, (False, False)) is None
    assert deciding.choose(rule, (True, False)) == 0
    assert deciding.choose(rule, (False, Unknown(frozenset({"person.hukou"})))) is \
        deciding.UNSURE
    base = {"as_of": "2026-06-01", "target": "370682",
            "person": {"birth_date": "1980-01-01", "hukou": "370285"}}
    sure = tongcheng.evaluate(base, PACK, rules=[rule.id]).decision(rule.id)
    assert sure.exception == "shuanglai_window"
    assert sure.outcome["handling"] == "online_or_window_either_city"
    open_ = {**base, "person": {"birth_date": "1980-01-01", "hukou": "370200"}}
    for trace in (True, False):
        ref, fast = both(open_, trace)
        assert_same(ref, fast)
        d = fast.decision(rule.id)
        assert d.outcome["handling"] is None and "person.hukou" in d.missing


@pytest.mark.parametrize("expr", ["exists(0)", "count(5)", "not 0", "count(\"x\")",
                                  "exists([1, 2])", "not 1.5"])
def test_literal_operands_compile(expr):
    """A literal where a name is read (``0.maybe``, ``not 0 is True``) is put in a temporary
    first: the generated code compiles, without a warning (found by the pack fuzz test)."""
    import warnings

    import attrs

    from tongcheng.evaluate.compiled.codegen import generate
    from tongcheng.expr import parse

    rule = PACK.rule("transit.senior_free_ride")
    clause = attrs.evolve(rule.outcome[0], expr=parse(expr))
    odd = attrs.evolve(rule, outcome=(clause,), exceptions=())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compile(generate(odd).source, "odd", "exec", dont_inherit=True)
