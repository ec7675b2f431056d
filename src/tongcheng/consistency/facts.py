"""The situation vocabulary as data: field types, paths, and what kind of value each holds.

Shared by the strategies (``tongcheng.testing``), the property suite and the static checks, so
that a field added to the situation model is generated, varied and checked without code here
changing. Needs neither hypothesis nor z3.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

from tongcheng import situation as sit

# the kinds of fields live beside the model (the checker reads them too)
from tongcheng.situation.kinds import Kind, field_kind, fields

Path = tuple[str | int, ...]


_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def parse_path(text: str) -> Path | None:
    """``"insurance[1].place"`` -> ``("insurance", 1, "place")``; None when it is not a path."""
    out: list[str | int] = []
    pos = 0
    expect_name = True
    while pos < len(text):
        if text[pos] == "." and not expect_name:
            pos += 1
            expect_name = True
            continue
        m = _TOKEN.match(text, pos)
        if not m or (m.group(1) and not expect_name):
            return None
        out.append(m.group(1) if m.group(1) else int(m.group(2)))
        expect_name = False
        pos = m.end()
    return tuple(out) if out and not expect_name else None


def format_path(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def field_at(path: Sequence[str | int], root: type[BaseModel] | None = None) -> Kind | None:
    """The kind of the situation field at ``path`` (list indices allowed; a path may also stop
    at a list, ``insurance``); None when the model has no such field. ``as_of`` is a date."""
    if tuple(path) == ("as_of",):
        return Kind("date")
    kind = Kind("model", model=root or sit.Situation)
    for key in path:
        if isinstance(key, int):
            if kind.name != "list" or kind.elem is None:
                return None
            kind = kind.elem
            continue
        if kind.name == "list" and kind.elem is not None and kind.elem.name == "model":
            return None  # a field of a list needs an index
        if kind.name != "model" or kind.model is None:
            return None
        fs = fields(kind.model)
        if key not in fs:
            return None
        kind = field_kind(fs[key])
    return kind


def field_path_kind(dotted: Sequence[str]) -> Kind | None:
    """Like :func:`field_at` for a path written without indices, as rules do
    (``insurance.place`` names the place of every period)."""
    kind = Kind("model", model=sit.Situation)
    for key in dotted:
        while kind.name == "list" and kind.elem is not None:
            kind = kind.elem
        if kind.name != "model" or kind.model is None:
            return None
        fs = fields(kind.model)
        if key not in fs:
            return None
        kind = field_kind(fs[key])
    return kind


def known_none() -> frozenset[str]:
    """Fields whose absence is a known value (an open period's ``to``), not an unknown fact."""
    from tongcheng.evaluate.frame import KNOWN_NONE

    return frozenset(KNOWN_NONE)
