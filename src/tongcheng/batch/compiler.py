"""Expression trees compiled to polars over a ``Population``: the reference semantics, in columns.

Every value the reference interpreter can hold has a columnar twin:

- a known-or-unknown scalar (``S``): one expression, null where the reference has ``Unknown``;
  polars' ``& | ~`` are Kleene's, like ``values.k_and`` and friends;
- a number with bounds (``S`` with ``hi``): ``lo`` and ``hi`` expressions, as ``Range`` keeps them;
  known where they agree;
- a filtered list (``ItemsV``): two Boolean columns over the list's exploded rows, ``sure`` and
  ``maybe``, as ``Items`` keeps sure and maybe items; plus whether the list is given at all;
- a month set (``MonthsV``): the same rows read as month intervals; counts and runs are taken by
  a sweep over each person's intervals sorted by start (a month covered twice counts once);
- a parameter record (``Rec``): one expression per field.

Person-level expressions live on the persons frame; item-level ones on the list's frame, where
person-level values are broadcast by gathering on ``_i``; per-person aggregates come back by
segment sums over the list's offsets. A construct without a columnar twin raises
``NotCompilable``: the engine then decides that rule with the reference evaluator.

Compiling computes nothing: every column is planned (``Frames``) with its depth in the graph of
columns, and once all rules are compiled ``Frames.run`` computes each depth of every rule at once
— one ``with_columns`` per frame, which polars spreads over the cores, next to the numpy steps of
that depth in a second thread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import polars as pl

from tongcheng import months as mo
from tongcheng.batch.frames import Frames
from tongcheng.batch.layout import (
    ENUMS,
    ITEM_ENUMS,
    MONEY,
    MONTH_SHIFT,
    lut,
    place_tables,
)
from tongcheng.expr import ast
from tongcheng.pack import parameters as params
from tongcheng.pack import zones as zone_logic
from tongcheng.pack.model import Parameter, Rule, RulePack, Zone, ZoneRef
from tongcheng.places import PlaceRegistry

FAR_PAST = date(1, 1, 1)
NUMERIC = ("int", "dec")


class NotCompilable(Exception):
    """A construct the columnar evaluator does not model (the rule falls back)."""


# --- compiled values --------------------------------------------------------------------------


@attrs.frozen
class S:
    """A scalar: ``e`` (null = unknown); for numbers ``hi`` is the upper bound (None: exact)."""

    kind: str  # bool | str | place | date | int | dec | none
    e: pl.Expr
    ctx: str | None = None  # None: one per person; else the list whose rows it is over
    hi: pl.Expr | None = None
    const: Any = None  # the Python value of a literal
    is_const: bool = False
    domain: tuple[str, ...] | None = None  # the values an enumerated fact can take
    none_known: bool = False  # null is a known "none" (request.service), never unknown

    @property
    def lo(self) -> pl.Expr:
        return self.e

    @property
    def upper(self) -> pl.Expr:
        return self.e if self.hi is None else self.hi

    def known(self) -> pl.Expr:
        if self.hi is None:
            return self.e.is_not_null()
        return self.e.is_not_null() & (self.e == self.hi)


@attrs.frozen
class Rec:
    fields: dict[str, S]
    known: pl.Expr
    ctx: str | None = None


@attrs.frozen
class ItemsV:
    lst: str
    sure: pl.Expr  # over the list's rows, never null
    maybe: pl.Expr
    known: pl.Expr  # per person: the list is given
    maybe_possible: bool = True


@attrs.frozen
class MonthsV:
    items: ItemsV


@attrs.frozen
class PlacesV:
    items: ItemsV


@attrs.frozen
class ByPlaceV:
    items: ItemsV


@attrs.frozen
class TupleV:
    values: tuple[Any, ...]


@attrs.frozen
class ItemV:
    lst: str


@attrs.frozen
class ConstItemsV:
    """Items from the pack (service items): per item, person-level sure and maybe flags."""

    values: tuple[Any, ...]
    sure: tuple[pl.Expr, ...]
    maybe: tuple[pl.Expr, ...]
    known: pl.Expr


@attrs.frozen
class ConstItemV:
    value: Any


@attrs.frozen
class RootV:
    path: str


V = S | Rec | ItemsV | MonthsV | PlacesV | ByPlaceV | TupleV | ItemV | RootV | ConstItemsV \
    | ConstItemV

# Situation fields as columns: path -> (column, kind, domain)
PERSON_COLUMNS: dict[str, tuple[str, str]] = {
    "person.birth_date": ("birth_date", "date"),
    "person.sex": ("sex", "str"),
    "person.hukou": ("hukou", "place"),
    "person.lives_in": ("lives_in", "place"),
    "person.employment": ("employment", "str"),
    "person.work_place": ("work_place", "place"),
    "person.retired_on": ("retired_on", "date"),
    "person.pension_place": ("pension_place", "place"),
    "person.talent": ("talent", "str"),
    "provident_fund.balance": ("balance", "dec"),
    "provident_fund.spouse_balance": ("spouse_balance", "dec"),
    "provident_fund.outstanding_loans": ("outstanding_loans", "int"),
    "provident_fund.couple_application": ("couple_application", "bool"),
    "request.hospital_grade": ("hospital_grade", "int"),
}
LIST_PATHS = {"insurance", "cards", "person.residence", "provident_fund.periods", "results"}
ITEM_COLUMNS: dict[str, str] = {
    "scheme": "str",
    "place": "place",
    "from": "int",
    "deemed": "bool",
    "kind": "str",
    "issuer": "place",
    "since": "date",
    "issued": "date",
    "level": "str",
    "hospital_grade": "int",
}
ROOTS = {"person", "provident_fund", "request"}


def _lit(value: Any) -> S:
    if value is None:
        return S("none", pl.lit(None), const=None, is_const=True)
    if isinstance(value, bool):
        return S("bool", pl.lit(value), const=value, is_const=True)
    if isinstance(value, int):
        return S("int", pl.lit(value, dtype=pl.Int64), const=value, is_const=True)
    if isinstance(value, Decimal):
        return S("dec", pl.lit(value), const=value, is_const=True)
    if isinstance(value, str):
        return S("str", pl.lit(value, dtype=pl.String), const=value, is_const=True)
    if isinstance(value, date):
        return S("date", pl.lit(value, dtype=pl.Date), const=value, is_const=True)
    raise NotCompilable(f"literal {value!r}")


def _null_if(cond: pl.Expr, value: pl.Expr) -> pl.Expr:
    return pl.when(cond).then(None).otherwise(value)


def _any_null(*exprs: pl.Expr) -> pl.Expr:
    return pl.any_horizontal([e.is_null() for e in exprs])


# --- pack-level tables (built once, shared by every chunk) ----------------------------------


class PackTables:
    """Zone membership and parameter look-ups as arrays indexed by place code."""

    def __init__(self, pack: RulePack, registry: PlaceRegistry) -> None:
        self.pack = pack
        self.registry = registry
        self.places = place_tables(registry)
        self._codes = [int(p.code) for p in registry.all()]

    @functools.cache  # noqa: B019 - one instance per engine, kept for its life
    def zone_epochs(self, zone_id: str) -> tuple[tuple[date, date | None, pl.Series], ...]:
        """(from, to, membership table) per stretch of dates with the same members.

        The table holds 1 (inside), 0 (outside) or 2 (too coarse: unknown) per code.
        """
        zone = self.pack.zones[zone_id]
        cuts = sorted({m.start for m in zone.members}
                      | {m.end + timedelta(days=1) for m in zone.members if m.end})
        starts = [FAR_PAST, *cuts]
        out = []
        for k, start in enumerate(starts):
            end = starts[k + 1] - timedelta(days=1) if k + 1 < len(starts) else None
            out.append((start, end, self._zone_table(zone, start)))
        return tuple(out)

    def _zone_table(self, zone: Zone, at: date) -> pl.Series:
        table = np.zeros(1_000_000, dtype=np.int8)
        if zone.members_at(at):
            for code in self._codes:
                inside = zone_logic.contains(self.registry, zone, str(code), at)
                table[code] = 2 if inside is None else int(inside)
        return pl.Series(table)

    def contains(self, zone_id: str, place: pl.Expr, as_of: pl.Expr,
                 const: date | None = None) -> pl.Expr:
        """Kleene truth of ``zones.contains`` (null where too coarse or the place unknown).
        ``const``: the one as_of of every row, when they share it."""
        if const is not None:
            for start, end, table in self.zone_epochs(zone_id):
                if start <= const and (end is None or const <= end):
                    status = lut(table, place)
                    return pl.when(status == 2).then(None).otherwise(status == 1)
        chain: Any = pl
        for start, end, table in self.zone_epochs(zone_id):
            cond = as_of >= pl.lit(start)
            if end is not None:
                cond = cond & (as_of <= pl.lit(end))
            chain = chain.when(cond).then(lut(table, place))
        status = chain.otherwise(pl.lit(0, dtype=pl.Int8))
        return pl.when(status == 2).then(None).otherwise(status == 1)

    @functools.cache  # noqa: B019
    def declaring(self, parameter_id: str) -> tuple[pl.Series, pl.Series, tuple[str, ...]]:
        """Per code: index of the declaring place (-1 none, -2 too coarse) and declared()."""
        parameter = self.pack.parameters[parameter_id]
        places = tuple(sorted(parameter.places))
        index = np.full(1_000_000, -1, dtype=np.int16)
        declared = np.zeros(1_000_000, dtype=np.int8)
        for code in self._codes:
            status, declaring = params.declaring_place(self.registry, parameter, str(code))
            if status is params.Lookup.FOUND:
                index[code] = places.index(declaring)
            elif status is params.Lookup.COARSE:
                index[code] = -2
            if status is params.Lookup.FOUND or declaring is not None:
                declared[code] = 1
            elif status is params.Lookup.COARSE:
                declared[code] = 2
        return pl.Series(index), pl.Series(declared), places


# --- the rule compiler ------------------------------------------------------------------------


class RuleCompiler:
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
            raise NotCompilable(f"a value over {v.ctx} used over {ctx}")
        e = self.fr.broadcast(ctx, v.e)  # type: ignore[arg-type]
        hi = self.fr.broadcast(ctx, v.hi) if v.hi is not None else None  # type: ignore[arg-type]
        return attrs.evolve(v, e=e, hi=hi, ctx=ctx)

    def common(self, *vals: S) -> tuple[str | None, list[S]]:
        ctxs = {v.ctx for v in vals if not v.is_const and v.ctx is not None}
        if len(ctxs) > 1:
            raise NotCompilable("values over two different lists")
        ctx = next(iter(ctxs), None)
        return ctx, [self.in_ctx(v, ctx) for v in vals]

    def person_level(self, v: S) -> S:
        if v.ctx is not None and not v.is_const:
            raise NotCompilable("an item-level value where a person-level one is needed")
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
                    raise NotCompilable("a list of non-literal values")
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
        raise NotCompilable(f"node {type(node).__name__}")

    def _truth(self, v: V) -> S:
        if isinstance(v, S) and v.kind == "bool":
            return v
        raise NotCompilable("a condition that is not a truth value")

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
        raise NotCompilable(f"name {name!r}")

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
                raise NotCompilable(f"fact {path}")
            column, kind = PERSON_COLUMNS[path]
            e = pl.col(column)
            if path in self.fill:
                e = e.fill_null(pl.lit(self.fill[path]))
            return S(kind, e, domain=ENUMS.get(column))
        if isinstance(base, ItemV):
            if name not in ITEM_COLUMNS or name not in self.fr.L[base.lst].columns:
                raise NotCompilable(f"item field {base.lst}[].{name}")
            return S(ITEM_COLUMNS[name], pl.col(name), base.lst,
                     domain=ITEM_ENUMS.get((base.lst, name)))
        if isinstance(base, ConstItemV):
            value = getattr(base.value, name, None)
            if name not in ("id", "zone", "channel") or not isinstance(value, str):
                raise NotCompilable(f"field {name} of a pack item")
            return _lit(value)
        if isinstance(base, Rec):
            if name not in base.fields:
                raise NotCompilable(f"record field {name}")
            return base.fields[name]
        raise NotCompilable(f".{name} of {type(base).__name__}")

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
            raise NotCompilable("a filter over something other than a situation list")
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
                raise NotCompilable("'in' with a non-literal list")
            values = list(b.values)
            if a.kind == "place":
                values = [int(x) for x in values if isinstance(x, str) and x.isdigit()]
            out = _null_if(~a.known(), a.e.is_in(pl.Series(values).implode()) if values
                           else pl.lit(False))
            return S("bool", out, a.ctx)
        if not isinstance(a, S) or not isinstance(b, S):
            raise NotCompilable(f"comparison of {type(a).__name__} and {type(b).__name__}")
        if a.none_known or b.none_known:
            fact, other = (a, b) if a.none_known else (b, a)
            if op not in ("==", "!="):
                raise NotCompilable("ordering against a fact that may be none")
            if other.kind == "none":
                eq = fact.e.is_null()
            elif other.is_const or (other.kind == fact.kind and other.none_known):
                eq = fact.e.eq_missing(other.e)
            else:
                raise NotCompilable("comparing a fact that may be none with an unknown")
            return S("bool", eq if op == "==" else ~eq, fact.ctx)
        if a.kind == "none" or b.kind == "none":
            other = b if a.kind == "none" else a
            if op not in ("==", "!=") or other.kind == "none":
                raise NotCompilable("ordering against null")
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
        raise NotCompilable(f"comparison of {a.kind} and {b.kind}")

    def arith(self, op: str, a: V, b: V) -> S:
        if not (isinstance(a, S) and isinstance(b, S)) or a.kind not in NUMERIC \
                or b.kind not in NUMERIC:
            raise NotCompilable("arithmetic on non-numbers")
        if op == "/":
            raise NotCompilable("division (exact decimal quotients)")
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
            raise NotCompilable("if over non-scalar values")
        if t.kind == "none" or o.kind == "none":
            raise NotCompilable("if with null")
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
            raise NotCompilable(f"function {node.func}()")
        if node.func in ("param", "declared"):
            return fn(node, env)
        args = [self.ev(a, env) for a in node.args]
        kwargs = {k: self.ev(x, env) for k, x in node.kwargs}
        if kwargs:
            raise NotCompilable(f"keyword arguments to {node.func}()")
        return fn(*args)

    def _count_items(self, items: ItemsV) -> tuple[pl.Expr, pl.Expr]:
        """Per person: (sure, maybe) item counts, as new person columns."""
        lst, fr = items.lst, self.fr
        if not items.maybe_possible:
            [lo] = fr.later(lambda: [fr.seg_sum(lst, fr.item_np(lst, items.sure, bool))],
                            [(lst, items.sure)])
            return lo, pl.lit(0, dtype=pl.Int64)
        lo, maybe = fr.later(lambda: [fr.seg_sum(lst, fr.item_np(lst, items.sure, bool)),
                                      fr.seg_sum(lst, fr.item_np(lst, items.maybe, bool))],
                             [(lst, items.sure), (lst, items.maybe)], n=2)
        return lo, maybe

    def fn_count(self, x: V) -> S:
        if isinstance(x, ItemsV):
            lo, extra = self._count_items(x)
            known = x.known
            return S("int", _null_if(~known, lo), hi=_null_if(~known, lo + extra))
        if isinstance(x, MonthsV):
            return self._month_measure(x, "count")
        if isinstance(x, TupleV):
            return _lit(len(x.values))
        if isinstance(x, ConstItemsV):
            lo = pl.sum_horizontal([e.cast(pl.Int64) for e in x.sure]) if x.sure else pl.lit(0)
            extra = pl.sum_horizontal([e.cast(pl.Int64) for e in x.maybe]) if x.maybe \
                else pl.lit(0)
            return S("int", _null_if(~x.known, lo), hi=_null_if(~x.known, lo + extra))
        raise NotCompilable(f"count() of {type(x).__name__}")

    def fn_exists(self, x: V) -> S:
        return self.compare(">", self.fn_count(x), _lit(0))

    def fn_months(self, x: V) -> MonthsV:
        if not isinstance(x, ItemsV):
            raise NotCompilable("months() of something other than a list")
        return MonthsV(x)

    def fn_consecutive_months(self, x: V) -> S:
        if not isinstance(x, MonthsV):
            raise NotCompilable("consecutive_months() of something other than months()")
        return self._month_measure(x, "run")

    def _intervals(self, lst: str) -> str:
        """(person, start, end, as_of month) per row: months clipped to as_of, as the
        reference; once per list and chunk."""
        return self.fr.shared(("intervals", lst), lambda: self._read_intervals(lst))

    def _read_intervals(self, lst: str) -> str:
        """The key of a value step giving (person, start, end, as_of month) per row."""
        m = self.fr.broadcast(lst, pl.col("as_of_m"))
        frame = self.fr.L[lst]
        if "from" in frame.columns:
            start = pl.col("from")
            end = pl.min_horizontal(pl.col("to").fill_null(m), m) if "to" in frame.columns else m
        elif "since" in frame.columns:
            start = (pl.col("since").dt.year().cast(pl.Int64) * 12
                     + pl.col("since").dt.month().cast(pl.Int64) - 1)
            end = m
        else:
            raise NotCompilable(f"months() of {lst}, which has no months")
        fr = self.fr

        def read() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, _Rows]:
            i, s, e = (fr.item_np(lst, pl.col("_i")), fr.item_np(lst, start.fill_null(0)),
                       fr.item_np(lst, end.fill_null(-1)))
            return i, s, e, fr.item_np(lst, m), _Rows.of(i, s, e)

        return fr.later_value(f"intervals:{lst}", read, [(lst, start), (lst, end), (lst, m)])

    def _undated(self, items: ItemsV) -> pl.Expr:
        """Per person: some item in the set has no start (a permit without ``since``)."""
        if "since" not in self.fr.L[items.lst].columns:
            return pl.lit(False)
        mask = (items.sure | items.maybe) & pl.col("since").is_null()
        lst, fr = items.lst, self.fr
        [col] = fr.later(lambda: [fr.seg_sum(lst, fr.item_np(lst, mask, bool)) > 0], [(lst, mask)])
        return col

    def _month_measure(self, x: MonthsV, what: str) -> S:
        items = x.items
        lst = items.lst
        known = items.known & ~self._undated(items)
        key = self._intervals(lst)
        fr = self.fr
        exact = not items.maybe_possible

        def measure() -> list[np.ndarray]:
            i, start, end, m, rows = fr.values[key]
            valid = start <= end
            sure = fr.item_np(lst, items.sure, bool) & valid
            if what == "count":
                lo = fr.seg_sum(lst, rows.count(sure))
            else:
                lo = self._run(lst, i, start, end, m, sure)
            if exact:
                return [lo]
            maybe = fr.item_np(lst, items.maybe, bool) & valid & ~sure
            if not maybe.any():  # the upper bound is the lower one for everybody
                return [lo, lo]
            either = sure | maybe
            if what != "count":
                return [lo, self._run(lst, i, start, end, m, either)]
            # the upper bound differs only for persons with a maybe row: sweep just theirs
            n = len(lo)
            some = np.zeros(n, dtype=bool)
            some[i[maybe]] = True
            picked = some[i]
            sub_i = i[picked]
            added = _sweep_count(sub_i, start[picked], end[picked], either[picked])
            hi = lo.copy()
            hi[some] = np.bincount(sub_i, weights=added, minlength=n)[some].astype(np.int64)
            return [lo, hi]

        uses = [(lst, items.sure)] + ([] if exact else [(lst, items.maybe)])
        cols = fr.later(measure, uses, n=1 if exact else 2, values=[key])
        lo_e = _null_if(~known, cols[0])
        if exact:
            return S("int", lo_e)
        return S("int", lo_e, hi=_null_if(~known, cols[1]))

    def _run(self, lst, i, start, end, m, mask) -> np.ndarray:
        at_m = self.fr.seg_reduce(lst, _run_at(i, start, end, mask, m), np.maximum, 0)
        before = self.fr.seg_reduce(lst, _run_at(i, start, end, mask, m - 1), np.maximum, 0)
        return np.where(at_m > 0, at_m, before)

    def fn_months_by_place(self, x: V) -> ByPlaceV:
        if not isinstance(x, ItemsV):
            raise NotCompilable("months_by_place() of something other than a list")
        return ByPlaceV(x)

    def fn_running(self, x: V) -> ItemsV:
        if not isinstance(x, ItemsV) or "to" not in self.fr.L[x.lst].columns:
            raise NotCompilable("running() of something other than periods")
        m = self.fr.broadcast(x.lst, pl.col("as_of_m"))
        run = (pl.col("from") <= m) & (pl.col("to").is_null() | (pl.col("to") >= m))
        sure = pl.col(self.fr.item(x.lst, x.sure & run))
        maybe = pl.col(self.fr.item(x.lst, x.maybe & run))
        return ItemsV(x.lst, sure, maybe, x.known, x.maybe_possible)

    def fn_latest(self, x: V) -> ItemsV:
        """The periods starting last, as the reference: sure where no maybe-period starts
        later, maybe where one may."""
        if not isinstance(x, ItemsV) or "from" not in self.fr.L[x.lst].columns:
            raise NotCompilable("latest() of something other than periods")
        lst, fr = x.lst, self.fr
        start = pl.col("from")
        sure_from = pl.when(x.sure).then(start).otherwise(-1)
        any_from = pl.when(x.sure | x.maybe).then(start).otherwise(-1)
        floor, top = fr.later(lambda: [
            fr.seg_reduce(lst, fr.item_np(lst, sure_from), np.maximum, -1),
            fr.seg_reduce(lst, fr.item_np(lst, any_from), np.maximum, -1)],
            [(lst, sure_from), (lst, any_from)], n=2)
        floor_i, top_i = fr.broadcast(lst, floor), fr.broadcast(lst, top)
        sure = pl.col(fr.item(lst, x.sure & (start == top_i)))
        maybe = pl.col(fr.item(lst, (x.sure | x.maybe) & ~(x.sure & (start == top_i))
                               & (start >= floor_i)))
        return ItemsV(lst, sure, maybe, x.known, x.maybe_possible)

    def fn_age(self, born: V, at: V | None = None) -> S:
        at = at if at is not None else self.as_of
        if not (isinstance(born, S) and isinstance(at, S)) or born.kind != "date" \
                or at.kind != "date":
            raise NotCompilable("age() of non-dates")
        ctx, (born, at) = self.common(born, at)
        b, a = born.e, at.e
        earlier = (a.dt.month() < b.dt.month()) | (
            (a.dt.month() == b.dt.month()) & (a.dt.day() < b.dt.day()))
        years = a.dt.year().cast(pl.Int64) - b.dt.year().cast(pl.Int64) - earlier.cast(pl.Int64)
        return S("int", years, ctx)

    def fn_city(self, place: V) -> S:
        if not isinstance(place, S) or place.kind != "place":
            raise NotCompilable("city() of a non-place")
        return attrs.evolve(place, e=lut(self.tables.places.city, place.e), is_const=False,
                            const=None)

    def _zone_refs(self):
        return self.zones

    def _active(self, ref, as_of: pl.Expr) -> pl.Expr:
        if self.fr.as_of_const is not None:
            return pl.lit(ref.active(self.fr.as_of_const))
        cond = as_of >= pl.lit(ref.start)
        if ref.end is not None:
            cond = cond & (as_of <= pl.lit(ref.end))
        return cond

    def fn_member(self, place: V) -> S:
        return self._member(place, self._zone_refs())

    def fn_shares_zone(self, place: V, zone: V) -> S:
        if not isinstance(zone, S) or not zone.is_const:
            raise NotCompilable("shares_zone() without a literal zone id")
        return self._member(place, tuple(r for r in self._zone_refs()
                                         if r.zone.id == zone.const))

    def _member(self, place: V, refs) -> S:
        if not isinstance(place, S) or place.kind != "place":
            raise NotCompilable("member() of a non-place")
        ctx, (place, anchor, as_of) = self.common(place, self.anchor, self.as_of)
        out: pl.Expr = pl.lit(False)
        c = self.fr.as_of_const
        for ref in refs:
            if c is not None and not ref.active(c):
                continue
            t = self.tables.contains(ref.zone.id, anchor.e, as_of.e, self.fr.as_of_const)
            p = self.tables.contains(ref.zone.id, place.e, as_of.e, self.fr.as_of_const)
            out = out | (self._active(ref, as_of.e) & (t & p))
        return S("bool", _null_if(place.e.is_null() | anchor.e.is_null(), out), ctx)

    def fn_in_zone(self, place: V, zone: V) -> S:
        if not (isinstance(place, S) and isinstance(zone, S)) or not zone.is_const \
                or zone.const not in self.pack.zones:
            raise NotCompilable("in_zone() without a literal zone id")
        # as the rule cites the zone: only while one of its entries for it is in force
        ctx, (place, as_of) = self.common(place, self.as_of)
        out: pl.Expr = pl.lit(False)
        c = self.fr.as_of_const
        for ref in self._zone_refs():
            if ref.zone.id != zone.const or (c is not None and not ref.active(c)):
                continue
            inside = self.tables.contains(zone.const, place.e, as_of.e, c)
            out = out | (self._active(ref, as_of.e) & inside)
        return S("bool", _null_if(place.e.is_null(), out), ctx)

    def _place_kw(self, node: ast.Call, env: dict[str, V]) -> S:
        for k, x in node.kwargs:
            if k == "place":
                v = self.ev(x, env)
                if isinstance(v, S) and v.is_const and v.kind == "str":
                    v = self._same_kind(S("place", pl.lit(None, dtype=pl.Int32)), v)[1]
                if not isinstance(v, S) or v.kind != "place":
                    raise NotCompilable("param place= not a place")
                return v
        return self.anchor

    def fn_param(self, node: ast.Call, env: dict[str, V]) -> V:
        name = node.args[0].value  # type: ignore[union-attr]
        parameter = self.pack.parameters[name]
        place = self._place_kw(node, env)
        at = self.as_of
        for k, x in node.kwargs:
            if k == "at":
                at = self.ev(x, env)  # type: ignore[assignment]
                if not isinstance(at, S) or at.kind != "date":
                    raise NotCompilable("param at= not a date")
        ctx, (place, at) = self.common(place, at)
        index, _, places = self.tables.declaring(name)
        decl = lut(index, place.e)
        values: list[Any] = []
        chain: Any = pl
        const_at = self.fr.as_of_const if at is self.as_of or at.e.meta.eq(pl.col("as_of")) \
            else None
        offset: dict[str, int] = {}
        for declaring in places:
            offset[declaring] = len(values)
            values.extend(v.value for v in parameter.places[declaring])
        for k, declaring in enumerate(places):
            # the declaring place, or a broader one before the declaring place's values start
            fallback = params.fallback_chain(self.tables.registry, parameter, declaring)
            if const_at is not None:
                found = params.resolve(parameter, fallback, const_at)
                pick = pl.lit(None if found is None else
                              offset[found[0]] + parameter.places[found[0]].index(found[1]),
                              dtype=pl.Int64)
            else:
                pick = pl.lit(None, dtype=pl.Int64)
                for where, start in reversed(fallback):
                    own = _value_at_expr(parameter.places[where], at.e, offset[where])
                    pick = own if start is None else (
                        pl.when(at.e >= pl.lit(start)).then(own).otherwise(pick))
            chain = chain.when(decl == k).then(pick)
        idx = chain.otherwise(None) if places else pl.lit(None, dtype=pl.Int64)
        idx = _null_if(place.e.is_null() | at.e.is_null(), idx)
        if values and all(isinstance(v, dict) for v in values):
            names = list(dict.fromkeys(k for v in values for k in v))
            fields = {f: self._value_column([v.get(f) for v in values], idx, ctx)
                      for f in names}
            return Rec(fields, idx.is_not_null(), ctx)
        if any(isinstance(v, dict) for v in values):
            raise NotCompilable(f"parameter {name} mixes records and numbers")
        return self._value_column(values, idx, ctx)

    def _value_column(self, values: list[Any], idx: pl.Expr, ctx: str | None) -> S:
        present = [v for v in values if v is not None]
        if not present:
            return S("none", pl.lit(None), ctx)
        if all(isinstance(v, bool) for v in present):
            kind, series = "bool", pl.Series(values, dtype=pl.Boolean)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            kind, series = "int", pl.Series(values, dtype=pl.Int64)
        elif all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in present):
            kind = "dec"
            scale = max(-Decimal(v).as_tuple().exponent for v in present)  # type: ignore[operator]
            series = pl.Series([None if v is None else Decimal(v) for v in values],
                               dtype=pl.Decimal(38, max(scale, 0)))
        elif all(isinstance(v, str) for v in present):
            kind, series = "str", pl.Series(values, dtype=pl.String)
        else:
            raise NotCompilable("parameter values of mixed kinds")
        return S(kind, pl.lit(series).gather(idx), ctx)

    def fn_declared(self, node: ast.Call, env: dict[str, V]) -> S:
        name = node.args[0].value  # type: ignore[union-attr]
        place = self._place_kw(node, env)
        _, declared, _ = self.tables.declaring(name)
        status = lut(declared, place.e)
        out = pl.when(status == 2).then(None).otherwise(status == 1)
        return S("bool", _null_if(place.e.is_null(), out), place.ctx)

    def fn_pick(self, record: V, key: V) -> S:
        if not isinstance(record, Rec) or not isinstance(key, S):
            raise NotCompilable("pick() of a non-record")
        if key.is_const:
            if key.const not in record.fields:
                raise NotCompilable(f"pick(): no field {key.const!r}")
            return record.fields[key.const]
        names = [f for f in record.fields if key.domain is None or f in key.domain]
        if not names:
            raise NotCompilable("pick(): no field the key can name")
        kinds = {record.fields[f].kind for f in names}
        if len(kinds) != 1:
            raise NotCompilable("pick(): fields of different kinds")
        kind = kinds.pop()
        fields = [record.fields[f] for f in names]
        ctx, vals = self.common(key, *fields)
        key, fields = vals[0], vals[1:]
        chain: Any = pl
        for f, v in zip(names, fields, strict=True):
            chain = chain.when(key.e == f).then(v.e)
        return S(kind, chain.otherwise(None), ctx)

    def fn_service_items(self, place: V) -> ConstItemsV:
        if not isinstance(place, S) or place.kind != "place":
            raise NotCompilable("service_items() of a non-place")
        place = self.person_level(place)
        anchor, as_of = self.anchor.e, self.as_of.e
        services = sorted(self.pack.services, key=lambda x: repr(x.to_dict()))
        sure: list[pl.Expr] = []
        maybe: list[pl.Expr] = []
        for service in services:
            s_k: pl.Expr = pl.lit(False)
            m_k: pl.Expr = pl.lit(False)
            for ref in self._zone_refs():
                if ref.zone.id != service.zone:
                    continue
                c = self.fr.as_of_const
                shared = (self.tables.contains(ref.zone.id, anchor, as_of, c)
                          & self.tables.contains(ref.zone.id, place.e, as_of, c))
                live = self._active(ref, as_of) & (as_of >= pl.lit(service.start))
                s_k = s_k | (live & shared.fill_null(False))
                m_k = m_k | (live & shared.is_null())
            sure.append(pl.col(self.fr.person(s_k)))
            maybe.append(pl.col(self.fr.person(m_k & ~s_k)))
        known = place.e.is_not_null() & anchor.is_not_null()
        return ConstItemsV(tuple(services), tuple(sure), tuple(maybe), known)

    def fn_places(self, x: V) -> PlacesV:
        if not isinstance(x, ItemsV):
            raise NotCompilable("places() of a non-list")
        return PlacesV(x)

    def _maybe_any(self, items: ItemsV) -> pl.Expr:
        if not items.maybe_possible:
            return pl.lit(False)
        lst, fr = items.lst, self.fr
        key = ("maybe_any", lst, items.maybe.meta.output_name()) \
            if items.maybe.meta.is_column() else None

        def plan() -> pl.Expr:
            [col] = fr.later(lambda: [fr.seg_sum(lst, fr.item_np(lst, items.maybe, bool)) > 0],
                             [(lst, items.maybe)])
            return col

        return plan() if key is None else fr.shared(key, plan)

    def _extreme(self, args: tuple[V, ...], low: bool) -> S:
        if len(args) == 1 and isinstance(args[0], PlacesV):
            items = args[0].items
            column = "place" if "place" in self.fr.L[items.lst].columns else "issuer"
            sentinel = 10**7 if low else -1
            picked = pl.when(items.sure).then(pl.col(column)).otherwise(sentinel)
            ufunc = np.minimum if low else np.maximum
            lst, fr = items.lst, self.fr
            [col] = fr.later(
                lambda: [fr.seg_reduce(lst, fr.item_np(lst, picked), ufunc, sentinel)],
                [(lst, picked)])
            unknown = ~items.known | self._maybe_any(items) | (col == sentinel)
            return S("place", _null_if(unknown, col.cast(pl.Int32)))
        if len(args) == 1 and isinstance(args[0], TupleV):
            values = args[0].values
            if not values:
                return S("none", pl.lit(None))
            return _lit(min(values) if low else max(values))
        if not all(isinstance(a, S) for a in args):
            raise NotCompilable("min()/max() of non-scalars")
        vals: list[S] = list(args)  # type: ignore[arg-type]
        kinds = {v.kind for v in vals}
        if kinds <= set(NUMERIC):
            kind = "dec" if "dec" in kinds else "int"
        elif len(kinds) == 1 and kinds <= {"date", "place", "str"}:
            kind = kinds.pop()
        else:
            raise NotCompilable("min()/max() of mixed kinds")
        ctx, vals = self.common(*vals)
        los = [_dec(v.lo, v.kind) if kind == "dec" else v.lo for v in vals]
        his = [_dec(v.upper, v.kind) if kind == "dec" else v.upper for v in vals]
        agg = pl.min_horizontal if low else pl.max_horizontal
        nulls = _any_null(*los)
        exact = all(v.hi is None for v in vals)
        return S(kind, _null_if(nulls, agg(los)), ctx,
                 hi=None if exact else _null_if(nulls, agg(his)))

    def fn_min(self, *args: V) -> S:
        return self._extreme(args, True)

    def fn_max(self, *args: V) -> S:
        return self._extreme(args, False)

    def fn_given(self, x: V) -> S:
        if isinstance(x, S):
            known = x.known() if x.kind != "none" else pl.lit(True)
            return S("bool", pl.when(known).then(True).otherwise(None), x.ctx)
        if isinstance(x, ItemsV):
            known = x.known & ~self._maybe_any(x)
            return S("bool", pl.when(known).then(True).otherwise(None))
        if isinstance(x, Rec):
            return S("bool", pl.when(x.known).then(True).otherwise(None), x.ctx)
        raise NotCompilable(f"given() of {type(x).__name__}")

    def fn_date(self, x: V) -> S:
        if not (isinstance(x, S) and x.is_const):
            raise NotCompilable("date() of a non-literal")
        return _lit(date.fromisoformat(x.const))

    def fn_month(self, x: V) -> S:
        if isinstance(x, S) and x.is_const and isinstance(x.const, str):
            return _lit(mo.parse_month(x.const))
        if isinstance(x, S) and x.kind == "date":
            e = x.e.dt.year().cast(pl.Int64) * 12 + x.e.dt.month().cast(pl.Int64) - 1
            return S("int", e, x.ctx)
        raise NotCompilable("month() of a non-date")

    # outcomes ------------------------------------------------------------------------------

    def render(self, v: V) -> tuple[pl.Expr, pl.DataType]:
        """An outcome value as ``values.to_json`` gives it: null where partly known."""
        only = self.only.meta.output_name() if self.only is not None else None

        def plan() -> tuple[pl.Expr, pl.DataType, V]:
            expr, dtype = self._render(v)
            if not isinstance(v, S):
                expr = pl.col(self.fr.person(expr))
            return expr, dtype, v  # v kept alive: its id stays unique

        expr, dtype, _ = self.fr.shared(("render", id(v), only), plan)
        return expr, dtype

    def _render(self, v: V) -> tuple[pl.Expr, pl.DataType]:
        if isinstance(v, S):
            v = self.person_level(v)
            if v.kind == "none":
                return pl.lit(None, dtype=pl.String), pl.String
            e = pl.when(v.known()).then(v.e)
            if v.kind == "int":
                return e.cast(pl.Int64), pl.Int64
            if v.kind == "dec":
                return e.cast(pl.Float64), pl.Float64
            if v.kind == "bool":
                return e.cast(pl.Boolean), pl.Boolean
            if v.kind == "place":
                return e.cast(pl.String), pl.String
            if v.kind == "date":
                return e.dt.strftime("%Y-%m-%d"), pl.String
            return e.cast(pl.String), pl.String
        if isinstance(v, TupleV):
            return _json_const(v).e, pl.String
        if isinstance(v, ConstItemsV):
            import json

            texts = [json.dumps(x.to_dict(), ensure_ascii=False, separators=(",", ":"))
                     for x in v.values]
            if len(texts) <= 16:  # each subset's text once, picked by a bit mask per row
                table = pl.Series(["[" + ",".join(t for k, t in enumerate(texts) if m >> k & 1)
                                   + "]" for m in range(1 << len(texts))], dtype=pl.String)
                mask = pl.sum_horizontal([s_k.cast(pl.Int64) * (1 << k)
                                          for k, s_k in enumerate(v.sure)]) if texts \
                    else pl.lit(0, dtype=pl.Int64)
                if self.only is not None:  # texts only where the outcome can be read
                    mask = pl.when(self.only).then(mask)
                text = pl.lit(table).gather(mask)
            else:
                parts = [pl.when(s_k).then(pl.lit(t))
                         for s_k, t in zip(v.sure, texts, strict=True)]
                text = pl.lit("[") + pl.concat_list(parts).list.drop_nulls().list.join(",") \
                    + pl.lit("]")
            # the items surely available are listed even where others may be too
            return _null_if(~v.known, text), pl.String
        if isinstance(v, PlacesV):
            return self._places_json(v.items), pl.String
        if isinstance(v, ItemsV):
            return self._items_json(v), pl.String
        if isinstance(v, ByPlaceV):
            return self._by_place_json(v), pl.String
        raise NotCompilable(f"an outcome of {type(v).__name__}")

    def _items_json(self, items: ItemsV) -> pl.Expr:
        lst = items.lst
        json, rep = _item_text(lst)
        only = self._only(lst)
        fr = self.fr

        def text() -> list[pl.Series]:
            # the persons' items in the reference's order (by the repr of each item), as JSON
            # texts only for the rows kept, then one list per person by offsets
            rows = (fr.L[lst].filter(items.sure & only)
                    .select("_i", json.alias("j"), rep.alias("k"))
                    .sort(["_i", "k"]))
            return [_join_per_person(fr.P.height, rows["_i"], rows["j"], "[", "]")]

        [col] = fr.later(text, [(lst, items.sure), (lst, only)])
        return _null_if(~items.known, col)  # the items surely in, even where more may be

    def _only(self, lst: str) -> pl.Expr:
        return pl.lit(True) if self.only is None else self.fr.broadcast(lst, self.only)

    def _places_json(self, items: ItemsV) -> pl.Expr:
        lst = items.lst
        column = "place" if "place" in self.fr.L[lst].columns else "issuer"
        only = self._only(lst)
        fr = self.fr

        def text() -> list[pl.Series]:
            rows = (fr.L[lst].filter(items.sure & only)
                    .select("_i", pl.col(column).alias("p"))
                    .unique().sort(["_i", "p"])
                    .select("_i", pl.lit('"') + pl.col("p").cast(pl.String) + pl.lit('"')))
            return [_join_per_person(fr.P.height, rows["_i"], rows[:, 1], "[", "]")]

        [col] = fr.later(text, [(lst, items.sure), (lst, only)])
        return _null_if(~items.known | self._maybe_any(items), col)

    def _by_place_json(self, v: ByPlaceV) -> pl.Expr:
        items = v.items
        lst = items.lst
        if "from" not in self.fr.L[lst].columns:
            raise NotCompilable("months_by_place() of a list without periods")
        m = self.fr.broadcast(lst, pl.col("as_of_m"))
        only = self._only(lst)
        fr = self.fr
        [col] = fr.later(lambda: [self._by_place_text(items, m, only)],
                         [(lst, items.sure), (lst, only), (lst, m)])
        return _null_if(~items.known | self._maybe_any(items) | self._undated(items), col)

    def _by_place_text(self, items: ItemsV, m: pl.Expr, only: pl.Expr) -> pl.Series:
        lst = items.lst
        frame = self.fr.L[lst].with_columns(
            pl.min_horizontal(pl.col("to").fill_null(m), m).alias("_end"))
        frame = frame.filter(items.sure & only & (pl.col("from") <= pl.col("_end")))
        frame = frame.select("_i", "place", "from", "_end").sort(["_i", "place", "from"])
        n = self.fr.P.height
        if not frame.height:
            return _join_per_person(n, pl.Series([], dtype=pl.Int64),
                                    pl.Series([], dtype=pl.String), "{", "}")
        first = (frame.select(
            ((pl.col("_i") != pl.col("_i").shift(1)) | (pl.col("place") != pl.col("place")
                                                        .shift(1)))
            .fill_null(True)).to_series().to_numpy())
        gid = np.cumsum(first).astype(np.int64)
        start = frame["from"].to_numpy().astype(np.int64)
        end = frame["_end"].to_numpy().astype(np.int64)
        contrib = _sweep_count(gid, start, end, np.ones(len(gid), dtype=bool))
        months = np.bincount(gid - 1, weights=contrib).astype(np.int64)  # per (person, place)
        heads = np.flatnonzero(first)
        counts = pl.DataFrame({"_i": frame["_i"].gather(heads), "place": frame["place"]
                               .gather(heads), "_n": months}).filter(pl.col("_n") > 0)
        texts = counts.select(pl.lit('"') + pl.col("place").cast(pl.String) + pl.lit('":')
                              + pl.col("_n").cast(pl.String)).to_series()
        return _join_per_person(n, counts["_i"], texts, "{", "}")


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


def _json_const(v: V) -> V:
    """A literal list as its JSON text (for ``if`` choosing between lists, and outcomes)."""
    if not isinstance(v, TupleV):
        return v
    import json

    text = json.dumps(list(v.values), ensure_ascii=False, separators=(",", ":"))
    return S("json", pl.lit(text, dtype=pl.String), const=text, is_const=True)


def _dec(e: pl.Expr, kind: str) -> pl.Expr:
    return e.cast(MONEY) if kind == "int" else e


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
    raise NotCompilable(f"comparison {op}")


def _value_at_expr(values: tuple, at: pl.Expr, base: int) -> pl.Expr:
    """``parameters.value_at`` as an expression giving the index of the value used."""
    chain: Any = pl
    dated = [(k, v) for k, v in enumerate(values) if not v.undated]
    for k, v in dated:
        cond = pl.lit(True)
        if v.start is not None:
            cond = cond & (pl.lit(v.start) <= at)
        if v.end is not None:
            cond = cond & (at <= pl.lit(v.end))
        chain = chain.when(cond).then(pl.lit(base + k, dtype=pl.Int64))
    starts = [v.start for _, v in dated if v.start is not None]
    undated = [k for k, v in enumerate(values) if v.undated]
    if undated:
        cond = pl.lit(True)
        for s in starts:
            cond = cond & (pl.lit(s) <= at)
        chain = chain.when(cond).then(pl.lit(base + undated[0], dtype=pl.Int64))
    if chain is pl:
        return pl.lit(None, dtype=pl.Int64)
    return chain.otherwise(pl.lit(None, dtype=pl.Int64))


def _sweep(i: np.ndarray, end: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row (rows by person, then start): the greatest end so far among the person's masked
    rows, including (``incl``) and excluding (``excl``) the row; 0 when none."""
    if len(i) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    base = i.astype(np.int64) << (MONTH_SHIFT + 1)
    key = base + np.where(mask, end, 0)
    incl = np.maximum.accumulate(key) - base
    excl = np.zeros_like(incl)
    excl[1:] = np.where(i[1:] == i[:-1], incl[:-1], 0)
    return incl, excl


