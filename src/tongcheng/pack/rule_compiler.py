"""One rule of a pack compiled: its expressions parsed, typed and checked, its definitions put
in place, its clauses, zones, exceptions and basis assembled into a ``Rule`` — or every problem
reported with its file and line (through the loader that reads the pack, ``loader``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from tongcheng import yamlio
from tongcheng.errors import Location, PackProblem
from tongcheng.expr import ExprSyntaxError, ast, parse
from tongcheng.expr import check as checking
from tongcheng.expr.parser import MAX_DEPTH
from tongcheng.pack import schema
from tongcheng.pack.model import Clause, Rule, RuleException, Text, ZoneRef

if TYPE_CHECKING:
    from tongcheng.pack.loader import _Loader as Loader


def loc_str(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def text_of(t: schema.TextIn) -> Text:
    return Text(t.zh, t.en)


# functions reading the place where the rule is asked (not allowed in the expression saying it)
_ANCHORED = frozenset({"member", "shares_zone", "service_items"})


class RuleCompiler:
    def __init__(
        self, loader: Loader, file: str, path: tuple, roots, documents, zones, parameters
    ) -> None:
        self.l, self.file, self.path = loader, file, path
        self.roots, self.documents, self.zones = roots, documents, zones
        self.parameters = parameters
        self.let_types: dict[str, checking.T] = {}
        self.let_depth: dict[str, int] = {}
        # Definitions that are plain situation paths (``p: person``), put in place of their
        # names in later expressions: a missing fact is then named by its path in the
        # situation (``person.sex``), not by the definition's field (``sex``), in every evaluator.
        self.aliases: dict[str, ast.Node] = {}
        self.ok = True

    def err(self, sub: tuple, message: str, zh: str, line: int | None = None) -> None:
        """A problem of this rule at ``sub``, in English and Chinese (the rule is left out)."""
        self.ok = False
        self.l.problem(self.file, (*self.path, *sub), message, zh, line)

    def clause(self, sub: tuple, name: str, label: Text, text: str, *, truth: bool = False
               ) -> Clause | None:
        base_line = yamlio.line_of(self.l.lines.get(self.file, {}), (*self.path, *sub))
        try:
            node = parse(text)
        except ExprSyntaxError as e:
            line = (base_line or 0) + e.line - 1 + (1 if "\n" in text.strip() else 0)
            self.err(
                sub,
                f"{loc_str(sub)}: {e} (column {e.column} of the expression)",
                f"{loc_str(sub)}:{e.zh}(表达式第 {e.column} 列)",
                line if base_line else None,
            )
            return None
        if depth(node, self.let_depth) > MAX_DEPTH:
            self.err(sub, f"{loc_str(sub)}: nested more than {MAX_DEPTH} levels deep through "
                     "the definitions (let) it uses",
                     f"{loc_str(sub)}:连同所用的定义(let)一起,嵌套超过 {MAX_DEPTH} 层")
            return None
        _, problems = checking.check(
            node,
            roots=self.roots,
            lets=self.let_types,
            parameters=frozenset(self.parameters) | self.l.bad_parameters,
            zones=frozenset(self.zones) | self.l.bad_zones,
            places=self.l.literal_place,
            truth=truth,
        )
        for p in problems:
            line = (base_line or 0) + p.pos.line - 1 + (1 if "\n" in text.strip() else 0)
            self.err(sub, f"{loc_str(sub)}: {p.message}", f"{loc_str(sub)}:{p.zh}",
                     line if base_line else None)
        node = ast.substitute(node, self.aliases)
        return Clause(name, label, text.strip(), node, self.l.loc(self.file, (*self.path, *sub)))

    def value_clause(self, sub: tuple, name: str, raw: str | schema.ValueClauseIn) -> Clause | None:
        if isinstance(raw, str):
            return self.clause(sub, name, Text(name, name), raw)
        label = text_of(raw.label) if raw.label else Text(name, name)
        clause = self.clause((*sub, "expr"), name, label, raw.expr)
        if clause is not None and raw.on_ineligible:
            clause = attrs.evolve(clause, on_ineligible=True)
        return clause

    def clauses(self, sub: tuple, prefix: str, items: list[schema.ClauseIn]) -> tuple[Clause, ...]:
        out = []
        for i, c in enumerate(items):
            clause = self.clause((*sub, i, "when"), f"{prefix}[{i}]", text_of(c.label), c.when,
                                 truth=True)
            if clause:
                out.append(clause)
        return tuple(out)

    def lets(self, r: schema.RuleIn) -> tuple[Clause, ...]:
        # Order definitions so each is checked after the ones it uses; refuse cycles.
        if len(r.let) > MAX_LETS:
            self.err(("let",), f"more than {MAX_LETS} definitions in one rule",
                     f"一条规则中的定义(let)超过 {MAX_LETS} 个")
            return ()
        parsed: dict[str, ast.Node] = {}
        for name, raw in r.let.items():
            text = raw if isinstance(raw, str) else raw.expr
            try:
                parsed[name] = parse(text)
            except ExprSyntaxError:
                parsed[name] = ast.Literal(None)  # reported when compiled below
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str, chain: list[str]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = " -> ".join([*chain, name])
                self.err(("let", name), f"definitions refer to each other in a cycle: {cycle}",
                         f"定义(let)之间循环引用:{cycle}")
                return
            state[name] = 1
            for used in sorted(checking.let_names(parsed[name]) & set(parsed)):
                visit(used, [*chain, name])
            state[name] = 2
            order.append(name)

        for name in parsed:
            visit(name, [])
        for name in parsed:
            if name not in order:  # in a cycle (reported): known, so uses of it stay quiet
                self.let_types[name] = checking.ANY
        # Each use of a definition evaluates it inside the expression using it: the nesting
        # through definitions is bounded as each expression is.
        for name in order:
            self.let_depth[name] = depth(parsed[name], self.let_depth)
        out = []
        for name in order:
            clause = self.value_clause(("let", name), name, r.let[name])
            if clause:
                t, _ = checking.check(
                    clause.expr,
                    roots=self.roots,
                    lets=self.let_types,
                    parameters=frozenset(self.parameters),
                    zones=frozenset(self.zones),
                    places=self.l.literal_place,
                )
                self.let_types[name] = t
                if ast.is_path(clause.expr, self.roots):
                    self.aliases[name] = clause.expr
                out.append(clause)
        return tuple(out)

    def zone_tests(self, refs: list[ZoneRef], clauses: list[Clause]) -> None:
        """Every zone a rule tests by name must be one of its zone entries: the test then
        respects the entry's dates (and firmness) as ``member`` does."""
        cited = {ref.zone.id for ref in refs}
        for clause in clauses:
            for node in ast.walk(clause.expr):
                if (isinstance(node, ast.Call) and node.func in ("in_zone", "shares_zone")
                        and len(node.args) == 2 and isinstance(node.args[1], ast.Literal)
                        and node.args[1].value not in cited
                        and node.args[1].value in self.zones):
                    self.ok = False
                    zone = node.args[1].value
                    self.l.problems.append(PackProblem(clause.location, (
                        f"{clause.name}: {node.func}() names zone {zone!r}, which "
                        "the rule does not cite; add it to the rule's zones with its dates"), (
                        f"{clause.name}:{node.func}() 指名的区域 {zone!r} 不在本规则引用的区域中;"
                        "请把它连同日期加入规则的 zones")))

    def place_reads_itself(self, place: Clause, lets: tuple[Clause, ...]) -> None:
        """``member``, ``shares_zone`` and ``service_items`` compare a place with the one where
        the rule is asked: in the expression that says where that is (or a definition it
        uses), they would read what is being defined, and a given target would be reported
        missing. ``in_zone`` names its zone and reads no such place."""
        by_name = {c.name: c for c in lets}
        todo, seen = [place.expr], set()
        while todo:
            for node in ast.walk(todo.pop()):
                if isinstance(node, ast.Call) and node.func in _ANCHORED:
                    self.ok = False
                    self.l.problems.append(PackProblem(place.location, (
                        f"place: {node.func}() compares with the place where the rule is "
                        "asked, which this expression defines; test a zone by name with "
                        "in_zone(place, zone) instead"), (
                        f"place:{node.func}() 要与办理地比较,而办理地正由这个表达式定义;"
                        "请改用 in_zone(place, zone) 按名称检验区域")))
                    return
                if isinstance(node, ast.Name) and node.name in by_name \
                        and node.name not in seen:
                    seen.add(node.name)
                    todo.append(by_name[node.name].expr)

    def compile(self, r: schema.RuleIn, where: Location) -> Rule | None:
        refs = self.zone_refs(r)
        if not r.basis and not (r.zones and all(z.basis for z in r.zones)):
            self.err(("basis",), "the rule needs a basis: give 'basis' for the rule, or one for "
                     "each of its zone entries",
                     "规则须有依据:请为规则给出 'basis',或为它的每个区域条目各给一个")
        start = (
            r.in_force.from_
            if r.in_force and r.in_force.from_
            else (min(z.start for z in refs) if refs else None)
        )
        end = r.in_force.to if r.in_force else None
        for name in r.let:
            if name in self.roots or name == "item":
                self.err(("let", name), f"definition {name!r} hides a situation field",
                         f"定义 {name!r} 与情形中的字段同名,会遮住该字段")
        lets = self.lets(r)
        scope = self.clauses(("scope",), "scope", r.scope)
        conditions = self.clauses(("conditions",), "conditions", r.conditions)
        outcome = self.outcome((), r.outcome)
        own_basis = self.l.basis(self.file, (*self.path, "basis"), r.basis, self.documents)
        basis = (*own_basis, *(b for ref in refs for b in ref.basis))
        exceptions = self.exceptions(r)
        place = (self.clause(("place",), "place", Text("办理地", "where the rule is asked"),
                             r.place) if r.place else None)
        if place is not None:
            self.place_reads_itself(place, lets)
        self.zone_tests(refs, [*lets, *scope, *conditions, *outcome, *(c for e in exceptions
                        for c in (*e.applies, *(e.conditions or ()), *e.outcome))])
        for field, facts in r.monotonic.items():
            if field not in r.outcome:
                self.err(("monotonic", field), f"{field!r} is not an outcome field",
                         f"{field!r} 不是结果项")
            for fact in facts:
                if fact.split(".")[0] not in self.roots:
                    self.err(("monotonic", field), f"{fact!r} is not a situation path",
                             f"{fact!r} 不是情形中的路径")
        if not self.ok:
            return None
        return Rule(
            r.id,
            text_of(r.title),
            r.domain,
            r.subject,
            tuple(refs),
            start,
            end,
            r.firmness,
            lets,
            scope,
            conditions,
            outcome,
            basis,
            text_of(r.reading) if r.reading else None,
            tuple(exceptions),
            where,
            {k: tuple(v) for k, v in r.monotonic.items()},
            place,
            own_basis,
        )

    def zone_refs(self, r: schema.RuleIn) -> list[ZoneRef]:
        """The rule's zone entries, each with its firmness and its basis marked with both."""
        refs = []
        for i, z in enumerate(r.zones):
            zone = self.zones.get(z.zone)
            if zone is None:
                if z.zone in self.l.bad_zones:
                    self.ok = False
                else:
                    self.err(("zones", i, "zone"),
                             f"unknown zone {z.zone!r}: define it in zones.yaml",
                             f"未知的区域 {z.zone!r}:请在 zones.yaml 中定义")
                continue
            zone_basis = self.l.basis(self.file, (*self.path, "zones", i, "basis"), z.basis,
                                      self.documents)
            firmness = z.firmness or r.firmness
            zone_basis = tuple(attrs.evolve(b, zone=zone.id, firmness=firmness)
                               for b in zone_basis)
            refs.append(ZoneRef(zone, z.from_, z.to, firmness, zone_basis))
        return refs

    def outcome(self, sub: tuple, raw: dict[str, Any]) -> tuple[Clause, ...]:
        """The outcome clauses of the rule (``sub`` empty) or of one exception."""
        return tuple(c for name, value in raw.items()
                     if (c := self.value_clause((*sub, "outcome", name), name, value)))

    def exceptions(self, r: schema.RuleIn) -> list[RuleException]:
        """The rule's exceptions, their labels unique and what they override among them."""
        out = []
        labels = [e.label for e in r.exceptions]
        for i, e in enumerate(r.exceptions):
            sub = ("exceptions", i)
            if labels.count(e.label) > 1:
                self.err((*sub, "label"), f"exception label {e.label!r} is used twice",
                         f"例外的标签 {e.label!r} 用了两次")
            for o in e.overrides:
                if o not in labels or o == e.label:
                    self.err(
                        (*sub, "overrides"),
                        f"overrides {o!r}, which is not another exception of this rule",
                        f"overrides 指向的 {o!r} 不是本规则的另一个例外",
                    )
            out.append(
                RuleException(
                    e.label,
                    text_of(e.title),
                    self.clauses((*sub, "applies"), f"{e.label}.applies", e.applies),
                    self.clauses((*sub, "conditions"), f"{e.label}.conditions", e.conditions)
                    if e.conditions is not None
                    else None,
                    self.outcome(sub, e.outcome),
                    self.l.basis(self.file, (*self.path, *sub, "basis"), e.basis, self.documents),
                    tuple(e.overrides),
                    self.l.loc(self.file, (*self.path, *sub)),
                )
            )
        return out


MAX_LETS = 100
"""Definitions (``let``) in one rule."""


def depth(node: ast.Node, lets: dict[str, int]) -> int:
    """Levels of nesting of an expression, a definition it uses counting as deep as it is."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        if isinstance(n, ast.Name):
            d += lets.get(n.name, 0)
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in ast.children(n))
    return deepest
