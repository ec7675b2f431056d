"""``build_site``: the pack's static site, in Chinese and English, from one gathered context.

Layout of the output folder::

    index.html                 the choice of language
    static/site.css, search.js
    zh/ and en/                index.html, search.html, search-index.js,
                               rules/ID.html, documents/ID.html, zones/ID.html,
                               parameters/ID.html, places/CODE.html

Every link is relative, so the folder opens from the disk (``file://``) with no server and no
network; the search index is a script the search page loads, not a file it fetches.
"""

from __future__ import annotations

import json
import posixpath
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs

from tongcheng.docsite import charts, sourcehtml
from tongcheng.docsite.context import (
    SiteContext,
    generate_context,
    zone_basis,
    zone_firmness,
)
from tongcheng.docsite.words import WORDS
from tongcheng.docsite.writer import Writer
from tongcheng.pack.model import Parameter, Rule, RulePack, Text
from tongcheng.places import PlaceRegistry, default_registry

LANGS = ("zh", "en")
MARKER = ".tongcheng-site"  # marks a folder as a site this command wrote (safe to replace)


@attrs.frozen
class BuildReport:
    root: Path
    pages: int
    files: int


def build_site(pack: RulePack, out: Path, registry: PlaceRegistry | None = None
               ) -> BuildReport:
    ctx = generate_context(pack, registry or default_registry())
    writer = Writer(out)
    pages = _Output(ctx, writer).generate()
    return BuildReport(Path(out), pages, len(writer.written))


def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tongcheng.docsite", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


class _Output:
    """Writes every page of both languages (Pelican's ``generate_output``)."""

    def __init__(self, ctx: SiteContext, writer: Writer) -> None:
        self.ctx, self.writer = ctx, writer
        self.env = _env()
        self.pages = 0

    def generate(self) -> int:
        pack = self.ctx.pack
        static = files("tongcheng.docsite") / "static"
        for name in ("site.css", "search.js"):
            self.writer.write(f"static/{name}", (static / name).read_bytes())
        self.writer.write(MARKER, f"{pack.info.name} {pack.info.version}\n")
        self.writer.write("index.html", self.env.get_template("choose.html").render(
            pack=pack, words=WORDS, langs=LANGS))
        for lang in LANGS:
            self.page(lang, "index.html", "index.html", index=_index_view(self.ctx, lang))
            self.page(lang, "search.html", "search.html")
            self.writer.write(f"{lang}/search-index.js", search_index(self.ctx, lang))
            for rule in pack.rules:
                self.page(lang, self.ctx.path("rule", rule.id), "rule.html", rule=rule,
                          view=_rule_view(self.ctx, rule, lang))
            for doc in pack.documents.values():
                self.page(lang, self.ctx.path("document", doc.id), "document.html", doc=doc,
                          view=_document_view(self.ctx, doc.id, lang))
            for zone in pack.zones.values():
                self.page(lang, self.ctx.path("zone", zone.id), "zone.html", zone=zone,
                          view=_zone_view(self.ctx, zone.id, lang))
            for prm in pack.parameters.values():
                self.page(lang, self.ctx.path("parameter", prm.id), "parameter.html", prm=prm,
                          view=_parameter_view(self.ctx, prm, lang))
            for code in self.ctx.places:
                self.page(lang, self.ctx.path("place", code), "place.html", code=code,
                          view=_place_view(self.ctx, code, lang))
        return self.pages

    def _url_from(self, current: str):
        here = posixpath.dirname(current) or "."

        def url(kind: str, key: str = "", fragment: str | None = None) -> str:
            if kind == "page":
                target = key
            elif kind == "static":
                target = f"../static/{key}"
            else:
                target = self.ctx.path(kind, key)
            rel = posixpath.relpath(target, here)
            return rel + (f"#{fragment}" if fragment else "")

        return url

    def page(self, lang: str, path: str, template: str, **values: Any) -> None:
        url = self._url_from(path)
        w = WORDS[lang]
        other = "en" if lang == "zh" else "zh"
        html = self.env.get_template(template).render(
            ctx=self.ctx, pack=self.ctx.pack, lang=lang, w=w, url=url,
            t=lambda text: text.get(lang) if isinstance(text, Text) else text,
            place_name=lambda code: _place_name(self.ctx, code, lang),
            value=fmt_value, other_lang=other,
            other_url=posixpath.relpath(f"../{other}/{path}", posixpath.dirname(path) or "."),
            home=url("page", "index.html"), search=url("page", "search.html"),
            css=url("static", "site.css"), search_js=url("static", "search.js"),
            search_index=url("page", "search-index.js"), ctx_firmness=zone_firmness,
            param_places=lambda prm: parameter_places(self.ctx, prm, lang), **values)
        self.writer.write(f"{lang}/{path}", html)
        self.pages += 1


