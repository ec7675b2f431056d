"""Coverage of the policy catalogue: which sources the rules cite, which treatments are encoded.

Reads the pack's ``catalogue.yaml`` (the treatments the sources promise, each mapped to rules or
to the reason it is not a person rule) and the compiled pack. Promised treatments whose rules are
missing from the pack are listed as not yet encoded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import attrs
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from tongcheng import yamlio
from tongcheng.errors import Location, PackError, PackProblem
from tongcheng.pack.model import RulePack
from tongcheng.pack.schema_words import said


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh: str
    en: str


class _Basis(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: str
    article: str | None = None
    quote: str | None = None


class TreatmentIn(BaseModel):
    """One promised treatment: the rules encoding it, or why it is not a rule (then, where the
    sentence is at hand, its basis and how firm it is, so coverage accounts for it)."""

    model_config = ConfigDict(extra="forbid")
    treatment: _Text
    domain: str
    rules: list[str] = []
    zones: list[str] = []
    not_a_person_rule: _Text | None = None
    firmness: Literal["in_force", "pilot", "promise"] | None = None
    basis: list[_Basis] = []


@attrs.frozen
class Treatment:
    name: dict[str, str]
    domain: str
    rules: tuple[str, ...]
    encoded: tuple[str, ...]
    missing: tuple[str, ...]
    not_a_person_rule: dict[str, str] | None
    zones: tuple[str, ...] = ()
    firmness: str | None = None
    basis: tuple[dict[str, str], ...] = ()

    @property
    def status(self) -> str:
        if self.not_a_person_rule:
            return "not_a_person_rule"
        return "encoded" if not self.missing else "not_encoded"


def load_catalogue(pack: RulePack) -> list[Treatment]:
    path = Path(pack.root) / "catalogue.yaml"
    if not path.is_file():
        return []
    try:
        data, lines = yamlio.load_file(path)
        items = TypeAdapter(list[TreatmentIn]).validate_python(data)
    except yamlio.YamlSyntaxError as e:
        raise PackError([PackProblem(Location("catalogue.yaml", e.line, e.column), str(e),
                                     e.zh)]) from None
    except ValidationError as e:
        raise PackError([
            PackProblem(Location("catalogue.yaml", yamlio.line_of(lines, tuple(err["loc"]))),
                        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}",
                        f"{'.'.join(str(p) for p in err['loc'])}:{said(err)[1]}")
            for err in e.errors()
        ]) from None
    problems = [
        PackProblem(Location("catalogue.yaml", yamlio.line_of(lines, (i, *sub))), en, zh)
        for i, t in enumerate(items) for sub, en, zh in _basis_problems(pack, t)
    ]
    if problems:
        raise PackError(problems)
    ids = set(pack.rule_ids)
    return [
        Treatment(t.treatment.model_dump(), t.domain, tuple(t.rules),
                  tuple(r for r in t.rules if r in ids), tuple(r for r in t.rules if r not in ids),
                  t.not_a_person_rule.model_dump() if t.not_a_person_rule else None,
                  tuple(t.zones), t.firmness,
                  tuple(b.model_dump(exclude_none=True) for b in t.basis))
        for t in items
    ]


def _basis_problems(pack: RulePack, t: TreatmentIn) -> list[tuple[tuple, str, str]]:
    """A coverage entry's documents, zones and quotes are checked as a rule's are: each
    problem's path in the entry, and its English and Chinese."""
    out: list[tuple[tuple, str, str]] = []
    for z in t.zones:
        if z not in pack.zones:
            out.append((("zones",), f"unknown zone {z!r}", f"未知的区域 {z!r}"))
    for j, b in enumerate(t.basis):
        doc = pack.documents.get(b.document)
        if doc is None:
            out.append((("basis", j, "document"), f"unknown document {b.document!r}",
                        f"未知的文件 {b.document!r}"))
            continue
        source = Path(pack.root) / "sources" / doc.file if doc.file else None
        text = source.read_text("utf-8") if source is not None and source.is_file() else None
        if b.quote and text is not None and _squeeze(b.quote) not in _squeeze(text):
            out.append((("basis", j, "quote"), f"the quote is not in sources/{doc.file} "
                        "word for word; copy the sentence exactly",
                        f"引文 'quote' 与 sources/{doc.file} 中的原文不一致;请逐字照抄原句"))
    return out


def _squeeze(text: str) -> str:
    return "".join(text.split())


def coverage(pack: RulePack) -> dict[str, Any]:
    """Sources to the rules citing them; treatments encoded or not; service items known."""
    by_document: dict[str, list[str]] = {d: [] for d in pack.documents}
    for rule in pack.rules:
        cited = [b.document.id for b in rule.basis]
        for e in rule.exceptions:
            cited += [b.document.id for b in e.basis]
        for doc in dict.fromkeys(cited):
            by_document[doc].append(rule.id)
    zones_by_document: dict[str, list[str]] = {d: [] for d in pack.documents}
    for zone in pack.zones.values():
        for b in zone.basis:
            zones_by_document[b.document.id].append(zone.id)
    treatments = load_catalogue(pack)
    services = []
    for a in pack.announced:
        known = [s.id for s in pack.services if s.zone == a.zone]
        services.append({"zone": a.zone, "known": len(known), "announced": a.count,
                         "at_least": a.at_least, "items": known,
                         "announced_on": a.start.isoformat() if a.start else None,
                         "confidence": a.confidence})
    return {
        "sources": [
            {"document": d.id, "title": {"zh": d.title.zh, "en": d.title.en}, "kind": d.kind,
             "rules": by_document[d.id], "zones": zones_by_document[d.id]}
            for d in pack.documents.values()
        ],
        "treatments": [
            {"treatment": t.name, "domain": t.domain, "status": t.status,
             "rules": list(t.encoded), "missing_rules": list(t.missing),
             **({"reason": t.not_a_person_rule} if t.not_a_person_rule else {}),
             **({"zones": list(t.zones)} if t.zones else {}),
             **({"firmness": t.firmness} if t.firmness else {}),
             **({"basis": list(t.basis)} if t.basis else {})}
            for t in treatments
        ],
        "uncatalogued_rules": sorted(
            set(pack.rule_ids) - {r for t in treatments for r in t.rules}
        ),
        "service_items": services,
    }
