"""Contribution and deposit periods: :func:`periods` and :func:`period_lists`, with month edges,
gaps, overlaps and retired place codes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tongcheng.places import default_registry
from tongcheng.situation import SCHEMES
from tongcheng.testing.dating import _fmt, _index, _month_index, _ym
from tongcheng.testing.packs import PlacePool, _short_pack_repr, place_pool, places


def _retired_place(draw, pool: PlacePool, start: int) -> str | None:
    """A retired code valid for a period starting at month ``start``, if any."""
    usable = [code for code, gone in pool.retired if start < gone.year * 12 + gone.month - 1]
    if not usable:
        return None
    return draw(st.sampled_from(usable))


@_short_pack_repr
@st.composite
def periods(
    draw,
    *,
    with_scheme: bool = True,
    pack: Any = None,
    as_of: date | None = None,
    place: st.SearchStrategy[str] | None = None,
    schemes: Sequence[str] = SCHEMES,
) -> dict[str, Any]:
    """A contribution period (``with_scheme``) or a fund deposit period: open (still running) or
    closed, starting and ending anywhere or at month edges; may overlap others. Now and then a
    retired place code, valid because the period began before the code was retired."""
    start = max(_month_index(draw, as_of, pack), 1985 * 12)
    where = draw(place if place is not None else places(pack))
    if place is None and draw(st.integers(0, 14)) == 14:
        where = _retired_place(draw, place_pool(pack), start) or where
    period: dict[str, Any] = {"place": where, "from": _fmt(_ym(start))}
    if with_scheme:
        period = {"scheme": draw(st.sampled_from(tuple(schemes))), **period}
        if draw(st.integers(0, 9)) == 9:
            period["deemed"] = True
    if draw(st.booleans()):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            end = start + draw(st.sampled_from((0, 1, 11, 12, 35)))
        elif kind == 1:
            end = _month_index(draw, as_of, pack)
        else:
            end = start + draw(st.integers(0, 400))
        period["to"] = _fmt(_ym(max(start, end)))
    return period


@_short_pack_repr
@st.composite
def period_lists(
    draw,
    *,
    with_scheme: bool = True,
    pack: Any = None,
    as_of: date | None = None,
    max_size: int = 5,
    schemes: Sequence[str] = SCHEMES,
    place: st.SearchStrategy[str] | None = None,
) -> list[dict[str, Any]]:
    """A complete list of periods: independent ones, or a chain where each starts relative to
    the end of the one before — overlapping, in the same month, adjacent, or after a gap."""
    one = periods(with_scheme=with_scheme, pack=pack, as_of=as_of, schemes=schemes, place=place)
    if not draw(st.booleans()):
        return draw(st.lists(one, max_size=max_size))
    n = draw(st.integers(1, max(1, max_size)))
    out = [draw(one)]
    for _ in range(n - 1):
        prev = out[-1]
        prev_end = _index(_parse_ym(prev.get("to") or prev["from"]))
        step = draw(st.sampled_from((-12, -1, 0, 1, 1, 2, 13)))
        start = max(1985 * 12, prev_end + step)
        nxt = draw(one)
        nxt["from"] = _fmt(_ym(start))
        if "to" in nxt:
            nxt["to"] = _fmt(_ym(start + draw(st.integers(0, 60))))
        if _retired_code(nxt["place"]):
            nxt["place"] = _current_of(nxt["place"])
        out.append(nxt)
    return out


def _parse_ym(text: str) -> tuple[int, int]:
    y, m = text.split("-")
    return int(y), int(m)


def _retired_code(code: str) -> bool:
    reg = default_registry()
    return code in reg and not reg.get(code).current


def _current_of(code: str) -> str:
    reg = default_registry()
    place = reg.get(code)
    return reg.resolve(code, place.retired - timedelta(days=1)) if place.retired else code
