"""City overlays: a deployment's own files layered on a rule pack instead of a fork of it.

An overlay is a folder like a pack, every file optional but ``overlay.yaml``::

    overlay.yaml         name, version, description
    documents.yaml       documents it adds (with their texts in sources/)
    zones.yaml           zones it adds, or members it adds to a zone of the pack below
    parameters/*.yaml    parameters it adds; values for places of a parameter below; with
                         ``replace: [places]`` the values it puts in place of those below
    rules/*.yaml         rules it adds; ``replace: true`` on a rule puts it in place of the
                         rule of that id below
    sources/*.md         texts of the documents it adds (quotes are checked against them)

``layer(pack, [overlay, ...])`` loads each overlay with the pack loader (every problem with its
file and line) against the stack below it and merges: the result is one compiled ``RulePack``
whose ``info.digest`` is the stack's digest, so every evaluation, screening and report names the
exact stack that made it. Nothing is overridden silently: adding is free, replacing must be said
(``replace``), and whatever else meets something below — a document or zone id defined again, a
rule id without ``replace``, a dated value overlapping one below — is a conflict: the overlay is
refused with its file and line and the place below it meets. ``RulePack.layers`` records what
each overlay adds, replaces, extends or fills (``tongcheng lint`` lists it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
from pydantic import Field, TypeAdapter

from tongcheng.errors import Location, PackError, PackProblem
from tongcheng.pack import schema
from tongcheng.pack.loader import _Loader, pack_digest
from tongcheng.pack.model import (
    Document,
    Layer,
    LayerChange,
    Membership,
    PackInfo,
    Parameter,
    ParamValue,
    Rule,
    RulePack,
    Zone,
)
from tongcheng.pack.rule_compiler import text_of
from tongcheng.places import PlaceRegistry, default_registry

NOT_IN_AN_OVERLAY = {  # file: what it holds (English, Chinese)
    "services.yaml": ("service items", "政务服务事项"),
    "triggers.yaml": ("triggers", "触发器"),
    "catalogue.yaml": ("the treatment catalogue", "待遇目录"),
}


# --- the overlay's file formats --------------------------------------------------------------


class OverlayFile(schema._Strict):
    """``overlay.yaml``: the overlay's name and version."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                      description="letters, digits, '-', '_' and '.': it is written after a '+' "
                      "in the stack's version")
    version: str = Field(min_length=1)
    description: schema.TextIn | None = None


class ParameterOverlayIn(schema.ParameterIn):
    """A parameter entry of an overlay: a new parameter (description required), or values for
    places of one below (description and unit are the pack's)."""

    description: schema.TextIn | None = None  # type: ignore[assignment]
    replace: list[str | int] = Field(
        default_factory=list,
        description="places whose values below are replaced by the values given here",
    )


class RuleOverlayIn(schema.RuleIn):
    """A rule of an overlay; ``replace: true`` puts it in place of the rule of that id below."""

    replace: bool = False


class ZoneAmendIn(schema._Strict):
    """Members an overlay adds to a zone of the pack below, with the basis that admits them."""

    members: list[schema.MemberIn] = Field(min_length=1)
    basis: list[schema.BasisIn] = Field(default_factory=list)


# --- loading one overlay ---------------------------------------------------------------------


