"""Expression trees compiled to polars over a ``Population``: the reference semantics, in columns.

``RuleCompiler`` walks a rule's validated syntax tree and gives each node's columnar twin
(``batch.values``): names, attributes, filters, operators and conditionals here; the pack's
functions in ``batch.functions``; outcome rendering in ``batch.outcomes``; pack-level tables
(zones, parameters) in ``batch.tables``; month sweeps in ``batch.sweeps``.

Person-level expressions live on the persons frame; item-level ones on the list's frame, where
person-level values are broadcast by gathering on ``_i``; per-person aggregates come back by
segment sums over the list's offsets. A construct without a columnar twin raises
``NotCompilable``: the engine then decides that rule with the reference evaluator.

Compiling computes nothing: every column is planned (``batch.frames.Frames``) with its depth in
the graph of columns, and once all rules are compiled ``Frames.run`` computes each depth of
every rule at once — one ``with_columns`` per frame, which polars spreads over the cores, next
to the numpy steps of that depth in a second thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import polars as pl

from tongcheng.batch.frames import Frames
from tongcheng.batch.functions import Functions
from tongcheng.batch.layout import (
    ENUMS,
    ITEM_ENUMS,
)
from tongcheng.batch.outcomes import Outcomes
from tongcheng.batch.tables import PackTables
from tongcheng.batch.values import (
    ITEM_COLUMNS,
    LIST_PATHS,
    NUMERIC,
    PERSON_COLUMNS,
    ROOTS,
    ConstItemsV,
    ConstItemV,
    ItemsV,
    ItemV,
    NotCompilable,
    Rec,
    RootV,
    S,
    TupleV,
    V,
    _any_null,
    _dec,
    _json_const,
    _lit,
    _null_if,
    kind_zh,
    value_zh,
)
from tongcheng.expr import ast
from tongcheng.pack.model import Rule, ZoneRef

__all__ = [
    "LIST_PATHS",
    "PERSON_COLUMNS",
    "ROOTS",
    "ItemsV",
    "NotCompilable",
    "PackTables",
    "RuleCompiler",
    "S",
]


# --- the rule compiler ------------------------------------------------------------------------


class RuleCompiler(Functions, Outcomes):
    """Compiles one rule's clauses against one chunk's frames."""

    def __init__(self, frames: Frames, tables: PackTables, rule: Rule,
                 zones: tuple[ZoneRef, ...] | None = None,
                 fill: dict[str, Any] | None = None) -> None:
        self.fr = frames
        self.tables = tables
        self.pack = tables.pack
        self.rule = rule
        # the zone entries weighed (all the rule's, or one alone: which entry a grant rests on)
        self.zones = rule.zones if zones is None else zones
        # unknown facts read as a given value (each value of a fact with a few possible values)
        self.fill = fill or {}
        self.lets = {c.name: c for c in rule.lets}
        self.let_cache: dict[str, V] = {}
        self.as_of = S("date", pl.col("as_of"))
        self.as_of_m = S("int", pl.col("as_of_m"))
        self.anchor = S("place", pl.col("target"))
        # persons whose outcome can matter (the variant being rendered is eligible): lists are
        # rendered as JSON only for them
        self.only: pl.Expr | None = None

    # contexts -----------------------------------------------------------------------------

    def in_ctx(self, v: S, ctx: str | None) -> S:
        if v.ctx == ctx or v.is_const:
            return attrs.evolve(v, ctx=ctx)
        if v.ctx is not None:
            raise NotCompilable(f"a value over {v.ctx} used over {ctx}",
                                f"{v.ctx} 各项上的值用在 {ctx} 各项上")
        e = self.fr.broadcast(ctx, v.e)  # type: ignore[arg-type]
        hi = self.fr.broadcast(ctx, v.hi) if v.hi is not None else None  # type: ignore[arg-type]
        return attrs.evolve(v, e=e, hi=hi, ctx=ctx)

    def common(self, *vals: S) -> tuple[str | None, list[S]]:
        ctxs = {v.ctx for v in vals if not v.is_const and v.ctx is not None}
        if len(ctxs) > 1:
            raise NotCompilable("values over two different lists", "值分属两个不同的列表")
        ctx = next(iter(ctxs), None)
        return ctx, [self.in_ctx(v, ctx) for v in vals]

    def person_level(self, v: S) -> S:
        if v.ctx is not None and not v.is_const:
            raise NotCompilable("an item-level value where a person-level one is needed",
                                "此处需要每人一个的值,却是列表各项上的值")
        return v

    # evaluation ---------------------------------------------------------------------------

    def ev(self, node: ast.Node, env: dict[str, V]) -> V:
        if isinstance(node, ast.Call | ast.Filter) and "item" not in env:
            key = self._key(node)
            if key is not None:
                return self.fr.shared(key, lambda: self.settle(self._ev(node, env)))
        return self._ev(node, env)

    def settle(self, v: V) -> V:
        """A value used more than once, materialised: its expressions become columns."""
        if isinstance(v, S) and not v.is_const:
            if v.ctx is None:
                e = pl.col(self.fr.person(v.e))
                hi = pl.col(self.fr.person(v.hi)) if v.hi is not None else None
            else:
                e = pl.col(self.fr.item(v.ctx, v.e))
                hi = pl.col(self.fr.item(v.ctx, v.hi)) if v.hi is not None else None
            return attrs.evolve(v, e=e, hi=hi)
        if isinstance(v, Rec):
            fields = {k: self.settle(f) for k, f in v.fields.items()}
            known = pl.col(self.fr.person(v.known)) if v.ctx is None else v.known
            return Rec(fields, known, v.ctx)
        return v

    def _key(self, node: ast.Node) -> Any:
        """A key for values shared by rules: the expression with lets expanded, and the
        rule's zones and place where it depends on them."""
        text, free = _canonical(node, self.lets, set())
        if "item" in free:
            return None
        zones = tuple((r.zone.id, r.start, r.end) for r in self.zones) \
            if free & {"member", "service_items", "shares_zone", "in_zone"} else None
        anchor = self.rule.place.text if self.rule.place is not None else None
        fill = tuple(sorted((p, v) for p, v in self.fill.items()
                            if f"Attr[{p.rsplit('.', 1)[1]}]" in text))
        return text, zones, anchor, fill

    def _ev(self, node: ast.Node, env: dict[str, V]) -> V:
        match node:
            case ast.Literal(value=value):
                return _lit(value)
            case ast.Name(name=name):
                return self._name(name, env)
            case ast.Attr(obj=obj, name=name):
                return self._attr(self.ev(obj, env), name)
            case ast.Filter(obj=obj, cond=cond):
                return self._filter(self.ev(obj, env), cond, env)
            case ast.ListLit(items=items):
                vals = [self.ev(i, env) for i in items]
                if not all(isinstance(v, S) and v.is_const for v in vals):
                    raise NotCompilable("a list of non-literal values", "列表中有非字面值")
                return TupleV(tuple(v.const for v in vals))  # type: ignore[union-attr]
            case ast.Call():
                return self._call(node, env)
            case ast.Not(operand=o):
                v = self._truth(self.ev(o, env))
                return attrs.evolve(v, e=~v.e, is_const=False)
            case ast.And(operands=ops) | ast.Or(operands=ops):
                vals = [self._truth(self.ev(o, env)) for o in ops]
                ctx, vals = self.common(*vals)
                out = vals[0].e
                for v in vals[1:]:
                    out = (out & v.e) if isinstance(node, ast.And) else (out | v.e)
                return S("bool", out, ctx)
            case ast.Compare(op=op, left=a, right=b):
                return self.compare(op, self.ev(a, env), self.ev(b, env))
            case ast.Arith(op=op, left=a, right=b):
                return self.arith(op, self.ev(a, env), self.ev(b, env))
            case ast.Negate(operand=o):
                return self.arith("-", _lit(0), self.ev(o, env))
            case ast.If(cond=c, then=t, otherwise=o):
                return self._if(self.ev(c, env), self.ev(t, env), self.ev(o, env))
        raise NotCompilable(f"node {type(node).__name__}", f"表达式节点 `{type(node).__name__}`")

    def _truth(self, v: V) -> S:
        if isinstance(v, S) and v.kind == "bool":
            return v
        raise NotCompilable("a condition that is not a truth value", "条件不是真假值")

    def _name(self, name: str, env: dict[str, V]) -> V:
        if name in env:
            return env[name]
        if name in self.lets:
            if name not in self.let_cache:
                self.let_cache[name] = self.settle(self.ev(self.lets[name].expr, {}))
            return self.let_cache[name]
        if name == "as_of":
            return self.as_of
        if name == "target":
            return S("place", pl.col("target"))
        if name in ROOTS:
            return RootV(name)
        if name in LIST_PATHS:
            return self._list(name)
        raise NotCompilable(f"name {name!r}", f"名称 {name!r}")

    def _list(self, path: str) -> ItemsV:
        return ItemsV(path, pl.lit(True), pl.lit(False), pl.col(f"n:{path}").is_not_null(),
                      maybe_possible=False)

    def _attr(self, base: V, name: str) -> V:
        if isinstance(base, RootV):
            path = f"{base.path}.{name}"
            if path in LIST_PATHS:
                return self._list(path)
            if path == "request.service":
                return S("str", pl.col("service"), none_known=True)
            if path not in PERSON_COLUMNS:
                raise NotCompilable(f"fact {path}", f"事实 {path}")
            column, kind = PERSON_COLUMNS[path]
            e = pl.col(column)
            if path in self.fill:
                e = e.fill_null(pl.lit(self.fill[path]))
            return S(kind, e, domain=ENUMS.get(column))
        if isinstance(base, ItemV):
            if name not in ITEM_COLUMNS or name not in self.fr.L[base.lst].columns:
                raise NotCompilable(f"item field {base.lst}[].{name}",
                                    f"列表项字段 {base.lst}[].{name}")
            return S(ITEM_COLUMNS[name], pl.col(name), base.lst,
                     domain=ITEM_ENUMS.get((base.lst, name)))
        if isinstance(base, ConstItemV):
            value = getattr(base.value, name, None)
            if name not in ("id", "zone", "channel") or not isinstance(value, str):
                raise NotCompilable(f"field {name} of a pack item", f"规则包事项的字段 {name}")
            return _lit(value)
        if isinstance(base, Rec):
            if name not in base.fields:
                raise NotCompilable(f"record field {name}", f"记录字段 {name}")
            return base.fields[name]
        raise NotCompilable(f".{name} of {type(base).__name__}", f"{value_zh(base)}的 .{name}")

    def _filter(self, base: V, cond: ast.Node, env: dict[str, V]) -> V:
        if isinstance(base, ConstItemsV):
            sure, maybe = [], []
            for value, s_k, m_k in zip(base.values, base.sure, base.maybe, strict=True):
                keep = self.person_level(self._truth(self.ev(cond, {**env,
                                                                    "item": ConstItemV(value)})))
                k = keep.e
                sure.append(pl.col(self.fr.person(s_k & k.fill_null(False))))
                maybe.append(pl.col(self.fr.person((s_k & k.is_null())
                                                   | (m_k & k.fill_null(True)))))
            return ConstItemsV(base.values, tuple(sure), tuple(maybe), base.known)
        if not isinstance(base, ItemsV):
            raise NotCompilable("a filter over something other than a situation list",
                                "对情形列表以外的值做筛选")
        keep = self._truth(self.ev(cond, {**env, "item": ItemV(base.lst)}))
        keep = self.in_ctx(keep, base.lst)
        k = pl.col(self.fr.item(base.lst, keep.e))
        sure = base.sure & k.fill_null(False)
        maybe = (base.sure & k.is_null()) | (base.maybe & k.fill_null(True))
        sure_col = self.fr.item(base.lst, sure)
        maybe_col = self.fr.item(base.lst, maybe)
        return ItemsV(base.lst, pl.col(sure_col), pl.col(maybe_col), base.known)

    # operators ----------------------------------------------------------------------------

    def compare(self, op: str, a: V, b: V) -> S:
        if op == "in":
            if not isinstance(b, TupleV) or not isinstance(a, S):
                raise NotCompilable("'in' with a non-literal list", "'in' 右边的列表不是字面值")
            values = list(b.values)
            if a.kind == "place":
                values = [int(x) for x in values if isinstance(x, str) and x.isdigit()]
            out = _null_if(~a.known(), a.e.is_in(pl.Series(values).implode()) if values
                           else pl.lit(False))
            return S("bool", out, a.ctx)
        if not isinstance(a, S) or not isinstance(b, S):
            raise NotCompilable(f"comparison of {type(a).__name__} and {type(b).__name__}",
                                f"比较{value_zh(a)}与{value_zh(b)}")
        if a.none_known or b.none_known:
            fact, other = (a, b) if a.none_known else (b, a)
            if op not in ("==", "!="):
                raise NotCompilable("ordering against a fact that may be none",
                                    "与可能为空的事实比较大小")
            if other.kind == "none":
                eq = fact.e.is_null()
            elif other.is_const or (other.kind == fact.kind and other.none_known):
                eq = fact.e.eq_missing(other.e)
            else:
                raise NotCompilable("comparing a fact that may be none with an unknown",
                                    "将可能为空的事实与未知值比较")
            return S("bool", eq if op == "==" else ~eq, fact.ctx)
        if a.kind == "none" or b.kind == "none":
            other = b if a.kind == "none" else a
            if op not in ("==", "!=") or other.kind == "none":
                raise NotCompilable("ordering against null", "与空值(null)比较大小")
            value = pl.lit(op == "!=")
            return S("bool", _null_if(other.e.is_null(), value), other.ctx)
        a, b = self._same_kind(a, b)
        ctx, (a, b) = self.common(a, b)
        if a.kind in NUMERIC:
            sure, possible = _range_compare(op, a.lo, a.upper, b.lo, b.upper)
            out = (pl.when(_any_null(a.lo, b.lo)).then(None)
                   .when(sure).then(True).when(~possible).then(False).otherwise(None))
            return S("bool", out, ctx)
        ops: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
            "==": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
            "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y,
        }
        return S("bool", ops[op](a.e, b.e), ctx)

    def _same_kind(self, a: S, b: S) -> tuple[S, S]:
        if a.kind in NUMERIC and b.kind in NUMERIC:
            return a, b
        if a.kind == b.kind:
            return a, b
        for x, y, flip in ((a, b, False), (b, a, True)):
            if x.kind == "place" and y.kind == "str" and y.is_const:
                code = y.const
                value = int(code) if isinstance(code, str) and len(code) == 6 and code.isdigit() \
                    else -1
                y2 = S("place", pl.lit(value, dtype=pl.Int32), const=code, is_const=True)
                return (y2, x) if flip else (x, y2)
        raise NotCompilable(f"comparison of {a.kind} and {b.kind}",
                            f"比较{kind_zh(a.kind)}与{kind_zh(b.kind)}")

    def arith(self, op: str, a: V, b: V) -> S:
        if not (isinstance(a, S) and isinstance(b, S)) or a.kind not in NUMERIC \
                or b.kind not in NUMERIC:
            raise NotCompilable("arithmetic on non-numbers", "对非数值做算术")
        if op == "/":
            raise NotCompilable("division (exact decimal quotients)", "除法(精确的十进制商)")
        ctx, (a, b) = self.common(a, b)
        kind = "dec" if "dec" in (a.kind, b.kind) else "int"
        la, ha, lb, hb = a.lo, a.upper, b.lo, b.upper
        if kind == "dec":
            la, ha, lb, hb = (_dec(x, k) for x, k in
                              ((la, a.kind), (ha, a.kind), (lb, b.kind), (hb, b.kind)))
        if op == "+":
            lo, hi = la + lb, ha + hb
        elif op == "-":
            lo, hi = la - hb, ha - lb
        else:
            products = [la * lb, la * hb, ha * lb, ha * hb]
            lo, hi = pl.min_horizontal(products), pl.max_horizontal(products)
        exact = a.hi is None and b.hi is None
        nulls = _any_null(la, lb)
        lo = _null_if(nulls, lo)
        return S(kind, lo, ctx, hi=None if exact else _null_if(nulls, hi))

    def _if(self, c: V, t: V, o: V) -> V:
        cond = self._truth(c)
        t, o = _json_const(t), _json_const(o)
        if not (isinstance(t, S) and isinstance(o, S)):
            raise NotCompilable("if over non-scalar values", "条件表达式的分支不是标量")
        if t.kind == "none" or o.kind == "none":
            raise NotCompilable("if with null", "条件表达式的分支为空值(null)")
        t, o = self._same_kind(t, o)
        ctx, (cond, t, o) = self.common(cond, t, o)
        kind = t.kind
        if kind in NUMERIC:
            kind = "dec" if "dec" in (t.kind, o.kind) else "int"
            tl, th, ol, oh = t.lo, t.upper, o.lo, o.upper
            if kind == "dec":
                tl, th, ol, oh = (_dec(x, k) for x, k in
                                  ((tl, t.kind), (th, t.kind), (ol, o.kind), (oh, o.kind)))
            same = (tl == th) & (ol == oh) & (tl == ol)
            lo = (pl.when(cond.e).then(tl).when(~cond.e).then(ol)
                  .when(same.fill_null(False)).then(tl).otherwise(None))
            hi = (pl.when(cond.e).then(th).when(~cond.e).then(oh)
                  .when(same.fill_null(False)).then(tl).otherwise(None))
            exact = t.hi is None and o.hi is None
            return S(kind, lo, ctx, hi=None if exact else hi)
        same = (t.e == o.e).fill_null(False)
        e = (pl.when(cond.e).then(t.e).when(~cond.e).then(o.e)
             .when(same).then(t.e).otherwise(None))
        return S(kind, e, ctx, domain=t.domain)

    # functions ----------------------------------------------------------------------------

    def _call(self, node: ast.Call, env: dict[str, V]) -> V:
        fn = getattr(self, f"fn_{node.func}", None)
        if fn is None:
            raise NotCompilable(f"function {node.func}()", f"函数 {node.func}()")
        if node.func in ("param", "declared"):
            return fn(node, env)
        args = [self.ev(a, env) for a in node.args]
        kwargs = {k: self.ev(x, env) for k, x in node.kwargs}
        if kwargs:
            raise NotCompilable(f"keyword arguments to {node.func}()",
                                f"{node.func}() 的关键字参数")
        return fn(*args)


