"""The reference interpreter: evaluates expression trees against one situation, three-valued.

Pure: every evaluation builds its own ``Frame``; the compiled pack and the place registry are
read-only. What an expression read (facts, parameters) is recorded for the decision's trace.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

import attrs
from pydantic import BaseModel

from tongcheng import months as mo
from tongcheng.evaluate import values as v
from tongcheng.evaluate.values import EvalTypeError, Item, Items, MonthSet, Range, Unknown
from tongcheng.expr import ast
from tongcheng.pack import parameters as params
from tongcheng.pack import zones
from tongcheng.pack.model import Clause, Rule, RulePack, Text, ZoneRef
from tongcheng.places import PlaceRegistry

# Fields whose None is a known value, not an unknown fact: an open period is still running; no
# service named means none in particular.
KNOWN_NONE = frozenset({"to", "service"})
# Field names that differ from the situation's keys.
ALIASES = {"from": "from_"}
# Fields of pack data (service items) that expressions may read.
_PACK_FIELDS = frozenset({"id", "zone", "channel"})
FACT_ROOTS = (
    "as_of", "target", "person", "insurance", "provident_fund", "cards", "request", "results",
    "project", "enterprise",
)


@attrs.define
class Recorder:
    """Facts and parameter values one clause used, for its line in the trace."""

    facts: dict[str, Any] = attrs.field(factory=dict)
    parameters: list[dict[str, Any]] = attrs.field(factory=list)
    notes: list[Text] = attrs.field(factory=list)
    enabled: bool = True  # False: nothing is kept (evaluations without traces)

    def merge(self, other: Recorder) -> None:
        self.facts.update(other.facts)
        for p in other.parameters:
            if p not in self.parameters:
                self.parameters.append(p)
        for n in other.notes:
            if n not in self.notes:
                self.notes.append(n)


# The recorder of every untraced frame: disabled, it keeps nothing (each write is guarded by
# ``enabled``), so one serves all and none is built per rule.
QUIET = Recorder(enabled=False)


@attrs.define
class Frame:
    """Everything one rule evaluation for one situation needs; discarded afterwards."""

    pack: RulePack
    registry: PlaceRegistry
    situation: Any
    as_of: date
    rule: Rule
    active_zones: tuple[ZoneRef, ...]
    lets: dict[str, Clause]
    let_cache: dict[str, tuple[Any, Recorder]] = attrs.field(factory=dict)
    recorder: Recorder = attrs.field(factory=Recorder)
    # Where the rule is asked: the target, or the place the rule names (a project's side).
    anchor: Any = None
    anchor_path: str = "target"
    # Zone memberships already decided in this evaluation (as_of is fixed): (zone, place); the
    # evaluator keeps its zone tests there too.
    memo: dict[tuple, Any] = attrs.field(factory=dict)
    trace: bool = True
    # Parameter values used below high confidence, or undated: kept with or without a trace,
    # since a decision resting on them must say so either way.
    flagged: list[dict[str, Any]] = attrs.field(factory=list)
    # Clause functions by id of the clause's expression (the compiled evaluator's generated
    # code); None: the reference closures.
    runners: Mapping[int, Any] | None = None

    @property
    def as_of_month(self) -> int:
        return mo.month_of(self.as_of)

    @property
    def target(self) -> str | None:
        return self.anchor if isinstance(self.anchor, str) else None

    def anchor_value(self) -> Any:
        """The anchor place, or Unknown naming its path."""
        if isinstance(self.anchor, str):
            return self.anchor
        if isinstance(self.anchor, Unknown):
            return self.anchor
        return Unknown(frozenset({self.anchor_path}))


Env = dict[str, tuple[Any, str | None]]


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
        raise EvalTypeError(f"unknown name {name!r}")

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
        return Unknown(frozenset({path}))
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
            raise EvalTypeError(f"the value has no field {name!r} (it has {sorted(base)})")
        if base[name] is None:  # declared without value
            return Unknown(frozenset(), frozenset({getattr(base, "key", name)}))
        return base[name]
    if isinstance(base, BaseModel):
        if field not in type(base).model_fields:  # declared facts only, never internals
            raise EvalTypeError(f"{type(base).__name__} has no field {name!r}")
        return _fact(frame, getattr(base, field), path or name, name)
    if attrs.has(type(base)) and name in _PACK_FIELDS:  # a service item of the pack
        return getattr(base, name)
    raise EvalTypeError(f"cannot take .{name} of {v.describe(base)}")


def filter_items(frame: Frame, base: Any, cond: Compiled, env: Env) -> Any:
    """The items of ``base`` for which ``cond`` holds (surely, or maybe): shared with the
    compiled evaluator."""
    if isinstance(base, Unknown):
        return base
    if not isinstance(base, Items):
        raise EvalTypeError(f"cannot filter {v.describe(base)}: only lists from the situation")
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


# Types of plain known values: two of them compare as Python compares them.
_PLAIN = frozenset({bool, int, Decimal, str, date, type(None)})
_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


def compare(op: str, a: Any, b: Any) -> Any:
    if op == "in":
        if isinstance(a, Unknown | Range):
            return v.unknown(a)
        if not isinstance(b, tuple):
            raise EvalTypeError(f"'in' needs a list on its right, got {v.describe(b)}")
        return a in b
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return v.unknown(a, b)
    if _has_maybe(a) or _has_maybe(b):
        return v.unknown(a, b)  # a list with maybe-items equals nothing for sure
    if isinstance(a, Range) or isinstance(b, Range):
        lo_a, hi_a = v.bounds(a)  # type: ignore[misc]
        lo_b, hi_b = v.bounds(b)  # type: ignore[misc]
        sure, possible = _range_compare(op, lo_a, hi_a, lo_b, hi_b)
        if sure:
            return True
        if not possible:
            return False
        return v.unknown(a, b)
    known = _COMPARISONS.get(op)
    if known is None:
        raise EvalTypeError(f"unknown comparison {op!r}")
    try:
        return known(a, b)
    except TypeError:
        raise _incomparable(op, a, b) from None


def _incomparable(op: str, a: Any, b: Any) -> EvalTypeError:
    return EvalTypeError(f"cannot compare {v.describe(a)} {op} {v.describe(b)}")


def _has_maybe(x: Any) -> bool:
    return isinstance(x, Items | MonthSet) and bool(x.maybe)


def _range_compare(op: str, lo_a, hi_a, lo_b, hi_b) -> tuple[bool, bool]:
    """(surely true, possibly true) for a comparison of two intervals."""
    match op:
        case "<":
            return hi_a < lo_b, lo_a < hi_b
        case "<=":
            return hi_a <= lo_b, lo_a <= hi_b
        case ">":
            return lo_a > hi_b, hi_a > lo_b
        case ">=":
            return lo_a >= hi_b, hi_a >= lo_b
        case "==":
            return (lo_a == hi_a == lo_b == hi_b), not (hi_a < lo_b or hi_b < lo_a)
        case "!=":
            return (hi_a < lo_b or hi_b < lo_a), not (lo_a == hi_a == lo_b == hi_b)
    raise EvalTypeError(f"unknown comparison {op!r}")


def _num(x: Any) -> bool:
    return isinstance(x, int | Decimal) and not isinstance(x, bool)


def arith(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return v.unknown(a, b)
    ba, bb = v.bounds(a), v.bounds(b)
    assert ba is not None and bb is not None
    for x in (*ba, *bb):
        if not _num(x):
            raise EvalTypeError(f"cannot compute {v.describe(a)} {op} {v.describe(b)}")
    (lo_a, hi_a), (lo_b, hi_b) = ba, bb
    if op == "+":
        return v.bounded(lo_a + lo_b, hi_a + hi_b, a, b)
    if op == "-":
        return v.bounded(lo_a - hi_b, hi_a - lo_b, a, b)
    if op == "*":
        products = [lo_a * lo_b, lo_a * hi_b, hi_a * lo_b, hi_a * hi_b]
        return v.bounded(min(products), max(products), a, b)
    if op == "/":
        if lo_b <= 0 <= hi_b:
            if lo_b == hi_b == 0:
                raise EvalTypeError("division by zero")
            return v.unknown(a, b)
        quotients = [Decimal(x) / Decimal(y) for x in (lo_a, hi_a) for y in (lo_b, hi_b)]
        return v.bounded(min(quotients), max(quotients), a, b)
    raise EvalTypeError(f"unknown operator {op!r}")


# --- functions ------------------------------------------------------------------------------

Impl = Callable[[Frame, list[Any], dict[str, Any], Sequence[str | None]], Any]
IMPLS: dict[str, Impl] = {}
# Functions that use the situation paths of their arguments (to name what is missing); the
# others are given no paths.
READS_PATHS: set[str] = set()


def _impl(name: str, *, reads_paths: bool = False) -> Callable[[Impl], Impl]:
    def register(fn: Impl) -> Impl:
        IMPLS[name] = fn
        if reads_paths:
            READS_PATHS.add(name)
        return fn

    return register


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
    raise EvalTypeError(f"unknown function {name!r}")


def _period_interval(frame: Frame, period: Any) -> mo.Interval:
    """Months of a period (``from``/``to``), or of a permit held from ``since`` to as_of."""
    start = getattr(period, "from_", None)
    if start is None:
        start = mo.month_of(period.since)
    end = getattr(period, "to", None)
    end = end if end is not None else frame.as_of_month
    return start, min(end, frame.as_of_month)


def _undated(items: Items) -> frozenset[str]:
    """Paths of permits whose start is unknown (their months cannot be counted)."""
    return frozenset(
        f"{i.path}.since" for i in (*items.sure, *items.maybe)
        if getattr(i.value, "from_", None) is None and getattr(i.value, "since", None) is None
    )


@_impl("months")
def _months(frame: Frame, args, kwargs, paths) -> Any:
    (periods,) = args
    if isinstance(periods, Unknown):
        return periods
    if not isinstance(periods, Items):
        raise EvalTypeError(f"months() needs a list of periods, got {v.describe(periods)}")
    undated = _undated(periods)
    if undated:
        return Unknown(periods.missing | undated, periods.params)
    sure = mo.merge(_period_interval(frame, i.value) for i in periods.sure)
    maybe = tuple(_period_interval(frame, i.value) for i in periods.maybe)
    return MonthSet(sure, maybe, periods.missing, periods.params)


@_impl("months_by_place")
def _months_by_place(frame: Frame, args, kwargs, paths) -> Any:
    (periods,) = args
    if isinstance(periods, Unknown):
        return periods
    if not isinstance(periods, Items):
        raise EvalTypeError(f"months_by_place() needs a list of periods, got {v.describe(periods)}")
    if periods.maybe or _undated(periods):
        return Unknown(periods.missing | _undated(periods), periods.params)
    by_place: dict[str, list[mo.Interval]] = {}
    for item in periods.sure:
        by_place.setdefault(item.value.place, []).append(_period_interval(frame, item.value))
    counts = {place: mo.count(spans) for place, spans in sorted(by_place.items())}
    return {place: n for place, n in counts.items() if n}


@_impl("count")
def _count(frame: Frame, args, kwargs, paths) -> Any:
    (x,) = args
    if isinstance(x, Unknown):
        return x
    if isinstance(x, Items):
        return v.bounded(len(x.sure), len(x.sure) + len(x.maybe), x)
    if isinstance(x, MonthSet):
        return v.bounded(mo.count(x.sure), mo.count(x.sure + x.maybe), x)
    if isinstance(x, tuple):
        return len(x)
    raise EvalTypeError(f"count() needs a list or month set, got {v.describe(x)}")


@_impl("exists")
def _exists(frame: Frame, args, kwargs, paths) -> Any:
    return compare(">", _count(frame, args, kwargs, paths), 0)


@_impl("consecutive_months")
def _consecutive(frame: Frame, args, kwargs, paths) -> Any:
    (x,) = args
    if isinstance(x, Unknown):
        return x
    if not isinstance(x, MonthSet):
        raise EvalTypeError(f"consecutive_months() needs months(...), got {v.describe(x)}")

    def run(intervals) -> int:
        m = frame.as_of_month
        return mo.run_ending_at(intervals, m) or mo.run_ending_at(intervals, m - 1)

    return v.bounded(run(x.sure), run(x.sure + x.maybe), x)


@_impl("running")
def _running(frame: Frame, args, kwargs, paths) -> Any:
    (periods,) = args
    if isinstance(periods, Unknown):
        return periods
    if not isinstance(periods, Items):
        raise EvalTypeError(f"running() needs a list of periods, got {v.describe(periods)}")
    m = frame.as_of_month

    def is_running(item: Item) -> bool:
        p = item.value
        return p.from_ <= m and (p.to is None or p.to >= m)

    return Items(
        tuple(i for i in periods.sure if is_running(i)),
        tuple(i for i in periods.maybe if is_running(i)),
        periods.missing,
        periods.params,
    )


@_impl("latest")
def _latest(frame: Frame, args, kwargs, paths) -> Any:
    """The periods starting last. A maybe-period starting later than every sure one leaves the
    sure ones only maybe the latest; a period starting before some sure one is never latest."""
    (periods,) = args
    if isinstance(periods, Unknown):
        return periods
    if not isinstance(periods, Items):
        raise EvalTypeError(f"latest() needs a list of periods, got {v.describe(periods)}")
    everything = (*periods.sure, *periods.maybe)
    if not everything:
        return periods
    top = max(i.value.from_ for i in everything)
    floor = max((i.value.from_ for i in periods.sure), default=None)
    sure = tuple(i for i in periods.sure if i.value.from_ == top)
    maybe = tuple(i for i in everything if i not in sure
                  and (floor is None or i.value.from_ >= floor))
    return Items(sure, maybe, periods.missing, periods.params)


@_impl("age")
def _age(frame: Frame, args, kwargs, paths) -> Any:
    born = args[0]
    at = args[1] if len(args) > 1 else frame.as_of
    if isinstance(born, Unknown) or isinstance(at, Unknown):
        return v.unknown(born, at)
    if not isinstance(born, date) or not isinstance(at, date):
        raise EvalTypeError("age() needs dates")
    return at.year - born.year - ((at.month, at.day) < (born.month, born.day))


@_impl("city")
def _city(frame: Frame, args, kwargs, paths) -> Any:
    (place,) = args
    if isinstance(place, Unknown):
        return place
    return frame.registry.city_of(place) or place


def zone_status(frame: Frame, ref: ZoneRef, place: str) -> bool | None:
    key = (ref.zone.id, place)
    if key not in frame.memo:
        frame.memo[key] = zones.contains(frame.registry, ref.zone, place, frame.as_of)
    return frame.memo[key]


@_impl("shares_zone", reads_paths=True)
def _shares_zone(frame: Frame, args, kwargs, paths) -> Any:
    place, zone_id = args
    refs = tuple(r for r in frame.active_zones if r.zone.id == zone_id)
    narrowed = attrs.evolve(frame, active_zones=refs)
    narrowed.recorder = frame.recorder
    narrowed.memo = frame.memo
    return _member(narrowed, [place], {}, paths[:1])


@_impl("member", reads_paths=True)
def _member(frame: Frame, args, kwargs, paths) -> Any:
    (place,) = args
    target = frame.anchor_value()
    if isinstance(place, Unknown):
        return place
    # An unknown target does not end the question: the place's own membership still decides
    # (a place outside every zone is never a member) and, when too coarse, is missing too.
    results = []
    notes = []
    for ref in frame.active_zones:
        if isinstance(target, Unknown):
            t_val: Any = target
        else:
            t = zone_status(frame, ref, target)
            t_val = Unknown(frozenset({frame.anchor_path})) if t is None else t
        p = zone_status(frame, ref, place)
        p_val = Unknown(frozenset({paths[0] or "place"})) if p is None else p
        if p is None and frame.trace:
            inside = zones.coarse_members(frame.registry, ref.zone, place, frame.as_of)
            names = "、".join(frame.registry.name(m) for m in inside)
            notes.append(Text(
                f"{place} {frame.registry.name(place)} 对{ref.zone.name.zh}而言不够具体:"
                f"只有 {names} 是成员;由区县决定",
                f"{place} {frame.registry.name(place)} is too coarse for {ref.zone.name.en}: "
                f"only {names} are members; the county decides",
            ))
        results.append(v.k_and([t_val, p_val]))
    result = v.k_or(results) if results else False
    if isinstance(result, Unknown) and frame.recorder.enabled:
        frame.recorder.notes.extend(n for n in notes if n not in frame.recorder.notes)
    return result


@_impl("in_zone", reads_paths=True)
def _in_zone(frame: Frame, args, kwargs, paths) -> Any:
    """The place lies in the named zone, as the rule cites it: only while one of the rule's
    entries for that zone is in force (and among the zones the evaluation weighs)."""
    place, zone_id = args
    if isinstance(place, Unknown):
        return place
    results = []
    for ref in frame.active_zones:
        if ref.zone.id == zone_id:
            inside = zone_status(frame, ref, place)
            results.append(Unknown(frozenset({paths[0] or "place"})) if inside is None
                           else inside)
    return v.k_or(results) if results else False


def _place_arg(frame: Frame, kwargs, paths, index: int) -> tuple[Any, str]:
    if "place" in kwargs:
        return kwargs["place"], paths[index] or "place"
    return frame.anchor_value(), frame.anchor_path


def _lookup(frame: Frame, parameter: Any, place: str, at: date) -> params.ParamHit:
    """A parameter's value at a place and date; the compiled evaluator looks each up once per
    evaluation (the registry and the pack are fixed there) and shares it between rules."""
    if frame.runners is None:
        return params.lookup(frame.registry, parameter, place, at)
    key = ("param", id(parameter), place, at)
    hit = frame.memo.get(key)
    if hit is None or hit[0] is not parameter:
        hit = frame.memo[key] = (parameter, params.lookup(frame.registry, parameter, place, at))
    return hit[1]


def _declaring(frame: Frame, parameter: Any, place: str) -> tuple[params.Lookup, str | None]:
    """Where a parameter is declared for a place (shared between rules, as ``_lookup``)."""
    if frame.runners is None:
        return params.declaring_place(frame.registry, parameter, place)
    key = ("declaring", id(parameter), place)
    hit = frame.memo.get(key)
    if hit is None or hit[0] is not parameter:
        hit = frame.memo[key] = (parameter, params.declaring_place(frame.registry, parameter,
                                                                   place))
    return hit[1]


@_impl("param", reads_paths=True)
def _param(frame: Frame, args, kwargs, paths) -> Any:
    (name,) = args
    parameter = frame.pack.parameters[name]
    kw_names = list(kwargs)
    place, place_path = _place_arg(
        frame, kwargs, paths, 1 + kw_names.index("place") if "place" in kwargs else 0
    )
    at = kwargs.get("at", frame.as_of)
    if isinstance(place, Unknown) or isinstance(at, Unknown):
        return v.unknown(place, at)
    hit = _lookup(frame, parameter, place, at)
    if hit.status is params.Lookup.COARSE:
        if frame.trace:
            frame.recorder.notes.append(Text(
                f"{name}:{place} {frame.registry.name(place)} 不够具体;其区县各有参数值",
                f"{name}: {place} {frame.registry.name(place)} is too coarse; its counties "
                "have their own values",
            ))
        return Unknown(frozenset({place_path}))
    if hit.status is not params.Lookup.FOUND:
        key = hit.key if hit.place else f"{name}[{place}]"
        if frame.trace:
            frame.recorder.parameters.append(
                {
                    "parameter": name,
                    "place": hit.place or place,
                    "at": at.isoformat(),
                    "value": None,
                    "status": hit.status.value,
                }
            )
        return Unknown(frozenset(), frozenset({key}))
    assert hit.value is not None
    pv = hit.value
    value = pv.value
    if isinstance(value, dict) and any(x is None for x in value.values()):
        value = v.Record.of(value, hit.key)
    if not (frame.trace or pv.flagged):
        return value
    used = {
        "parameter": name,
        "place": hit.place,
        "at": at.isoformat(),
        "value": v.to_json(pv.value),
        "reference": pv.reference,
        "confidence": pv.confidence,
        "undated": pv.undated,
        "flagged": pv.flagged,
        **({"note": pv.note} if pv.note else {}),
    }
    if frame.trace:
        frame.recorder.parameters.append(used)
    if pv.flagged and used not in frame.flagged:
        frame.flagged.append(used)
    return value


@_impl("declared", reads_paths=True)
def _declared(frame: Frame, args, kwargs, paths) -> Any:
    (name,) = args
    parameter = frame.pack.parameters[name]
    place, place_path = _place_arg(frame, kwargs, paths, 1)
    if isinstance(place, Unknown):
        return place
    status, declaring = _declaring(frame, parameter, place)
    if status is params.Lookup.FOUND or declaring is not None:
        return True
    if status is params.Lookup.COARSE:
        return Unknown(frozenset({place_path}))
    return False


@_impl("pick")
def _pick(frame: Frame, args, kwargs, paths) -> Any:
    record, key = args
    if isinstance(record, Unknown) or isinstance(key, Unknown):
        return v.unknown(record, key)
    if not isinstance(record, dict) or key not in record:
        raise EvalTypeError(f"pick(): no field {key!r} in {v.describe(record)}")
    if record[key] is None:  # declared without value
        return Unknown(frozenset(), frozenset({getattr(record, "key", str(key))}))
    return record[key]


@_impl("places")
def _places(frame: Frame, args, kwargs, paths) -> Any:
    (items,) = args
    if isinstance(items, Unknown):
        return items
    if not isinstance(items, Items):
        raise EvalTypeError(f"places() needs a list, got {v.describe(items)}")

    def place_of(x: Any) -> str:
        return getattr(x, "place", None) or x.issuer

    if items.maybe:
        return v.unknown(items)
    return tuple(sorted({place_of(i.value) for i in items.sure}))


def _extreme(args: list[Any], pick_lo: bool) -> Any:
    if len(args) == 1 and isinstance(args[0], tuple):
        args = list(args[0])
        if not args:
            return Unknown()
    if len(args) == 1 and isinstance(args[0], Unknown):
        return args[0]
    if any(isinstance(a, Unknown) for a in args):
        return v.unknown(*args)
    try:
        bs = [v.bounds(a) for a in args]
        if all(lo == hi for lo, hi in bs):  # type: ignore[misc]
            return min(args) if pick_lo else max(args)
        los = [b[0] for b in bs]  # type: ignore[index]
        his = [b[1] for b in bs]  # type: ignore[index]
        if pick_lo:
            return v.bounded(min(los), min(his), *args)
        return v.bounded(max(los), max(his), *args)
    except EvalTypeError:
        raise
    except TypeError:  # values that do not compare ("370200" and 1): a defect of the rule
        kinds = ", ".join(v.describe(a) for a in args[:3])
        raise EvalTypeError(f"{'min' if pick_lo else 'max'}() needs values of one kind, got "
                            f"{kinds}") from None


@_impl("min")
def _min(frame: Frame, args, kwargs, paths) -> Any:
    return _extreme(args, True)


@_impl("max")
def _max(frame: Frame, args, kwargs, paths) -> Any:
    return _extreme(args, False)


@_impl("round_down")
def _round_down(frame: Frame, args, kwargs, paths) -> Any:
    x, places_ = args
    if isinstance(x, Unknown | Range):
        return v.unknown(x)
    if not _num(x) or not isinstance(places_, int):
        raise EvalTypeError("round_down() needs a number and a whole number of decimal places")
    return Decimal(x).quantize(Decimal(1).scaleb(-places_), rounding=ROUND_DOWN)


@_impl("service_items", reads_paths=True)
def _service_items(frame: Frame, args, kwargs, paths) -> Any:
    """Service items of the rule's zones in force that hold both the anchor and ``place``."""
    (place,) = args
    target = frame.anchor_value()
    if isinstance(place, Unknown) or isinstance(target, Unknown):
        return v.unknown(place, target)
    sure: list[Item] = []
    maybe: list[Item] = []
    missing: set[str] = set()
    for ref in frame.active_zones:
        shared = v.k_and([
            Unknown(frozenset({frame.anchor_path})) if (t := zone_status(frame, ref, target))
            is None else t,
            Unknown(frozenset({paths[0] or "place"})) if (p := zone_status(frame, ref, place))
            is None else p,
        ])
        if shared is False:
            continue
        items = [Item(f"services[{s.id}]", s) for s in frame.pack.services
                 if s.zone == ref.zone.id and s.available(frame.as_of)]
        if shared is True:
            sure.extend(items)
        else:
            maybe.extend(items)
            missing |= shared.missing
    sure_ids = {i.value.id for i in sure}
    maybe = [i for i in maybe if i.value.id not in sure_ids]
    return Items(tuple(sure), tuple(maybe), frozenset(missing))


@_impl("given")
def _given(frame: Frame, args, kwargs, paths) -> Any:
    (x,) = args
    return True if v.is_known(x) else v.unknown(x)


@_impl("date")
def _date(frame: Frame, args, kwargs, paths) -> Any:
    return date.fromisoformat(args[0])


@_impl("month")
def _month(frame: Frame, args, kwargs, paths) -> Any:
    (x,) = args
    if isinstance(x, Unknown):
        return x
    if isinstance(x, date):
        return mo.month_of(x)
    return mo.parse_month(x)




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