class _OverlayLoader(_Loader):
    """The pack loader on an overlay folder: its files named by their full path, its references
    resolved against the stack below, its changes recorded."""

    parameter_schema = ParameterOverlayIn
    rule_schema = RuleOverlayIn
    needs_rules = False

    def __init__(self, root: Path, registry: PlaceRegistry, below: RulePack,
                 doc_dirs: dict[str, Path]) -> None:
        super().__init__(root.resolve(), registry)
        self.below = below
        self.doc_dirs = doc_dirs  # where the texts of the documents below are
        self.validated: dict[str, dict[Any, Any]] = {}
        self.changes: list[LayerChange] = []

    def rel(self, path: Path) -> str:
        return str(path)

    def file(self, name: str) -> str:
        return str(self.root / name)

    def source_dir(self, doc_id: str) -> Path:
        return self.doc_dirs.get(doc_id, self.root / "sources")

    def below_at(self, where: Location | None) -> str:
        """A location in the stack below, with its pack's folder (overlays' are absolute)."""
        if where is None:
            return "?"
        return str(where) if Path(where.file).is_absolute() else str(
            Location(str(Path(self.below.root) / where.file), where.line))

    def read_entries(self, rel, entry, *, as_list=False, required=True):
        good, bad = super().read_entries(rel, entry, as_list=as_list, required=required)
        self.validated[rel] = good
        return good, bad

    def change(self, action: str, kind: str, id_: str, where: Location,
               below: Location | None = None) -> None:
        self.changes.append(LayerChange(action, kind, id_, where, below))

    def conflict(self, where: Location, message: str, zh: str) -> None:
        """The overlay meets something below it, in English and Chinese."""
        self.problems.append(PackProblem(where, message, zh))

    # -- the overlay, file by file ---------------------------------------------------------

    def load_overlay(self) -> tuple[PackInfo, RulePack]:
        if not self.root.is_dir():
            raise PackError([PackProblem(Location(str(self.root)), "no such overlay folder",
                                         "没有这个叠加层文件夹")])
        if (self.root / "pack.yaml").is_file():
            raise PackError([PackProblem(
                Location(self.file("pack.yaml")),
                "this folder is a rule pack, not an overlay: give it as --pack; an overlay has "
                "overlay.yaml and only what it adds or replaces",
                "这个文件夹是规则包,不是叠加层:请用 --pack 给出;叠加层只有 overlay.yaml "
                "和它增加或替换的内容")])
        for name, (what, what_zh) in NOT_IN_AN_OVERLAY.items():
            if (self.root / name).is_file():
                self.problems.append(PackProblem(
                    Location(self.file(name)),
                    f"an overlay cannot change {what}; change the pack itself",
                    f"叠加层不能改动{what_zh};请修改规则包本身"))
        info_in = self.read(self.file("overlay.yaml"), TypeAdapter(OverlayFile))
        documents = self.overlay_documents()
        zones = self.overlay_zones(documents)
        parameters = self.overlay_parameters()
        rules = self.overlay_rules(documents, zones, parameters)
        if self.problems:
            raise PackError(self.problems)
        assert info_in is not None
        info = PackInfo(info_in.name, info_in.version, pack_digest(self.root),
                        text_of(info_in.description) if info_in.description else None)
        relinked = tuple(_relink(r, zones) for r in rules)
        pack = attrs.evolve(self.below, rules=relinked, zones=zones, parameters=parameters,
                            documents=documents)
        return info, pack

    def overlay_documents(self) -> dict[str, Document]:
        rel = self.file("documents.yaml")
        docs_in, self.bad_documents = self.read_entries(
            rel, TypeAdapter(schema.DocumentIn), required=False)
        below = self.below.documents
        fresh = {}
        for doc_id, d in docs_in.items():
            if doc_id in below:
                self.conflict(self.loc(rel, (doc_id,)),
                              f"document {doc_id} is already defined below; an overlay adds "
                              "documents and never redefines one: give yours its own id",
                              f"文件 {doc_id} 在下层已有定义;叠加层只能增加文件,不能重新定义:"
                              "请给你的文件另起一个编号")
                continue
            fresh[doc_id] = d
            self.change("adds", "document", doc_id, self.loc(rel, (doc_id,)))
        return {**below, **self.documents(fresh)}

    def overlay_zones(self, documents: dict[str, Document]) -> dict[str, Zone]:
        rel = self.file("zones.yaml")
        ok, data = self._load(rel, False)
        zones = dict(self.below.zones)
        if not ok or data is None:
            return zones
        if not isinstance(data, dict):
            self.problem(rel, (), "expected a mapping of zones by id",
                         "应为以编号为键的区域映射")
            return zones
        new_in: dict[str, schema.ZoneIn] = {}
        for zone_id, raw in data.items():
            if zone_id not in zones:
                z = self._validate(rel, TypeAdapter(schema.ZoneIn), raw, (zone_id,))
                if z is None:
                    self.bad_zones.add(str(zone_id))
                else:
                    new_in[zone_id] = z
                    self.change("adds", "zone", zone_id, self.loc(rel, (zone_id,)))
                continue
            amend = self._validate(rel, TypeAdapter(ZoneAmendIn), raw, (zone_id,))
            if amend is not None:
                zones[zone_id] = self._amend_zone(rel, zones[zone_id], amend, documents)
        return {**zones, **self.zones(new_in, documents)} if new_in else zones

    def _amend_zone(self, rel: str, zone: Zone, amend: ZoneAmendIn,
                    documents: dict[str, Document]) -> Zone:
        members = list(zone.members)
        for i, m in enumerate(amend.members):
            path = (zone.id, "members", i)
            code = self.place(rel, (*path, "place"), m.place)
            if code is None:
                continue
            if m.basis and m.basis not in documents:
                self.problem(rel, (*path, "basis"), f"unknown document {m.basis!r}",
                             f"未知的文件 {m.basis!r}")
            new = Membership(code, m.from_, m.to, m.basis)
            clash = [o for o in zone.members if o.place == code and _overlap(
                (o.start, o.end), (new.start, new.end))]
            if clash:
                below = self.below_at(zone.location)
                self.conflict(self.loc(rel, path), (
                    f"{code} is already a member of zone {zone.id} from {clash[0].start} "
                    f"(the pack below, {below}); an overlay adds members, "
                    "it does not redefine them"), (
                    f"{code} 自 {clash[0].start} 起已是区域 {zone.id} 的成员(下层规则包,"
                    f"{below});叠加层只能增加成员,不能重新定义"))
                continue
            members.append(new)
            self.change("adds", "zone member", f"{zone.id}[{code}]", self.loc(rel, path),
                        zone.location)
        basis = self.basis(rel, (zone.id, "basis"), amend.basis, documents)
        return attrs.evolve(zone, members=tuple(members), basis=zone.basis + basis)

    def overlay_parameters(self) -> dict[str, Parameter]:
        mine = self.parameters()
        out = dict(self.below.parameters)
        for pid, p in mine.items():
            entry = self._entry(pid)
            rel = p.location.file
            if pid not in out:
                if p.description is None:
                    self.problem(rel, (pid, "description"),
                                 f"{pid}: a new parameter needs its description",
                                 f"{pid}:新参数须有说明 'description'")
                for code in entry.replace if entry else ():
                    self.problem(rel, (pid, "replace"),
                                 f"{pid}: replaces {code}, but the pack below has no such "
                                 "parameter", f"{pid}:要替换 {code} 的值,但下层规则包没有这个参数")
                out[pid] = p
                self.change("adds", "parameter", pid, p.location)
                continue
            out[pid] = self._amend_parameter(rel, out[pid], p, entry)
        return out

    def _entry(self, pid: str) -> ParameterOverlayIn | None:
        for entries in self.validated.values():
            if pid in entries and isinstance(entries[pid], ParameterOverlayIn):
                return entries[pid]
        return None

    def _amend_parameter(self, rel: str, below: Parameter, p: Parameter,
                         entry: ParameterOverlayIn | None) -> Parameter:
        pid = p.id
        if p.description is not None:
            self.problem(rel, (pid, "description"),
                         f"{pid} is a parameter of the pack below: its description is the "
                         "pack's; leave it out",
                         f"{pid} 是下层规则包的参数:说明以规则包的为准;请删去 'description'")
        if p.unit is not None and p.unit != below.unit:
            self.problem(rel, (pid, "unit"),
                         f"{pid} is counted in {below.unit or 'no unit'} below, not {p.unit}",
                         f"{pid} 在下层以 {below.unit!r} 为单位,不是 {p.unit!r}" if below.unit
                         else f"{pid} 在下层没有单位,不能用 {p.unit!r}")
        replace = set()
        for i, code in enumerate(entry.replace if entry else ()):
            place = self.place(rel, (pid, "replace", i), code)
            if place is None:
                continue
            if place not in p.places:
                self.problem(rel, (pid, "replace", i),
                             f"{pid}: replaces {place} but gives it no values",
                             f"{pid}:要替换 {place} 的值,却没有给出值")
            elif not below.places.get(place):
                self.problem(rel, (pid, "replace", i),
                             f"{pid}: replaces {place}, which has no values below; "
                             "give the values without 'replace'",
                             f"{pid}:要替换 {place} 的值,但它在下层没有值;"
                             "请不用 'replace',直接给出值")
            replace.add(place)
        places = dict(below.places)
        for place, values in p.places.items():
            key = f"{pid}[{place}]"
            where = self.loc(rel, (pid, "values", place))
            old = below.places.get(place)
            below_at = old[0].location if old else below.location
            if place in replace:
                self.change("replaces", "parameter place", key, where, below_at)
                places[place] = values
            elif old is None:
                self.change("adds", "parameter place", key, where)
                places[place] = values
            elif not old:
                self.change("fills", "parameter place", key, where, below_at)
                places[place] = values
            elif self._no_overlap(key, place, values, old):
                self.change("extends", "parameter place", key, where, below_at)
                places[place] = old + values
        return attrs.evolve(below, places=places)

    def _no_overlap(self, key: str, place: str, values: tuple[ParamValue, ...],
                    old: tuple[ParamValue, ...]) -> bool:
        fine = True
        for v in values:
            for o in old:
                if v.undated or o.undated or _overlap((v.start, v.end), (o.start, o.end)):
                    fine = False
                    at = self.below_at(o.location)
                    self.conflict(v.location or Location("?"), (
                        f"{key}: this value ({_span(v)}) meets the value at {at} "
                        f"({_span(o)}); to replace that place's values, list \"{place}\" under "
                        "'replace:' (the values given here then stand alone)"), (
                        f"{key}:这个值({_span(v, 'zh')})与 {at} 的值({_span(o, 'zh')})时间"
                        f"重叠;要替换该地区的值,请把 \"{place}\" 列在 'replace:' 下"
                        "(这里给出的值随即单独适用)"))
        return fine

    def overlay_rules(self, documents, zones, parameters) -> list[Rule]:
        mine = self.rules(documents, zones, parameters)
        replace = {r.id: r.replace for entries in self.validated.values()
                   for r in entries.values() if isinstance(r, RuleOverlayIn)}
        out = list(self.below.rules)
        where = {r.id: i for i, r in enumerate(out)}
        for rule in mine:
            if rule.id in where:
                old = out[where[rule.id]]
                if not replace.get(rule.id):
                    at = self.below_at(old.location)
                    self.conflict(rule.location, (
                        f"rule {rule.id} is already defined below ({at}); "
                        "to put this one in its place, add 'replace: true'"), (
                        f"规则 {rule.id} 在下层已有定义({at});要用这一条取代它,"
                        "请加上 'replace: true'"))
                    continue
                out[where[rule.id]] = rule
                self.change("replaces", "rule", rule.id, rule.location, old.location)
            else:
                if replace.get(rule.id):
                    self.conflict(rule.location, (
                        f"rule {rule.id} replaces nothing: the pack below has no rule of that "
                        "id (remove 'replace: true' to add it)"), (
                        f"规则 {rule.id} 没有可替换的对象:下层规则包没有这个编号的规则"
                        "(要新增它,请删去 'replace: true')"))
                    continue
                out.append(rule)
                self.change("adds", "rule", rule.id, rule.location)
        return out


