"""Coverage of the policy catalogue: which sources the rules cite, which treatments are encoded.

Reads the pack's ``catalogue.yaml`` (the treatments the sources promise, each mapped to rules or
to the reason it is not a person rule) and the compiled pack. Promised treatments whose rules are
missing from the pack are listed as not yet encoded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from tongcheng import yamlio
from tongcheng.errors import Location, PackError
from tongcheng.pack.model import RulePack


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh: str
    en: str


class TreatmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    treatment: _Text
    domain: str
    rules: list[str] = []
    not_a_person_rule: _Text | None = None


@attrs.frozen
class Treatment:
    name: dict[str, str]
    domain: str
    rules: tuple[str, ...]
    encoded: tuple[str, ...]
    missing: tuple[str, ...]
    not_a_person_rule: dict[str, str] | None

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
        raise PackError([(Location("catalogue.yaml", e.line, e.column), str(e))]) from None
    except ValidationError as e:
        raise PackError([
            (Location("catalogue.yaml", yamlio.line_of(lines, tuple(err["loc"]))),
             f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}")
            for err in e.errors()
        ]) from None
    ids = set(pack.rule_ids)
    return [
        Treatment(t.treatment.model_dump(), t.domain, tuple(t.rules),
                  tuple(r for r in t.rules if r in ids), tuple(r for r in t.rules if r not in ids),
                  t.not_a_person_rule.model_dump() if t.not_a_person_rule else None)
        for t in items
    ]


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
                         "at_least": a.at_least, "items": known})
    return {
        "sources": [
            {"document": d.id, "title": {"zh": d.title.zh, "en": d.title.en}, "kind": d.kind,
             "rules": by_document[d.id], "zones": zones_by_document[d.id]}
            for d in pack.documents.values()
        ],
        "treatments": [
            {"treatment": t.name, "domain": t.domain, "status": t.status,
             "rules": list(t.encoded), "missing_rules": list(t.missing),
             **({"reason": t.not_a_person_rule} if t.not_a_person_rule else {})}
            for t in treatments
        ],
        "uncatalogued_rules": sorted(
            set(pack.rule_ids) - {r for t in treatments for r in t.rules}
        ),
        "service_items": services,
    }
