"""Decisions settled before any clause is read, kept once per rule and reused.

A rule not in force at ``as_of``, about another kind of subject, or (without a trace) asked at a
target outside every zone of the rule in force, is not applicable whatever else the situation
says: its decision has no facts of the situation in it (no trace lines but fixed ones, nothing
missing, the firmness and basis of all the rule's zone entries). The compiled evaluator decides
such a rule once, by the same code as any other decision, and hands out that decision again
for every situation where the same holds (``key``), after a look at the zone memberships the
evaluation shares anyway.

Kept the same way, for the pack: what settles a rule for a date, kind of subject and target
(``key``), the traced zone test with its trace line (``zone_test``), and the grounding of a
decision in its zone entries (``ground``) — none of them reads anything of the situation but its
target.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from tongcheng.evaluate import firmness
from tongcheng.evaluate.decision import Decision, Status, replaced
from tongcheng.evaluate.frame import Frame
from tongcheng.pack import zones as zone_logic
from tongcheng.pack.model import Rule
from tongcheng.places import PlaceRegistry

_SETTLED_MAX = 10_000  # per compiled pack (dates of rules not in force make the most keys)


def key(registry: PlaceRegistry, situation: Any, as_of: date, rule: Rule, memo: dict,
        trace: bool, subject: str, kept: dict) -> tuple | None:
    """What settles the rule before its clauses, when something does (else None): it depends
    on the date, the kind of subject and the target alone, so it is kept in ``kept`` (the
    compiled pack's) for the next situation of that kind at that place and date."""
    target = getattr(situation, "target", None)
    ck = ("settles", id(rule), as_of, subject, trace, target if isinstance(target, str) else None,
          id(registry))
    hit = kept.get(ck)
    if hit is not None and hit[0] is rule and hit[1] is registry:
        return hit[2]
    out = _key(registry, target, as_of, rule, memo, trace, subject)
    if len(kept) >= _SETTLED_MAX:
        kept.clear()
    kept[ck] = (rule, registry, out)  # the rule and registry are kept: their ids stay theirs
    return out


def beforehand(kept: dict, pack: Any, registry: PlaceRegistry, situation: Any, as_of: date,
               rules: list[Rule], asked: tuple[str, ...] | None, trace: bool, subject: str,
               memo: dict, decide: Callable[[Rule], Decision]) -> tuple[Decision | None, ...]:
    """For each of ``rules`` (those ``asked``, None: the pack's), its decision where it is
    settled before any clause (``key``), else None: kept for the compiled pack by date, kind of
    subject, target and trace, so that an evaluation looks once, not once per rule, at what
    settles each of its rules."""
    target = getattr(situation, "target", None)
    ck = ("beforehand", id(pack), asked, as_of, subject, trace,
          target if isinstance(target, str) else None, id(registry))
    hit = kept.get(ck)
    if hit is not None and hit[0] is pack and hit[1] is registry:
        return hit[2]
    out = tuple(
        None if key(registry, situation, as_of, rule, memo, trace, subject, kept) is None
        else decide(rule) for rule in rules)
    if len(kept) >= _SETTLED_MAX:
        kept.clear()
    kept[ck] = (pack, registry, out)  # the pack and registry are kept: their ids stay theirs
    return out


def _key(registry: PlaceRegistry, target: Any, as_of: date, rule: Rule, memo: dict,
         trace: bool, subject: str) -> tuple | None:
    if not rule.in_force(as_of):
        return (id(rule), "in_force", as_of, trace)
    if subject != rule.subject:
        return (id(rule), "subject", subject, trace)
    if trace or rule.place is not None:
        return None  # a trace shows every scope test; a named place is read by a clause
    if not isinstance(target, str):
        return None
    for ref in rule.zones:
        if ref.active(as_of):
            mkey = (ref.zone.id, target)  # the key zone_status memoises under
            inside = memo.get(mkey, memo)
            if inside is memo:
                inside = memo[mkey] = zone_logic.contains(registry, ref.zone, target, as_of)
            if inside is not False:
                return None
    return (id(rule), "zone", trace)


def settled(kept: dict, k: tuple, rule: Rule, decide: Callable[[], Decision]) -> Decision:
    """The decision kept under ``k`` in ``kept`` (the compiled pack's), or ``decide()`` kept
    there for the next situation."""
    hit = kept.get(k)
    if hit is not None and hit[0] is rule:
        return hit[1]
    d = decide()
    if len(kept) >= _SETTLED_MAX:
        kept.clear()
    kept[k] = (rule, d)  # the rule is kept: its id cannot be reused meanwhile
    return d


def zone_test(kept: dict, frame: Frame, key: tuple, test: Callable[[Frame], Any]) -> Any:
    """Whether the target lies in the rule's zones in force, with its line of the trace: the
    same for every situation asked at that place on that date (``key`` names the place and the
    zones), so kept for the compiled pack with the settled decisions."""
    k = (*key, frame.as_of, id(frame.registry))
    hit = kept.get(k)
    if hit is not None and hit[0] is frame.registry:
        return hit[1]
    out = test(frame)
    if len(kept) >= _SETTLED_MAX:
        kept.clear()
    kept[k] = (frame.registry, out)  # the registry is kept: its id cannot be reused meanwhile
    return out


def ground(kept: dict, d: Decision, frame: Frame | None, rule: Rule,
           alone: firmness.Alone) -> Decision:
    """``firmness.ground``, with the grounding kept for the compiled pack: which entries a
    decision rests on, its firmness and basis, depend on the rule, the place it is asked at,
    the date, whether it grants and the exception applied — not on the rest of the situation —
    except where a grant is weighed entry by entry (``alone``), which is never kept."""
    if frame is None:
        return firmness.ground(d, frame, rule, alone)
    k = ("ground", id(rule), frame.target, frame.as_of, d.status is Status.ELIGIBLE,
         d.exception, id(frame.registry))
    hit = kept.get(k)
    if hit is None or hit[0] is not rule or hit[1] is not frame.registry:
        weighed = []

        def spy(ref: Any, f: Frame) -> Status:
            weighed.append(ref)
            return alone(ref, f)

        rests, firm = firmness.rests_on(d, frame, rule, spy)
        hit = (rule, frame.registry, firm, firmness.decision_basis(rule, rests, d.exception))
        if not weighed:
            if len(kept) >= _SETTLED_MAX:
                kept.clear()
            kept[k] = hit  # the rule and registry are kept: their ids stay theirs
    _, _, firm, basis = hit
    if firm == d.firmness and basis is d.basis:
        return d
    return replaced(d, firmness=firm, basis=basis)


_LASTING_MAX = 20_000  # entries per registry and date


def lasting(kept: dict, registry: PlaceRegistry, as_of: date) -> dict:
    """A new evaluation's memo, holding what earlier evaluations at that date learnt that no
    situation changes: zone memberships (``(zone, place)``) and parameter look-ups
    (``("param", …)``, ``("declaring", …)``, which keep their parameter)."""
    hit = kept.get(("lasting", as_of, id(registry)))
    if hit is None or hit[0] is not registry:
        return {}
    return dict(hit[1])


def last(kept: dict, registry: PlaceRegistry, as_of: date, memo: dict) -> None:
    """Keep the lasting part of an evaluation's memo for the next evaluations at that date."""
    k = ("lasting", as_of, id(registry))
    hit = kept.get(k)
    if hit is None or hit[0] is not registry or len(hit[1]) > _LASTING_MAX:
        if len(kept) >= _SETTLED_MAX:
            kept.clear()
        hit = kept[k] = (registry, {})  # the registry is kept: its id stays its own
    table = hit[1]
    if len(table) == len(memo):
        return  # nothing new (the memo started as the table, and only grows)
    for key, value in memo.items():
        if key not in table and (key[0] in ("param", "declaring") if len(key) != 2
                                 else type(key[1]) is str and key[0] not in _NOT_ZONES):
            table[key] = value


_NOT_ZONES = frozenset({"items", "shared"})  # the memo's other two-part keys
