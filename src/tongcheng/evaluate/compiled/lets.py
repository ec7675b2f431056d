"""Definitions a re-decision can take over from the decision it re-decides.

A decision is decided again in two ways: for each value of an unknown fact of few values
(``finite.by_cases``: a copy of the situation with that fact set), and with one zone entry
alone (``firmness``: the same situation, fewer zones). A definition of the rule (``let``)
whose value cannot differ in the re-decision need not be evaluated again:

- for a finite case, one that names (through the definitions it uses) none of the parts of the
  situation the case replaced — where the rule is asked counts as named by the functions that
  read it (``member``, ``declared``…) — and reads no parameter (a parameter read is recorded,
  in order, with the decision: taking the value over would skip the record);
- for a zone entry alone, one that weighs no zone (``member``, ``shares_zone``, ``in_zone``,
  ``service_items``); only the status of that re-decision is used.

What each definition names and calls is read once per rule from its syntax tree.
"""

from __future__ import annotations

import attrs

from tongcheng.evaluate.frame import FACT_ROOTS, Frame
from tongcheng.expr import ast
from tongcheng.pack.model import Rule

_ZONE_FUNCTIONS = frozenset({"member", "shares_zone", "in_zone", "service_items"})
# functions that read where the rule is asked (its place, or the target), named or not
_ANCHOR_FUNCTIONS = frozenset({"member", "shares_zone", "service_items", "param", "declared"})


@attrs.frozen
class LetFacts:
    roots: dict[str, frozenset[str]]  # the situation's parts each definition names
    named: tuple[str, ...]  # the parts any definition names
    params: frozenset[str]  # definitions that read a parameter
    zones: frozenset[str]  # definitions that weigh a zone


def let_facts(rule: Rule) -> LetFacts:
    names = {c.name for c in rule.lets}
    direct: dict[str, tuple[set[str], set[str], set[str]]] = {}
    for c in rule.lets:
        nodes = list(ast.walk(c.expr))
        named = {n.name for n in nodes if isinstance(n, ast.Name)}
        calls = {n.func for n in nodes if isinstance(n, ast.Call)}
        direct[c.name] = (named & set(FACT_ROOTS), named & names, calls)
    anchor = {"target"}  # where the rule is asked: what its zone functions read
    if rule.place is not None:
        anchor = {n.name for n in ast.walk(rule.place.expr) if isinstance(n, ast.Name)
                  and n.name in FACT_ROOTS}
    roots, params, zones = {}, set(), set()
    for name in names:
        seen, todo = set(), [name]
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo += direct[n][1]
        calls = set().union(*(direct[n][2] for n in seen))
        weighs = bool(calls & _ZONE_FUNCTIONS)
        roots[name] = frozenset(set().union(*(direct[n][0] for n in seen))
                                | (anchor if calls & _ANCHOR_FUNCTIONS else set()))
        if "param" in calls:
            params.add(name)
        if weighs:
            zones.add(name)
    named = tuple(sorted(set().union(*roots.values()))) if roots else ()
    return LetFacts(roots, named, frozenset(params), frozenset(zones))


def for_case(info: LetFacts, frame: Frame, source: Frame) -> None:
    """Seed ``frame`` (a finite case of ``source``'s situation) with the definitions the case
    cannot change."""
    if frame.trace and not source.trace:
        return  # an untraced value has no record to show
    new, old = frame.situation, source.situation
    changed = {r for r in info.named if getattr(new, r, None) is not getattr(old, r, None)}
    for name, entry in source.let_cache.items():
        if name not in info.params and not info.roots[name] & changed:
            frame.let_cache[name] = entry


def for_zone(info: LetFacts, frame: Frame, source: Frame) -> None:
    """Seed ``frame`` (``source``'s situation with one zone entry) with the definitions that
    weigh no zone."""
    for name, entry in source.let_cache.items():
        if name not in info.zones:
            frame.let_cache[name] = entry
