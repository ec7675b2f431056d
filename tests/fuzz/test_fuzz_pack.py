"""The pack loader fed arbitrary expression texts (grammar-shaped and raw), written into the
tiny pack's one rule. The contract: the pack loads, or fails with every problem at a file and
line (exit 3); a pack that loads is decided — by the reference evaluator and by the columnar
one — or refused as a pack defect naming its rule (exit 3); never another exception."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from fuzztools import examples
from hypothesis import given
from hypothesis import strategies as st

import tongcheng
from tongcheng.batch.engine import BatchEvaluator
from tongcheng.batch.layout import from_situations
from tongcheng.errors import PackError, RuleConflict
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.expr.functions import CATALOGUE
from tongcheng.situation import parse_situation

TINY = Path(__file__).resolve().parents[1] / "packs" / "tiny"
RULE = "rules/tiny.yaml"
OUTCOME = "      expr: count(months(insurance))"
SITUATIONS = [parse_situation(s) for s in [
    {"as_of": "2025-06-01", "target": "370200", "person": {"sex": "male", "birth_date":
     "1960-02-29"}, "insurance": [{"scheme": "employee_medical", "place": "370600",
                                    "from": "2020-01", "to": "2021-12"}],
     "request": {"service": "hukou_migration"}},
    {"as_of": "2025-06-01", "target": "370200", "insurance": [
        {"scheme": "pension", "place": "370700", "from": "2019-05"}]},
    {"as_of": "2025-06-01"},
]]

NAMES = ["person", "insurance", "target", "as_of", "provident_fund", "cards", "request",
         "results", "project", "item", "nope"]
FIELDS = ["sex", "birth_date", "place", "from", "to", "scheme", "periods", "balance",
          "service", "zone", "id", "channel", "__dict__", "__class__", "_x", "real", "couple"]
LITERALS = ['"370200"', '"370600"', '"999999"', '"abc"', '"2023-02-29"', '"2024-02-29"',
            '"2020-13"', '"2020-01"', "0", "1", "12", "100", "1.5", "true", "false", "null",
            '"\\ud800"', "9" * 40, "9" * 18, '"tiny.min_months"', '"test_zone"', '"male"',
            '"employee_medical"']
FUNCTIONS = [*CATALOGUE, "eval", "__import__"]
OPERATORS = ["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "in", "and", "or"]


def _call(parts) -> str:
    name, args, kwargs = parts
    return f"{name}({', '.join([*args, *(f'{k}={v}' for k, v in kwargs)])})"


def _compound(inner):
    return st.one_of(
        st.tuples(inner, st.sampled_from(FIELDS)).map(lambda t: f"({t[0]}).{t[1]}"),
        st.tuples(st.sampled_from(NAMES), st.sampled_from(FIELDS)).map(".".join),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(lambda t: f"({' '.join(t)})"),
        inner.map(lambda a: f"not {a}"),
        inner.map(lambda a: f"-{a}"),
        st.tuples(inner, inner, inner).map(lambda t: "if {} then {} else {}".format(*t)),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3),
                  st.lists(st.tuples(st.sampled_from(["place", "at", "x"]), inner),
                           max_size=1)).map(_call),
        st.lists(inner, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
    )


expressions = st.recursive(st.sampled_from(LITERALS + NAMES), _compound, max_leaves=10)


@pytest.fixture(scope="module")
def pack_dir():
    work = Path(tempfile.mkdtemp(prefix="tongcheng-fuzz-pack-"))
    shutil.copytree(TINY, work / "pack")
    yield work / "pack"
    shutil.rmtree(work)


def load_with(pack_dir: Path, expr: str):
    original = (TINY / RULE).read_text(encoding="utf-8")
    text = original.replace(OUTCOME, f"      expr: {json.dumps(expr)}")
    (pack_dir / RULE).write_text(text, encoding="utf-8")
    return tongcheng.load_pack(pack_dir)


@examples(0.4)
@given(expressions | st.text(max_size=40))
def test_any_expression_loads_or_fails_at_a_line_and_is_decided(pack_dir, expr):
    try:
        pack = load_with(pack_dir, expr)
    except PackError as e:
        assert e.problems
        for location, message in e.problems:
            assert location.file == RULE and location.line is not None, (location, message)
        return
    # a pack defect met at evaluation (RuleError, RuleConflict) is exit 3 naming the rule
    for situation in SITUATIONS:
        with contextlib.suppress(RuleError, RuleConflict):
            tongcheng.evaluate(situation, pack).to_json("en")
    with contextlib.suppress(RuleError, RuleConflict):
        engine = BatchEvaluator(pack)
        engine.evaluate(from_situations(SITUATIONS), lambda idx: [SITUATIONS[i] for i in idx])
