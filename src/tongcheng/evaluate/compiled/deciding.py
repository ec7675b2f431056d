"""What the generated decision functions (``decider``) call: the Decision built directly, and
the reference evaluator's own zone test and truth check (so both say the same, errors included).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tongcheng.evaluate import values as v
from tongcheng.evaluate.decision import Decision, Status
from tongcheng.evaluate.interpreter import Frame
from tongcheng.pack.model import Rule


def decided(rule: Rule, frame: Frame, status: Status, outcome: dict[str, Any],
            missing: Iterable[str], params: Iterable[str]) -> Decision:
    """The decision without a trace, as ``evaluator._decide`` builds it."""
    return Decision(rule.id, rule.title, status, outcome, (), tuple(sorted(missing)),
                    tuple(sorted(params)), rule.basis, rule.firmness, None, rule.reading,
                    tuple(frame.flagged))


def not_applicable(rule: Rule, frame: Frame) -> Decision:
    return decided(rule, frame, Status.NOT_APPLICABLE, {}, (), ())


def namespace() -> dict[str, Any]:
    """The names the decision functions use (the evaluator is imported here, when a pack is
    first compiled: it imports this package)."""
    from tongcheng.evaluate import evaluator

    return {
        "zone_test": evaluator._zone_test,
        "as_truth": evaluator._as_truth,
        "decided": decided,
        "not_applicable": not_applicable,
        "gaps": v.gaps,
        "set": set,
        "ELIGIBLE": Status.ELIGIBLE,
        "INELIGIBLE": Status.INELIGIBLE,
        "UNDETERMINED": Status.UNDETERMINED,
    }
