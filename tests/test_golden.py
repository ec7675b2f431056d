"""The contract's golden cases (CONTRACT.md): situations and the decisions the bundled pack gives.

The project's copy is always checked; when ../shared/product is beside the repository (as in CI),
its current file is checked too, so a case added there is enforced at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

import tongcheng

HERE = Path(__file__).parent
SOURCES = [
    HERE / "data" / "golden-cases.yaml",
    HERE.parent.parent / "shared" / "product" / "golden-cases.yaml",
]


def _cases():
    seen = set()
    for source in SOURCES:
        if not source.is_file():
            continue
        for case in YAML(typ="safe").load(source.read_text(encoding="utf-8")):
            key = case["name"]
            if key in seen:
                continue
            seen.add(key)
            yield pytest.param(case, id=f"{source.parent.name}:{key}")


@pytest.mark.parametrize("evaluator", ["compiled", "interpreter"])
@pytest.mark.parametrize("case", list(_cases()))
def test_golden_case(case, evaluator):
    """Both evaluators: the compiled one (the default) and the reference interpreter."""
    result = tongcheng.evaluate(case["situation"], evaluator=evaluator)
    for rule_id, expect in case["expect"].items():
        decision = result.decision(rule_id)
        assert decision.status.value == expect["status"], (rule_id, decision.to_json("en"))
        if "firmness" in expect:
            assert decision.firmness == expect["firmness"], (rule_id, decision.to_json("en"))
            assert decision.to_json("zh")["firmness"] == expect["firmness"]
        for field, value in expect.get("outcome", {}).items():
            assert decision.outcome.get(field) == value, (rule_id, field, decision.outcome)
        for path in expect.get("missing_has", []):
            assert path in decision.missing, (rule_id, decision.missing)
        if expect.get("missing_parameters_nonempty"):
            assert decision.missing_parameters, (rule_id, decision.to_json("en"))


def test_golden_cases_are_found():
    assert len(list(_cases())) >= 16
