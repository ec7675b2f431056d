"""What a compiled rule reads and calls: the static facts lint and verify both need.

Walks the expression trees of a rule (definitions, scope, conditions, outcome, exceptions, and
the place it is asked at) to find parameter uses, membership tests, named zones and fact paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import attrs

from tongcheng.expr import ast
from tongcheng.pack.model import Clause, Rule

# Functions that compare a place with the rule's anchor (the target) through the rule's zones:
# a rule calling one of them is a mutual-recognition rule.
MEMBERSHIP_FUNCTIONS = frozenset({"member", "shares_zone", "service_items"})


@attrs.frozen
class Section:
    """A clause of a rule and where it sits (``conditions``, ``exceptions.city_rule.applies``)."""

    where: str
    clause: Clause


def sections(rule: Rule) -> Iterator[Section]:
    for c in rule.lets:
        yield Section("let", c)
    place = getattr(rule, "place", None)
    if place is not None:
        yield Section("place", place)
    for c in rule.scope:
        yield Section("scope", c)
    for c in rule.conditions:
        yield Section("conditions", c)
    for c in rule.outcome:
        yield Section("outcome", c)
    for e in rule.exceptions:
        for c in e.applies:
            yield Section(f"exceptions.{e.label}.applies", c)
        for c in e.conditions or ():
            yield Section(f"exceptions.{e.label}.conditions", c)
        for c in e.outcome:
            yield Section(f"exceptions.{e.label}.outcome", c)


def nodes(rule: Rule) -> Iterator[tuple[Section, ast.Node]]:
    for s in sections(rule):
        for node in ast.walk(s.clause.expr):
            yield s, node


def calls(rule: Rule, *names: str) -> list[tuple[Section, ast.Call]]:
    wanted = set(names)
    return [
        (s, n)
        for s, n in nodes(rule)
        if isinstance(n, ast.Call) and (not wanted or n.func in wanted)
    ]


def uses_membership(rule: Rule) -> bool:
    """Whether the rule recognises places through its zones (calls ``member`` and the like)."""
    return bool(calls(rule, *MEMBERSHIP_FUNCTIONS))


def named_zones(rule: Rule) -> set[str]:
    """Zones named in ``in_zone(place, "z")`` and ``shares_zone(place, "z")``."""
    out = set()
    for _, call in calls(rule, "in_zone", "shares_zone"):
        if len(call.args) == 2 and isinstance(call.args[1], ast.Literal):
            out.add(str(call.args[1].value))
    return out


@attrs.frozen
class ParamUse:
    parameter: str
    section: Section
    call: ast.Call
    place: ast.Node | None  # the place= argument, when not the anchor
    at: ast.Node | None  # the at= argument, when not as_of
    guarded: bool = False  # a declared(...) scope test at the same place guards it


def param_uses(rule: Rule) -> list[ParamUse]:
    guards = set()
    for c in rule.scope:
        for n in ast.walk(c.expr):
            if isinstance(n, ast.Call) and n.func == "declared" and n.args and isinstance(
                n.args[0], ast.Literal
            ):
                kw = dict(n.kwargs)
                guards.add((n.args[0].value, _text(kw.get("place"))))
    out = []
    for s, call in calls(rule, "param", "declared"):
        if not call.args or not isinstance(call.args[0], ast.Literal):
            continue
        kw = dict(call.kwargs)
        name = str(call.args[0].value)
        out.append(
            ParamUse(
                name,
                s,
                call,
                kw.get("place"),
                kw.get("at"),
                (name, _text(kw.get("place"))) in guards,
            )
        )
    return out


def _text(node: ast.Node | None) -> str | None:
    return None if node is None else repr(_strip_pos(node))


def _strip_pos(x):
    """The same tree with every position reset (for comparing expressions)."""
    if isinstance(x, ast.Pos):
        return ast.Pos()
    if attrs.has(type(x)):
        return attrs.evolve(x, **{f.name: _strip_pos(getattr(x, f.name))
                                  for f in attrs.fields(type(x))})
    if isinstance(x, tuple):
        return tuple(_strip_pos(i) for i in x)
    return x


def same_expr(a: ast.Node, b: ast.Node) -> bool:
    """Whether two expressions are the same tree (positions aside)."""
    return _strip_pos(a) == _strip_pos(b)


def fact_path(node: ast.Node, lets: dict[str, ast.Node] | None = None) -> tuple[str, ...] | None:
    """The situation path a ``Name``/``Attr`` chain denotes (``("person", "sex")``), following
    definitions that are themselves paths; None otherwise."""
    from tongcheng.evaluate.frame import FACT_ROOTS

    match node:
        case ast.Name(name=n):
            if lets and n in lets:
                return fact_path(lets[n], lets)
            return (n,) if n in FACT_ROOTS else None
        case ast.Attr(obj=o, name=n):
            base = fact_path(o, lets)
            return (*base, n) if base else None
    return None


def anchor_path(rule: Rule) -> tuple[str, ...] | None:
    """The situation path of the place the rule is asked at: ``target`` unless the rule names
    another (``project.flying_in``); None when that is not a plain path."""
    place = getattr(rule, "place", None)
    if place is None:
        return ("target",)
    return fact_path(place.expr)


def earliest_issued(rule: Rule) -> date | None:
    dated = [b.document.issued for b in rule.basis if b.document.issued]
    return min(dated) if dated else None


def expression_line(clause: Clause, node: ast.Node) -> int | None:
    """The file line of ``node`` inside ``clause`` (a block scalar starts on the next line)."""
    base = clause.location.line
    if base is None:
        return None
    if "\n" in clause.text:
        return base + node.pos.line
    return base
