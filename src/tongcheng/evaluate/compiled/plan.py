"""One rule decided by the compiled evaluator, start to end, traced or not.

The reference evaluator's ``decide`` serves every evaluator: it builds closures, looks up the
rule's definitions and zones, and re-decides through the shared loops. The compiled evaluator
decides a rule that is in force and about the situation's kind of subject here instead, in the
same three steps and with the same meaning — the decision on the facts as given (the rule's
generated decision, ``decider``), finite cases (``finite.by_cases``), grounding in the zone
entries (``settled.ground``) — with what does not depend on the situation worked out once per
rule (``Plan``: its definitions, its zones in force by date, whether a zone re-decision needs
the outcome, which definitions a re-decision can take over, ``lets``). Where the generated
decision leaves the rule to the shared loops (an exception that may or may not apply), or a
finite case changes the kind of subject, the reference's own ``_decide`` decides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from tongcheng.errors import RuleConflict
from tongcheng.evaluate import finite, firmness
from tongcheng.evaluate.compiled import cases, lets, settled
from tongcheng.evaluate.decision import Decision, Status
from tongcheng.evaluate.frame import QUIET, Frame, Recorder
from tongcheng.pack.model import Clause, Rule, RulePack, ZoneRef
from tongcheng.places import PlaceRegistry

Run = Callable[[Frame, bool], Decision | None]


@attrs.define
class Plan:
    """What deciding one rule needs that no situation changes."""

    rule: Rule
    runs: tuple[Run, Run]  # the generated decisions, untraced and traced (compiled.decider)
    lets: dict[str, Clause]
    outcomes_alone: bool  # whether a zone re-decision needs the outcome (firmness.divides)
    subject_of: Callable[[Any], str]  # evaluator.subject_of
    shared_loops: Callable[..., tuple[Decision, Frame | None]]  # evaluator._decide
    lets_kept: lets.LetFacts  # which definitions a re-decision takes over
    scope_roots: frozenset[str] | None  # the parts the scope names (cases.scope_roots)
    active: dict[date, tuple[ZoneRef, ...]] = attrs.field(factory=dict)

    def active_at(self, as_of: date) -> tuple[ZoneRef, ...]:
        zones = self.active.get(as_of)
        if zones is None:
            if len(self.active) > 256:
                self.active.clear()
            zones = self.active[as_of] = tuple(
                [z for z in self.rule.zones if z.active(as_of)])
        return zones


def plan(rule: Rule, runs: tuple[Run, Run]) -> Plan:
    from tongcheng.evaluate.evaluator import _decide, subject_of  # it imports this package

    return Plan(rule, runs, {c.name: c for c in rule.lets} if rule.lets else {},
                firmness.divides(rule), subject_of, _decide, lets.let_facts(rule),
                cases.scope_roots(rule))


def decide(p: Plan, pack: RulePack, registry: PlaceRegistry, situation: Any, as_of: date,
           memo: dict, runners: Any, trace: bool) -> Decision:
    """The rule's decision (as the reference's ``decide``), the rule in force and about the
    situation's kind of subject."""
    rule, runs, kept = p.rule, p.runs, runners.settled
    source: list[Frame] = []  # the frame of the decision on the facts as given

    def grounded(facts: Any, traced: bool) -> Decision:
        d = None
        tried = facts is situation or p.subject_of(facts) == rule.subject  # (a case may not)
        if tried:
            frame = Frame(pack, registry, facts, as_of, rule, p.active_at(as_of), p.lets,
                          recorder=Recorder() if traced else QUIET, memo=memo, trace=traced,
                          runners=runners)
            if source:
                lets.for_case(p.lets_kept, frame, source[0])
            d = runs[traced](frame, True)
            if not source and facts is situation:
                source.append(frame)
        if d is None:  # the reference's steps (the generated decision not tried again)
            d, frame = p.shared_loops(pack, registry, facts, as_of, rule, memo, traced,
                                      runners=runners, generated=not tried)
        return settled.ground(kept, d, frame, rule, alone)

    def alone(ref: ZoneRef, frame: Frame) -> Status:
        """The status with this zone entry the only one in force (no trace)."""
        zones = (ref,) if ref.active(as_of) else ()
        one = Frame(pack, registry, frame.situation, as_of, rule, zones, p.lets,
                    recorder=QUIET, memo=memo, trace=False, runners=runners)
        lets.for_zone(p.lets_kept, one, frame)
        d = runs[False](one, p.outcomes_alone)
        if d is not None:
            return d.status
        try:  # (the status alone: the outcome only where the rule divides, as above)
            return p.shared_loops(pack, registry, frame.situation, as_of, rule, memo, False,
                                  (ref,), runners=runners, outcomes=p.outcomes_alone,
                                  generated=False)[0].status
        except RuleConflict:
            return Status.UNDETERMINED

    first = grounded(situation, trace)
    if first.status is not Status.UNDETERMINED or (
            source[0].scope_open and p.scope_roots is not None
            and cases.cannot_settle(p.scope_roots, first.missing)):
        return first  # (an unknown scope no finite case reads: every case is undetermined)
    return finite.by_cases(first, situation, grounded, trace, memo)
