"""Running test cases: evaluate each case's situation, compare with what it expects.

A mismatch carries the line of the expectation, what was expected and what came, and the lines
of the trace that decided it (the test that was false, the facts still unknown, the outcome
clause), so an author sees why without rerunning ``tongcheng check``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from tongcheng.errors import RuleConflict
from tongcheng.evaluate.decision import Decision, Reason, Status
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.pack.model import RulePack, Text
from tongcheng.packtest.cases import (
    Case,
    Expectation,
    TestFile,
    pack_test_files,
    read_test_file,
)


@attrs.frozen
class Mismatch:
    """One expectation a decision did not meet."""

    rule: str
    check: str  # status | firmness | outcome.FIELD | missing | ... | error
    line: int | None
    expected: Any
    actual: Any
    trace: tuple[Reason, ...] = ()
    message: Text | None = None  # instead of expected/actual (a rule that failed to evaluate)


@attrs.frozen
class CaseResult:
    case: Case
    mismatches: tuple[Mismatch, ...]
    decisions: tuple[Decision, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.case.broken and not self.mismatches


def run_case(pack: RulePack, case: Case) -> CaseResult:
    """Decide the rules the case names and compare each with its expectation."""
    if case.broken or case.situation is None:
        return CaseResult(case, ())
    rules = [e.rule for e in case.expectations]
    try:
        result = evaluate_pack(pack, case.situation, rules=rules)
    except (RuleConflict, RuleError) as e:
        rule = getattr(e, "rule", rules[0] if rules else "")
        return CaseResult(case, (Mismatch(rule, "error", case.line, None, None, message=Text(
            f"规则求值失败: {e}", f"the rule failed to evaluate: {e}")),))
    mismatches: list[Mismatch] = []
    for expectation in case.expectations:
        mismatches += compare(expectation, result.decision(expectation.rule))
    return CaseResult(case, tuple(mismatches), result.decisions)


def compare(e: Expectation, d: Decision) -> list[Mismatch]:
    out: list[Mismatch] = []

    def miss(check: str, key: str, expected: Any, actual: Any, trace: Iterable[Reason]) -> None:
        out.append(Mismatch(e.rule, check, e.line_of(key), expected, actual, tuple(trace)))

    if e.status is not None and d.status.value != e.status:
        miss("status", "status", e.status, d.status.value, deciding(d))
    if e.firmness is not None and d.firmness != e.firmness:
        miss("firmness", "firmness", e.firmness, d.firmness, ())
    for name, expected in e.outcome:
        actual = d.outcome.get(name, _ABSENT)
        if not same_value(expected, actual):
            trace = [r for r in d.reasons if r.kind == "outcome" and r.name == name]
            miss(f"outcome.{name}", "outcome", expected,
                 None if actual is _ABSENT else actual, trace or deciding(d))
    if e.missing is not None and set(e.missing) != set(d.missing):
        miss("missing", "missing", list(e.missing), list(d.missing), _unknown(d))
    lacking = [p for p in e.missing_has if p not in d.missing]
    if lacking:
        miss("missing_has", "missing_has", lacking, list(d.missing), _unknown(d))
    if e.missing_parameters is not None and set(e.missing_parameters) != set(
            d.missing_parameters):
        miss("missing_parameters", "missing_parameters", list(e.missing_parameters),
             list(d.missing_parameters), _unknown(d))
    lacking = [p for p in e.missing_parameters_has if p not in d.missing_parameters]
    if lacking:
        miss("missing_parameters_has", "missing_parameters_has", lacking,
             list(d.missing_parameters), _unknown(d))
    if e.missing_parameters_nonempty is not None and bool(d.missing_parameters) != (
            e.missing_parameters_nonempty):
        miss("missing_parameters_nonempty", "missing_parameters_nonempty",
             e.missing_parameters_nonempty, list(d.missing_parameters), _unknown(d))
    if e.checks_exception and d.exception != e.exception:
        miss("exception", "exception", e.exception, d.exception,
             [r for r in d.reasons if r.kind == "exception"])
    return out


_ABSENT = object()


def deciding(d: Decision) -> list[Reason]:
    """The lines of the trace that decided the status: the test that made the rule not
    applicable or ineligible, the tests left unknown, or the conditions that granted it."""
    tests = [r for r in d.reasons if r.kind != "outcome"]
    if d.status is Status.NOT_APPLICABLE:
        return [r for r in tests if r.value is False][:1] or tests[-1:]
    if d.status is Status.INELIGIBLE:
        return [r for r in tests if r.kind == "condition" and r.value is False] or tests[-1:]
    if d.status is Status.UNDETERMINED:
        return [r for r in tests if r.value is None] or tests[-1:]
    granted = [r for r in tests if r.kind in ("condition", "exception") and r.value is True]
    return granted or [r for r in tests if r.kind == "scope"] or tests[-1:]


def _unknown(d: Decision) -> list[Reason]:
    return [r for r in d.reasons
            if r.missing or r.missing_parameters or (r.value is None and r.kind != "outcome")]


def same_value(expected: Any, actual: Any) -> bool:
    """Whether an outcome value is the one a test wrote: numbers by value (305 == 305.0,
    0.6 == Decimal('0.6')), dates as ISO text, mappings by key text, lists in order."""
    if actual is _ABSENT:
        return False
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if _number(expected) is not None and _number(actual) is not None:
        return _number(expected) == _number(actual)
    if isinstance(expected, dict) and isinstance(actual, dict):
        exp = {str(k): v for k, v in expected.items()}
        act = {str(k): v for k, v in actual.items()}
        return exp.keys() == act.keys() and all(same_value(exp[k], act[k]) for k in exp)
    if isinstance(expected, list | tuple) and isinstance(actual, list | tuple):
        return len(expected) == len(actual) and all(
            same_value(a, b) for a, b in zip(expected, actual, strict=True))
    if hasattr(expected, "isoformat"):
        expected = expected.isoformat()
    if hasattr(actual, "isoformat"):
        actual = actual.isoformat()
    return expected == actual


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def run_file(pack: RulePack, test_file: TestFile, keyword: str | None = None
             ) -> list[CaseResult]:
    return [run_case(pack, case) for case in test_file.cases
            if keyword is None or keyword in case.name]


def run_pack_tests(pack: RulePack) -> tuple[list[TestFile], list[CaseResult]]:
    """Read and run every test file the pack carries (``tests/*.yaml``)."""
    from pathlib import Path

    root = Path(pack.root)
    files = [read_test_file(p, pack, p.relative_to(root).as_posix())
             for p in pack_test_files(root)]
    return files, [r for f in files for r in run_file(pack, f)]
