"""Where a finding points: the lines of a pack's files by YAML path (read once), and findings
made at a location."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tongcheng import yamlio
from tongcheng.consistency.report import Finding
from tongcheng.errors import Location
from tongcheng.pack.model import Rule


class PackLines:
    """Lines of pack files by YAML path, read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, tuple[Any, dict]] = {}

    def load(self, rel: str) -> tuple[Any, dict]:
        if rel not in self.cache:
            try:
                self.cache[rel] = yamlio.load_file(self.root / rel)
            except (OSError, ValueError):
                self.cache[rel] = (None, {})
        return self.cache[rel]

    def line(self, rel: str, path: tuple) -> int | None:
        return yamlio.line_of(self.load(rel)[1], path)

    def rule_index(self, rule: Rule) -> int | None:
        data, _ = self.load(rule.location.file)
        if isinstance(data, list):
            for i, item in enumerate(data):
                if isinstance(item, dict) and item.get("id") == rule.id:
                    return i
        return None

    def rule_line(self, rule: Rule, *sub: Any) -> int | None:
        i = self.rule_index(rule)
        if i is None:
            return rule.location.line
        return self.line(rule.location.file, (i, *sub)) or rule.location.line


def finding(loc: Location | None, severity: str, check: str, message: str,
            line: int | None = None, counterexample: dict | None = None, *, zh: str
            ) -> Finding:
    """A finding at ``loc`` (or ``line`` of its file), said in English and Chinese (``zh``)."""
    file = loc.file if loc else "."
    return Finding(file, line if line is not None else (loc.line if loc else None), severity,
                   check, message, counterexample, zh=zh)
