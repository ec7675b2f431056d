"""More months: :func:`more_months`, the same situation with more contribution months (and
:func:`with_list`, giving a list of periods)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tongcheng.consistency.facts import field_at as _field_kind_at
from tongcheng.testing.dating import _fmt, _index, _ym, dates
from tongcheng.testing.less_information import get_path, set_path
from tongcheng.testing.packs import _short_pack_repr, places
from tongcheng.testing.spans import _parse_ym, period_lists, periods


@_short_pack_repr
@st.composite
def with_list(draw, situation: dict[str, Any], path: Sequence[str | int],
              pack: Any = None) -> dict[str, Any]:
    """``situation`` with the list of periods at ``path`` given (drawn when absent)."""
    out = copy.deepcopy(situation)
    if get_path(out, path) is None:
        as_of = date.fromisoformat(out["as_of"]) if out.get("as_of") else date.today()
        kind = _field_kind_at(tuple(path))
        item_fields = kind.elem.model.model_fields if kind and kind.elem and kind.elem.model \
            else {}
        if "since" in item_fields and "from_" not in item_fields:
            value = draw(st.lists(st.fixed_dictionaries(
                {"place": places(pack), "since": dates(date(1990, 1, 1), as_of).map(
                    date.isoformat)}), max_size=3))
        else:
            value = draw(period_lists(with_scheme="scheme" in item_fields, pack=pack,
                                      as_of=as_of))
        set_path(out, path, value)
    return out


@_short_pack_repr
@st.composite
def more_months(
    draw, situation: dict[str, Any], path: Sequence[str | int], pack: Any = None
) -> dict[str, Any]:
    """``situation`` with more months in the list of periods at ``path`` (``insurance``,
    ``provident_fund.periods``): a period added, or one begun earlier, ended later, or left open;
    for permits (``person.residence``), one added or held from earlier. A number at ``path`` is
    raised instead. An absent list is given first (empty)."""
    out = copy.deepcopy(situation)
    as_of = date.fromisoformat(situation["as_of"]) if situation.get("as_of") else date.today()
    current = get_path(out, path)
    if isinstance(current, int | float) and not isinstance(current, bool):
        set_path(out, path, current + draw(st.integers(1, 1000)))
        return out
    if current is None:
        current = []
        set_path(out, path, current)
    kind = _field_kind_at(tuple(path))
    item_fields = kind.elem.model.model_fields if kind and kind.elem and kind.elem.model else {}
    if "since" in item_fields and "from_" not in item_fields:
        return _more_permit_months(draw, out, current, pack, as_of)
    with_scheme = "scheme" in item_fields
    if not current or draw(st.booleans()):
        current.append(draw(periods(with_scheme=with_scheme, pack=pack, as_of=as_of)))
        return out
    i = draw(st.integers(0, len(current) - 1))
    period = current[i]
    start = _index(_parse_ym(period["from"]))
    how = draw(st.integers(0, 2))
    if how == 0:
        period["from"] = _fmt(_ym(max(1985 * 12, start - draw(st.integers(1, 60)))))
    elif how == 1 and "to" in period:
        end = _index(_parse_ym(period["to"]))
        period["to"] = _fmt(_ym(end + draw(st.integers(1, 60))))
    else:
        period.pop("to", None)
    return out


def _more_permit_months(draw, out: dict[str, Any], permits: list[dict[str, Any]], pack: Any,
                        as_of: date) -> dict[str, Any]:
    """More months held for a list of permits (``place``, ``since``): one added, or one held
    from earlier."""
    dated = [p for p in permits if p.get("since")]
    if not dated or draw(st.booleans()):
        permits.append({"place": draw(places(pack)),
                        "since": draw(dates(date(1990, 1, 1), as_of)).isoformat()})
        return out
    permit = draw(st.sampled_from(dated))
    since = date.fromisoformat(permit["since"])
    permit["since"] = draw(dates(date(1985, 1, 1), since)).isoformat()
    return out


def shift_days(d: date, n: int) -> date:
    return d + timedelta(days=n)