@attrs.frozen
class _Rows:
    """A list's month intervals (rows by person, then start), prepared once per chunk for
    ``count``: the packed person base of the sort key, whether a row's person is the previous
    row's, start - 1, end."""

    base: np.ndarray
    same: np.ndarray
    start1: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, i: np.ndarray, start: np.ndarray, end: np.ndarray) -> _Rows:
        base = i.astype(np.int64) << (MONTH_SHIFT + 1)
        return cls(base, i[1:] == i[:-1], start - 1, end)

    def count(self, mask: np.ndarray) -> np.ndarray:
        """``_sweep_count`` over these rows, with fewer passes and allocations."""
        if len(mask) == 0:
            return np.zeros(0, dtype=np.int64)
        incl = np.where(mask, self.end, 0)
        incl += self.base
        np.maximum.accumulate(incl, out=incl)
        incl -= self.base  # the greatest masked end so far, this row included (>= 0)
        out = np.empty_like(incl)
        out[0] = 0
        np.multiply(incl[:-1], self.same, out=out[1:])  # ... the row excluded
        np.maximum(out, self.start1, out=out)
        np.subtract(self.end, out, out=out)
        np.maximum(out, 0, out=out)
        out *= mask
        return out


def _sweep_count(i, start, end, mask) -> np.ndarray:
    """Per row: the months it adds to its person's union (months covered twice count once)."""
    _, excl = _sweep(i, end, mask)
    return np.where(mask, np.maximum(0, end - np.maximum(start - 1, excl)), 0)


