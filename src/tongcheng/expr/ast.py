"""The syntax tree of an expression: immutable nodes, each with its position in the source.

Every evaluator (the reference interpreter, and later the columnar and durable_rules backends)
walks these same nodes, so a rule is parsed once and means one thing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Union

import attrs


@attrs.frozen
class Pos:
    """1-based line and column inside the expression text."""

    line: int = 1
    column: int = 1


@attrs.frozen
class Literal:
    value: bool | int | Decimal | str | None
    pos: Pos = Pos()


@attrs.frozen
class Name:
    name: str
    pos: Pos = Pos()


@attrs.frozen
class Attr:
    obj: Node
    name: str
    pos: Pos = Pos()


@attrs.frozen
class Filter:
    """``list[condition]``: the items for which ``condition`` holds, ``item`` bound to each."""

    obj: Node
    cond: Node
    pos: Pos = Pos()


@attrs.frozen
class ListLit:
    items: tuple[Node, ...]
    pos: Pos = Pos()


@attrs.frozen
class Call:
    func: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...] = ()
    pos: Pos = Pos()


@attrs.frozen
class Not:
    operand: Node
    pos: Pos = Pos()


@attrs.frozen
class And:
    operands: tuple[Node, ...]
    pos: Pos = Pos()


@attrs.frozen
class Or:
    operands: tuple[Node, ...]
    pos: Pos = Pos()


@attrs.frozen
class Compare:
    op: str  # == != < <= > >= in
    left: Node
    right: Node
    pos: Pos = Pos()


@attrs.frozen
class Arith:
    op: str  # + - * /
    left: Node
    right: Node
    pos: Pos = Pos()


@attrs.frozen
class Negate:
    operand: Node
    pos: Pos = Pos()


@attrs.frozen
class If:
    cond: Node
    then: Node
    otherwise: Node
    pos: Pos = Pos()


Node = Union[  # noqa: UP007 - attrs resolves the forward references through this alias
    Literal, Name, Attr, Filter, ListLit, Call, Not, And, Or, Compare, Arith, Negate, If
]


def children(node: Node) -> tuple[Node, ...]:
    """Direct sub-expressions, for generic walks (name checks, parameter discovery)."""
    match node:
        case Attr(obj=o) | Not(operand=o) | Negate(operand=o):
            return (o,)
        case Filter(obj=o, cond=c):
            return (o, c)
        case ListLit(items=items) | And(operands=items) | Or(operands=items):
            return items
        case Call(args=args, kwargs=kwargs):
            return args + tuple(v for _, v in kwargs)
        case Compare(left=a, right=b) | Arith(left=a, right=b):
            return (a, b)
        case If(cond=c, then=t, otherwise=o):
            return (c, t, o)
    return ()


def walk(node: Node):
    """Every node of the tree, parents before children."""
    yield node
    for child in children(node):
        yield from walk(child)


def substitute(node: Node, names: dict[str, Node]) -> Node:
    """``node`` with each ``Name`` in ``names`` replaced by its tree (the rest shared)."""
    if not names:
        return node
    match node:
        case Name(name=n) if n in names:
            return names[n]
        case Attr(obj=o) | Not(operand=o) | Negate(operand=o):
            field = "obj" if isinstance(node, Attr) else "operand"
            return attrs.evolve(node, **{field: substitute(o, names)})
        case Filter(obj=o, cond=c):
            return attrs.evolve(node, obj=substitute(o, names), cond=substitute(c, names))
        case ListLit(items=items):
            return attrs.evolve(node, items=tuple(substitute(x, names) for x in items))
        case And(operands=items) | Or(operands=items):
            return attrs.evolve(node, operands=tuple(substitute(x, names) for x in items))
        case Call(args=args, kwargs=kwargs):
            return attrs.evolve(node, args=tuple(substitute(x, names) for x in args),
                                kwargs=tuple((k, substitute(v, names)) for k, v in kwargs))
        case Compare(left=a, right=b) | Arith(left=a, right=b):
            return attrs.evolve(node, left=substitute(a, names), right=substitute(b, names))
        case If(cond=c, then=t, otherwise=o):
            return attrs.evolve(node, cond=substitute(c, names), then=substitute(t, names),
                                otherwise=substitute(o, names))
    return node


def is_path(node: Node, roots: frozenset[str] | set[str]) -> bool:
    """A plain situation path (``person``, ``person.residence``, ``provident_fund.periods``):
    a definition that is one names the same facts as its path."""
    while isinstance(node, Attr):
        node = node.obj
    return isinstance(node, Name) and node.name in roots
