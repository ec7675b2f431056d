"""Findings and counterexamples as people read them: ``file:line: severity: message`` lines,
JSON, and situations written as YAML files a caseworker runs with ``tongcheng check``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import attrs
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

SEVERITIES = ("error", "warning", "note")  # note: what an overlay changes (not a problem)


@attrs.frozen
class Finding:
    """One static-check result, at a file and line of the pack."""

    file: str  # relative to the pack folder
    line: int | None
    severity: str  # error | warning | note
    check: str  # a short id: unknown-fact-path, overlap, gap, ...
    message: str
    counterexample: dict[str, Any] | None = None  # a situation, when the check found one

    def where(self, root: str | Path | None = None) -> str:
        path = str(Path(root) / self.file) if root is not None else self.file
        return f"{path}:{self.line}" if self.line else path

    def line_text(self, root: str | Path | None = None) -> str:
        return f"{self.where(root)}: {self.severity}: {self.message} [{self.check}]"

    def to_json(self, root: str | Path | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": str(Path(root) / self.file) if root is not None else self.file,
            "line": self.line,
            "severity": self.severity,
            "check": self.check,
            "message": self.message,
        }
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
        return out


def situation_yaml(situation: dict[str, Any], comment: str | None = None) -> str:
    """A situation (``Situation.to_dict()`` form) as a YAML file ``tongcheng check`` reads: block
    style, with records of plain values (a period, a card) on one line each."""
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 100
    buf = io.StringIO()
    yaml.dump(_styled(json.loads(json.dumps(situation)), top=True), buf)
    head = "".join(f"# {line}\n" for line in comment.splitlines()) if comment else ""
    return head + buf.getvalue()


def _styled(value: Any, top: bool = False) -> Any:
    if isinstance(value, dict):
        out = CommentedMap((k, _styled(v)) for k, v in value.items())
        if not top and all(not isinstance(v, dict | list) for v in value.values()):
            out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_styled(v) for v in value)
        if not value:
            seq.fa.set_flow_style()
        return seq
    return value


def indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(True))