def _canonical(node: ast.Node, lets: dict, seen: set[str]) -> tuple[str, set[str]]:
    """An expression as text without positions, lets expanded; and the names and functions
    it uses."""
    free: set[str] = set()

    def walk(n: ast.Node) -> str:
        match n:
            case ast.Literal(value=value):
                return repr(value)
            case ast.Name(name=name):
                if name in lets and name not in seen:
                    text, inner = _canonical(lets[name].expr, lets, seen | {name})
                    free.update(inner)
                    return f"({text})"
                free.add(name)
                return name
            case ast.Call(func=func, args=args, kwargs=kwargs):
                free.add(func)
                parts = [walk(a) for a in args] + [f"{k}={walk(x)}" for k, x in kwargs]
                return f"{func}({', '.join(parts)})"
        kids = ", ".join(walk(c) for c in ast.children(n))
        extra = getattr(n, "op", None) or getattr(n, "name", None) or ""
        return f"{type(n).__name__}[{extra}]({kids})"

    return walk(node), free


def _range_compare(op: str, la, ha, lb, hb) -> tuple[pl.Expr, pl.Expr]:
    match op:
        case "<":
            return ha < lb, la < hb
        case "<=":
            return ha <= lb, la <= hb
        case ">":
            return la > hb, ha > lb
        case ">=":
            return la >= hb, ha >= lb
        case "==":
            return (la == ha) & (ha == lb) & (lb == hb), ~((ha < lb) | (hb < la))
        case "!=":
            return (ha < lb) | (hb < la), ~((la == ha) & (ha == lb) & (lb == hb))
    raise NotCompilable(f"comparison {op}", f"比较运算 {op}")
