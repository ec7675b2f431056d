"""How firm a decision is, and the sentences it rests on.

Each zone entry of a rule has its own firmness, read from its source sentence (in force, pilot,
promise), and may name that sentence as its basis. A decision is grounded in zone entries:

- an eligible decision rests on the entries in force at ``as_of`` that hold the target and grant
  on their own (the rule decided with that entry as its only zone is eligible too); its firmness
  is the firmest of them. Where no single entry grants alone (the grant needs two zones at once),
  it rests on every entry holding the target and is as firm as the weakest of them;
- any other decision rests on the entries in force that hold the target, and reports the firmest
  of them (how firm a grant there would be); where none holds the target (the target outside
  every zone, unknown, or the rule not in force), on all the rule's entries, again the firmest.

The decision's basis is the rule's own basis, then the bases of the entries it rests on, then
the basis of the exception applied, each sentence once (resting on every entry and applying no
exception, that is ``Rule.basis``, all the rule cites).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tongcheng.evaluate.decision import Decision, Status, replaced
from tongcheng.evaluate.frame import Frame
from tongcheng.evaluate.functions import zone_status
from tongcheng.expr import ast
from tongcheng.pack.model import Basis, Rule, ZoneRef, firmest, weakest

Alone = Callable[[ZoneRef, Frame], Status]


def ground(d: Decision, frame: Frame | None, rule: Rule, alone: Alone) -> Decision:
    """``d`` with the firmness and basis of the zone entries it rests on."""
    rests, firm = rests_on(d, frame, rule, alone)
    basis = decision_basis(rule, rests, d.exception)
    if firm == d.firmness and basis is d.basis:
        return d
    return replaced(d, firmness=firm, basis=basis)


def rests_on(
    d: Decision, frame: Frame | None, rule: Rule, alone: Alone
) -> tuple[Sequence[ZoneRef], str]:
    """The zone entries a decision rests on, and its firmness (see the module's doc)."""
    target = frame.target if frame is not None else None
    holding: tuple[ZoneRef, ...] = ()
    if frame is not None and target is not None:
        holding = tuple(ref for ref in frame.active_zones
                        if zone_status(frame, ref, target) is True)
    if not holding:
        return rule.zones, firmest(ref.firmness for ref in rule.zones)
    if d.status is not Status.ELIGIBLE or len(holding) == 1 or not _differ(holding):
        return holding, firmest(ref.firmness for ref in holding)
    if not _weighs_zones(rule):  # only the zone test reads the zones: every holding one grants
        return holding, firmest(ref.firmness for ref in holding)
    assert frame is not None
    granting = tuple(ref for ref in holding if alone(ref, frame) is Status.ELIGIBLE)
    if granting:
        return granting, firmest(ref.firmness for ref in granting)
    return holding, weakest(ref.firmness for ref in holding)


_ZONE_FUNCTIONS = frozenset({"member", "shares_zone", "service_items", "in_zone"})
_WEIGHS: dict[int, tuple[Rule, bool]] = {}


def _weighs_zones(rule: Rule) -> bool:
    """Whether the rule's clauses read its zones (beyond the test that the target is in one)."""
    hit = _WEIGHS.get(id(rule))
    if hit is None or hit[0] is not rule:
        clauses = [*rule.lets, *rule.scope, *rule.conditions, *rule.outcome,
                   *([rule.place] if rule.place else []),
                   *(c for e in rule.exceptions for c in (*e.applies, *(e.conditions or ()),
                                                         *e.outcome))]
        weighs = any(isinstance(n, ast.Call) and n.func in _ZONE_FUNCTIONS
                     for c in clauses for n in ast.walk(c.expr))
        if len(_WEIGHS) > 4096:
            _WEIGHS.clear()
        hit = _WEIGHS[id(rule)] = (rule, weighs)
    return hit[1]


def status_only(rule: Rule) -> bool:
    """Whether the rule's status alone can be decided without its outcome (the compiled
    evaluator's zone re-decisions): no exceptions (whose outcomes can conflict) and no division
    in the outcome or the definitions (a division by zero there is a defect to report)."""
    hit = _STATUS_ONLY.get(id(rule))
    if hit is None or hit[0] is not rule:
        if len(_STATUS_ONLY) > 4096:
            _STATUS_ONLY.clear()
        hit = _STATUS_ONLY[id(rule)] = (rule, not rule.exceptions and not divides(rule))
    return hit[1]


_STATUS_ONLY: dict[int, tuple[Rule, bool]] = {}


def divides(rule: Rule) -> bool:
    """Whether an outcome or definition of the rule (an exception's included) divides: the
    generated decisions' zone re-decisions then compute the outcome, so that a division by zero
    there is reported as the first decision would. (Their exceptions need no outcome: where two
    apply at once, or one may apply and the scope holds, the generated decision hands the rule
    to the shared loops, which compute the outcomes they compare.)"""
    clauses = [*rule.lets, *rule.outcome, *(c for e in rule.exceptions for c in e.outcome)]
    return any(isinstance(n, ast.Arith) and n.op == "/"
               for c in clauses for n in ast.walk(c.expr))


def _differ(refs: Sequence[ZoneRef]) -> bool:
    """Whether it matters which of these entries a grant rests on."""
    return len({ref.firmness for ref in refs}) > 1 or any(ref.basis for ref in refs)


# Bases by (rule, entries, exception): one tuple each, so that callers caching by identity (the
# HTTP answer writer) meet the same object again. The rule is kept with its entry, so its id
# cannot be reused while the entry lives.
_BASES: dict[tuple[int, tuple[int, ...], str | None], tuple[Rule, tuple[Basis, ...]]] = {}
_BASES_MAX = 20_000


def decision_basis(rule: Rule, rests: Sequence[ZoneRef], exception: str | None) -> tuple[
        Basis, ...]:
    """The rule's basis, the bases of the entries ``rests``, the applied exception's basis."""
    key = (id(rule), tuple(id(ref) for ref in rests), exception)
    hit = _BASES.get(key)
    if hit is not None and hit[0] is rule:
        return hit[1]
    resting = {id(ref) for ref in rests}
    extra: list[Basis] = [b for ref in rule.zones if id(ref) in resting for b in ref.basis]
    if exception is not None:
        extra += [b for e in rule.exceptions if e.label == exception for b in e.basis]
    if exception is None and len(resting) == len(rule.zones):
        out = rule.basis  # every entry: all the rule cites
    else:
        seen: set[Any] = set()
        kept: list[Basis] = []
        for b in (*rule.own_basis, *extra):
            mark = (b.document.id, b.article, b.quote, b.zone)
            if mark not in seen:
                seen.add(mark)
                kept.append(b)
        out = tuple(kept)
    if len(_BASES) >= _BASES_MAX:
        _BASES.clear()
    _BASES[key] = (rule, out)
    return out