def _run_at(i, start, end, mask, x) -> np.ndarray:
    """Per row: the length of the unbroken run ending at month ``x`` (per row) if the row's merged
    interval holds ``x``, else 0."""
    if len(i) == 0:
        return np.zeros(0, dtype=np.int64)
    incl, excl = _sweep(i, end, mask)
    new = mask & (start > excl + 1)
    last = np.maximum.accumulate(np.where(new, np.arange(len(i)), 0))
    lo = start[last]
    return np.where(mask & (lo <= x) & (incl >= x), x - lo + 1, 0)


def _join_per_person(n: int, persons: pl.Series, texts: pl.Series, opening: str,
                     closing: str) -> pl.Series:
    """Per person ``0..n-1``: ``opening`` + its ``texts`` joined by commas + ``closing``; the rows
    are ordered by person (``persons``), a person without rows gets the empty list."""
    import pyarrow as pa

    counts = np.bincount(persons.to_numpy(), minlength=n) if len(persons) else np.zeros(n, int)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    values = texts.cast(pl.String).to_arrow()
    if not pa.types.is_large_string(values.type):
        values = values.cast(pa.large_string())
    lists = pl.from_arrow(pa.LargeListArray.from_arrays(pa.array(offsets), values))
    assert isinstance(lists, pl.Series)
    return pl.select(pl.lit(opening) + lists.list.join(",") + pl.lit(closing)).to_series()


