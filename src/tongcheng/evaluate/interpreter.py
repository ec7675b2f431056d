"""The reference interpreter: evaluates expression trees against one situation, three-valued.

Pure: every evaluation builds its own ``Frame`` (``frame``); the compiled pack and the place
registry are read-only. What an expression read (facts, parameters) is recorded for the
decision's trace. Each expression is compiled once to nested closures (here); the operators
(``operators``) and the functions rules call (``functions``) are shared with the compiled
evaluator's generated code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import attrs
from pydantic import BaseModel

from tongcheng.evaluate import values as v
from tongcheng.evaluate.frame import (  # noqa: F401 (the frame's names, as before)
    _PACK_FIELDS,
    ALIASES,
    FACT_ROOTS,
    KNOWN_NONE,
    QUIET,
    Env,
    Frame,
    Recorder,
)
from tongcheng.evaluate.functions import (  # noqa: F401 (the functions' names, as before)
    IMPLS,
    READS_PATHS,
    Impl,
    zone_status,
)
from tongcheng.evaluate.operators import (
    _COMPARISONS,
    _PLAIN,
    _incomparable,
    arith,
    compare,
)
from tongcheng.evaluate.values import EvalTypeError, Item, Items, Unknown
from tongcheng.expr import ast
from tongcheng.pack.model import Clause


def evaluate_clause(frame: Frame, clause: Clause) -> tuple[Any, Recorder]:
    """Value of a clause and what it read."""
    runners = frame.runners
    run = runners.get(id(clause.expr)) if runners is not None else None
    if run is None:
        hit = _COMPILED.get(id(clause.expr))
        run = hit[1] if hit is not None else compiled(clause.expr)
    if not frame.trace:  # nothing is recorded: one inert recorder serves the whole rule
        return run(frame, {}), frame.recorder
    outer = frame.recorder
    frame.recorder = Recorder()
    try:
        value = run(frame, {})
        return value, frame.recorder
    finally:
        frame.recorder = outer


# --- compiling ------------------------------------------------------------------------------
#
# An expression is evaluated by nested Python closures, one per node, built once per expression
# and kept: what depends only on the tree (the step a node takes, the situation path a fact
# reference denotes, whether a function reads its arguments' paths) is worked out once, not at
# every evaluation. A closure takes the frame and the bindings (``item`` inside a filter) and
# gives the node's value. Nothing is ever handed to Python's eval or exec.

Compiled = Callable[[Frame, Env], Any]
# Names bound around a node by enclosing filters (``item``): known from the tree alone.
Scope = frozenset[str]

# Closures of clause expressions by id of the expression; the expression is kept alive with its
# closure, so that its id cannot be reused while the entry lives. Packs loaded again and again
# (tests, reloads) only make it start afresh once it is full.
_COMPILED: dict[int, tuple[ast.Node, Compiled]] = {}
_COMPILED_MAX = 20_000


def compiled(node: ast.Node) -> Compiled:
    """The closure of an expression outside any filter (a clause's), built on first use."""
    hit = _COMPILED.get(id(node))
    if hit is not None:
        return hit[1]
    run = _compile(node, frozenset())
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[id(node)] = (node, run)
    return run


def _compile(node: ast.Node, scope: Scope) -> Compiled:
    """The closure of one node (the parser makes only node types that have a compiler)."""
    return _COMPILERS[type(node)](node, scope)


def _literal(node: ast.Literal, scope: Scope) -> Compiled:
    value = node.value
    return lambda frame, env: value


def _list(node: ast.ListLit, scope: Scope) -> Compiled:
    items = [_compile(i, scope) for i in node.items]
    return lambda frame, env: tuple([item(frame, env) for item in items])


def _not(node: ast.Not, scope: Scope) -> Compiled:
    operand = _compile(node.operand, scope)
    return lambda frame, env: v.k_not(v.truth(operand(frame, env), "'not'"))


def _and(node: ast.And, scope: Scope) -> Compiled:
    operands = [_compile(o, scope) for o in node.operands]

    def and_(frame: Frame, env: Env) -> Any:
        out = []
        for operand in operands:
            x = v.truth(operand(frame, env), "'and'")
            if x is False:
                return False
            out.append(x)
        return v.k_and(out)

    return and_


def _or(node: ast.Or, scope: Scope) -> Compiled:
    operands = [_compile(o, scope) for o in node.operands]

    def or_(frame: Frame, env: Env) -> Any:
        out = []
        for operand in operands:
            x = v.truth(operand(frame, env), "'or'")
            if x is True:
                return True
            out.append(x)
        return v.k_or(out)

    return or_


def _if(node: ast.If, scope: Scope) -> Compiled:
    cond, then, otherwise = (_compile(n, scope) for n in (node.cond, node.then, node.otherwise))

    def if_(frame: Frame, env: Env) -> Any:
        c = v.truth(cond(frame, env), "'if'")
        if c is True:
            return then(frame, env)
        if c is False:
            return otherwise(frame, env)
        a, b = then(frame, env), otherwise(frame, env)
        if v.is_known(a) and v.is_known(b) and a == b:
            return a
        return v.unknown(c, a, b)

    return if_


# --- names and paths ------------------------------------------------------------------------

# A situation path: known from the tree (a string, or None when the expression is no path), or,
# below ``item``, a function of the bindings.
Path = str | None | Callable[[Env], str | None]


def _path(node: ast.Node, scope: Scope) -> Path:
    """The situation path an expression denotes (``insurance[2].place``), if it is one."""
    match node:
        case ast.Name(name=n):
            if n in scope:
                return lambda env: env[n][1]
            return n if n in FACT_ROOTS else None
        case ast.Attr(obj=o, name=n):
            base = _path(o, scope)
            if callable(base):
                return lambda env: _field_path(base(env), n)
            return _field_path(base, n)
    return None


def _field_path(base: str | None, name: str) -> str | None:
    return f"{base}.{name}" if base else None


def _name(node: ast.Name, scope: Scope) -> Compiled:
    name = node.name
    if name in scope:  # bound by an enclosing filter
        return lambda frame, env: env[name][0]
    is_root = name in FACT_ROOTS

    def name_(frame: Frame, env: Env) -> Any:
        if name in frame.lets:
            return _let(frame, name)
        if name == "as_of":
            return frame.as_of
        if is_root:
            raw = getattr(frame.situation, name, None)
            if raw is None and name == "request":  # no request: nothing in particular asked for
                raw = _no_request()
            return _fact(frame, raw, name, name)
        raise EvalTypeError(f"unknown name {name!r}", f"未知的名称 {name!r}")

    return name_


@functools.cache
def _no_request() -> Any:
    """The request of a situation that asks for nothing in particular (immutable, so shared)."""
    from tongcheng.situation import Request

    return Request()


def _let(frame: Frame, name: str) -> Any:
    """A definition of the rule: evaluated once per frame; what it read joins the clause's."""
    if name not in frame.let_cache:
        frame.let_cache[name] = evaluate_clause(frame, frame.lets[name])
    value, rec = frame.let_cache[name]
    if frame.trace:
        frame.recorder.merge(rec)
    return value


def _fact(frame: Frame, raw: Any, path: str, field: str) -> Any:
    if raw is None and field not in KNOWN_NONE:
        if frame.recorder.enabled:
            frame.recorder.facts[path] = None
        return v.unknown_at(path)
    if isinstance(raw, tuple | list):
        return Items(tuple(Item(f"{path}[{i}]", x) for i, x in enumerate(raw)))
    if frame.recorder.enabled and not isinstance(raw, BaseModel):
        frame.recorder.facts[path] = v.to_json(raw)
    return raw


def _attr(node: ast.Attr, scope: Scope) -> Compiled:
    obj, name = _compile(node.obj, scope), node.name
    field = ALIASES.get(name, name)
    base_path = _path(node.obj, scope)
    below_item = callable(base_path)  # then the path depends on the item
    fixed_path = None if below_item else _field_path(base_path, name)

    def attr(frame: Frame, env: Env) -> Any:
        base = obj(frame, env)
        if below_item:
            at = base_path(env)
            path = _field_path(at, name)
        else:
            at, path = base_path, fixed_path
        return attr_of(frame, base, name, field, at, path)

    return attr


def attr_of(frame: Frame, base: Any, name: str, field: str, at: str | None,
            path: str | None) -> Any:
    """``base.name``: a fact of the situation (``at``/``path``: the situation paths of the base
    and of the field, when they are paths), a field of a parameter value or of a service item.
    Shared with the compiled evaluator, so that both read facts the same way."""
    if isinstance(base, Unknown):
        if path and at and base.missing == frozenset({at}):
            return Unknown(frozenset({path}), base.params)
        return base
    if isinstance(base, dict):  # a parameter value with fields
        if name not in base:
            raise EvalTypeError(f"the value has no field {name!r} (it has {sorted(base)})",
                                f"该值没有字段 {name!r}(它有 {sorted(base)})")
        if base[name] is None:  # declared without value
            return Unknown(frozenset(), frozenset({getattr(base, "key", name)}))
        return base[name]
    if isinstance(base, BaseModel):
        if field not in type(base).model_fields:  # declared facts only, never internals
            raise EvalTypeError(f"{type(base).__name__} has no field {name!r}",
                                f"{type(base).__name__} 没有字段 {name!r}")
        return _fact(frame, getattr(base, field), path or name, name)
    if attrs.has(type(base)) and name in _PACK_FIELDS:  # a service item of the pack
        return getattr(base, name)
    raise EvalTypeError(f"cannot take .{name} of {v.describe(base)}",
                        f"无法取{v.describe(base, 'zh')}的 .{name}")


def filter_items(frame: Frame, base: Any, cond: Compiled, env: Env) -> Any:
    """The items of ``base`` for which ``cond`` holds (surely, or maybe): shared with the
    compiled evaluator."""
    if isinstance(base, Unknown):
        return base
    if not isinstance(base, Items):
        raise EvalTypeError(f"cannot filter {v.describe(base)}: only lists from the situation",
                            f"无法筛选{v.describe(base, 'zh')}:只能筛选情形中的列表")
    sure: list[Item] = []
    maybe: list[Item] = list()
    missing, prm = set(base.missing), set(base.params)
    for bucket, items in (("sure", base.sure), ("maybe", base.maybe)):
        for item in items:
            keep = v.truth(cond(frame, {**env, "item": (item.value, item.path)}), "a filter")
            if keep is True:
                (sure if bucket == "sure" else maybe).append(item)
            elif isinstance(keep, Unknown):
                maybe.append(item)
                missing |= keep.missing
                prm |= keep.params
    return Items(tuple(sure), tuple(maybe), frozenset(missing), frozenset(prm))


def _filter(node: ast.Filter, scope: Scope) -> Compiled:
    obj = _compile(node.obj, scope)
    cond = _compile(node.cond, scope | {"item"})

    def filter_(frame: Frame, env: Env) -> Any:
        return filter_items(frame, obj(frame, env), cond, env)

    return filter_


# --- operators ------------------------------------------------------------------------------


def _compare(node: ast.Compare, scope: Scope) -> Compiled:
    op, left, right = node.op, _compile(node.left, scope), _compile(node.right, scope)
    known = _COMPARISONS.get(op)
    if known is None:  # 'in'
        return lambda frame, env: compare(op, left(frame, env), right(frame, env))

    def compare_(frame: Frame, env: Env) -> Any:
        a, b = left(frame, env), right(frame, env)
        if type(a) in _PLAIN and type(b) in _PLAIN:  # the common case, as compare() has it
            try:
                return known(a, b)
            except TypeError:
                raise _incomparable(op, a, b) from None
        return compare(op, a, b)

    return compare_


def _arith(node: ast.Arith, scope: Scope) -> Compiled:
    op, left, right = node.op, _compile(node.left, scope), _compile(node.right, scope)
    return lambda frame, env: arith(op, left(frame, env), right(frame, env))


def _negate(node: ast.Negate, scope: Scope) -> Compiled:
    operand = _compile(node.operand, scope)
    return lambda frame, env: arith("-", 0, operand(frame, env))


def _call(node: ast.Call, scope: Scope) -> Compiled:
    func = node.func
    args = [_compile(a, scope) for a in node.args]
    kwargs = [(k, _compile(x, scope)) for k, x in node.kwargs]
    # Paths of the arguments, positional then keyword: fixed, or some depending on ``item``.
    paths = tuple(_path(a, scope) for a in (*node.args, *(x for _, x in node.kwargs)))
    if func not in READS_PATHS:
        paths = ()
    below_item = any(callable(p) for p in paths)

    # The implementation is looked up at each call (IMPLS.get), so that a test may swap one.
    if len(args) == 1 and not kwargs and not paths:  # the common shape, f(x), made short
        (arg,) = args
        return lambda frame, env: (IMPLS.get(func) or _no_function(func))(
            frame, [arg(frame, env)], {}, ()
        )

    def call(frame: Frame, env: Env) -> Any:
        fn = IMPLS.get(func) or _no_function(func)
        values = [a(frame, env) for a in args]
        named = {k: x(frame, env) for k, x in kwargs} if kwargs else {}
        if below_item:
            return fn(frame, values, named, [p(env) if callable(p) else p for p in paths])
        return fn(frame, values, named, paths)

    return call


def _no_function(name: str) -> Impl:
    raise EvalTypeError(f"unknown function {name!r}", f"未知的函数 {name!r}")


_COMPILERS: dict[type, Callable[[Any, Scope], Compiled]] = {
    ast.Literal: _literal,
    ast.Name: _name,
    ast.Attr: _attr,
    ast.Filter: _filter,
    ast.ListLit: _list,
    ast.Call: _call,
    ast.Not: _not,
    ast.And: _and,
    ast.Or: _or,
    ast.Compare: _compare,
    ast.Arith: _arith,
    ast.Negate: _negate,
    ast.If: _if,
}
