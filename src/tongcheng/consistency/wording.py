"""Lint: a zone entry marked in force whose sentence only explores or promises (``firmness``).

CONTRACT.md reads firmness from the source sentence: 实现, 推行, 完善, 深化 (an existing
practice) state a treatment as done or ordered, so in force; 探索 ("to explore") is a pilot;
推动, 推进, 积极推进, 支持提升 without saying it is done is a promise. A zone entry marked in
force (explicitly or by the rule's default) whose quoted sentence carries one of those words is
reported: mark the entry ``firmness: pilot`` or ``promise``, or quote the clause of the sentence
that states the treatment done. The sentences checked are the entry's own ``basis``; a rule with
a single zone entry and no basis of its own on it is checked on the rule's basis.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tongcheng.consistency.report import Finding
from tongcheng.pack.model import Basis, RulePack

# word -> what it makes the sentence, in the contract's reading (探索推动 is a pilot: first)
WORDS = (("探索", "pilot"), ("推动", "promise"), ("推进", "promise"), ("支持", "promise"))


def reading(quote: str) -> tuple[str, str] | None:
    """The first word of ``quote`` that makes it less than in force, and what it makes it."""
    hits = [(quote.index(w), w, kind) for w, kind in WORDS if w in quote]
    if not hits:
        return None
    _, word, kind = min(hits)
    return word, kind


def check_firmness(pack: RulePack, lines: Any) -> Iterator[Finding]:
    """``firmness`` warnings: see the module's doc."""
    for rule in pack.rules:
        for i, ref in enumerate(rule.zones):
            if ref.firmness != "in_force":
                continue
            sentences: tuple[Basis, ...] = ref.basis
            if not sentences and len(rule.zones) == 1:
                sentences = rule.own_basis
            for b in sentences:
                found = reading(b.quote or "")
                if found is None:
                    continue
                word, kind = found
                yield Finding(
                    rule.location.file, lines.rule_line(rule, "zones", i), "warning", "firmness",
                    f"rule {rule.id}: zone {ref.zone.id} (from {ref.start}) is marked in force, "
                    f"but its sentence “{b.quote}” says “{word}”, which reads as a {kind}: mark "
                    f"the zone entry 'firmness: {kind}', or quote the clause that states the "
                    "treatment done",
                    zh=f"规则 {rule.id}:区域 {ref.zone.id}(自 {ref.start} 起)标为已实施,但所引"
                       f"语句“{b.quote}”用了“{word}”,应读作{_KIND_ZH[kind]}:请把该区域条目标为 "
                       f"`firmness: {kind}`,或改为引用说明该待遇已经实施的分句")


_KIND_ZH = {"pilot": "试点", "promise": "承诺"}
