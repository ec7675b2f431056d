"""Can two exceptions of a rule both apply? Decided with z3 where the conditions allow.

The comparison and boolean fragment of the expression language over scalar facts is translated
exactly: ``and or not``, comparisons, ``in [..]``, ``if``, ``+ - * /``, ``min``/``max`` of
numbers, facts that are places, dates, months, numbers, booleans and words (``person.sex``),
``city()``, ``member()``, ``shares_zone()``, ``in_zone()`` (zone membership with its dates, at
``as_of``), ``age()`` (whole years, 29 February included), ``date()``, ``month()``, ``given()``,
and definitions (``let``) built from these. Places range over every place of the pack's
province, the members of its zones and the codes its rules name.

Anything else (lists, counts, months of periods, parameters) is abstracted: replaced by an
unconstrained truth value. That over-approximates "both apply", so *no model* is a proof that
the two exceptions never apply together. A model is turned into a situation and confirmed with
the reference evaluator (a ``RuleConflict``, or both exceptions applying), and only a confirmed
model is reported as an overlap with its counterexample; otherwise the answer is "could not
decide".

Why a three-valued language can be checked two-valued: a place too coarse for a zone is taken as
"not surely a member", which is false exactly when the evaluator says false and is no stronger
than the truth otherwise; an exception applies only when its conditions are surely true, so
every real overlap is a model.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from tongcheng.consistency import analysis
from tongcheng.consistency.facts import field_path_kind, known_none
from tongcheng.errors import RuleConflict, SituationError
from tongcheng.expr import ast
from tongcheng.pack.model import Rule, RuleException, RulePack
from tongcheng.places import PlaceRegistry, default_registry

MAX_TRIES = 8


class Untranslatable(Exception):
    """A sub-expression outside the exact fragment."""


@attrs.frozen
class Overlap:
    """The answer for one pair of exceptions."""

    verdict: str  # disjoint | conflict | overlap_same | unknown
    first: RuleException
    second: RuleException
    counterexample: dict[str, Any] | None = None
    note: str = ""  # why undecided, in English
    note_zh: str = ""  # the same in Chinese (lint says it in the author's language)


@attrs.define
class _T:
    kind: str  # bool | num | str | place | date | month
    value: Any


class _Translator:
    def __init__(self, z3: Any, pack: RulePack, rule: Rule, registry: PlaceRegistry,
                 domain: list[str]) -> None:
        self.z3, self.pack, self.rule, self.reg = z3, pack, rule, registry
        self.domain = domain
        self.index = {code: i for i, code in enumerate(domain)}
        self.facts: dict[tuple[str, ...], _T] = {}
        self.constraints: list[Any] = []
        self.abstracted: list[tuple[str, str]] = []  # what was left out, in en and zh
        self.lets = {c.name: c for c in rule.lets}
        self.let_cache: dict[str, _T] = {}
        self.fresh = itertools.count()
        self.as_of = self._date_var("as_of")

    # -- variables

    def _date_var(self, name: str) -> tuple[Any, Any, Any]:
        z3 = self.z3
        y, m, d = z3.Int(f"{name}.y"), z3.Int(f"{name}.m"), z3.Int(f"{name}.d")
        leap = z3.And(y % 4 == 0, z3.Or(y % 100 != 0, y % 400 == 0))
        days = z3.If(m == 2, z3.If(leap, 29, 28),
                     z3.If(z3.Or(m == 4, m == 6, m == 9, m == 11), 30, 31))
        self.constraints += [y >= 1900, y <= 2100, m >= 1, m <= 12, d >= 1, d <= days]
        return y, m, d

    def place_const(self, code: str) -> Any:
        if code not in self.index:
            raise Untranslatable(f"place {code} outside the domain")
        return self.z3.IntVal(self.index[code])

    def fact(self, path: tuple[str, ...]) -> _T:
        if path in self.facts:
            return self.facts[path]
        if path == ("as_of",):
            return _T("date", self.as_of)
        if path[-1] in known_none():
            raise Untranslatable(f"{'.'.join(path)} may be absent as a known value")
        kind = field_path_kind(path)
        if kind is None:
            raise Untranslatable(f"{'.'.join(path)} is not a fact")
        for i in range(1, len(path)):
            outer = field_path_kind(path[:i])
            if outer is not None and outer.name == "list":
                raise Untranslatable("a fact inside a list")
        z3 = self.z3
        name = ".".join(path)
        match kind.name:
            case "place":
                v = z3.Int(name)
                self.constraints += [v >= 0, v < len(self.domain)]
                t = _T("place", v)
            case "date":
                t = _T("date", self._date_var(name))
            case "month":
                v = z3.Int(name)
                self.constraints += [v >= 1900 * 12, v < 2101 * 12]
                t = _T("month", v)
            case "money":
                v = z3.Real(name)
                self.constraints += [v >= 0, v < 10**13]
                t = _T("num", v)
            case "count" | "int":
                v = z3.Int(name)
                self.constraints += [v >= 0]
                t = _T("num", v)
            case "bool":
                t = _T("bool", z3.Bool(name))
            case "literal":
                v = z3.String(name)
                self.constraints.append(z3.Or([v == z3.StringVal(str(c)) for c in kind.choices]))
                t = _T("str", v)
            case "str":
                t = _T("str", z3.String(name))
            case _:
                raise Untranslatable(f"{name} is not a scalar fact")
        self.facts[path] = t
        return t

    # -- expressions

    def boolean(self, node: ast.Node) -> Any:
        """A truth value; an untranslatable part becomes a free one (over-approximation)."""
        try:
            t = self.term(node)
        except Untranslatable:
            short = _short(node)
            self.abstracted.append((short, f"`{short}`"))
            return self.z3.Bool(f"abstract{next(self.fresh)}")
        if t.kind != "bool":
            raise Untranslatable("not a truth value")
        return t.value

    def term(self, node: ast.Node) -> _T:
        z3 = self.z3
        match node:
            case ast.Literal(value=v):
                if isinstance(v, bool):
                    return _T("bool", z3.BoolVal(v))
                if isinstance(v, int):
                    return _T("num", z3.IntVal(v))
                if isinstance(v, Decimal):
                    return _T("num", z3.RealVal(str(v)))
                if isinstance(v, str):
                    return _T("str", z3.StringVal(v))
                raise Untranslatable("null")
            case ast.Name(name=n) if n in self.lets:
                if n not in self.let_cache:
                    self.let_cache[n] = self.term(self.lets[n].expr)
                return self.let_cache[n]
            case ast.Name() | ast.Attr():
                path = analysis.fact_path(node)
                if path is None:
                    raise Untranslatable("not a fact")
                return self.fact(path)
            case ast.Not(operand=o):
                return _T("bool", z3.Not(self.boolean(o)))
            case ast.And(operands=ops):
                return _T("bool", z3.And([self.boolean(o) for o in ops]))
            case ast.Or(operands=ops):
                return _T("bool", z3.Or([self.boolean(o) for o in ops]))
            case ast.Compare(op=op, left=a, right=b):
                return _T("bool", self.compare(op, a, b))
            case ast.Arith(op=op, left=a, right=b):
                x, y = self.num(a), self.num(b)
                if op == "/":
                    if not z3.is_const(y) or z3.simplify(y == 0).eq(z3.BoolVal(True)):
                        raise Untranslatable("division by a non-constant")
                    return _T("num", z3.ToReal(x) / y)
                return _T("num", {"+": x + y, "-": x - y, "*": x * y}[op])
            case ast.Negate(operand=o):
                return _T("num", -self.num(o))
            case ast.If(cond=c, then=t, otherwise=o):
                a, b = self.term(t), self.term(o)
                if a.kind != b.kind or a.kind == "date":
                    raise Untranslatable("if with branches of different kinds")
                return _T(a.kind, z3.If(self.boolean(c), a.value, b.value))
            case ast.Call():
                return self.call(node)
        raise Untranslatable(type(node).__name__)

    def num(self, node: ast.Node) -> Any:
        t = self.term(node)
        if t.kind not in ("num", "month"):
            raise Untranslatable("not a number")
        return t.value

    def place(self, node: ast.Node) -> Any:
        t = self.term(node)
        if t.kind == "place":
            return t.value
        if t.kind == "str" and isinstance(node, ast.Literal):
            return self.place_const(str(node.value))
        raise Untranslatable("not a place")

    def compare(self, op: str, a: ast.Node, b: ast.Node) -> Any:
        z3 = self.z3
        a_null = isinstance(a, ast.Literal) and a.value is None
        b_null = isinstance(b, ast.Literal) and b.value is None
        if a_null or b_null:
            other = a if b_null else b
            self.term(other)  # a given fact is never null in the situations checked
            if op in ("==", "!="):
                return z3.BoolVal(op == "!=")
            raise Untranslatable("ordering against null")
        if op == "in":
            if not isinstance(b, ast.ListLit):
                raise Untranslatable("'in' a list that is not written out")
            return z3.Or([self.compare("==", a, item) for item in b.items])
        x, y = self.term(a), self.term(b)
        if "place" in (x.kind, y.kind):
            px, py = self.place(a), self.place(b)
            return self._order(op, px, py, equality_only=True)
        if x.kind == "date" or y.kind == "date":
            if x.kind != y.kind:
                raise Untranslatable("date against another kind")
            return self._date_order(op, x.value, y.value)
        if x.kind != y.kind and {x.kind, y.kind} != {"num", "month"}:
            raise Untranslatable(f"{x.kind} against {y.kind}")
        return self._order(op, x.value, y.value, equality_only=x.kind in ("str", "bool"))

    def _order(self, op: str, x: Any, y: Any, equality_only: bool = False) -> Any:
        if op == "==":
            return x == y
        if op == "!=":
            return x != y
        if equality_only:
            raise Untranslatable("ordering of words or places")
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]

    def _date_order(self, op: str, a: tuple, b: tuple) -> Any:
        z3 = self.z3
        ya, ma, da = a
        yb, mb, db = b
        eq = z3.And(ya == yb, ma == mb, da == db)
        lt = z3.Or(ya < yb, z3.And(ya == yb, z3.Or(ma < mb, z3.And(ma == mb, da < db))))
        return {"==": eq, "!=": z3.Not(eq), "<": lt, "<=": z3.Or(lt, eq),
                ">": z3.Not(z3.Or(lt, eq)), ">=": z3.Not(lt)}[op]

    def _const_date(self, d: date) -> tuple:
        z3 = self.z3
        return z3.IntVal(d.year), z3.IntVal(d.month), z3.IntVal(d.day)

    def active(self, start: date, end: date | None) -> Any:
        z3 = self.z3
        on = self._date_order(">=", self.as_of, self._const_date(start))
        if end is None:
            return on
        return z3.And(on, self._date_order("<=", self.as_of, self._const_date(end)))

    def contains(self, zone: Any, place: Any) -> Any:
        """Surely in ``zone`` at as_of (a place too coarse counts as not surely in)."""
        z3 = self.z3
        options = []
        for i, code in enumerate(self.domain):
            holding = [m for m in zone.members if self.reg.contains(m.place, code)]
            if holding:
                options.append(z3.And(place == i, z3.Or([self.active(m.start, m.end)
                                                         for m in holding])))
        return z3.Or(options) if options else z3.BoolVal(False)

    def anchor(self) -> Any:
        place = getattr(self.rule, "place", None)
        if place is None:
            return self.fact(("target",)).value
        return self.place(place.expr)

    def shared(self, place: Any, zone_id: str | None = None) -> Any:
        z3 = self.z3
        anchor = self.anchor()
        refs = [r for r in self.rule.zones if zone_id is None or r.zone.id == zone_id]
        return z3.Or([z3.And(self.active(r.start, r.end), self.contains(r.zone, anchor),
                             self.contains(r.zone, place)) for r in refs] or [z3.BoolVal(False)])

    def call(self, node: ast.Call) -> _T:
        z3 = self.z3
        f, args = node.func, node.args
        if node.kwargs and f not in ("param", "declared"):
            raise Untranslatable(f"{f}() with keyword arguments")
        match f:
            case "city":
                p = self.place(args[0])
                cases = z3.IntVal(0)
                for i, code in enumerate(self.domain):
                    city = self.reg.city_of(code) or code
                    cases = z3.If(p == i, self.place_const(city) if city in self.index
                                  else z3.IntVal(i), cases)
                return _T("place", cases)
            case "member":
                return _T("bool", self.shared(self.place(args[0])))
            case "shares_zone" | "in_zone":
                zid = args[1].value if isinstance(args[1], ast.Literal) else None
                if zid not in self.pack.zones:
                    raise Untranslatable("zone not written out")
                if f == "in_zone":  # the zone as the rule cites it: while an entry is in force
                    place = self.place(args[0])
                    return _T("bool", z3.Or([
                        z3.And(self.active(r.start, r.end), self.contains(r.zone, place))
                        for r in self.rule.zones if r.zone.id == zid] or [z3.BoolVal(False)]))
                return _T("bool", self.shared(self.place(args[0]), zid))
            case "age":
                born = self.term(args[0])
                at = self.term(args[1]) if len(args) > 1 else _T("date", self.as_of)
                if born.kind != "date" or at.kind != "date":
                    raise Untranslatable("age of something not a date")
                (yb, mb, db), (ya, ma, da) = born.value, at.value
                before = z3.Or(ma < mb, z3.And(ma == mb, da < db))
                return _T("num", ya - yb - z3.If(before, 1, 0))
            case "date":
                if not isinstance(args[0], ast.Literal):
                    raise Untranslatable("date() of a non-literal")
                return _T("date", self._const_date(date.fromisoformat(str(args[0].value))))
            case "month":
                t = self.term(args[0])
                if t.kind == "date":
                    y, m, _ = t.value
                    return _T("month", y * 12 + m - 1)
                if isinstance(args[0], ast.Literal):
                    y, m = str(args[0].value).split("-")
                    return _T("month", z3.IntVal(int(y) * 12 + int(m) - 1))
                raise Untranslatable("month() of something else")
            case "given":
                self.term(args[0])
                return _T("bool", z3.BoolVal(True))
            case "min" | "max" if len(args) > 1:
                values = [self.num(a) for a in args]
                out = values[0]
                for v in values[1:]:
                    out = z3.If(v < out, v, out) if f == "min" else z3.If(v > out, v, out)
                return _T("num", out)
        raise Untranslatable(f"{f}()")

    # -- situations from models

    def situation(self, model: Any) -> dict[str, Any]:
        z3 = self.z3
        out: dict[str, Any] = {"as_of": self._date_of(model, self.as_of).isoformat()}
        for path, t in self.facts.items():
            match t.kind:
                case "place":
                    value: Any = self.domain[model.eval(t.value, model_completion=True)
                                             .as_long()]
                case "date":
                    value = self._date_of(model, t.value).isoformat()
                case "month":
                    n = model.eval(t.value, model_completion=True).as_long()
                    value = f"{n // 12:04d}-{n % 12 + 1:02d}"
                case "num":
                    v = model.eval(t.value, model_completion=True)
                    value = v.as_long() if z3.is_int_value(v) else _decimal(v)
                case "bool":
                    value = z3.is_true(model.eval(t.value, model_completion=True))
                case _:
                    value = model.eval(t.value, model_completion=True).as_string()
            node = out
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        return out

    def _date_of(self, model: Any, triple: tuple) -> date:
        y, m, d = (model.eval(x, model_completion=True).as_long() for x in triple)
        return date(y, m, d)

    def validity(self) -> list[Any]:
        """Constraints the situation model itself imposes between facts."""
        z3 = self.z3
        out = []
        birth = self.facts.get(("person", "birth_date"))
        retired = self.facts.get(("person", "retired_on"))
        if birth:
            out.append(self._date_order("<=", birth.value, self.as_of))
        if birth and retired:
            out.append(self._date_order("<=", birth.value, retired.value))
        employment = self.facts.get(("person", "employment"))
        if employment and (retired or ("person", "pension_place") in self.facts):
            out.append(employment.value == z3.StringVal("retired"))
        return out


def _decimal(v: Any) -> float:
    return float(Decimal(v.numerator_as_long()) / Decimal(v.denominator_as_long()))


def _short(node: ast.Node) -> str:
    """What made an expression untranslatable, in words: the function it calls, or its path."""
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and n.func not in _EXACT:
            return f"{n.func}()"
    path = analysis.fact_path(node)
    return ".".join(path) if path else type(node).__name__.lower()


_EXACT = frozenset({"city", "member", "shares_zone", "in_zone", "age", "date", "month", "given",
                    "min", "max"})


def place_domain(pack: RulePack, registry: PlaceRegistry, rules: list[Rule]) -> list[str]:
    """The places variables range over: the pack's province, its zone members with their
    ancestors and counties, the codes its rules name, and two places elsewhere."""
    out: set[str] = set()
    members = {m.place for z in pack.zones.values() for m in z.members}
    provinces = {registry.province_of(m) for m in members} or {"370000"}
    for province in provinces:
        out.add(province)
        for city in registry.children(province):
            out.add(city)
            out |= set(registry.children(city))
    for m in members:
        out |= set(registry.ancestors(m)) | set(registry.children(m))
    for rule in rules:
        for _, node in analysis.nodes(rule):
            if isinstance(node, ast.Literal) and isinstance(node.value, str) \
                    and len(node.value) == 6 and node.value.isdigit() and node.value in registry:
                out |= set(registry.ancestors(node.value))
    others = [p.code for p in registry.all() if p.current and p.level == "county"
              and registry.province_of(p.code) not in provinces]
    out |= set(others[:2])
    return sorted(out)


def _applied(decision: Any, label: str) -> bool:
    names = [r for r in decision.reasons if r.kind == "exception"
             and r.name.startswith(f"{label}.applies")]
    return bool(names) and all(r.value is True for r in names)


def check_pair(pack: RulePack, rule: Rule, a: RuleException, b: RuleException,
               registry: PlaceRegistry | None = None) -> Overlap:
    """Decide whether exceptions ``a`` and ``b`` of ``rule`` can both apply."""
    import z3

    from tongcheng.evaluate.evaluator import evaluate
    from tongcheng.situation import parse_situation

    registry = registry or default_registry()
    tr = _Translator(z3, pack, rule, registry, place_domain(pack, registry, [rule]))
    solver = z3.Solver()
    solver.set("timeout", 10_000)
    _both_apply(z3, solver, tr, rule, a, b)
    exact = not tr.abstracted
    # Prefer a counterexample dated soon after the rule begins (a caseworker's date).
    solver.push()
    first = min((r.start for r in rule.zones), default=date(2020, 1, 1))
    solver.add(tr.as_of[0] >= first.year, tr.as_of[0] <= max(first.year, 2030))
    if solver.check() != z3.sat:
        solver.pop()
    for _ in range(MAX_TRIES):
        answer = solver.check()
        if answer == z3.unsat:
            return Overlap("disjoint", a, b)
        if answer != z3.sat:
            return Overlap("unknown", a, b, note="the solver gave up (timeout)",
                           note_zh="求解器超时,未能给出答案")
        model = solver.model()
        situation = tr.situation(model)
        try:
            parsed = parse_situation(situation, registry=registry)
            decision = evaluate(pack, parsed, rules=[rule.id], registry=registry).decisions[0]
        except RuleConflict:
            return Overlap("conflict", a, b, parsed.to_dict())
        except SituationError:
            decision = None
        if decision is not None and _applied(decision, a.label) and _applied(decision, b.label):
            return Overlap("overlap_same", a, b, parsed.to_dict())
        # Not confirmed: look for another model that differs in some fact.
        solver.add(_another(z3, tr, model))
    if exact:
        return Overlap("unknown", a, b,
                       note="models found by the solver did not make both apply in the evaluator",
                       note_zh="求解器找到的情形在评估器中并未使两者同时适用")
    left_out = list(dict.fromkeys(tr.abstracted))
    return Overlap("unknown", a, b,
                   note="conditions outside the exact fragment: "
                        + "; ".join(en for en, _ in left_out),
                   note_zh="条件超出可精确判定的范围:" + "、".join(zh for _, zh in left_out))



def _both_apply(z3: Any, solver: Any, tr: _Translator, rule: Rule, a: RuleException,
                b: RuleException) -> None:
    """Into ``solver``: the rule's place in one of its zones, the rule in force, its scope, both
    exceptions' tests, and what makes a situation valid. A part outside the exact fragment is
    left out and named in ``tr.abstracted``."""
    try:
        anchor = tr.anchor()
        in_zone = z3.Or([z3.And(tr.active(r.start, r.end), tr.contains(r.zone, anchor))
                         for r in rule.zones] or [z3.BoolVal(False)])
    except Untranslatable as e:
        place = getattr(rule, "place", None)
        tr.abstracted.append((f"the place the rule is asked at ({e})",
                              "规则被询问的地点" + (f" `{place.text}`" if place else "")))
        in_zone = z3.BoolVal(True)
    solver.add(in_zone)
    if rule.in_force_from:
        solver.add(tr._date_order(">=", tr.as_of, tr._const_date(rule.in_force_from)))
    if rule.in_force_to:
        solver.add(tr._date_order("<=", tr.as_of, tr._const_date(rule.in_force_to)))
    for clause in rule.scope:
        solver.add(tr.boolean(clause.expr))
    for clause in (*a.applies, *b.applies):
        solver.add(tr.boolean(clause.expr))
    solver.add(*tr.constraints)
    solver.add(*tr.validity())


def _another(z3: Any, tr: _Translator, model: Any) -> Any:
    """A model differing from ``model`` in some fact or in the day asked about."""
    block = [t.value != model.eval(t.value, model_completion=True)
             for t in tr.facts.values() if t.kind != "date"]
    block += [z3.Or([x != model.eval(x, model_completion=True) for x in t.value])
              for t in tr.facts.values() if t.kind == "date"]
    block.append(z3.Or([x != model.eval(x, model_completion=True) for x in tr.as_of]))
    return z3.Or(block)


def check_rule(pack: RulePack, rule: Rule, registry: PlaceRegistry | None = None
               ) -> list[Overlap]:
    """Every pair of exceptions of ``rule`` that neither overrides, and that differ."""
    out = []
    for a, b in itertools.combinations(rule.exceptions, 2):
        if a.label in b.overrides or b.label in a.overrides:
            continue
        if _same_answer(a, b):
            continue
        out.append(check_pair(pack, rule, a, b, registry))
    return out


def _same_answer(a: RuleException, b: RuleException) -> bool:
    """Whether two exceptions say the same thing (same conditions and outcome, as written)."""
    def clauses(cs: Any) -> list[Any]:
        return sorted(((c.name.split(".")[-1], analysis._strip_pos(c.expr)) for c in cs or ()),
                      key=repr)

    same_conditions = (a.conditions is None) == (b.conditions is None) and clauses(
        a.conditions) == clauses(b.conditions)
    outcome_a = {c.name: analysis._strip_pos(c.expr) for c in a.outcome}
    outcome_b = {c.name: analysis._strip_pos(c.expr) for c in b.outcome}
    return same_conditions and outcome_a == outcome_b


__all__ = ["Overlap", "check_pair", "check_rule", "place_domain"]
