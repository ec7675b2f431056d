"""What the generated decision functions (``decider``) call: the Decision built directly, and
the reference evaluator's own zone test and truth check (so both say the same, errors included).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tongcheng.evaluate import values as v
from tongcheng.evaluate.decision import Decision, Reason, Status
from tongcheng.evaluate.interpreter import Frame, evaluate_clause
from tongcheng.pack.model import Rule


def decided_with(rule: Rule, frame: Frame, status: Status, reasons: Iterable[Reason],
                 outcome: dict[str, Any], missing: Iterable[str],
                 params: Iterable[str]) -> Decision:
    """The decision, as ``evaluator._decide`` builds it (before its grounding)."""
    return Decision(rule.id, rule.title, status, outcome, tuple(reasons),
                    tuple(sorted(missing)), tuple(sorted(params)), rule.basis, rule.firmness,
                    None, rule.reading, tuple(frame.flagged))


def decided(rule: Rule, frame: Frame, status: Status, outcome: dict[str, Any],
            missing: Iterable[str], params: Iterable[str]) -> Decision:
    """The decision without a trace."""
    return decided_with(rule, frame, status, (), outcome, missing, params)


def namespace() -> dict[str, Any]:
    """The names the decision functions use (the evaluator is imported here, when a pack is
    first compiled: it imports this package)."""
    from tongcheng.evaluate import evaluator

    return {
        "zone_test": evaluator._zone_test,
        "target_in_zone": evaluator._target_in_zone,
        "as_truth": evaluator._as_truth,
        "test": evaluator._test,
        "reason": evaluator._reason,
        "clause_value": evaluate_clause,
        "IN_FORCE_HOLDS": evaluator._IN_FORCE_HOLDS,
        "NOT_APPLICABLE": Status.NOT_APPLICABLE,
        "decided": decided,
        "decided_with": decided_with,
        "gaps": v.gaps,
        "set": set,
        "ELIGIBLE": Status.ELIGIBLE,
        "INELIGIBLE": Status.INELIGIBLE,
        "UNDETERMINED": Status.UNDETERMINED,
    }
