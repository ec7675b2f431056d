"""What ``tongcheng replay`` found: the figures (``ReplayReport``, its JSON) and their text, in
Chinese or English (``render_report``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import attrs


@attrs.define
class ReplayReport:
    mode: str  # own | other
    pack: dict[str, str] | None = None  # the other pack (name, version, digest)
    records: int = 0
    decisions: int = 0
    same: int = 0
    transitions: Counter = attrs.Factory(Counter)  # (rule, before, after) -> records
    outcome_changes: Counter = attrs.Factory(Counter)  # rule -> records (same status)
    firmness_changes: Counter = attrs.Factory(Counter)  # (rule, before, after) -> records
    examples: dict = attrs.Factory(lambda: defaultdict(list))  # key -> record ids
    integrity: list = attrs.Factory(list)  # (record id, problem) the records themselves have
    packs: Counter = attrs.Factory(Counter)  # digest -> records decided under it
    seconds: float = 0.0
    limit: int | None = 50  # record ids kept per transition (None: all)
    phases: Counter = attrs.Factory(Counter)  # seconds spent reading, deciding, comparing
    source: str = "bodies"  # what the recorded decisions were read from: bodies | compact

    @property
    def changed(self) -> int:
        return (sum(self.transitions.values()) + sum(self.outcome_changes.values())
                + sum(self.firmness_changes.values()))

    @property
    def problems(self) -> bool:
        """Own pack: any difference, or a record that fails its own checks."""
        return bool(self.integrity) or (self.mode == "own" and self.changed > 0)

    def note(self, key: Any, record_id: str) -> None:
        ids = self.examples[key]
        if self.limit is None or len(ids) < self.limit:
            ids.append(record_id)

    def to_json(self, examples: int | None = None) -> dict[str, Any]:
        def ids(key: Any) -> list[str]:
            found = self.examples.get(key, [])
            return found if examples is None else found[:examples]

        return {
            "mode": self.mode,
            "source": self.source,
            "pack": self.pack,
            "records": self.records,
            "decisions": self.decisions,
            "same": self.same,
            "reproduced": self.same == self.decisions and not self.integrity,
            "transitions": [
                {"rule": r, "from": a, "to": b, "records": n, "ids": ids(("status", r, a, b))}
                for (r, a, b), n in sorted(self.transitions.items())],
            "outcome_changes": [
                {"rule": r, "records": n, "ids": ids(("outcome", r))}
                for r, n in sorted(self.outcome_changes.items())],
            "firmness_changes": [
                {"rule": r, "from": a, "to": b, "records": n, "ids": ids(("firmness", r, a, b))}
                for (r, a, b), n in sorted(self.firmness_changes.items())],
            "integrity": [{"record": i, "problem": p, "message": _PROBLEMS[p]}
                          for i, p in self.integrity],
            "packs": dict(self.packs),
            "seconds": round(self.seconds, 3),
            "phases": {k: round(v, 3) for k, v in self.phases.items()},
        }


_PROBLEMS = {"situation_digest": "the situation does not match its recorded digest",
             "pack_missing": "its rule pack is not archived in the store",
             "compact_missing": "its compact copy is missing (run tongcheng records verify)"}
_PROBLEMS_ZH = {"situation_digest": "情形与其记录的摘要不符",
                "pack_missing": "库中没有存档其规则包",
                "compact_missing": "缺少其紧凑副本(请运行 tongcheng records verify)"}


_WORDS = {
    "zh": {"own": "按各记录自己的规则包(从库中存档恢复)重新决定 {records} 条记录",
           "other": "按规则包 {name} {version}({digest})重新决定 {records} 条记录",
           "same": "{same}/{decisions} 项决定不变", "reproduced": "全部复现",
           "transition": "{rule}:{before} → {after}:{n} 条记录",
           "outcome": "{rule}:结果改变:{n} 条",
           "firmness": "{rule}:确定程度 {before} → {after}:{n} 条", "ids": "例如",
           "integrity": "记录 {id}:{problem}", "seconds": "用时 {s:.2f} 秒",
           "compact": "与记录的紧凑列比较(records verify 证明其与记录正文一致;"
                      "--from-bodies 直接与正文比较)",
           "bodies": "与记录正文本身比较",
           "eligible": "符合", "ineligible": "不符合", "undetermined": "待定",
           "not_applicable": "不适用", "absent": "(无此规则)"},
    "en": {"own": "{records} records decided again under each record's own pack (restored from "
                  "the store's archive)",
           "other": "{records} records decided again under {name} {version} ({digest})",
           "same": "{same}/{decisions} decisions unchanged", "reproduced": "all reproduced",
           "transition": "{rule}: {before} → {after}: {n} records",
           "outcome": "{rule}: outcome changed: {n} records",
           "firmness": "{rule}: firmness {before} → {after}: {n} records", "ids": "e.g.",
           "integrity": "record {id}: {problem}", "seconds": "{s:.2f} s",
           "compact": "compared with the records' compact columns (records verify proves they "
                      "match the bodies; --from-bodies compares with the bodies themselves)",
           "bodies": "compared with the records' bodies themselves",
           "eligible": "eligible", "ineligible": "ineligible", "undetermined": "undetermined",
           "not_applicable": "not applicable", "absent": "(no such rule)"},
}


def render_report(report: ReplayReport, lang: str = "zh", examples: int = 5) -> str:
    w = _WORDS[lang]
    data = report.to_json(examples or None)
    lines = [w["own"].format(records=report.records) if report.mode == "own" else
             w["other"].format(records=report.records, **{**report.pack,
                                                          "digest": report.pack["digest"][:19]})]
    lines.append(w[report.source])
    lines.append(w["same"].format(same=report.same, decisions=report.decisions)
                 + (f" — {w['reproduced']}" if data["reproduced"] and report.mode == "own"
                    else ""))
    for t in data["transitions"]:
        lines.append("  " + w["transition"].format(rule=t["rule"], before=w[t["from"]],
                                                   after=w[t["to"]], n=t["records"])
                     + (f"  {w['ids']} {', '.join(t['ids'])}" if t["ids"] else ""))
    for t in data["outcome_changes"]:
        lines.append("  " + w["outcome"].format(rule=t["rule"], n=t["records"])
                     + (f"  {w['ids']} {', '.join(t['ids'])}" if t["ids"] else ""))
    for t in data["firmness_changes"]:
        lines.append("  " + w["firmness"].format(rule=t["rule"], before=t["from"], after=t["to"],
                                                 n=t["records"]))
    problems = _PROBLEMS_ZH if lang == "zh" else _PROBLEMS
    for i in data["integrity"][:20]:
        lines.append("  " + w["integrity"].format(id=i["record"], problem=problems[i["problem"]]))
    lines.append(w["seconds"].format(s=report.seconds))
    return "\n".join(lines)