# --- the stack -------------------------------------------------------------------------------


def layer(pack: RulePack, overlays: Sequence[str | Path],
          registry: PlaceRegistry | None = None) -> RulePack:
    """``pack`` with each overlay layered on it in order. Raises PackError (file and line)."""
    registry = registry or default_registry()
    layers = list(pack.layers) or [Layer(pack.info, pack.root)]
    doc_dirs = _document_dirs(pack)
    for path in overlays:
        loader = _OverlayLoader(Path(path), registry, pack, doc_dirs)
        info, pack = loader.load_overlay()
        for c in loader.changes:
            if c.kind == "document":
                doc_dirs[c.id] = loader.root / "sources"
        layers.append(Layer(info, str(loader.root), tuple(loader.changes)))
    return attrs.evolve(pack, info=stack_info(layers), layers=tuple(layers))


def stack_info(layers: Sequence[Layer]) -> PackInfo:
    """The stack's name and version (the base's, the overlays named after a '+') and one digest
    of the base and every overlay in order."""
    base = layers[0].info
    if len(layers) == 1:
        return base
    h = hashlib.sha256(b"tongcheng overlay stack")
    for lay in layers:
        h.update(b"\0" + lay.info.digest.encode())
    version = base.version + "".join(f"+{lay.info.name}@{lay.info.version}"
                                     for lay in layers[1:])
    return PackInfo(base.name, version, "sha256:" + h.hexdigest(), base.description)


