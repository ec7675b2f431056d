"""Persons: :func:`persons` and :func:`birth_dates`, every age and sex, births on the pack's
age thresholds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from tongcheng.consistency.facts import (
    field_kind,
    fields,
)
from tongcheng.situation import EMPLOYMENTS, SEXES
from tongcheng.testing.dating import dates
from tongcheng.testing.packs import _resolve_pack, _short_pack_repr, pack_dates, places
from tongcheng.testing.values import _for_kind, _weighted


def _presence(completeness: int) -> st.SearchStrategy[bool]:
    """True with probability completeness/10: how often a fact is known (shrinks to absent, so
    counterexamples keep only the facts they need)."""
    return st.integers(0, 9).map(lambda x: x >= 10 - completeness)


def _age_thresholds(pack: Any) -> tuple[int, ...]:
    """Ages the pack's parameters name (a numeric value of a parameter in years), else the usual
    ones."""
    out = {60}
    if pack is not None:
        for prm in pack.parameters.values():
            if (prm.unit or "") in ("years", "year", "age") or "age" in prm.id:
                for values in prm.places.values():
                    for v in values:
                        if isinstance(v.value, int | Decimal) and 0 < v.value < 120:
                            out.add(int(v.value))
    else:
        out |= {18, 50, 55, 65}
    return tuple(sorted(out))


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February in a common year
        return d.replace(year=d.year - years, day=28)


@_short_pack_repr
@st.composite
def birth_dates(draw, as_of: date, pack: Any = None) -> date:
    """A birth date at most ``as_of``: any age up to 100, on an age threshold of the pack (a day
    either side), or on 29 February."""
    floor = _years_before(as_of, 100)
    kind = draw(st.integers(0, 5))
    if kind <= 2:
        return draw(dates(floor, as_of))
    if kind <= 4:
        years = draw(st.sampled_from(_age_thresholds(_resolve_pack(pack))))
        born = _years_before(as_of, years) + timedelta(days=draw(st.integers(-1, 1)))
        return min(born, as_of)
    leap = [y for y in range(floor.year + 1, as_of.year + 1) if y % 4 == 0 and
            (y % 100 != 0 or y % 400 == 0) and date(y, 2, 29) <= as_of]
    if not leap:
        return draw(dates(floor, as_of))
    return date(draw(st.sampled_from(leap)), 2, 29)


_PERSON_HANDLED = frozenset({"birth_date", "sex", "hukou", "lives_in", "work_place",
                             "employment", "retired_on", "pension_place", "residence"})


@_short_pack_repr
@st.composite
def persons(draw, as_of: date, completeness: int = 5, pack: Any = None,
            place: st.SearchStrategy[str] | None = None,
            hints: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A person as of ``as_of``: each fact present with probability completeness/10; every age
    and sex; retirement dates on the pack's dates now and then."""
    from tongcheng import situation as sit

    person: dict[str, Any] = {}
    birth = draw(birth_dates(as_of, pack))
    maybe = _presence(completeness)
    where = place if place is not None else places(pack)
    if draw(maybe):
        person["birth_date"] = birth.isoformat()
    if draw(maybe):
        person["sex"] = draw(st.sampled_from(SEXES))
    for key in ("hukou", "lives_in", "work_place"):
        if draw(maybe):
            person[key] = draw(where)
    employment = draw(st.sampled_from(_weighted(EMPLOYMENTS, hints))) if draw(maybe) else None
    if employment:
        person["employment"] = employment
    if employment in ("retired", None) and draw(maybe):
        edges = [d for d in pack_dates(pack) if birth <= d <= as_of]
        if edges and draw(st.booleans()):
            person["retired_on"] = draw(st.sampled_from(edges)).isoformat()
        else:
            person["retired_on"] = draw(dates(birth, max(birth, as_of))).isoformat()
    if employment in ("retired", None) and draw(maybe):
        person["pension_place"] = draw(where)
    if draw(maybe):
        person["residence"] = draw(st.lists(
            st.fixed_dictionaries({"place": where},
                                  optional={"since": dates(date(1990, 1, 1), as_of)
                                            .map(date.isoformat)}),
            max_size=3))
    # Fields the model has beyond these (added later): drawn from their types.
    for key, info in fields(sit.Person).items():
        if key in person or key in _PERSON_HANDLED:
            continue
        if draw(maybe):
            person[key] = draw(_for_kind(field_kind(info), key, pack, as_of, hints=hints))
    return person