# --- values and names -------------------------------------------------------------------------


def fmt_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(fmt_value(v) for v in value)
    return str(value)


def _place_name(ctx: SiteContext, code: str, lang: str) -> str:
    if code not in ctx.registry:
        return code
    return ctx.registry.name(code, lang)


# --- views ------------------------------------------------------------------------------------


def _index_view(ctx: SiteContext, lang: str) -> dict[str, Any]:
    promises = {}
    for doc_id, text in ctx.sources.items():
        marks = _marks(ctx, doc_id, lambda *_: "")
        promises[doc_id] = len(sourcehtml.uncited_promises(text, marks))
    return {"promises": promises,
            "quotes": {d: len(ctx.document_citations(d)) for d in ctx.pack.documents}}


def _rule_view(ctx: SiteContext, rule: Rule, lang: str) -> dict[str, Any]:
    zones = [{"ref": ref, "firmness": zone_firmness(rule, ref), "basis": zone_basis(ref)}
             for ref in rule.zones]
    return {
        "zones": zones,
        "parameters": [ctx.pack.parameters[p] for p in rule.parameter_names()
                       if p in ctx.pack.parameters],
        "cases": ctx.cases.get(rule.id, []),
    }


def _marks(ctx: SiteContext, doc_id: str, href) -> list[sourcehtml.Mark]:
    out = []
    for c in ctx.document_citations(doc_id):
        if c.span is None:
            continue
        citers = tuple((href(x.kind, x.key, x.fragment), x.label) for x in c.citers)
        out.append(sourcehtml.Mark(c.span[0], c.span[1], c.anchor, citers))
    return out


def _document_view(ctx: SiteContext, doc_id: str, lang: str) -> dict[str, Any]:
    path = ctx.path("document", doc_id)
    here = posixpath.dirname(path)

    def href(kind: str, key: str, fragment: str | None) -> str:
        return posixpath.relpath(ctx.path(kind, key), here) + (f"#{fragment}" if fragment
                                                               else "")

    text = ctx.sources.get(doc_id)
    citations = ctx.document_citations(doc_id)
    if text is None:
        return {"html": None, "citations": citations, "promises": [], "href": href}
    marks = [attrs.evolve(m, citers=tuple((h, label.get(lang)) for h, label in m.citers))
             for m in _marks(ctx, doc_id, href)]
    w = WORDS[lang]
    html = sourcehtml.render(text, marks,
                             lambda words: w["uncited_flag"].format(words="、".join(words)))
    promises = [(s, words, text.sentence_text(s))
                for s, words in sourcehtml.uncited_promises(text, marks)]
    return {"html": html, "citations": citations, "promises": promises, "href": href}


def _zone_view(ctx: SiteContext, zone_id: str, lang: str) -> dict[str, Any]:
    zone = ctx.pack.zones[zone_id]
    here = posixpath.dirname(ctx.path("zone", zone_id))
    bars = [charts.Bar(f"{_place_name(ctx, m.place, lang)} {m.place}", m.start, m.end,
                       posixpath.relpath(ctx.path("place", m.place), here)
                       if ("place", m.place) in ctx.pages else None,
                       m.basis) for m in zone.members]
    lo, hi = ctx.span
    rules = [(r, ref) for r in ctx.pack.rules for ref in r.zones if ref.zone.id == zone_id]
    return {
        "timeline": charts.timeline(bars, lo, hi, WORDS[lang]["members_over_time"]),
        "rules": rules,
        "services": [s for s in ctx.pack.services if s.zone == zone_id],
        "announced": [a for a in ctx.pack.announced if a.zone == zone_id],
    }


