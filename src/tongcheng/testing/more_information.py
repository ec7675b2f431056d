"""More information: :func:`given_values` gives values for exactly the paths a decision says
are missing, refining a too-coarse place to a county inside it."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date
from typing import Any

from hypothesis import strategies as st

from tongcheng.consistency.facts import (
    Kind,
    Path,
    format_path,
    parse_path,
)
from tongcheng.consistency.facts import field_at as _field_kind_at
from tongcheng.errors import Worded
from tongcheng.places import default_registry
from tongcheng.testing.dating import dates
from tongcheng.testing.less_information import get_path, set_path
from tongcheng.testing.packs import _short_pack_repr, places
from tongcheng.testing.people import birth_dates, persons
from tongcheng.testing.spans import period_lists
from tongcheng.testing.values import _for_kind, _model_values


def field_at(path: Sequence[str | int]) -> Kind | None:
    """The kind of value the situation field at ``path`` holds, or None (see
    ``tongcheng.consistency.facts.field_at``)."""
    return _field_kind_at(path)


def _counties_inside(code: str) -> tuple[str, ...]:
    """Current counties inside ``code`` (itself excluded)."""
    reg = default_registry()
    out: list[str] = []
    for child in reg.children(code):
        if reg.get(child).level == "county":
            out.append(child)
        else:
            out.extend(_counties_inside(child) or (child,))
    return tuple(out)


class NotAPath(Worded, ValueError):
    """A ``missing`` entry that names no situation field, or a given place with nothing inside
    it: no value given to the situation can settle it (said in both languages, for verify)."""


@_short_pack_repr
@st.composite
def given_values(
    draw, situation: dict[str, Any], missing: Sequence[str], pack: Any = None,
    rule: Any = None,
) -> dict[str, Any]:
    """``situation`` with values given for exactly the ``missing`` paths (as a decision names
    them): an absent fact gets a value of its type, with places never too coarse so that no new
    unknown comes in; a place that is given but too coarse gets a county inside it. Raises
    :class:`NotAPath` for an entry that names no field of the situation model, or a given value
    that cannot be made more specific. ``rule`` draws places two times in three from where
    that rule speaks."""
    reg = default_registry()
    out = copy.deepcopy(situation)
    as_of = date.fromisoformat(situation["as_of"]) if situation.get("as_of") else date.today()
    parsed: list[Path] = []
    for text in missing:
        path = parse_path(text)
        if path is None or _field_kind_at(path) is None:
            raise NotAPath(f"{text!r} is not a path of the situation model",
                           f"{text!r} 不是情形模型中的路径")
        parsed.append(path)
    parsed.sort(key=len)
    done: list[Path] = []
    fine = places(pack, fine=True, rule=rule)
    for path in parsed:
        if any(path[: len(p)] == p for p in done):
            continue  # inside a fact already given whole
        kind = _field_kind_at(path)
        assert kind is not None
        current = get_path(out, path)
        if current is not None:
            if kind.name == "place" and isinstance(current, str):
                inner = _counties_inside(current) if current in reg else ()
                if not inner:
                    raise NotAPath(
                        f"{format_path(path)} is given ({current}) and has no place inside it: "
                        "no value can make it more specific",
                        f"{format_path(path)} 已给出({current}),其下没有更细的地区:无法把它"
                        "给得更具体",
                    )
                set_path(out, path, draw(st.sampled_from(inner)))
                done.append(path)
                continue
            raise NotAPath(f"{format_path(path)} is already given ({current!r})",
                           f"{format_path(path)} 已经给出({current!r})")
        set_path(out, path, draw(_fill(path, kind, out, pack, as_of, fine, parsed)))
        done.append(path)
    return out


def _fill(path: Path, kind: Kind, situation: dict[str, Any], pack: Any, as_of: date,
          fine: st.SearchStrategy[str], wanted: list[Path]) -> st.SearchStrategy[Any]:
    """A value for the absent fact at ``path``, consistent with the facts around it."""
    key = path[-1]
    person = situation.get("person") or {}
    wanted_keys = {p[-1] for p in wanted if p[:1] == ("person",)}
    if path == ("person", "employment") and (
        person.get("retired_on") or person.get("pension_place")
        or wanted_keys & {"retired_on", "pension_place"}
    ):
        return st.just("retired")
    if path == ("person", "birth_date"):
        latest = as_of
        if person.get("retired_on"):
            latest = min(latest, date.fromisoformat(person["retired_on"]))
        return birth_dates(latest, pack).map(date.isoformat)
    if path == ("person", "retired_on"):
        born = date.fromisoformat(person["birth_date"]) if person.get("birth_date") else date(
            1940, 1, 1)
        return dates(born, max(born, as_of)).map(date.isoformat)
    if path == ("person",):
        return persons(as_of, 10, pack, place=fine)
    if key == "insurance":
        return period_lists(pack=pack, as_of=as_of, place=fine)
    if key == "periods":
        return period_lists(with_scheme=False, pack=pack, as_of=as_of, max_size=4, place=fine)
    if kind.name == "model" and kind.model is not None:
        return _model_values(kind.model, pack, as_of, fine, complete=True)
    if kind.name == "list" and kind.elem is not None and kind.elem.model is not None:
        return st.lists(_model_values(kind.elem.model, pack, as_of, fine, complete=True),
                        max_size=3)
    return _for_kind(kind, str(key), pack, as_of, fine)
