"""Load a rule-pack folder: read, validate and compile everything, or report every problem.

A pack is a folder::

    pack.yaml            name, version
    documents.yaml       the documents rules cite
    zones.yaml           zones and their dated members
    parameters/*.yaml    dated city parameters, each value with a reference and a confidence
    rules/*.yaml         rules: scope, conditions, outcome, basis, exceptions
    sources/*.md         texts of cited documents; quotes are checked against them

Problems are collected across all files and raised together as one PackError, each with its
file and line, so a rule author fixes a pack in one pass.
"""

from __future__ import annotations

import hashlib
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from tongcheng import yamlio
from tongcheng.errors import Location, PackError
from tongcheng.expr import ExprSyntaxError, ast, parse
from tongcheng.expr import check as checking
from tongcheng.pack import schema
from tongcheng.pack.model import (
    Basis,
    Clause,
    Document,
    Membership,
    PackInfo,
    Parameter,
    ParamValue,
    Rule,
    RuleException,
    RulePack,
    Text,
    Zone,
    ZoneRef,
)
from tongcheng.places import PlaceRegistry, default_registry


def bundled_pack_path() -> Path:
    """The rule pack shipped with tongcheng (inside the installed package, or the repo's rules/)."""
    packaged = Path(str(files("tongcheng"))) / "rules"
    if (packaged / "pack.yaml").is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "rules"


def pack_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") or part == "__pycache__" for part in rel.split("/")):
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()