def _parameter_view(ctx: SiteContext, prm: Parameter, lang: str) -> dict[str, Any]:
    return {"places": parameter_places(ctx, prm, lang),
            "rules": [r for r in ctx.pack.rules if prm.id in r.parameter_names()]}


def parameter_places(ctx: SiteContext, prm: Parameter, lang: str) -> list[dict[str, Any]]:
    """Per place: its dated values (oldest first) and a step chart of their numbers."""
    lo, hi = ctx.span
    out = []
    for place, values in prm.places.items():
        rows = sorted(values, key=lambda v: (v.undated, v.start or date.min))
        series: dict[str, list[charts.Step]] = {}
        dated_starts = [v.start for v in values if v.start and not v.undated]
        for v in rows:
            start = v.start or (max(dated_starts) if v.undated and dated_starts else lo)
            end = v.end or hi
            for name, number in charts.numeric_series(v.value).items():
                series.setdefault(name, []).append(
                    charts.Step(start, end, number, v.end is None, v.undated))
        name = _place_name(ctx, place, lang)
        chart = None
        if series:
            title = WORDS[lang]["chart_title"].format(param=prm.id, place=f"{name} {place}")
            chart = charts.step_chart(series, lo, hi + timedelta(days=0), title,
                                      WORDS[lang]["no_value"])
        out.append({"code": place, "name": name, "values": rows, "chart": chart,
                    "linked": ("place", place) in ctx.pages})
    return out


def _place_view(ctx: SiteContext, code: str, lang: str) -> dict[str, Any]:
    reg = ctx.registry
    w = WORDS[lang]
    zones = []
    for zone in ctx.pack.zones.values():
        for m in zone.members:
            if m.place == code:
                how = w["itself"]
            elif reg.contains(m.place, code):
                how = w["through"].format(name=_place_name(ctx, m.place, lang))
            elif reg.contains(code, m.place):
                how = w["part"].format(name=_place_name(ctx, m.place, lang))
            else:
                continue
            zones.append((zone, m, how))
    zone_ids = {z.id for z, _, _ in zones}
    rules = [(r, ref) for r in ctx.pack.rules for ref in r.zones if ref.zone.id in zone_ids]
    params = [p for p in ctx.pack.parameters.values() if code in p.places]
    place = reg.get(code)
    return {"place": place, "zones": zones, "rules": rules, "parameters": params,
            "level": w.get(f"level_{place.level}", place.level)}


# --- search -----------------------------------------------------------------------------------


def search_index(ctx: SiteContext, lang: str) -> str:
    """The search entries as a script (``window.TONGCHENG_SEARCH``): a page opened from the
    disk cannot fetch a JSON file, but it can load a script."""
    w = WORDS[lang]
    entries = []
    for r in ctx.pack.rules:
        entries.append({"k": w["rule"], "t": r.title.get(lang), "i": r.id,
                        "s": f"{r.title.zh} {r.title.en} {r.domain}",
                        "u": ctx.path("rule", r.id)})
    for p in ctx.pack.parameters.values():
        entries.append({"k": w["parameter"], "t": p.description.get(lang), "i": p.id,
                        "s": f"{p.description.zh} {p.description.en}",
                        "u": ctx.path("parameter", p.id)})
    for code in ctx.places:
        place = ctx.registry.get(code)
        entries.append({"k": w["place"], "t": _place_name(ctx, code, lang), "i": code,
                        "s": f"{place.name_zh} {place.name_en or ''}",
                        "u": ctx.path("place", code)})
    for z in ctx.pack.zones.values():
        entries.append({"k": w["zone"], "t": z.name.get(lang), "i": z.id,
                        "s": f"{z.name.zh} {z.name.en}", "u": ctx.path("zone", z.id)})
    for d in ctx.pack.documents.values():
        title = d.title.get(lang) if isinstance(d.title, Text) else d.title
        entries.append({"k": w["document"], "t": title, "i": d.id, "s": d.number or "",
                        "u": ctx.path("document", d.id)})
    payload = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    return f"window.TONGCHENG_SEARCH = {payload};\n"

