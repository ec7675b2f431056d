"""Lint: a field empty by its meaning (an open period's ``to``, ``request.service`` when no
service is asked) ordered, computed with or handed to a function without a guard.

Such a field is not unknown when empty — it is known to be none — so ``item.to < month(...)``
is a rule error for every open period. Worse, an evaluation without reasons stops at the first
test that settles a rule and may never reach it, while one with reasons runs every test to show
it: the same question then ends in a decision on one face and an error on another. A guard
makes the test total: ``item.to != null and item.to < …``, ``item.to == null or …``, or
``if item.to == null then … else …`` (``given()`` is no guard: an empty ``to`` is given, as
empty). The checker cannot see this: the kind of ``to`` is a month, and an empty one is a
month not there.
"""

from __future__ import annotations

from collections.abc import Iterator

from tongcheng.consistency import analysis
from tongcheng.consistency.pack_lines import finding
from tongcheng.consistency.report import Finding
from tongcheng.evaluate.frame import KNOWN_NONE
from tongcheng.expr import ast
from tongcheng.pack.model import RulePack

_ORDERING = ("<", "<=", ">", ">=")
# functions that fail on an empty value (given, exists, count… take it; == and != compare it)
_FAILING = frozenset({"month", "age", "min", "max", "city", "member", "in_zone", "shares_zone",
                      "service_items", "round_down"})


def check_empty_fields(pack: RulePack) -> Iterator[Finding]:
    for rule in pack.rules:
        for section in analysis.sections(rule):
            clause = section.clause
            where, where_zh = f"rule {rule.id}, {clause.name}", f"规则 {rule.id} 的 `{clause.name}`"
            for node in ast.walk(clause.expr):
                if isinstance(node, ast.Call) and node.func == "given" and node.args \
                        and (field := _key(node.args[0])):
                    name = field.rsplit(".", 1)[-1]
                    meaning, meaning_zh = _meaning(field)
                    yield finding(
                        clause.location, "warning", "given-empty",
                        f"{where}: given({field}) is always true: an empty {name} is known "
                        f"({meaning}); write `{field} != null`",
                        analysis.expression_line(clause, node),
                        zh=f"{where_zh}:`given({field})` 总是为真:空的 `{name}` 是已知的"
                           f"({meaning_zh});请写 `{field} != null`")
            for node, field in _unguarded(clause.expr, frozenset()):
                meaning, meaning_zh = _meaning(field)
                yield finding(
                    clause.location, "warning", "unguarded-empty",
                    f"{where}: {_text(node)} uses {field}, which is empty by its meaning "
                    f"({meaning}), with no guard: an error whenever it is; write "
                    f"`{field} != null and …` or `{field} == null or …`",
                    analysis.expression_line(clause, node),
                    zh=f"{where_zh}:{_text(node, 'zh')} 用到 {field},它按其含义可以为空"
                       f"({meaning_zh}),却没有前提保护:一旦为空就出错;请写 "
                       f"`{field} != null and …` 或 `{field} == null or …`")


_MEANING = {"to": ("a period still running", "期间尚未结束"),
            "service": ("no service asked", "没有询问任何事项")}


def _meaning(field: str) -> tuple[str, str]:
    """What an empty ``field`` (``item.to``) means, in English and Chinese."""
    return _MEANING.get(field.rsplit(".", 1)[-1], ("none", "无"))


def _key(node: ast.Node) -> str | None:
    """``item.to``, ``request.service``: the text of a field that may be empty by meaning."""
    if isinstance(node, ast.Attr) and node.name in KNOWN_NONE:
        base = _path(node.obj)
        return f"{base}.{node.name}" if base else None
    return None


def _path(node: ast.Node) -> str | None:
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Attr):
        base = _path(node.obj)
        return f"{base}.{node.name}" if base else None
    return None


def _proved(cond: ast.Node, holds: bool) -> frozenset[str]:
    """The fields proved not empty where ``cond`` is ``holds`` (true or false)."""
    match cond:
        case ast.Compare(op="==" | "!=" as op, left=a, right=b):
            for side, other in ((a, b), (b, a)):
                if isinstance(other, ast.Literal) and other.value is None and _key(side):
                    return frozenset({_key(side)}) if (op == "!=") == holds else frozenset()
        case ast.Not(operand=o):
            return _proved(o, not holds)
        case ast.And(operands=items) if holds:
            return frozenset().union(*(_proved(x, True) for x in items))
    return frozenset()


def _unguarded(node: ast.Node, guarded: frozenset[str]) -> Iterator[tuple[ast.Node, str]]:
    """Uses of an empty-by-meaning field that fail on none, outside every guard."""
    match node:
        case ast.And(operands=items):  # each operand is reached only where those before hold
            for item in items:
                yield from _unguarded(item, guarded)
                guarded |= _proved(item, True)
            return
        case ast.Or(operands=items):  # … or where those before do not
            for item in items:
                yield from _unguarded(item, guarded)
                guarded |= _proved(item, False)
            return
        case ast.If(cond=c, then=t, otherwise=o):
            yield from _unguarded(c, guarded)
            yield from _unguarded(t, guarded | _proved(c, True))
            yield from _unguarded(o, guarded | _proved(c, False))
            return
        case ast.Filter(obj=o, cond=c):  # (inside, ``item`` is another item)
            yield from _unguarded(o, guarded)
            yield from _unguarded(c, frozenset(g for g in guarded if not g.startswith("item.")))
            return
    operands: tuple[ast.Node, ...] = ()
    if (isinstance(node, ast.Compare) and node.op in _ORDERING) or isinstance(node, ast.Arith):
        operands = (node.left, node.right)
    elif isinstance(node, ast.Negate):
        operands = (node.operand,)
    elif isinstance(node, ast.Call) and node.func in _FAILING:
        operands = node.args
    elif isinstance(node, ast.Call) and node.func == "param":
        operands = tuple(v for _, v in node.kwargs)
    for operand in operands:
        field = _key(operand)
        if field and field not in guarded:
            yield node, field
    for child in ast.children(node):
        yield from _unguarded(child, guarded)


def _text(node: ast.Node, lang: str = "en") -> str:
    """The operator or function that fails on the empty field (code quoted in Chinese)."""
    match node:
        case ast.Compare(op=op) | ast.Arith(op=op):
            return f"'{op}'"
        case ast.Call(func=f):
            return f"`{f}()`" if lang == "zh" else f"{f}()"
    return "'-'"
