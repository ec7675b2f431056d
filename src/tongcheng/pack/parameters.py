"""Parameter values by place and date.

A value set for a city covers its counties unless a county has its own; a city asked about
when some of its counties have their own values is too coarse (the county decides). Dated values
are used inside their dates; an undated value (start unknown) is the current value after every
dated one; a value with an end but no start applies up to its end.

A place's values cover time from their earliest start on. Before it, the place says nothing, and
the next broader place that declares the parameter answers (a city's value from 2026-07 leaves
the province's value in force before then). A place whose values all start somewhere is silent
before the first start only: gaps between its values, and time after its last value ends, stay
its own (no value: a missing parameter). A place declared with no values at all, or with an
undated value or one without a start, covers all time.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

import attrs

from tongcheng.pack.model import Parameter, ParamValue
from tongcheng.places import PlaceRegistry


class Lookup(Enum):
    FOUND = "found"
    NOT_DECLARED = "not_declared"  # no place on the way up declares it: the rule does not apply
    NO_VALUE = "no_value"  # declared, but no value at that date: a missing parameter
    COARSE = "coarse"  # a county inside the place has its own value: ask for the county


@attrs.frozen
class ParamHit:
    status: Lookup
    parameter: str
    place: str | None = None  # the declaring place the value was taken from
    value: ParamValue | None = None

    @property
    def key(self) -> str:
        """How a missing parameter is named: ``medical_insurance.min_months[370600]``."""
        return f"{self.parameter}[{self.place}]" if self.place else self.parameter


def declaring_place(
    registry: PlaceRegistry, parameter: Parameter, place: str
) -> tuple[Lookup, str | None]:
    for candidate in registry.ancestors(place):
        if candidate in parameter.places:
            inner = [p for p in parameter.places if p != candidate and registry.contains(place, p)]
            if inner:
                return Lookup.COARSE, candidate
            return Lookup.FOUND, candidate
    inner = [p for p in parameter.places if registry.contains(place, p)]
    if inner:
        return Lookup.COARSE, None
    return Lookup.NOT_DECLARED, None


def value_at(values: tuple[ParamValue, ...], at: date) -> ParamValue | None:
    dated = [v for v in values if not v.undated]
    for v in dated:
        if (v.start is None or v.start <= at) and (v.end is None or at <= v.end):
            return v
    starts = [v.start for v in dated if v.start is not None]
    for v in values:
        if v.undated and all(s <= at for s in starts):
            return v
    return None


def first_start(values: tuple[ParamValue, ...]) -> date | None:
    """From when a place's values speak: their earliest start, or None when they cover all time
    (no values: declared unknown throughout; an undated value or one without a start)."""
    if not values or any(v.undated or v.start is None for v in values):
        return None
    return min(v.start for v in values if v.start is not None)


def fallback_chain(
    registry: PlaceRegistry, parameter: Parameter, declaring: str
) -> tuple[tuple[str, date | None], ...]:
    """The declaring place and the broader places declaring the parameter that answer before
    it speaks, each with the date from which it speaks (None: always); the last always speaks
    or is the broadest."""
    chain: list[tuple[str, date | None]] = []
    for candidate in registry.ancestors(declaring):
        if candidate not in parameter.places:
            continue
        start = first_start(parameter.places[candidate])
        chain.append((candidate, start))
        if start is None:
            break
    return tuple(chain)


def lookup(registry: PlaceRegistry, parameter: Parameter, place: str, at: date) -> ParamHit:
    status, declaring = declaring_place(registry, parameter, place)
    if status is not Lookup.FOUND:
        return ParamHit(status, parameter.id, declaring)
    assert declaring is not None
    found = resolve(parameter, fallback_chain(registry, parameter, declaring), at)
    if found is None:
        return ParamHit(Lookup.NO_VALUE, parameter.id, declaring)
    return ParamHit(Lookup.FOUND, parameter.id, *found)


def resolve(
    parameter: Parameter, chain: tuple[tuple[str, date | None], ...], at: date
) -> tuple[str, ParamValue] | None:
    """The place answering at ``at`` along a fallback chain, and its value (None: no value)."""
    for candidate, start in chain:
        if start is not None and at < start:
            continue  # this place is silent before its first value: a broader one answers
        hit = value_at(parameter.places[candidate], at)
        return None if hit is None else (candidate, hit)
    return None