def _document_dirs(pack: RulePack) -> dict[str, Path]:
    dirs = {doc_id: Path(pack.root) / "sources" for doc_id in pack.documents}
    for lay in pack.layers[1:]:
        for c in lay.changes:
            if c.kind == "document":
                dirs[c.id] = Path(lay.root) / "sources"
    return dirs


def _relink(rule: Rule, zones: dict[str, Zone]) -> Rule:
    """A rule whose zone references point at the stack's zones (an overlay may add members)."""
    if all(ref.zone is zones.get(ref.zone.id) for ref in rule.zones):
        return rule
    return attrs.evolve(rule, zones=tuple(
        attrs.evolve(ref, zone=zones.get(ref.zone.id, ref.zone)) for ref in rule.zones))


def _overlap(a: tuple[dt.date | None, dt.date | None],
             b: tuple[dt.date | None, dt.date | None]) -> bool:
    lo, hi = dt.date.min, dt.date.max
    return (a[0] or lo) <= (b[1] or hi) and (b[0] or lo) <= (a[1] or hi)


def _span(v: ParamValue, lang: str = "en") -> str:
    if v.undated:
        return "未注明日期" if lang == "zh" else "undated"
    return f"{v.start or '…'} – {v.end or '…'}"


def document_text(pack: RulePack, doc_id: str) -> Path | None:
    """The file holding a document's text in a pack or stack (an overlay's documents keep their
    texts in the overlay's sources/), or None when the pack has no text of it."""
    doc = pack.documents.get(doc_id)
    if doc is None or not doc.file:
        return None
    return _document_dirs(pack).get(doc_id, Path(pack.root) / "sources") / doc.file
