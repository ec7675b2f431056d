"""Load a rule-pack folder: read, validate and compile everything, or report every problem.

A pack is a folder::

    pack.yaml            name, version
    documents.yaml       the documents rules cite
    zones.yaml           zones and their dated members
    parameters/*.yaml    dated city parameters, each value with a reference and a confidence
    rules/*.yaml         rules: scope, conditions, outcome, basis, exceptions
    sources/*.md         texts of cited documents; quotes are checked against them

Problems are collected across all files and raised together as one PackError, each with its
file and line, so a rule author fixes a pack in one pass. A pack is data from anyone: its files
are read through ``yamlio``'s guards (aliases, nesting, tags, size, UTF-8), only files inside the
pack are read (``documents.yaml`` names texts inside ``sources/``; a link out of the pack is
refused), and every expression is typed and its literals checked here, never at evaluation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from tongcheng import yamlio
from tongcheng.errors import Location, PackError, PackProblem
from tongcheng.expr import ast, kinds, unparse
from tongcheng.expr import check as checking
from tongcheng.pack import schema
from tongcheng.pack.model import (
    Announced,
    Basis,
    Document,
    Membership,
    PackInfo,
    Parameter,
    ParamValue,
    Rule,
    RulePack,
    ServiceItem,
    Text,
    Zone,
)
from tongcheng.pack.rule_compiler import RuleCompiler, loc_str, text_of
from tongcheng.pack.schema_words import said
from tongcheng.pack.terms import outcome_texts
from tongcheng.pack.words import OUTSIDE, TO_BEFORE_FROM, cannot_read, place_words
from tongcheng.places import PlaceRegistry, default_registry


def bundled_pack_path() -> Path:
    """The rule pack shipped with tongcheng (inside the installed package, or the repo's rules/)."""
    packaged = Path(str(files("tongcheng"))) / "rules"
    if (packaged / "pack.yaml").is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "rules"


def pack_digest(root: Path) -> str:
    """sha256 of the pack's files. Its test cases (``tests/``) decide nothing: a test added
    leaves the digest, and so every stored answer's provenance, unchanged."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") or part == "__pycache__" for part in rel.split("/")) or \
                rel.startswith("tests/"):
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()


class _Loader:
    # Entry schemas and whether a pack needs rules: an overlay (pack/overlay.py) loads its
    # folder with this loader, its own schemas and no rule required.
    parameter_schema: type = schema.ParameterIn
    rule_schema: type = schema.RuleIn
    needs_rules = True

    def __init__(self, root: Path, registry: PlaceRegistry) -> None:
        self.root = root
        self.registry = registry
        self.problems: list[PackProblem] = []
        self.lines: dict[str, dict] = {}
        # Ids whose entries were invalid (already reported): references to them stay quiet.
        self.bad_documents: set[str] = set()
        self.bad_zones: set[str] = set()
        self.bad_parameters: set[str] = set()
        self.sources: dict[str, str | None] = {}  # sources/ texts read so far (None: unreadable)

    # -- reporting ---------------------------------------------------------------------------

    def problem(self, file: str, path: tuple, message: str, zh: str,
                line: int | None = None) -> None:
        """A problem at ``path`` in ``file`` (its line looked up unless given), in English and
        Chinese."""
        if line is None:
            line = yamlio.line_of(self.lines.get(file, {}), path)
        self.problems.append(PackProblem(Location(file, line), message, zh))

    def loc(self, file: str, path: tuple) -> Location:
        return Location(file, yamlio.line_of(self.lines.get(file, {}), path))

    def rel(self, path: Path) -> str:
        """How a file of the pack is named in locations: relative to the pack."""
        return path.relative_to(self.root).as_posix()

    def source_dir(self, doc_id: str) -> Path:
        """The folder holding a cited document's text (an overlay's own, for its documents)."""
        return self.root / "sources"

    # -- reading -----------------------------------------------------------------------------

    def inside(self, path: Path, folder: Path | None = None) -> bool:
        """Whether ``path`` (links followed) lies inside ``folder`` (default: the pack)."""
        try:
            path.resolve().relative_to((folder or self.root).resolve())
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def _load(self, rel: str, required: bool) -> tuple[bool, Any]:
        path = self.root / rel
        if not path.is_file():
            if required:
                self.problems.append(PackProblem(Location(rel), f"missing file {rel} in the "
                                                 f"rule pack", f"规则包中缺少文件 {rel}"))
            return False, None
        if not self.inside(path):
            self.problems.append(PackProblem(Location(rel), *OUTSIDE))
            return False, None
        try:
            data, lines = yamlio.load_file(path)
        except yamlio.YamlSyntaxError as e:
            self.problems.append(PackProblem(Location(rel, e.line, e.column), str(e), e.zh))
            return False, None
        except OSError as e:
            self.problems.append(PackProblem(Location(rel), *cannot_read(e)))
            return False, None
        self.lines[rel] = lines
        return True, data

    def sourcetext_of(self, path: Path) -> str | None:
        """The text of a cited document (read once; a problem reported once when unreadable)."""
        key = str(path)
        if key not in self.sources:
            try:
                self.sources[key] = yamlio.decode(yamlio.read_bytes(path))
            except yamlio.YamlSyntaxError as e:
                self.problems.append(PackProblem(Location(self.rel(path), e.line, e.column),
                                                 str(e), e.zh))
                self.sources[key] = None
            except OSError as e:
                self.problems.append(PackProblem(Location(self.rel(path)), *cannot_read(e)))
                self.sources[key] = None
        return self.sources[key]

    def _validate(self, rel: str, adapter: TypeAdapter, data: Any, prefix: tuple = ()) -> Any:
        try:
            return adapter.validate_python(data)
        except ValidationError as e:
            for err in e.errors():
                # Drop pydantic's union-branch tags (e.g. 'str', 'ValueClauseIn') from paths.
                clean = prefix + tuple(
                    p for p in err["loc"]
                    if isinstance(p, int)
                    or (not p[:1].isupper() and p not in _UNION_TAGS)
                )
                where = loc_str(clean)
                en, zh = said(err)
                self.problem(rel, clean, f"{where}: {en}" if where else en,
                             f"{where}:{zh}" if where else zh)
            return None

    def read(self, rel: str, adapter: TypeAdapter, required: bool = True) -> Any:
        """A file holding one object (pack.yaml, services.yaml)."""
        ok, data = self._load(rel, required)
        return self._validate(rel, adapter, data) if ok else None

    def read_entries(self, rel: str, entry: TypeAdapter, *, as_list: bool = False,
                     required: bool = True) -> tuple[dict[Any, Any], set[str]]:
        """A file of entries (a mapping by id, or a list of rules), each validated on its own.

        One bad entry is reported once and left out; its id is returned among the known-bad
        ones, so references to it are not reported again as unknown.
        """
        ok, data = self._load(rel, required)
        if not ok or data is None:
            return {}, set()
        if as_list and not isinstance(data, list):
            self.problem(rel, (), "expected a list of rules (each starting with '- id: ...')",
                         "应为规则的列表(每条以 '- id: ...' 开头)")
            return {}, set()
        if not as_list and not isinstance(data, dict):
            self.problem(rel, (), "expected a mapping of entries by id",
                         "应为以编号为键的条目映射")
            return {}, set()
        good: dict[Any, Any] = {}
        bad: set[str] = set()
        pairs = list(enumerate(data)) if as_list else list(data.items())
        for key, raw in pairs:
            label = raw.get("id") if as_list and isinstance(raw, dict) else key
            if not as_list and not _ID.fullmatch(str(key)):
                self.problem(rel, (key,), f"{key!r} is not an id (lower case words joined by "
                             "'.' or '_')",
                             f"{key!r} 不是编号(应为小写英文单词,以 '.' 或 '_' 连接)")
                bad.add(str(key))
                continue
            value = self._validate(rel, entry, raw, (key,))
            if value is None:
                bad.add(str(label))
            else:
                good[key] = value
        return good, bad

    # -- places ------------------------------------------------------------------------------

    def literal_place(self, value: object) -> tuple[str, str] | None:
        """The problem with a place code written in an expression (English, Chinese), or None
        when it is known."""
        if isinstance(value, bool) or not isinstance(value, str | int):
            written = unparse(ast.Literal(value))  # as the rule writes it: true, null, 1.5
            return (f"expected a six-digit place code in quotes, got {written}",
                    f"应为加引号的六位地区代码,实际为 {written}")
        try:
            self.registry.get(self.registry.normalise(value))
        except ValueError as e:
            return str(e), place_words(e, value)
        return None

    def place(self, file: str, path: tuple, code: Any) -> str | None:
        try:
            return self.registry.resolve(self.registry.normalise(code))
        except ValueError as e:
            where = loc_str(path)
            self.problem(file, path, f"{where}: {e}", f"{where}:{place_words(e, code)}")
            return None

    # -- load --------------------------------------------------------------------------------

    def load(self) -> RulePack:
        if not self.root.is_dir():
            raise PackError([PackProblem(Location(str(self.root)), "no such rule-pack folder",
                                         "没有这个规则包文件夹")])
        for path in sorted(self.root.rglob("*")):
            if path.is_symlink() and not self.inside(path):
                self.problems.append(PackProblem(
                    Location(path.relative_to(self.root).as_posix()), *OUTSIDE))
        info_in = self.read("pack.yaml", TypeAdapter(schema.PackFile))
        docs_in, self.bad_documents = self.read_entries("documents.yaml",
                                                        TypeAdapter(schema.DocumentIn))
        zones_in, self.bad_zones = self.read_entries("zones.yaml", TypeAdapter(schema.ZoneIn))
        documents = self.documents(docs_in)
        zones = self.zones(zones_in, documents)
        parameters = self.parameters()
        services, announced = self.services(documents, zones)
        rules = self.rules(documents, zones, parameters)
        terms = self.terms(rules)
        if self.problems:
            raise PackError(self.problems)
        assert info_in is not None
        info = PackInfo(
            info_in.name,
            info_in.version,
            pack_digest(self.root),
            text_of(info_in.description) if info_in.description else None,
            terms,
        )
        return RulePack(info, str(self.root), tuple(rules), zones, parameters, documents,
                        services, announced)

    def services(self, documents, zones) -> tuple[tuple[ServiceItem, ...], tuple[Announced, ...]]:
        data = self.read("services.yaml", TypeAdapter(schema.ServicesFile), required=False)
        if data is None:
            return (), ()
        items: list[ServiceItem] = []
        seen: set[str] = set()
        for i, it in enumerate(data.items):
            path = ("items", i)
            if it.zone not in zones and it.zone not in self.bad_zones:
                self.problem("services.yaml", (*path, "zone"), f"unknown zone {it.zone!r}",
                             f"未知的区域 {it.zone!r}")
            if it.id in seen:
                self.problem("services.yaml", (*path, "id"), f"service item {it.id} listed twice",
                             f"政务服务事项 {it.id} 列出了两次")
            seen.add(it.id)
            basis = self.basis("services.yaml", (*path, "basis"), it.basis, documents)
            items.append(ServiceItem(it.id, text_of(it.name), it.zone, it.from_, it.channel, basis,
                                     self.loc("services.yaml", path), it.note))
        announced = []
        for zone_id, a in data.announced.items():
            if zone_id not in zones and zone_id not in self.bad_zones:
                self.problem("services.yaml", ("announced", zone_id), f"unknown zone {zone_id!r}",
                             f"未知的区域 {zone_id!r}")
            basis = self.basis("services.yaml", ("announced", zone_id, "basis"), a.basis,
                               documents)
            announced.append(Announced(zone_id, a.count, a.at_least, basis, a.from_,
                                       a.confidence))
        return tuple(items), tuple(announced)

    def terms(self, rules: list[Rule]) -> dict[str, Text]:
        """terms.yaml; in a pack that has one, every text an outcome gives must be a term."""
        if not (self.root / "terms.yaml").is_file():
            return {}
        data = self.read("terms.yaml", TypeAdapter(schema.TermsFile), required=False)
        terms = {code: text_of(t) for code, t in data.terms.items()} if data else {}
        for rule in rules:
            clauses = [*rule.outcome, *(c for e in rule.exceptions for c in e.outcome)]
            for clause in clauses:
                for lit in outcome_texts(clause.expr):
                    if lit.value not in terms:
                        self.problems.append(PackProblem(clause.location, (
                            f"{rule.id}: outcome {clause.name} gives the text {lit.value!r}, "
                            "which is not a term: give a code and its words in terms.yaml "
                            "({zh, en}), so each language shows its own"), (
                            f"{rule.id}:结果项 {clause.name} 给出文本 {lit.value!r},它不是术语:"
                            "请在 terms.yaml 中给出代码及其中英文({zh, en}),"
                            "让每种语言显示各自的文字")))
        return terms

    def documents(self, docs_in: dict[str, schema.DocumentIn]) -> dict[str, Document]:
        out = {}
        for doc_id, d in docs_in.items():
            folder = self.source_dir(doc_id)
            if d.file and not self.inside(folder / d.file, folder):
                self.problem("documents.yaml", (doc_id, "file"),
                             f"{doc_id}.file: {d.file!r} is not inside the pack's sources/ "
                             "folder: name a text in sources/ (e.g. 'my-document.md')",
                             f"{doc_id}.file:{d.file!r} 不在规则包的 sources/ 文件夹内:"
                             "请给出 sources/ 中的原文文件(如 'my-document.md')")
                self.bad_documents.add(doc_id)
                continue
            if d.file and not (folder / d.file).is_file():
                self.problem(
                    "documents.yaml",
                    (doc_id, "file"),
                    f"{doc_id}.file: no such text sources/{d.file} in the pack",
                    f"{doc_id}.file:规则包中没有原文文件 sources/{d.file}",
                )
            out[doc_id] = Document(
                doc_id, _phrase(d.title), _phrase(d.issuer) if d.issuer else None, d.issued,
                d.kind, d.number, d.file, d.url, d.note
            )
        return out

    def basis(
        self, file: str, path: tuple, items: list[schema.BasisIn], documents: dict[str, Document]
    ) -> tuple[Basis, ...]:
        out = []
        for i, b in enumerate(items):
            doc = documents.get(b.document)
            if doc is None:
                if b.document not in self.bad_documents:
                    self.problem(file, (*path, i, "document"),
                                 f"unknown document {b.document!r}: add it to documents.yaml",
                                 f"未知的文件 {b.document!r}:请把它加入 documents.yaml")
                continue
            source = self.source_dir(doc.id) / doc.file if b.quote and doc.file else None
            if source is not None and source.is_file():
                text = self.sourcetext_of(source)
                if text is not None and _norm(b.quote) not in _norm(text):
                    self.problem(
                        file,
                        (*path, i, "quote"),
                        f"the quote is not in sources/{doc.file} word for word; "
                        "copy the sentence exactly",
                        f"引文 'quote' 与 sources/{doc.file} 中的原文不一致;请逐字照抄原句",
                    )
            if not b.quote and doc.kind == "official" and doc.file:
                self.problem(
                    file,
                    (*path, i),
                    "a basis in an official text at hand needs the quoted sentence ('quote')",
                    "依据是一份有原文在手的正式文件,须给出引用的原句('quote')",
                )
            out.append(
                Basis(
                    doc,
                    b.article,
                    b.quote,
                    text_of(b.reading) if b.reading else None,
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
                if m.basis and m.basis not in documents and m.basis not in self.bad_documents:
                    self.problem(
                        "zones.yaml",
                        (zone_id, "members", i, "basis"),
                        f"unknown document {m.basis!r}",
                        f"未知的文件 {m.basis!r}",
                    )
                if m.to and m.to < m.from_:
                    self.problem("zones.yaml", (zone_id, "members", i, "to"), *TO_BEFORE_FROM)
                if code:
                    members.append(Membership(code, m.from_, m.to, m.basis))
            basis = self.basis("zones.yaml", (zone_id, "basis"), z.basis, documents)
            out[zone_id] = Zone(
                zone_id,
                text_of(z.name),
                z.kind,
                tuple(members),
                basis,
                self.loc("zones.yaml", (zone_id,)),
            )
        return out

    def parameters(self) -> dict[str, Parameter]:
        out: dict[str, Parameter] = {}
        folder = self.root / "parameters"
        adapter = TypeAdapter(self.parameter_schema)
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            rel = self.rel(path)
            data, bad = self.read_entries(rel, adapter)
            self.bad_parameters |= bad
            for pid, p in data.items():
                if pid in out:
                    self.problem(
                        rel,
                        (pid,),
                        f"parameter {pid} is declared twice (first in {out[pid].location})",
                        f"参数 {pid} 声明了两次(第一次在 {out[pid].location})",
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
                            self.problem(rel, (*vpath, "to"), *TO_BEFORE_FROM)
                        if val.undated and val.from_:
                            self.problem(rel, vpath, "an undated value cannot have 'from'",
                                         "未注明日期的值(undated)不能有 'from'")
                        if not _finite(val.value):
                            self.problem(rel, (*vpath, "value"), "a value that is not a finite "
                                         "number (NaN or infinity): write the number, or leave "
                                         "the place without values if it is unknown",
                                         "值不是有限的数(NaN 或无穷大):请写出这个数;若不知道,"
                                         "该地区就不给值")
                            continue
                        vals.append(
                            ParamValue(
                                _exact(val.value),
                                _citation(val.reference),
                                val.confidence,
                                val.from_,
                                val.to,
                                val.undated,
                                _citation(val.note) if val.note else None,
                                self.loc(rel, vpath),
                            )
                        )
                    self._check_overlaps(rel, (pid, "values", code), vals)
                    places[place] = tuple(vals)
                out[pid] = Parameter(  # no description: an overlay's amendment (pack/overlay.py)
                    pid, text_of(p.description) if p.description else None, p.unit, places,
                    self.loc(rel, (pid,))
                )
        return out

    def _check_overlaps(self, rel: str, path: tuple, vals: list[ParamValue]) -> None:
        lo_d, hi_d = dt.date.min, dt.date.max

        def span(v: ParamValue, lang: str = "en") -> str:
            line = f"第 {v.location.line} 行" if lang == "zh" else f"line {v.location.line}"
            return f"{v.start or '…'} – {v.end or '…'} ({line})"

        dated = [v for v in vals if not v.undated]
        for i, a in enumerate(dated):
            for b in dated[i + 1 :]:
                if (a.start or lo_d) <= (b.end or hi_d) and (b.start or lo_d) <= (a.end or hi_d):
                    later = b if (b.location.line or 0) >= (a.location.line or 0) else a
                    self.problems.append(PackProblem(later.location, (
                        f"values {span(a)} and {span(b)} overlap in time; give each its "
                        "'from' and 'to' so exactly one applies on any date"), (
                        f"值 {span(a, 'zh')} 与 {span(b, 'zh')} 的时间重叠;请给每个值写明 'from' "
                        "和 'to',使任一日期恰有一个值适用")))
        if sum(v.undated for v in vals) > 1:
            self.problem(rel, path, "more than one undated value",
                         "未注明日期的值(undated)多于一个")

    def rules(self, documents, zones, parameters) -> list[Rule]:
        from tongcheng.situation import Situation  # the vocabulary rules are written in

        roots = checking.fields_of(Situation)
        roots["as_of"] = checking.plain(kinds.DATE)
        folder = self.root / "rules"
        adapter = TypeAdapter(self.rule_schema)
        out: list[Rule] = []
        seen: dict[str, Location] = {}
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            rel = self.rel(path)
            entries, _ = self.read_entries(rel, adapter, as_list=True)
            for i, r in entries.items():
                where = self.loc(rel, (i,))
                if r.id in seen:
                    self.problem(rel, (i, "id"), f"rule {r.id} is defined twice (first at "
                                 f"{seen[r.id]})", f"规则 {r.id} 定义了两次(第一次在 {seen[r.id]})")
                    continue
                seen[r.id] = where
                rule = RuleCompiler(self, rel, (i,), roots, documents, zones, parameters)
                compiled = rule.compile(r, where)
                if compiled:
                    out.append(compiled)
        if not out and not self.problems and self.needs_rules:
            self.problems.append(PackProblem(Location("rules/"), "the pack has no rules",
                                             "规则包中没有规则"))
        return out


def _finite(value: Any) -> bool:
    """No NaN or infinity anywhere in a parameter value."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def _exact(value: Any) -> Any:
    """Parameter values with floats read as exact decimals (0.6 stays 0.6)."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return value


def _phrase(t: str | schema.TextIn) -> Text:
    """A title or name: the same words in both languages when given once."""
    return Text(t, t) if isinstance(t, str) else text_of(t)


def _citation(t: str | schema.TextIn) -> str | Text:
    """A reference or note: a citation (one string) or prose in both languages."""
    return t if isinstance(t, str) else text_of(t)


# pydantic's tags of a union's branches, not keys of the file (capitalised ones are models)
_UNION_TAGS = ("str", "int", "function-after", "constrained-str")
_WS = re.compile(r"\s+")
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def _norm(text: str) -> str:
    return _WS.sub("", text)


def load_pack(path: str | Path | None = None, *, registry: PlaceRegistry | None = None,
              overlays: Sequence[str | Path] = ()) -> RulePack:
    """Load and compile a rule pack (the bundled one by default), with ``overlays`` layered on
    it in order (pack/overlay.py). Raises PackError."""
    root = Path(path) if path is not None else bundled_pack_path()
    pack = _Loader(root, registry or default_registry()).load()
    if overlays:
        from tongcheng.pack.overlay import layer

        pack = layer(pack, overlays, registry or default_registry())
    return pack
