"""What the generated decision functions (``decider``) call: the Decision built directly, and
the reference evaluator's own zone test and truth check (so both say the same, errors included).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tongcheng.evaluate import values as v
from tongcheng.evaluate.decision import Decision, Reason, Status
from tongcheng.evaluate.frame import Frame
from tongcheng.evaluate.interpreter import evaluate_clause
from tongcheng.pack.model import Rule


def decided(rule: Rule, frame: Frame, status: Status, reasons: Iterable[Reason],
            outcome: dict[str, Any], missing: Iterable[str], params: Iterable[str],
            exception: str | None) -> Decision:
    """The decision, as ``evaluator._decide`` builds it (before its grounding)."""
    return Decision(rule.id, rule.title, status, outcome, tuple(reasons),
                    tuple(sorted(missing)) if missing else (),
                    tuple(sorted(params)) if params else (), rule.basis, rule.firmness,
                    exception, rule.reading, tuple(frame.flagged))


UNSURE = object()  # no exception surely chosen: the shared loops decide


def choose(rule: Rule, applies: tuple[Any, ...], open_scope: bool = False
           ) -> int | object | None:
    """Which exception applies (its index; None: none), given whether each does, as
    ``evaluator._exceptions`` chooses; UNSURE where two apply at once (the reference checks
    them for a conflict) or one may or may not apply (the reference weighs both variants).

    ``open_scope``: the scope is itself unknown, so every variant is undetermined with no
    outcome and an exception that may apply changes nothing — provided every exception in play
    tests the rule's own conditions (the same parameters read); then the one surely chosen is
    given, not UNSURE."""
    if not any(x is not False for x in applies):
        return None  # (the common case: none applies)
    from tongcheng.evaluate.evaluator import weigh_exceptions  # it imports this package

    by_label = dict(zip([e.label for e in rule.exceptions], applies, strict=True))
    winners, uncertain = weigh_exceptions(rule, by_label)
    if len(winners) > 1:
        return UNSURE
    if uncertain and not (open_scope and all(e.conditions is None for e, _ in uncertain)
                          and not (winners and winners[0].conditions is not None)):
        return UNSURE
    if not winners:
        return None
    return next(k for k, e in enumerate(rule.exceptions) if e is winners[0])


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
        "choose": choose,
        "UNSURE": UNSURE,
        "gaps": v.gaps,
        "PARTIAL": v.PARTIAL,
        "set": set,
        "ELIGIBLE": Status.ELIGIBLE,
        "INELIGIBLE": Status.INELIGIBLE,
        "UNDETERMINED": Status.UNDETERMINED,
    }
