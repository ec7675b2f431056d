"""A step's decisions: every rule decided without a trace at once, traced only when read.

A case step compares the new decisions with the last ones (statuses and outcomes: what the
durable_rules match and the notifications turn on) and explains only the decisions that changed
or that a notification cites. Statuses, outcomes, missing facts, firmness and basis are the same
with or without a trace (the evaluator's contract), so the step decides untraced — about half
the work — and traces the few rules it reports, each exactly as the whole traced evaluation
gives it: a rule's decision does not depend on the other rules, except the order of its missing
facts (``ranked``: by how many undetermined decisions each could settle), which is taken from
the untraced evaluation of every rule. The whole traced evaluation (``Case.evaluation``) is
made the first time it is read, and kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from tongcheng.evaluate.decision import Decision, Evaluation, replaced
from tongcheng.pack.model import RulePack


@attrs.define(eq=False, repr=False)
class Decided:
    """The decisions of one situation under one pack: ``quick`` (untraced, every rule) now,
    traced ones when asked for."""

    situation: Any
    pack: RulePack
    quick: Evaluation
    _full: Evaluation | None = None
    _traced: dict[str, Decision] = attrs.field(factory=dict)

    @classmethod
    def of(cls, situation: Any, pack: RulePack) -> Decided:
        from tongcheng.api import evaluate

        return cls(situation, pack, evaluate(situation, pack, trace=False))

    @property
    def evaluation(self) -> Evaluation:
        """Every rule traced: exactly ``tongcheng.evaluate(situation, pack)`` (made once)."""
        if self._full is None:
            from tongcheng.api import evaluate

            self._full = evaluate(self.situation, self.pack)
        return self._full

    def traced(self, rules: Iterable[str]) -> dict[str, Decision]:
        """The traced decisions of these rules, as the whole traced evaluation gives them."""
        rules = list(dict.fromkeys(rules))
        if self._full is not None:
            return {r: self._full.decision(r) for r in rules}
        wanted = [r for r in rules if r not in self._traced]
        if wanted:
            from tongcheng.api import evaluate

            for d in evaluate(self.situation, self.pack, rules=wanted).decisions:
                ranked = self.quick.decision(d.rule).missing  # the order of the whole pack's
                self._traced[d.rule] = d if d.missing == ranked else replaced(d, missing=ranked)
        return {r: self._traced[r] for r in rules}
