"""Whole-decision snapshots: every example and golden case, rendered as the decisions' JSON in
both languages, compared with a reviewed file under tests/snapshots/.

One file per situation holds every decision (status, firmness, outcome, missing,
missing_parameters, reasons with their values, facts, parameters and notes, basis) and the
questions. The two languages are merged: a string that differs between them is written
``{"zh": …, "en": …}`` in place, so a reviewer reads both side by side and a change in either
shows in the diff. The pack's digest is left out (it changes with any edit of the pack; every
decision that changes shows by itself).

    python scripts/snapshots.py            # compare; prints the diff of what changed
    python scripts/snapshots.py --update   # rewrite the files; review `git diff tests/snapshots`
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

import tongcheng
from tongcheng.situation import load_situation

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SNAPSHOTS = HERE / "snapshots"
GOLDEN = (HERE / "data" / "golden-cases.yaml",
          ROOT.parent / "shared" / "product" / "golden-cases.yaml")
UPDATE = "python scripts/snapshots.py --update"


@dataclass(frozen=True)
class Case:
    key: str  # the file's path under tests/snapshots/, without .json
    title: str
    situation: Any

    @property
    def path(self) -> Path:
        return SNAPSHOTS / f"{self.key}.json"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def cases() -> list[Case]:
    """Every bundled example, and every golden case (the project's copy first; the contract's
    own file adds the cases the copy lacks, when it is beside the repository)."""
    out = [Case(f"examples/{p.stem}", p.name, load_situation(p))
           for p in sorted((ROOT / "examples").glob("*.yaml"))]
    seen: set[str] = set()
    for source in GOLDEN:
        if not source.is_file():
            continue
        for case in YAML(typ="safe").load(source.read_text(encoding="utf-8")):
            if case["name"] not in seen:
                seen.add(case["name"])
                out.append(Case(f"golden/{slug(case['name'])}", case["name"], case["situation"]))
    keys = [c.key for c in out]
    assert len(keys) == len(set(keys)), "two cases share a snapshot file name"
    return out


def merge(zh: Any, en: Any) -> Any:
    """One value holding both languages: where they differ, ``{"zh": zh, "en": en}``."""
    if isinstance(zh, dict) and isinstance(en, dict) and zh.keys() == en.keys():
        return {k: merge(zh[k], en[k]) for k in zh}
    if isinstance(zh, list) and isinstance(en, list) and len(zh) == len(en):
        return [merge(a, b) for a, b in zip(zh, en, strict=True)]
    return zh if zh == en else {"zh": zh, "en": en}


def rendered(case: Case, trace: bool = True) -> dict[str, Any]:
    """What the snapshot file holds for a case (without a trace: the same minus reasons)."""
    result = tongcheng.evaluate(case.situation, trace=trace)
    both = merge(result.to_json("zh"), result.to_json("en"))
    both["rule_pack"].pop("digest")
    return {"case": case.title, **both}


def without_reasons(snapshot: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(snapshot))
    for d in out["decisions"]:
        d["reasons"] = []
    return out


def text(snapshot: dict[str, Any]) -> str:
    """JSON with one line per field of a decision and per reason, basis entry and question:
    a diff shows whole lines a reviewer can read."""
    return _block(snapshot, 0, {"decisions": 1, "questions": 0}) + "\n"


_EXPANDED = {"reasons": 0, "basis": 0}  # inside a decision: a line per item


def _block(value: Any, depth: int, expand: dict[str, int]) -> str:
    pad = " " * (depth + 1)
    if isinstance(value, dict) and value:
        rows = [f"{pad}{_one(k)}: " + (_list(v, depth + 1, expand[k]) if k in expand
                                        else _block(v, depth + 1, {}))
                for k, v in value.items()]
        return "{\n" + ",\n".join(rows) + "\n" + " " * depth + "}"
    return _one(value)


def _list(items: list[Any], depth: int, inner: int) -> str:
    if not items:
        return "[]"
    pad = " " * (depth + 1)
    rows = [pad + (_block(i, depth + 1, _EXPANDED) if inner else _one(i)) for i in items]
    return "[\n" + ",\n".join(rows) + "\n" + " " * depth + "]"


def _one(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def diff(case: Case, snapshot: dict[str, Any]) -> str:
    """The unified diff from the reviewed file to what the code gives now ("" when equal)."""
    old = case.path.read_text(encoding="utf-8") if case.path.is_file() else ""
    new = text(snapshot)
    if old == new:
        return ""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        f"reviewed/{case.key}.json", f"now/{case.key}.json"))


def stale(known: list[Case]) -> list[Path]:
    """Snapshot files no case produces any more (golden ones only judged when every golden
    file is at hand)."""
    keys = {c.key for c in known}
    every_golden = all(source.is_file() for source in GOLDEN)
    return sorted(p for p in SNAPSHOTS.rglob("*.json")
                  if (key := p.relative_to(SNAPSHOTS).with_suffix("").as_posix()) not in keys
                  and (every_golden or not key.startswith("golden/")))
