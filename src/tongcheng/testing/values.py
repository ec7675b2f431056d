"""Values by type: a JSON-ready value valid for any situation field (``_for_kind``), or for a
whole situation model (``_model_values``); shared by persons, projects, situations and
``given_values``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

from tongcheng.consistency.facts import (
    Kind,
    field_kind,
    fields,
    known_none,
)
from tongcheng.testing.dating import _fmt, dates, months
from tongcheng.testing.packs import _resolve_pack, places


def _weighted(choices: Sequence[Any], hints: Iterable[Any] = ()) -> tuple[Any, ...]:
    """``choices``, with those among ``hints`` (words a focused rule writes) repeated so they
    come up about half the time."""
    hinted = [c for c in choices if c in set(hints)]
    return tuple(hinted) * max(1, len(choices) // max(1, len(hinted))) + tuple(choices) \
        if hinted else tuple(choices)




def _money() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(0, 300_000),
        st.integers(0, 10**11).map(lambda cents: cents / 100),
        st.sampled_from((0, 0.01, 0.05, 1, 100.03)),
    )


def _for_kind(kind: Kind, name: str, pack: Any, as_of: date | None,
              place: st.SearchStrategy[str] | None = None,
              hints: frozenset[str] = frozenset()) -> st.SearchStrategy[Any]:
    """A JSON-ready value valid for a situation field of this kind (places from the pack)."""
    when = as_of or date(2025, 6, 1)
    where = place if place is not None else places(pack)
    match kind.name:
        case "place":
            return where
        case "date":
            return dates(date(1990, 1, 1), when).map(date.isoformat)
        case "month":
            return months(1990, when.year).map(_fmt)
        case "money":
            return _money()
        case "count":
            return st.integers(0, 3)
        case "bool":
            return st.booleans()
        case "literal":
            return st.sampled_from(_weighted(kind.choices, hints))
        case "list" if kind.elem is not None:
            return st.lists(_for_kind(kind.elem, name, pack, as_of, place, hints), max_size=3)
        case "model" if kind.model is not None:
            return _model_values(kind.model, pack, as_of, place, hints=hints)
    if name == "service":
        return st.sampled_from(_service_names(pack))
    if kind.name == "str":
        return st.sampled_from(("a", "甲", "other"))
    # a small integer the field accepts (a hospital grade: 1-3), drawn from the valid ones rather
    # than filtered: a filter that fails three times in a row makes hypothesis give the example up
    valid = _small_valid(repr(kind.annotation), kind.annotation)
    return st.sampled_from(valid) if valid else st.nothing()


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _adapter(annotation: Any) -> TypeAdapter:
    key = repr(annotation)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(annotation)
    return _ADAPTERS[key]


_SMALL: dict[str, tuple[int, ...]] = {}


def _small_valid(key: str, annotation: Any) -> tuple[int, ...]:
    """The integers 0-5 the field accepts, once per annotation (strategies are rebuilt on
    every draw)."""
    if key not in _SMALL:
        adapter = _adapter(annotation)
        _SMALL[key] = tuple(x for x in range(6) if _valid(adapter, x))
    return _SMALL[key]


def _valid(adapter: TypeAdapter, value: Any) -> bool:
    try:
        adapter.validate_python(value)
        return True
    except Exception:
        return False


def _service_names(pack: Any) -> tuple[str, ...]:
    """The service items a request may name: the pack's own (an unknown id is invalid input,
    CONTRACT.md); without a pack's items, a stand-in name."""
    pack = _resolve_pack(pack)
    names = [s.id for s in getattr(pack, "services", ())] if pack is not None else []
    return tuple(names) or ("other_service",)


def _model_values(model: type[BaseModel], pack: Any, as_of: date | None,
                  place: st.SearchStrategy[str] | None = None,
                  complete: bool = False, hints: frozenset[str] = frozenset()
                  ) -> st.SearchStrategy:
    """A valid object of any situation model: required fields always, optional ones often (all
    of them with ``complete``, except fields whose absence is a known value)."""
    required: dict[str, st.SearchStrategy] = {}
    optional: dict[str, st.SearchStrategy] = {}
    for key, info in fields(model).items():
        strategy = _for_kind(field_kind(info), key, pack, as_of, place, hints)
        if info.is_required() or (complete and key not in known_none()):
            required[key] = strategy
        elif not complete:
            optional[key] = strategy
    adapter = _adapter(model)
    return st.fixed_dictionaries(required, optional=optional).filter(
        lambda d: _valid(adapter, d)
    )
