"""Less information: the same situation with facts removed (:func:`reduced`) or places made
coarser (:func:`coarsened`), and the path helpers (``get_path``, ``set_path``, ``without``)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from tongcheng.consistency.facts import (
    Kind,
    Path,
    field_kind,
    fields,
    known_none,
)
from tongcheng.places import default_registry
from tongcheng.situation import Situation
from tongcheng.testing.packs import _short_pack_repr

# Paths of facts that can be removed (made unknown) without making a situation invalid (the
# first list; removable_paths() derives them from the situation model and a situation).
REMOVABLE: tuple[tuple[str, ...], ...] = (
    ("target",),
    ("person",),
    ("person", "birth_date"),
    ("person", "sex"),
    ("person", "hukou"),
    ("person", "lives_in"),
    ("person", "work_place"),
    ("person", "employment"),
    ("person", "retired_on"),
    ("person", "pension_place"),
    ("person", "residence"),
    ("insurance",),
    ("provident_fund",),
    ("provident_fund", "periods"),
    ("provident_fund", "balance"),
    ("provident_fund", "outstanding_loans"),
    ("provident_fund", "couple_application"),
    ("provident_fund", "spouse_balance"),
    ("cards",),
)


def _walk_given(situation: dict[str, Any], visit: Callable[[Path, Kind, Any, Any], None]) -> None:
    """Call ``visit(path, kind, field_info, value)`` for every fact given in ``situation``."""

    def walk(data: dict[str, Any], model: type[BaseModel], prefix: Path) -> None:
        fs = fields(model)
        for key, value in data.items():
            info = fs.get(key)
            if info is None or value is None:
                continue
            path = (*prefix, key)
            kind = field_kind(info)
            visit(path, kind, info, value)
            if kind.name == "model" and kind.model is not None and isinstance(value, dict):
                walk(value, kind.model, path)
            elif kind.name == "list" and isinstance(value, list) and kind.elem is not None \
                    and kind.elem.model is not None:
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        walk(item, kind.elem.model, (*path, i))

    walk(situation, Situation, ())


# ``as_of`` absent means today, not "unknown"; ``project`` present makes the situation a
# project's, so removing it changes the subject rather than the information about it.
# ``request`` absent means "no particular service asked", a known value (the interpreter reads an
# absent request as an empty one), so removing it is not removing information.
_NOT_REMOVABLE = frozenset({("as_of",), ("project",), ("enterprise",), ("request",)})


def removable_paths(situation: dict[str, Any]) -> list[Path]:
    """Paths of the facts given in ``situation`` whose removal leaves it valid and strictly less
    informed: optional fields (null = unknown), whole lists (absent = unknown), and optional
    fields of list items. Never ``as_of`` (its absence means today), never ``project`` or
    ``enterprise`` (they decide whether the subject is a project, an enterprise or a person),
    never an open period's ``to`` or another field whose absence is a known value, never a list
    item (a given list is complete)."""
    out: list[Path] = []
    none_known = known_none()

    def visit(path: Path, kind: Kind, info: Any, value: Any) -> None:
        key = path[-1]
        if not info.is_required() and info.default is None and key not in none_known \
                and path not in _NOT_REMOVABLE:
            out.append(path)

    _walk_given(situation, visit)
    return out


def without(situation: dict[str, Any], paths: Iterable[Sequence[str | int]]) -> dict[str, Any]:
    """A copy of ``situation`` with the facts at ``paths`` removed (made unknown). Paths are
    tuples of keys and list indices: ``("person", "sex")``, ``("insurance", 0, "place")``."""
    out = copy.deepcopy(situation)
    for path in paths:
        node: Any = get_path(out, path[:-1])
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return out


@st.composite
def reduced(draw, situation: dict[str, Any], items: bool = False) -> dict[str, Any]:
    """The same situation with some facts removed: strictly less information (unchanged when it
    gives no fact that can be removed). ``items=True`` also removes optional fields of list
    items (a permit's ``since``, a result's ``level``)."""
    paths = [p for p in removable_paths(situation)
             if items or not any(isinstance(k, int) for k in p)]
    if not paths:
        return copy.deepcopy(situation)
    chosen = draw(st.lists(st.sampled_from(paths), min_size=1, max_size=4, unique=True))
    return without(situation, chosen)


def place_paths(situation: dict[str, Any]) -> list[Path]:
    """Paths of every place given in ``situation`` (target, person's places, periods, cards…)."""
    out: list[Path] = []

    def visit(path: Path, kind: Kind, info: Any, value: Any) -> None:
        if kind.name == "place":
            out.append(path)

    _walk_given(situation, visit)
    return out


def get_path(data: Any, path: Sequence[str | int]) -> Any:
    """The value at ``path`` (keys and list indices), or None."""
    for key in path:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return None
    return data


def set_path(data: dict[str, Any], path: Sequence[str | int], value: Any) -> None:
    """Set ``value`` at ``path``, creating the mappings on the way."""
    node: Any = data
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    node[path[-1]] = value


@st.composite
def coarsened(draw, situation: dict[str, Any]) -> dict[str, Any]:
    """The same situation with some counties given only as their city (370785 高密 as 370700
    潍坊): less information about where. Unchanged when no county can be coarsened."""
    reg = default_registry()
    out = copy.deepcopy(situation)
    candidates = []
    for path in place_paths(situation):
        code = get_path(situation, path)
        if isinstance(code, str) and code in reg and reg.get(code).level == "county":
            city = reg.city_of(code)
            if city is not None and reg.get(city).current:
                # Where the person asks decides most: the target comes up more often.
                candidates += [(path, city)] * (3 if path == ("target",) else 1)
    if not candidates:
        return out
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3,
                           unique_by=lambda c: c[0]))
    for path, city in chosen:
        set_path(out, path, city)
    return out


@_short_pack_repr
@st.composite
def less_informed(draw, situation: dict[str, Any], pack: Any = None) -> dict[str, Any]:
    """Strictly less information than ``situation``: facts removed, counties coarsened to their
    city, or both."""
    kind = draw(st.integers(0, 2))
    out = situation
    if kind in (0, 2):
        out = draw(reduced(out, items=True))
    if kind in (1, 2):
        out = draw(coarsened(out))
    return out