def _item_text(lst: str) -> tuple[pl.Expr, pl.Expr]:
    """An item as JSON (``values.to_json``) and as Python's repr of that dict (its sort key)."""
    def q(s: pl.Expr, quote: str) -> pl.Expr:
        return pl.lit(quote) + s + pl.lit(quote)

    def month(c: str) -> pl.Expr:
        m = pl.col(c)
        return ((m // 12).cast(pl.String).str.zfill(4) + pl.lit("-")
                + (m % 12 + 1).cast(pl.String).str.zfill(2))

    fields: list[tuple[str, pl.Expr, bool]] = []  # (key, text, quoted)
    if lst == "insurance":
        fields = [("scheme", pl.col("scheme"), True), ("place", pl.col("place").cast(pl.String),
                                                       True),
                  ("from", month("from"), True), ("to", month("to"), True),
                  ("deemed", pl.col("deemed"), False)]
    elif lst == "provident_fund.periods":
        fields = [("place", pl.col("place").cast(pl.String), True), ("from", month("from"), True),
                  ("to", month("to"), True)]
    elif lst == "cards":
        fields = [("kind", pl.col("kind"), True), ("issuer", pl.col("issuer").cast(pl.String),
                                                   True)]
    elif lst == "person.residence":
        fields = [("place", pl.col("place").cast(pl.String), True),
                  ("since", pl.col("since").dt.strftime("%Y-%m-%d"), True)]
    elif lst == "results":
        fields = [("kind", pl.col("kind"), True), ("place", pl.col("place").cast(pl.String), True),
                  ("issued", pl.col("issued").dt.strftime("%Y-%m-%d"), True),
                  ("level", pl.col("level"), True),
                  ("hospital_grade", pl.col("hospital_grade").cast(pl.String), False)]
    else:
        raise NotCompilable(f"items of {lst} as an outcome")
    json_parts: list[pl.Expr] = []
    repr_parts: list[pl.Expr] = []
    for n, (key, text, quoted) in enumerate(fields):
        if quoted:
            j = q(text, '"')
            r = q(text, "'")
        elif text.meta.output_name() == "deemed":  # a boolean
            j = pl.when(text).then(pl.lit("true")).otherwise(pl.lit("false"))
            r = pl.when(text).then(pl.lit("True")).otherwise(pl.lit("False"))
        else:  # a number
            j = r = text
        sep_j, sep_r = ("", "") if n == 0 else (",", ", ")
        j = pl.lit(f'{sep_j}"{key}":') + j
        r = pl.lit(f"{sep_r}'{key}': ") + r
        # absent (null) fields are left out, as model_dump(exclude_none=True) does
        json_parts.append(j.fill_null(""))
        repr_parts.append(r.fill_null(""))

    def join(parts: list[pl.Expr], sep: str) -> pl.Expr:
        return pl.concat_str(parts)

    json = pl.lit("{") + join(json_parts, ",") + pl.lit("}")
    rep = pl.lit("{") + join(repr_parts, ", ") + pl.lit("}")
    return json, rep


__all__ = [
    "ItemsV",
    "NotCompilable",
    "PackTables",
    "Parameter",
    "RuleCompiler",
    "S",
]
