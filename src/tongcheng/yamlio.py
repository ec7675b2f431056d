"""YAML and JSON reading that remembers where each value came from.

Rule authors need "file:line: what is wrong", so pack files are read with ruamel.yaml's
round-trip loader (YAML 1.2: ``no`` stays a string, ``2025-06-01`` is a date) and every mapping
key and list item is indexed by its path. An unquoted date that is not on the calendar
(``from: 2023-13-06``) is kept as its text, so validation names it by file and line and the
file's other problems are still listed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

PathKey = tuple[str | int, ...]


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        self.line, self.column = line, column
        super().__init__(message)


class _Constructor(RoundTripConstructor):
    """Round-trip reading where a date-shaped scalar that is no calendar date (1965-02-30)
    stays text, so the validator names its path and line instead of the whole file failing."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Constructor = _Constructor
    y.allow_duplicate_keys = False
    return y


def load_text(text: str) -> tuple[Any, dict[PathKey, tuple[int, int]]]:
    """Parse YAML text; return plain data and 1-based (line, column) per path."""
    try:
        doc = _yaml().load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = e.problem or e.context or "not valid YAML"
        raise YamlSyntaxError(f"not valid YAML: {problem}", line, column) from None
    except Exception as e:  # ruamel raises a few unmarked errors (duplicate keys, bad tags)
        raise YamlSyntaxError(f"not valid YAML: {e}", None, None) from None
    lines: dict[PathKey, tuple[int, int]] = {}
    return _plain(doc, (), lines), lines


def load_file(path: Path) -> tuple[Any, dict[PathKey, tuple[int, int]]]:
    return load_text(path.read_text(encoding="utf-8"))


def _plain(node: Any, path: PathKey, lines: dict[PathKey, tuple[int, int]]) -> Any:
    if isinstance(node, CommentedMap):
        if path == ():
            lines[()] = (node.lc.line + 1, node.lc.col + 1)
        out = {}
        for key in node:
            line, col = node.lc.key(key)
            sub = (*path, str(key))
            lines[sub] = (line + 1, col + 1)
            out[str(key) if not isinstance(key, int) else key] = _plain(node[key], sub, lines)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            lines[(*path, i)] = (line + 1, col + 1)
            out_list.append(_plain(item, (*path, i), lines))
        return out_list
    if isinstance(node, dt.datetime):
        return node  # kept as datetime so validators can refuse it where a date is expected
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def line_of(lines: dict[PathKey, tuple[int, int]], path: PathKey) -> int | None:
    """The line of the deepest known prefix of ``path``."""
    for n in range(len(path), -1, -1):
        hit = lines.get(tuple(path[:n]))
        if hit:
            return hit[0]
    return None
