"""Everything the site says, gathered before any page is written (Pelican's
``generate_context``): the pages and their paths, who cites which sentence, the pack's test
cases by rule, and the places the pack names. Pages are then rendered from this alone, so every
link is known when the first page is written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from tongcheng import sourcetext
from tongcheng.pack.model import Basis, Rule, RulePack, Text, ZoneRef
from tongcheng.pack.overlay import document_text
from tongcheng.places import PlaceRegistry

KINDS = ("rule", "document", "zone", "parameter", "place")
FOLDERS = {"rule": "rules", "document": "documents", "zone": "zones", "parameter": "parameters",
           "place": "places"}


@attrs.frozen
class Citer:
    """Something that cites a sentence: a rule (or one of its exceptions), a zone, a service."""

    kind: str  # rule | zone
    key: str
    fragment: str | None
    label: Text


@attrs.define
class Citation:
    document: str
    quote: str
    anchor: str
    span: tuple[int, int] | None  # where it stands in the document's text, when at hand
    citers: list[Citer] = attrs.field(factory=list)


@attrs.define
class SiteContext:
    pack: RulePack
    registry: PlaceRegistry
    pages: dict[tuple[str, str], str] = attrs.field(factory=dict)  # (kind, key) -> path
    citations: dict[tuple[str, str], Citation] = attrs.field(factory=dict)
    sources: dict[str, sourcetext.SourceText] = attrs.field(factory=dict)
    cases: dict[str, list[tuple[Any, Any]]] = attrs.field(factory=dict)  # rule -> (case, exp)
    places: list[str] = attrs.field(factory=list)
    span: tuple[date, date] = (date(2017, 1, 1), date(2027, 12, 31))

    def path(self, kind: str, key: str) -> str:
        return self.pages[(kind, key)]

    def citation(self, document: str, quote: str) -> Citation | None:
        return self.citations.get((document, _fold(quote)))

    def document_citations(self, document: str) -> list[Citation]:
        return sorted((c for c in self.citations.values() if c.document == document),
                      key=lambda c: (c.span or (1 << 30, 0))[0])


def _fold(quote: str) -> str:
    return "".join(quote.split())


def zone_firmness(rule: Rule, ref: ZoneRef) -> str:
    """A zone entry's own firmness when the pack gives one, else the rule's."""
    return getattr(ref, "firmness", None) or rule.firmness


def zone_basis(ref: ZoneRef) -> tuple[Basis, ...]:
    return tuple(getattr(ref, "basis", ()) or ())


def generate_context(pack: RulePack, registry: PlaceRegistry) -> SiteContext:
    ctx = SiteContext(pack, registry)
    for rule in pack.rules:
        ctx.pages[("rule", rule.id)] = f"rules/{rule.id}.html"
    for doc_id in pack.documents:
        ctx.pages[("document", doc_id)] = f"documents/{doc_id}.html"
    for zone_id in pack.zones:
        ctx.pages[("zone", zone_id)] = f"zones/{zone_id}.html"
    for pid in pack.parameters:
        ctx.pages[("parameter", pid)] = f"parameters/{pid}.html"
    ctx.places = _places(pack, registry)
    for code in ctx.places:
        ctx.pages[("place", code)] = f"places/{code}.html"
    for doc in pack.documents.values():
        path = document_text(pack, doc.id)
        if path is not None and path.is_file():
            ctx.sources[doc.id] = sourcetext.read(path)
    for basis, citer in _citing(pack):
        _cite(ctx, basis, citer)
    ctx.cases = _cases(pack)
    ctx.span = _span(pack)
    return ctx


def _citing(pack: RulePack) -> Iterator[tuple[Basis, Citer]]:
    for rule in pack.rules:
        for b in rule.basis:
            yield b, Citer("rule", rule.id, None, rule.title)
        for ref in rule.zones:
            for b in zone_basis(ref):
                yield b, Citer("rule", rule.id, "zones", rule.title)
        for e in rule.exceptions:
            label = Text(f"{rule.title.zh}:{e.title.zh}", f"{rule.title.en}: {e.title.en}")
            for b in e.basis:
                yield b, Citer("rule", rule.id, f"exception-{e.label}", label)
    for zone in pack.zones.values():
        for b in zone.basis:
            yield b, Citer("zone", zone.id, None, zone.name)
    for item in pack.services:
        for b in item.basis:
            yield b, Citer("zone", item.zone, f"service-{item.id}", item.name)
    for a in pack.announced:
        for b in a.basis:
            zone = pack.zones.get(a.zone)
            yield b, Citer("zone", a.zone, "announced", zone.name if zone else Text(a.zone,
                                                                                     a.zone))


def _cite(ctx: SiteContext, basis: Basis, citer: Citer) -> None:
    if not basis.quote:
        return
    doc = basis.document.id
    key = (doc, _fold(basis.quote))
    citation = ctx.citations.get(key)
    if citation is None:
        text = ctx.sources.get(doc)
        span = text.find(basis.quote) if text else None
        n = sum(1 for c in ctx.citations.values() if c.document == doc) + 1
        citation = ctx.citations[key] = Citation(doc, basis.quote, f"q{n}", span)
    if citer not in citation.citers:
        citation.citers.append(citer)


def _places(pack: RulePack, registry: PlaceRegistry) -> list[str]:
    """Every place the pack names: zone members and places parameters are declared for."""
    codes = {m.place for z in pack.zones.values() for m in z.members}
    codes |= {place for p in pack.parameters.values() for place in p.places}
    return sorted(c for c in codes if c in registry)


def _cases(pack: RulePack) -> dict[str, list[tuple[Any, Any]]]:
    from tongcheng.packtest.cases import pack_test_files, read_test_file

    root = Path(pack.root)
    out: dict[str, list[tuple[Any, Any]]] = {}
    for path in pack_test_files(root):
        test_file = read_test_file(path, pack, path.relative_to(root).as_posix())
        for case in test_file.cases:
            if case.broken:
                continue
            for e in case.expectations:
                out.setdefault(e.rule, []).append((case, e))
    return out


def _span(pack: RulePack) -> tuple[date, date]:
    from tongcheng.docsite.charts import chart_span

    dates: list[date | None] = []
    for z in pack.zones.values():
        dates += [d for m in z.members for d in (m.start, m.end)]
    for p in pack.parameters.values():
        dates += [d for vals in p.places.values() for v in vals for d in (v.start, v.end)]
    for r in pack.rules:
        dates += [d for ref in r.zones for d in (ref.start, ref.end)]
    return chart_span(dates)
