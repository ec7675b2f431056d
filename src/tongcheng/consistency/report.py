"""Findings and counterexamples as people read them: ``file:line: severity: message`` lines,
JSON, and situations written as YAML files a caseworker runs with ``tongcheng check``.

Rule authors read lint in the language they asked for (Chinese unless ``--lang en``), so every
finding is written in both; the check id in brackets and JSON's ``severity`` stay ids, the
ones an author greps for."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import attrs
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

SEVERITIES = ("error", "warning", "note")  # note: what an overlay changes (not a problem)
SEVERITY_ZH = {"error": "错误", "warning": "警告", "note": "提示"}


def severity_word(severity: str, lang: str = "en") -> str:
    """The severity as a text line says it (JSON keeps the English id)."""
    return SEVERITY_ZH.get(severity, severity) if lang == "zh" else severity


def place_named(registry: Any, code: str, lang: str = "en") -> str:
    """``370700 Weifang`` or ``370700 潍坊市``: a place code with its name in ``lang``."""
    return f"{code} {registry.name(code, lang)}"


@attrs.frozen
class Finding:
    """One static-check result, at a file and line of the pack."""

    file: str  # relative to the pack folder
    line: int | None
    severity: str  # error | warning | note
    check: str  # a short id: unknown-fact-path, overlap, gap, ...
    message: str  # English
    counterexample: dict[str, Any] | None = None  # a situation, when the check found one
    zh: str = attrs.field(kw_only=True)  # the same in Chinese: every finding says both

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.zh if lang == "zh" else self.message

    def where(self, root: str | Path | None = None) -> str:
        path = str(Path(root) / self.file) if root is not None else self.file
        return f"{path}:{self.line}" if self.line else path

    def line_text(self, root: str | Path | None = None, lang: str = "en") -> str:
        """``file:line: severity: message [check]``, in ``lang`` but for the check id."""
        return (f"{self.where(root)}: {severity_word(self.severity, lang)}: {self.text(lang)} "
                f"[{self.check}]")

    def to_json(self, root: str | Path | None = None, lang: str = "en") -> dict[str, Any]:
        """The finding for programs: ``message`` in ``lang`` only, ``severity`` as its id."""
        out: dict[str, Any] = {
            "file": str(Path(root) / self.file) if root is not None else self.file,
            "line": self.line,
            "severity": self.severity,
            "check": self.check,
            "message": self.text(lang),
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