def _loc_str(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Loader:
    def __init__(self, root: Path, registry: PlaceRegistry) -> None:
        self.root = root
        self.registry = registry
        self.problems: list[tuple[Location, str]] = []
        self.lines: dict[str, dict] = {}

    # -- reporting ---------------------------------------------------------------------------

    def problem(self, file: str, path: tuple, message: str, line: int | None = None) -> None:
        if line is None:
            line = yamlio.line_of(self.lines.get(file, {}), path)
        self.problems.append((Location(file, line), message))

    def loc(self, file: str, path: tuple) -> Location:
        return Location(file, yamlio.line_of(self.lines.get(file, {}), path))

    # -- reading -----------------------------------------------------------------------------

    def read(self, rel: str, adapter: TypeAdapter, required: bool = True) -> Any:
        path = self.root / rel
        if not path.is_file():
            if required:
                self.problems.append((Location(rel), f"missing file {rel} in the rule pack"))
            return None
        try:
            data, lines = yamlio.load_file(path)
        except yamlio.YamlSyntaxError as e:
            self.problems.append((Location(rel, e.line, e.column), str(e)))
            return None
        except (OSError, UnicodeDecodeError) as e:
            self.problems.append((Location(rel), f"cannot read: {e}"))
            return None
        self.lines[rel] = lines
        try:
            return adapter.validate_python(data)
        except ValidationError as e:
            for err in e.errors():
                loc = tuple(err["loc"])
                # Drop pydantic's union-branch tags (e.g. 'str', 'ValueClauseIn') from paths.
                clean = tuple(
                    p
                    for p in loc
                    if isinstance(p, int)
                    or (not p[:1].isupper()
                    and p not in ("str", "int", "function-after"))
                )
                where = _loc_str(clean)
                self.problem(
                    rel, clean, f"{where}: {_plain_message(err)}" if where else _plain_message(err)
                )
            return None

    # -- places ------------------------------------------------------------------------------

    def place(self, file: str, path: tuple, code: Any) -> str | None:
        try:
            return self.registry.resolve(self.registry.normalise(code))
        except ValueError as e:
            self.problem(file, path, f"{_loc_str(path)}: {e}")
            return None

    # -- load --------------------------------------------------------------------------------

    def load(self) -> RulePack:
        if not self.root.is_dir():
            raise PackError([(Location(str(self.root)), "no such rule-pack folder")])
        info_in = self.read("pack.yaml", TypeAdapter(schema.PackFile))
        docs_in = self.read("documents.yaml", TypeAdapter(dict[schema.Id, schema.DocumentIn]))
        zones_in = self.read("zones.yaml", TypeAdapter(dict[schema.Id, schema.ZoneIn]))
        documents = self.documents(docs_in or {})
        zones = self.zones(zones_in or {}, documents)
        parameters = self.parameters()
        rules = self.rules(documents, zones, parameters)
        if self.problems:
            raise PackError(self.problems)
        assert info_in is not None
        info = PackInfo(
            info_in.name,
            info_in.version,
            pack_digest(self.root),
            _text(info_in.description) if info_in.description else None,
        )
        return RulePack(info, str(self.root), tuple(rules), zones, parameters, documents)

    def documents(self, docs_in: dict[str, schema.DocumentIn]) -> dict[str, Document]:
        out = {}
        for doc_id, d in docs_in.items():
            if d.file and not (self.root / "sources" / d.file).is_file():
                self.problem(
                    "documents.yaml",
                    (doc_id, "file"),
                    f"{doc_id}.file: no such text sources/{d.file} in the pack",
                )
            out[doc_id] = Document(
                doc_id, d.title, d.issuer, d.issued, d.kind, d.number, d.file, d.url, d.note
            )
        return out

    def basis(
        self, file: str, path: tuple, items: list[schema.BasisIn], documents: dict[str, Document]
    ) -> tuple[Basis, ...]:
        out = []
        for i, b in enumerate(items):
            doc = documents.get(b.document)
            if doc is None:
                self.problem(
                    file,
                    (*path, i, "document"),
                    f"unknown document {b.document!r}: add it to documents.yaml",
                )
                continue
            if b.quote and doc.file:
                source = self.root / "sources" / doc.file
                if source.is_file() and _norm(b.quote) not in _norm(source.read_text("utf-8")):
                    self.problem(
                        file,
                        (*path, i, "quote"),
                        f"the quote is not in sources/{doc.file} word for word; "
                        "copy the sentence exactly",
                    )
            if not b.quote and doc.kind == "official" and doc.file:
                self.problem(
                    file,
                    (*path, i),
                    "a basis in an official text at hand needs the quoted sentence ('quote')",
                )
            out.append(
                Basis(
                    doc,
                    b.article,
                    b.quote,
                    _text(b.reading) if b.reading else None,
                    self.loc(file, (*path, i)),
                )
            )
        return tuple(out)

    def zones(
        self, zones_in: dict[str, schema.ZoneIn], documents: dict[str, Document]
    ) -> dict[str, Zone]:
        out = {}
        for zone_id, z in zones_in.items():
            members = []
            for i, m in enumerate(z.members):
                code = self.place("zones.yaml", (zone_id, "members", i, "place"), m.place)
                if m.basis and m.basis not in documents:
                    self.problem(
                        "zones.yaml",
                        (zone_id, "members", i, "basis"),
                        f"unknown document {m.basis!r}",
                    )
                if m.to and m.to < m.from_:
                    self.problem("zones.yaml", (zone_id, "members", i, "to"), "'to' before 'from'")
                if code:
                    members.append(Membership(code, m.from_, m.to, m.basis))
            basis = self.basis("zones.yaml", (zone_id, "basis"), z.basis, documents)
            out[zone_id] = Zone(
                zone_id,
                _text(z.name),
                z.kind,
                tuple(members),
                basis,
                self.loc("zones.yaml", (zone_id,)),
            )
        return out

    def parameters(self) -> dict[str, Parameter]:
        out: dict[str, Parameter] = {}
        folder = self.root / "parameters"
        adapter = TypeAdapter(dict[schema.Id, schema.ParameterIn])
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            rel = path.relative_to(self.root).as_posix()
            data = self.read(rel, adapter)
            for pid, p in (data or {}).items():
                if pid in out:
                    self.problem(
                        rel,
                        (pid,),
                        f"parameter {pid} is declared twice (first in {out[pid].location})",
                    )
                    continue
                places = {}
                for code, values in p.values.items():
                    place = self.place(rel, (pid, "values", code), code)
                    if not place:
                        continue
                    vals = []
                    for i, val in enumerate(values):
                        vpath = (pid, "values", code, i)
                        if val.to and val.from_ and val.to < val.from_:
                            self.problem(rel, (*vpath, "to"), "'to' before 'from'")
                        if val.undated and val.from_:
                            self.problem(rel, vpath, "an undated value cannot have 'from'")
                        vals.append(
                            ParamValue(
                                val.value,
                                val.reference,
                                val.confidence,
                                val.from_,
                                val.to,
                                val.undated,
                                val.note,
                                self.loc(rel, vpath),
                            )
                        )
                    self._check_overlaps(rel, (pid, "values", code), vals)
                    places[place] = tuple(vals)
                out[pid] = Parameter(
                    pid, _text(p.description), p.unit, places, self.loc(rel, (pid,))
                )
        return out

    def _check_overlaps(self, rel: str, path: tuple, vals: list[ParamValue]) -> None:
        import datetime as dt

        dated = [v for v in vals if not v.undated]
        lo_d, hi_d = dt.date.min, dt.date.max
        for i, a in enumerate(dated):
            for b in dated[i + 1 :]:
                if (a.start or lo_d) <= (b.end or hi_d) and (b.start or lo_d) <= (a.end or hi_d):
                    self.problem(
                        rel,
                        path,
                        "two values overlap in time; give each its "
                        "'from' and 'to' so exactly one applies on any date",
                    )
        if sum(v.undated for v in vals) > 1:
            self.problem(rel, path, "more than one undated value")

    def rules(self, documents, zones, parameters) -> list[Rule]:
        from tongcheng.situation import Situation  # the vocabulary rules are written in

        roots = checking.fields_of(Situation)
        roots["as_of"] = checking.SCALAR
        folder = self.root / "rules"
        adapter = TypeAdapter(list[schema.RuleIn])
        out: list[Rule] = []
        seen: dict[str, Location] = {}
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            rel = path.relative_to(self.root).as_posix()
            for i, r in enumerate(self.read(rel, adapter) or []):
                where = self.loc(rel, (i,))
                if r.id in seen:
                    self.problem(
                        rel, (i, "id"), f"rule {r.id} is defined twice (first at {seen[r.id]})"
                    )
                    continue
                seen[r.id] = where
                rule = _RuleCompiler(self, rel, (i,), roots, documents, zones, parameters)
                compiled = rule.compile(r, where)
                if compiled:
                    out.append(compiled)
        if not out and not self.problems:
            self.problems.append((Location("rules/"), "the pack has no rules"))
        return out


class _RuleCompiler:
    def __init__(
        self, loader: _Loader, file: str, path: tuple, roots, documents, zones, parameters
    ) -> None:
        self.l, self.file, self.path = loader, file, path
        self.roots, self.documents, self.zones = roots, documents, zones
        self.parameters = parameters
        self.let_types: dict[str, checking.T] = {}
        self.ok = True

    def err(self, sub: tuple, message: str, line: int | None = None) -> None:
        self.ok = False
        self.l.problem(self.file, (*self.path, *sub), message, line)

    def clause(self, sub: tuple, name: str, label: Text, text: str) -> Clause | None:
        base_line = yamlio.line_of(self.l.lines.get(self.file, {}), (*self.path, *sub))
        try:
            node = parse(text)
        except ExprSyntaxError as e:
            line = (base_line or 0) + e.line - 1 + (1 if "\n" in text.strip() else 0)
            self.err(
                sub,
                f"{_loc_str(sub)}: {e} (column {e.column} of the expression)",
                line if base_line else None,
            )
            return None
        _, problems = checking.check(
            node,
            roots=self.roots,
            lets=self.let_types,
            parameters=frozenset(self.parameters),
            zones=frozenset(self.zones),
        )
        for p in problems:
            line = (base_line or 0) + p.pos.line - 1 + (1 if "\n" in text.strip() else 0)
            self.err(sub, f"{_loc_str(sub)}: {p.message}", line if base_line else None)
        return Clause(name, label, text.strip(), node, self.l.loc(self.file, (*self.path, *sub)))

    def value_clause(self, sub: tuple, name: str, raw: str | schema.ValueClauseIn) -> Clause | None:
        if isinstance(raw, str):
            return self.clause(sub, name, Text(name, name), raw)
        label = _text(raw.label) if raw.label else Text(name, name)
        return self.clause((*sub, "expr"), name, label, raw.expr)

    def clauses(self, sub: tuple, prefix: str, items: list[schema.ClauseIn]) -> tuple[Clause, ...]:
        out = []
        for i, c in enumerate(items):
            clause = self.clause((*sub, i, "when"), f"{prefix}[{i}]", _text(c.label), c.when)
            if clause:
                out.append(clause)
        return tuple(out)

    def lets(self, r: schema.RuleIn) -> tuple[Clause, ...]:
        # Order definitions so each is checked after the ones it uses; refuse cycles.
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
                self.err(
                    ("let", name),
                    f"definitions refer to each other in a cycle: {' -> '.join([*chain, name])}",
                )
                return
            state[name] = 1
            for used in sorted(checking.let_names(parsed[name]) & set(parsed)):
                visit(used, [*chain, name])
            state[name] = 2
            order.append(name)

        for name in parsed:
            visit(name, [])
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
                )
                self.let_types[name] = t
                out.append(clause)
        return tuple(out)

    def compile(self, r: schema.RuleIn, where: Location) -> Rule | None:
        refs = []
        for i, z in enumerate(r.zones):
            zone = self.zones.get(z.zone)
            if zone is None:
                self.err(("zones", i, "zone"), f"unknown zone {z.zone!r}: define it in zones.yaml")
                continue
            refs.append(ZoneRef(zone, z.from_, z.to))
        start = (
            r.in_force.from_
            if r.in_force and r.in_force.from_
            else (min(z.start for z in refs) if refs else None)
        )
        end = r.in_force.to if r.in_force else None
        for name in r.let:
            if name in self.roots or name == "item":
                self.err(("let", name), f"definition {name!r} hides a situation field")
        lets = self.lets(r)
        scope = self.clauses(("scope",), "scope", r.scope)
        conditions = self.clauses(("conditions",), "conditions", r.conditions)
        outcome = tuple(
            c
            for name, raw in r.outcome.items()
            if (c := self.value_clause(("outcome", name), name, raw))
        )
        basis = self.l.basis(self.file, (*self.path, "basis"), r.basis, self.documents)
        exceptions = []
        labels = [e.label for e in r.exceptions]
        for i, e in enumerate(r.exceptions):
            sub = ("exceptions", i)
            if labels.count(e.label) > 1:
                self.err((*sub, "label"), f"exception label {e.label!r} is used twice")
            for o in e.overrides:
                if o not in labels or o == e.label:
                    self.err(
                        (*sub, "overrides"),
                        f"overrides {o!r}, which is not another exception of this rule",
                    )
            exceptions.append(
                RuleException(
                    e.label,
                    _text(e.title),
                    self.clauses((*sub, "applies"), f"{e.label}.applies", e.applies),
                    self.clauses((*sub, "conditions"), f"{e.label}.conditions", e.conditions)
                    if e.conditions is not None
                    else None,
                    tuple(
                        c
                        for name, raw in e.outcome.items()
                        if (c := self.value_clause((*sub, "outcome", name), name, raw))
                    ),
                    self.l.basis(self.file, (*self.path, *sub, "basis"), e.basis, self.documents),
                    tuple(e.overrides),
                    self.l.loc(self.file, (*self.path, *sub)),
                )
            )
        for field, facts in r.monotonic.items():
            if field not in r.outcome:
                self.err(("monotonic", field), f"{field!r} is not an outcome field")
            for fact in facts:
                if fact.split(".")[0] not in self.roots:
                    self.err(("monotonic", field), f"{fact!r} is not a situation path")
        if not self.ok:
            return None
        return Rule(
            r.id,
            _text(r.title),
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
            _text(r.reading) if r.reading else None,
            tuple(exceptions),
            where,
            {k: tuple(v) for k, v in r.monotonic.items()},
        )


def _text(t: schema.TextIn) -> Text:
    return Text(t.zh, t.en)


_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub("", text)


def _plain_message(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key; check the spelling against the rule-pack format"
    if kind == "missing":
        return "required key is missing"
    return str(err.get("msg", "invalid"))


def load_pack(path: str | Path | None = None, *, registry: PlaceRegistry | None = None) -> RulePack:
    """Load and compile a rule pack (the bundled one by default). Raises PackError."""
    root = Path(path) if path is not None else bundled_pack_path()
    return _Loader(root, registry or default_registry()).load()
