"""Hypothesis strategies for situations, for rule authors' own tests and the project's.

Every strategy draws JSON-ready data (dicts, lists, ``"YYYY-MM"`` strings, ISO dates) that
``tongcheng.parse_situation`` accepts: valid by construction. Requires ``hypothesis``
(``pip install tongcheng[verify]``).

Pass your rule pack (``pack=tongcheng.load_pack("my-pack")``) and the strategies draw from it:

- **places** (:func:`places`, :func:`place_pool`): the members of the pack's zones (cities and
  counties), the counties inside member cities, cities too coarse for a zone that lists only some
  of their counties (潍坊 for the metro area), their counties outside it (昌邑), places of the
  province in no zone, places in other provinces (and the few counties governed directly by a
  province, which have no city), place codes the rules and parameters name, and retired codes
  (only for periods that begin before the code was retired);
- **dates** (:func:`as_of_dates`): around every date the pack names — zone and member starts,
  rule zones, parameter values, documents — one day before, on and after, and anywhere between;
- **periods** (:func:`periods`, :func:`period_lists`): contribution and deposit periods, open or
  closed, overlapping, adjacent or with gaps, starting and ending at month edges (the month of
  ``as_of``, the months around it and after it, the months the pack's dates fall in);
- **persons** (:func:`persons`): every age and sex, births on the pack's age thresholds (a
  numeric parameter in years: born N years before ``as_of``, a day either side) and on 29 February;
- **situations** (:func:`situations`): whole situations, valid by construction, each fact present
  or absent (unknown); project situations (:func:`projects`) when the pack has project rules;
- **less information** (:func:`reduced`, :func:`less_informed`): the same situation with facts
  removed, or counties given only as their city — strictly less information;
- **more information** (:func:`given_values`): values for exactly the paths a decision says are
  missing, refining a too-coarse place to a county inside it;
- **more months** (:func:`more_months`): the same situation with more contribution months.

A test a rule author can copy (pytest, with hypothesis installed)::

    import tongcheng
    from hypothesis import given, strategies as st
    from tongcheng.testing import situations

    PACK = tongcheng.load_pack("my-pack")

    @given(situations(pack=PACK))
    def test_my_rule_never_grants_without_months(situation):
        d = tongcheng.evaluate(situation, PACK).decision("my.rule")
        if d.status.value == "eligible":
            assert d.outcome["recognized_months"] > 0

    @given(st.data())
    def test_more_is_never_less(data):
        full = data.draw(situations(pack=PACK))
        less = data.draw(less_informed(full, pack=PACK))
        ...

The whole property suite (``tongcheng verify PACK``) is built on these strategies; see
``tongcheng.consistency``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

from tongcheng.consistency.facts import (
    Kind,
    Path,
    field_kind,
    fields,
    format_path,
    full_annotation,
    kind_of,
    known_none,
    parse_path,
)
from tongcheng.consistency.facts import field_at as _field_kind_at
from tongcheng.places import PlaceRegistry, default_registry
from tongcheng.situation import CARD_KINDS, EMPLOYMENTS, SCHEMES, SEXES, Situation

__all__ = [
    "HAS_ENTERPRISE",
    "HAS_PROJECT",
    "REMOVABLE",
    "ZONE_PLACES",
    "NotAPath",
    "PlacePool",
    "as_of_dates",
    "birth_dates",
    "coarsened",
    "dates",
    "field_at",
    "get_path",
    "given_values",
    "less_informed",
    "months",
    "more_months",
    "pack_dates",
    "parse_path",
    "period_lists",
    "periods",
    "persons",
    "place_paths",
    "place_pool",
    "places",
    "projects",
    "reduced",
    "removable_paths",
    "rule_places",
    "set_path",
    "shift_days",
    "situations",
    "with_list",
    "without",
]

# Places that exercise the bundled zones: whole member cities, member and non-member counties of
# member cities (the metro area takes only some of 潍坊, 烟台 and 日照), capital-circle cities, a
# Shandong city in no zone, and a place outside Shandong. Kept for tests that want a fixed list;
# the strategies derive their places from a pack (see place_pool).
ZONE_PLACES: tuple[str, ...] = (
    "370200", "370211", "370285", "370281",  # 青岛, 黄岛区, 莱西, 胶州
    "370600", "370682", "370683", "370687", "370612",  # 烟台, 莱阳, 莱州, 海阳, 牟平区
    "370700", "370785", "370782", "370786",  # 潍坊, 高密, 诸城, 昌邑
    "371000", "371082",  # 威海, 荣成
    "371100", "371102", "371121",  # 日照, 东港区, 五莲
    "370100", "370300", "370500", "370900", "371400", "371500", "371600",  # 省会经济圈
    "370800",  # 济宁: a Shandong city in no zone
    "110101",  # 北京东城区: outside Shandong
)

HAS_PROJECT: bool = "project" in Situation.model_fields
HAS_ENTERPRISE: bool = "enterprise" in Situation.model_fields
"""Whether the situation model has a ``project`` subject (the flying-enclave rule's). When it
has not, :func:`projects` draws the planned fields (``kind: joint_enclave_project, zone,
flying_out, flying_in, gdp, tax``) and :func:`situations` draws no project situations."""

_CODE = re.compile(r"^\d{6}$")


# --- the pack ---------------------------------------------------------------------------------


class _PackArg:
    """A pack passed to a strategy, with a short repr (hypothesis prints strategy arguments)."""

    __slots__ = ("pack",)

    def __init__(self, pack: Any) -> None:
        self.pack = pack

    def __repr__(self) -> str:
        info = getattr(self.pack, "info", None)
        return f"<pack {info.name} {info.version}>" if info else "<bundled pack>"


def _bundled() -> Any:
    """The bundled pack, or None when it does not load (strategies then use ZONE_PLACES)."""
    try:
        from tongcheng.api import bundled_pack

        return bundled_pack()
    except Exception:  # a pack being edited must not break the strategies
        return None


def _resolve_pack(pack: Any) -> Any:
    if isinstance(pack, _PackArg):
        pack = pack.pack
    return _bundled() if pack is None else pack


def _short_pack_repr(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a strategy so the pack among its arguments is shown by name, not in full."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def public(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind_partial(*args, **kwargs)
        for name in ("pack", "rule"):
            value = bound.arguments.get(name)
            if value is not None and not isinstance(value, _PackArg | _RuleArg | str):
                bound.arguments[name] = _PackArg(value) if name == "pack" else _RuleArg(value)
        return fn(*bound.args, **bound.kwargs)

    return public


class _RuleArg:
    __slots__ = ("rule",)

    def __init__(self, rule: Any) -> None:
        self.rule = rule

    def __repr__(self) -> str:
        return f"<rule {self.rule.id}>"


def _resolve_rule(pack: Any, rule: Any) -> Any:
    if rule is None:
        return None
    if isinstance(rule, _RuleArg):
        return rule.rule
    if isinstance(rule, str):
        return pack.rule(rule)
    return rule


def _clauses(pack: Any) -> Iterable[Any]:
    """Every compiled clause of every rule (lets, scope, conditions, outcome, exceptions)."""
    for rule in pack.rules:
        yield from rule_clauses(rule)


def rule_clauses(rule: Any) -> Iterable[Any]:
    yield from rule.lets
    yield from rule.scope
    yield from rule.conditions
    yield from rule.outcome
    place = getattr(rule, "place", None)
    if place is not None:
        yield place
    for e in rule.exceptions:
        yield from e.applies
        yield from e.conditions or ()
        yield from e.outcome


def _string_literals(clauses: Iterable[Any]) -> set[str]:
    from tongcheng.expr import ast

    out: set[str] = set()
    for clause in clauses:
        for node in ast.walk(clause.expr):
            if isinstance(node, ast.Literal) and isinstance(node.value, str):
                out.add(node.value)
    return out


_MEMO: dict[tuple[int, Any], tuple[Any, Any]] = {}


def _memo(pack: Any, key: Any, make: Callable[[], Any]) -> Any:
    """``make()``, computed once per pack (strategies are rebuilt on every draw)."""
    k = (id(pack), key)
    hit = _MEMO.get(k)
    if hit is not None and hit[0] is pack:
        return hit[1]
    value = make()
    _MEMO[k] = (pack, value)
    return value


def pack_dates(pack: Any = None) -> tuple[date, ...]:
    """Every date the pack names: zone members, rule zones and in-force dates, parameter values,
    documents, service items. Sorted, without duplicates."""
    pack = _resolve_pack(pack)
    return _memo(pack, "dates", lambda: _pack_dates(pack))


def _pack_dates(pack: Any) -> tuple[date, ...]:
    if pack is None:
        return (date(2020, 1, 14), date(2021, 12, 29), date(2023, 10, 6), date(2025, 4, 28))
    out: set[date] = set()
    for zone in pack.zones.values():
        for m in zone.members:
            out.add(m.start)
            if m.end:
                out.add(m.end)
    for rule in pack.rules:
        out |= set(_rule_dates(rule))
    for parameter in pack.parameters.values():
        for values in parameter.places.values():
            for v in values:
                for d in (v.start, v.end):
                    if d:
                        out.add(d)
    for doc in pack.documents.values():
        if doc.issued:
            out.add(doc.issued)
    for item in getattr(pack, "services", ()):
        out.add(item.start)
    return tuple(sorted(out))


def _rule_dates(rule: Any) -> list[date]:
    out = []
    for ref in rule.zones:
        out.append(ref.start)
        if ref.end:
            out.append(ref.end)
        for m in ref.zone.members:
            out.append(m.start)
            if m.end:
                out.append(m.end)
    for d in (rule.in_force_from, rule.in_force_to):
        if d:
            out.append(d)
    for b in rule.basis:
        if b.document.issued:
            out.append(b.document.issued)
    return out


@attrs.frozen
class PlacePool:
    """The places a pack makes interesting, in groups (each group drawn equally often)."""

    members: tuple[str, ...]  # zone members as listed (cities, counties)
    inside: tuple[str, ...]  # counties of member cities (cities of a member province)
    coarse: tuple[str, ...]  # cities holding a member county: too coarse for that zone
    beside: tuple[str, ...]  # counties of such cities that the zone does not list
    outside: tuple[str, ...]  # places of the home province in no zone (province-wide zones aside)
    elsewhere: tuple[str, ...]  # places in other provinces, and province-governed counties
    literals: tuple[str, ...]  # place codes the rules and parameters name
    retired: tuple[tuple[str, date], ...]  # retired codes of the province, with retirement day
    fine: frozenset[str]  # places never too coarse for a zone or a parameter of the pack

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        return tuple(
            g
            for g in (self.members, self.inside, self.literals, self.coarse, self.beside,
                      self.outside, self.elsewhere)
            if g
        )

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(sorted({p for g in self.groups for p in g}))

    def fine_places(self) -> tuple[str, ...]:
        return tuple(p for p in self.all if p in self.fine)


_POOLS: dict[int, tuple[Any, PlacePool]] = {}


def place_pool(pack: Any = None, registry: PlaceRegistry | None = None) -> PlacePool:
    """The places of ``pack`` (default: the bundled pack), derived from its zones, parameters and
    rules, and from the place registry."""
    pack = _resolve_pack(pack)
    key = id(pack)
    if registry is None and key in _POOLS and _POOLS[key][0] is pack:
        return _POOLS[key][1]
    pool = _make_pool(pack, registry or default_registry())
    if registry is None:
        _POOLS[key] = (pack, pool)
    return pool


def _make_pool(pack: Any, reg: PlaceRegistry) -> PlacePool:
    if pack is None:
        members = set(ZONE_PLACES)
        declared: set[str] = set()
        literal_codes: set[str] = set()
    else:
        # zones the rules use (cited, or named in an expression); a zone no rule uses (the
        # industry cooperation areas) decides nothing, so its places are nothing special
        literals = set(_string_literals(_clauses(pack)))
        used = {ref.zone.id for r in pack.rules for ref in r.zones} | (literals & set(pack.zones))
        members = {m.place for z in pack.zones.values() if z.id in used for m in z.members}
        declared = {p for prm in pack.parameters.values() for p in prm.places}
        literal_codes = {s for s in literals if _CODE.match(s) and s in reg}
    members = {m for m in members if m in reg}
    provinces = [reg.province_of(m) for m in members]
    home = max(set(provinces), key=provinces.count) if provinces else "370000"

    def level(code: str) -> str:
        return reg.get(code).level

    inside: set[str] = set()
    coarse: set[str] = set()
    beside: set[str] = set()
    for m in members:
        if level(m) in ("province", "city"):
            inside |= set(reg.children(m))
        else:
            city = reg.city_of(m)
            if city is not None:
                coarse.add(city)
                beside |= {c for c in reg.children(city) if c not in members}
    # Outside: the home province's cities in no zone (a province-wide member aside), with one
    # county of each.
    local = [m for m in members if level(m) != "province"]
    outside: set[str] = set()
    for city in reg.children(home):
        if any(reg.contains(m, city) or reg.contains(city, m) for m in local):
            continue
        outside.add(city)
        kids = reg.children(city)
        if kids:
            outside.add(kids[0])
    elsewhere: set[str] = set()
    for place in reg.all():
        if not place.current:
            continue
        if place.level == "province" and place.code != home:
            cities = reg.children(place.code)
            if cities:
                elsewhere.add(cities[0])
                counties = reg.children(cities[0])
                if counties:
                    elsewhere.add(counties[0])
        elif place.level == "county" and reg.city_of(place.code) is None:
            elsewhere.add(place.code)  # governed by its province directly (济源 419001, ...)
    elsewhere = set(sorted(elsewhere)[:48])
    literals = (literal_codes | declared) - {home}
    known = members | inside | coarse | beside | outside | literals
    retired = []
    for place in reg.all():
        if place.retired is None or not place.code.startswith(home[:2]):
            continue
        try:
            successor = reg.resolve(place.code, place.retired - timedelta(days=1))
        except ValueError:
            continue
        if successor in known or reg.city_of(successor) in known:
            retired.append((place.code, place.retired))
    everything = known | elsewhere
    fine_against = members | declared
    fine = frozenset(
        p
        for p in everything
        if not any(q != p and reg.contains(p, q) for q in fine_against)
        and level(p) != "province"
    )
    return PlacePool(
        members=tuple(sorted(m for m in members if level(m) != "province")),
        inside=tuple(sorted(inside)),
        coarse=tuple(sorted(coarse)),
        beside=tuple(sorted(beside)),
        outside=tuple(sorted(outside)),
        elsewhere=tuple(sorted(elsewhere)),
        literals=tuple(sorted(p for p in literals if level(p) != "province")),
        retired=tuple(sorted(retired)),
        fine=fine,
    )


def rule_places(pack: Any, rule: Any) -> tuple[str, ...]:
    """The places where ``rule`` speaks: members of its zones (a province-wide member aside),
    counties of member cities, and place codes its expressions name."""
    pack = _resolve_pack(pack)
    rule = _resolve_rule(pack, rule)
    return _memo(pack, ("rule places", rule.id), lambda: _rule_places(rule))


def _rule_places(rule: Any) -> tuple[str, ...]:
    reg = default_registry()
    out: set[str] = set()
    for ref in rule.zones:
        for m in ref.zone.members:
            if m.place not in reg:
                continue
            if reg.get(m.place).level == "province":
                out |= set(reg.children(m.place))
                continue
            out.add(m.place)
            out |= set(reg.children(m.place))
    out |= {s for s in _string_literals(rule_clauses(rule)) if _CODE.match(s) and s in reg}
    return tuple(sorted(p for p in out if reg.get(p).current))


@_short_pack_repr
def places(pack: Any = None, *, fine: bool = False, rule: Any = None) -> st.SearchStrategy[str]:
    """A current place code of ``pack``'s pool (default: the bundled pack). Each group of
    :class:`PlacePool` is drawn equally often; ``fine=True`` gives only places that are never too
    coarse for a zone or parameter (so every membership is known); ``rule`` (an id or a rule)
    draws two times in three from the places where that rule speaks."""
    real = _resolve_pack(pack)
    focus = _resolve_rule(real, rule)
    key = ("places", fine, focus.id if focus is not None else None)
    return _memo(real, key, lambda: _places(real, fine, focus))


def _places(pack: Any, fine: bool, rule: Any) -> st.SearchStrategy[str]:
    pool = place_pool(pack)
    groups = pool.groups
    if fine:
        groups = tuple(g2 for g in groups if (g2 := tuple(p for p in g if p in pool.fine)))
    if not groups:
        return st.sampled_from(ZONE_PLACES)
    anywhere = st.one_of(*(st.sampled_from(g) for g in groups))
    if rule is None:
        return anywhere
    focus = rule_places(pack, rule)
    if fine:
        focus = tuple(p for p in focus if p in pool.fine)
    if not focus:
        return anywhere
    return st.one_of(st.sampled_from(focus), st.sampled_from(focus), anywhere)


# --- dates and months -------------------------------------------------------------------------


def dates(start: date = date(1940, 1, 1), end: date = date(2027, 12, 31)) -> st.SearchStrategy:
    return st.dates(min_value=start, max_value=max(start, end))


def _around(days: Iterable[date]) -> list[date]:
    out = set()
    for d in days:
        for n in (-1, 0, 1):
            with contextlib.suppress(OverflowError):
                out.add(d + timedelta(days=n))
    return sorted(out)


@_short_pack_repr
def as_of_dates(pack: Any = None, *, rule: Any = None) -> st.SearchStrategy[date]:
    """Evaluation dates: on and a day either side of every date the pack names (of ``rule``'s
    dates only, when given), and anywhere from three years before the first to three years
    after the last."""
    pack = _resolve_pack(pack)
    focus = _resolve_rule(pack, rule)
    edges = _around(_rule_dates(focus) if focus is not None else pack_dates(pack))
    if not edges:
        return dates(date(2019, 1, 1), date(2027, 12, 31))
    lo = max(date(1990, 1, 1), edges[0] - timedelta(days=3 * 365))
    hi = min(date(2099, 12, 31), max(edges[-1], date(2026, 1, 1)) + timedelta(days=3 * 365))
    anywhere = st.one_of(st.sampled_from(edges), dates(lo, hi))
    if focus is None or not focus.zones:
        return anywhere
    start = max(min(ref.start for ref in focus.zones), focus.in_force_from or date.min)
    end = min(hi, focus.in_force_to or date.max)
    inside = [d for d in edges if start <= d <= end]
    window = dates(start, max(start, end))
    near = st.sampled_from(inside) if inside else window
    return st.integers(0, 9).flatmap(
        lambda k: near if k in (1, 2, 3) else anywhere if k == 9 else window)


def months(lo: int = 1985, hi: int = 2027) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.integers(lo, hi), st.integers(1, 12))


def _fmt(ym: tuple[int, int]) -> str:
    return f"{ym[0]:04d}-{ym[1]:02d}"


def _index(ym: tuple[int, int]) -> int:
    return ym[0] * 12 + ym[1] - 1


def _ym(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def _month_index(draw, as_of: date | None, pack: Any) -> int:
    """A month: anywhere, near the month of as_of (before, at, after), or near a pack date."""
    now = as_of or date(2025, 6, 1)
    m_now = now.year * 12 + now.month - 1
    choice = draw(st.integers(0, 9))
    if choice < 4:
        return _index(draw(months(1985, now.year + 1)))
    if choice < 7:
        return m_now + draw(st.integers(-3, 1))
    edges = pack_dates(pack)
    if edges:
        d = draw(st.sampled_from(edges))
        return d.year * 12 + d.month - 1 + draw(st.integers(-1, 1))
    return m_now


# --- periods ---------------------------------------------------------------------------------


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


# --- persons ---------------------------------------------------------------------------------


def _weighted(choices: Sequence[Any], hints: Iterable[Any] = ()) -> tuple[Any, ...]:
    """``choices``, with those among ``hints`` (words a focused rule writes) repeated so they
    come up about half the time."""
    hinted = [c for c in choices if c in set(hints)]
    return tuple(hinted) * max(1, len(choices) // max(1, len(hinted))) + tuple(choices) \
        if hinted else tuple(choices)


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


# --- generic values by type -----------------------------------------------------------------


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
    adapter = _adapter(kind.annotation)
    return st.integers(0, 5).filter(lambda x: _valid(adapter, x))


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _adapter(annotation: Any) -> TypeAdapter:
    key = repr(annotation)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(annotation)
    return _ADAPTERS[key]


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


# --- projects ---------------------------------------------------------------------------------


def _project_zones(pack: Any) -> list[Any]:
    if pack is None:
        return []
    used = [ref.zone for r in pack.rules if r.subject == "project" for ref in r.zones]
    return used or list(pack.zones.values())


@_short_pack_repr
@st.composite
def projects(draw, pack: Any = None, as_of: date | None = None) -> dict[str, Any]:
    """A jointly introduced project for the flying-enclave rule: its two sides drawn from the
    members of the zones the pack's project rules cite (and their counties), or anywhere; GDP
    and tax exact to the cent (odd cents included, so a remainder cent shows).

    The fields come from the situation model's ``project``. When the model has none yet
    (:data:`HAS_PROJECT` is false), the project has the planned fields
    ``kind: joint_enclave_project, zone, flying_out, flying_in, gdp, tax`` — not valid input
    until the model gains them.
    """
    pack = _resolve_pack(pack)
    zones = _project_zones(pack)
    zone = draw(st.sampled_from(zones)) if zones else None
    sides = places(pack)
    if zone is not None:
        reg = default_registry()
        members = sorted({p for m in zone.members for p in (m.place, *reg.children(m.place))})
        sides = st.one_of(st.sampled_from(members), places(pack))
    amount = st.one_of(
        st.integers(0, 10**12).map(lambda cents: cents / 100),
        st.sampled_from((0, 0.01, 0.05, 1, 3.33, 100000000.01)),
    )
    if not HAS_PROJECT:
        return {
            "kind": "joint_enclave_project",
            "zone": zone.id if zone is not None else "laixi_laiyang",
            "flying_out": draw(sides),
            "flying_in": draw(sides),
            "gdp": draw(amount),
            "tax": draw(amount),
        }
    kind = kind_of(Situation.model_fields["project"].annotation)
    assert kind.model is not None
    project: dict[str, Any] = {}
    maybe = _presence(8)
    for key, info in fields(kind.model).items():
        if not info.is_required() and not draw(maybe):
            continue
        if key in ("flying_out", "flying_in"):
            project[key] = draw(sides)
        elif key in ("gdp", "tax"):
            project[key] = draw(amount)
        elif key == "jointly_introduced":
            project[key] = draw(st.sampled_from((True, True, True, False)))
        elif key == "zone" and zone is not None:
            project[key] = zone.id
        else:
            project[key] = draw(_for_kind(field_kind(info), key, pack, as_of))
    return project


def _has_project_rules(pack: Any) -> bool:
    return pack is not None and any(r.subject == "project" for r in pack.rules)


def _has_person_rules(pack: Any) -> bool:
    return pack is None or any(r.subject == "person" for r in pack.rules)


def _has_enterprise_rules(pack: Any) -> bool:
    return pack is not None and any(r.subject == "enterprise" for r in pack.rules)


@_short_pack_repr
@st.composite
def enterprises(draw, pack: Any = None, as_of: date | None = None) -> dict[str, Any]:
    """An enterprise for the enterprise rules: its place of registration drawn from the members
    of the zones those rules cite (and their counties), or anywhere; each field known or not."""
    pack = _resolve_pack(pack)
    zones = [ref.zone for r in pack.rules if r.subject == "enterprise" for ref in r.zones]
    where = places(pack)
    if zones:
        reg = default_registry()
        members = sorted({p for z in zones for m in z.members
                          for p in (m.place, *reg.children(m.place))})
        where = st.one_of(st.sampled_from(members), places(pack))
    kind = kind_of(Situation.model_fields["enterprise"].annotation)
    assert kind.model is not None
    out: dict[str, Any] = {}
    maybe = _presence(8)
    for key, info in fields(kind.model).items():
        if not draw(maybe):
            continue
        if key == "registered_in":
            out[key] = draw(where)
        else:
            out[key] = draw(_for_kind(field_kind(info), key, pack, as_of))
    return out


# --- situations -------------------------------------------------------------------------------

_SITUATION_HANDLED = frozenset({"as_of", "target", "person", "insurance", "provident_fund",
                                "cards", "project", "enterprise"})


@_short_pack_repr
@st.composite
def situations(
    draw,
    *,
    as_of: date | None = None,
    completeness: int | None = None,
    pack: Any = None,
    subject: str | None = None,
    rule: Any = None,
) -> dict[str, Any]:
    """A whole situation, each fact present or absent (unknown), lists possibly empty.

    ``completeness`` (0-10) is how often each fact is known; drawn when not given, so both
    sparse and nearly complete situations come up. ``pack`` (default: the bundled pack) gives
    the places and dates. ``subject`` is ``"person"``, ``"project"`` or ``"enterprise"``; by
    default a project (or an enterprise) now and then when the pack has such rules and the
    model the field. ``rule``
    (an id or a rule) focuses on one rule: its subject, dates around its zones and documents,
    and half the places where it speaks.
    """
    pack = _resolve_pack(pack)
    focus = _resolve_rule(pack, rule)
    when = as_of or draw(as_of_dates(pack, rule=focus))
    level = completeness if completeness is not None else draw(st.sampled_from((3, 6, 9, 10)))
    if subject is None and focus is not None:
        subject = focus.subject if focus.subject in ("person", "project", "enterprise") else None
    if subject is None:
        if HAS_PROJECT and _has_project_rules(pack):
            subject = "project" if (not _has_person_rules(pack) or draw(
                st.integers(0, 5)) == 5) else "person"
        else:
            subject = "person"
        if subject == "person" and HAS_ENTERPRISE and _has_enterprise_rules(pack) and draw(
                st.integers(0, 7)) == 7:
            subject = "enterprise"
    where = places(pack, rule=focus)
    hints = _memo(pack, ("hints", focus.id), lambda: frozenset(_string_literals(rule_clauses(
        focus)))) if focus is not None else frozenset()
    schemes = _weighted(SCHEMES, hints)
    situation: dict[str, Any] = {"as_of": when.isoformat()}
    maybe = _presence(level)
    if draw(st.integers(0, 7)):
        situation["target"] = draw(where)
    if subject == "project":
        if HAS_PROJECT:
            situation["project"] = draw(projects(pack, when))
        return situation
    if subject == "enterprise":
        if HAS_ENTERPRISE:
            situation["enterprise"] = draw(enterprises(pack, when))
        return situation
    if draw(maybe):
        situation["person"] = draw(persons(when, level, pack, place=where, hints=hints))
    if draw(maybe):
        situation["insurance"] = draw(period_lists(pack=pack, as_of=when, place=where,
                                                   schemes=schemes))
    if draw(maybe):
        fund: dict[str, Any] = {}
        if draw(maybe):
            fund["periods"] = draw(period_lists(with_scheme=False, pack=pack, as_of=when,
                                                max_size=4, place=where))
        if draw(maybe):
            fund["balance"] = draw(st.one_of(st.integers(0, 300_000), st.sampled_from(
                (0, 9_999, 10_000, 10_001, 45_000, 65_000))))
        if draw(maybe):
            fund["outstanding_loans"] = draw(st.integers(0, 2))
        if draw(maybe):
            fund["couple_application"] = draw(st.booleans())
        if draw(maybe):
            fund["spouse_balance"] = draw(st.integers(0, 300_000))
        situation["provident_fund"] = fund
    if draw(maybe):
        situation["cards"] = draw(st.lists(
            st.fixed_dictionaries({"kind": st.sampled_from(_weighted(CARD_KINDS, hints)),
                                   "issuer": where}),
            max_size=3))
    for key, info in fields(Situation).items():
        if key in _SITUATION_HANDLED:
            continue
        if draw(maybe):
            situation[key] = draw(_for_kind(field_kind(info), key, pack, when, where, hints))
    return situation


# --- less information -------------------------------------------------------------------------

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
_NOT_REMOVABLE = frozenset({("as_of",), ("project",), ("request",)})


def removable_paths(situation: dict[str, Any]) -> list[Path]:
    """Paths of the facts given in ``situation`` whose removal leaves it valid and strictly less
    informed: optional fields (null = unknown), whole lists (absent = unknown), and optional
    fields of list items. Never ``as_of`` (its absence means today), never ``project`` (it
    decides whether the subject is a project or a person), never an open period's ``to`` or
    another field whose absence is a known value, never a list item (a given list is
    complete)."""
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


# --- more information: values for missing paths ----------------------------------------------


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


class NotAPath(ValueError):
    """A ``missing`` entry that names no situation field, or a given place with nothing inside
    it: no value given to the situation can settle it."""


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
            raise NotAPath(f"{text!r} is not a path of the situation model")
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
                        "no value can make it more specific"
                    )
                set_path(out, path, draw(st.sampled_from(inner)))
                done.append(path)
                continue
            raise NotAPath(f"{format_path(path)} is already given ({current!r})")
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


# --- more months ------------------------------------------------------------------------------


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


# Kept for callers of the first version: the annotation of a field, metadata included.
_full_annotation = full_annotation
