"""The pack's places and dates: pack helpers (short reprs, memo per pack), the dates a pack
names, :class:`PlacePool` and the :func:`places` strategy."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from tongcheng.places import PlaceRegistry, default_registry

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

_CODE = re.compile(r"^\d{6}$")



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
    members, declared, literal_codes = _zone_places(pack, reg)
    provinces = [reg.province_of(m) for m in members]
    home = max(set(provinces), key=provinces.count) if provinces else "370000"

    def level(code: str) -> str:
        return reg.get(code).level

    inside, coarse, beside = _around_members(reg, members)
    outside = _outside(reg, home, [m for m in members if level(m) != "province"])
    elsewhere = _elsewhere(reg, home)
    literals = (literal_codes | declared) - {home}
    known = members | inside | coarse | beside | outside | literals
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
        retired=tuple(sorted(_retired(reg, home, known))),
        fine=fine,
    )


def _zone_places(pack: Any, reg: PlaceRegistry) -> tuple[set[str], set[str], set[str]]:
    """The members of the zones the rules use, the places parameters declare, and the place
    codes the rules name; without a pack, ZONE_PLACES."""
    if pack is None:
        return {m for m in ZONE_PLACES if m in reg}, set(), set()
    # zones the rules use (cited, or named in an expression); a zone no rule uses (the
    # industry cooperation areas) decides nothing, so its places are nothing special
    literals = set(_string_literals(_clauses(pack)))
    used = {ref.zone.id for r in pack.rules for ref in r.zones} | (literals & set(pack.zones))
    members = {m.place for z in pack.zones.values() if z.id in used for m in z.members}
    declared = {p for prm in pack.parameters.values() for p in prm.places}
    literal_codes = {s for s in literals if _CODE.match(s) and s in reg}
    return {m for m in members if m in reg}, declared, literal_codes


def _around_members(reg: PlaceRegistry, members: set[str]
                    ) -> tuple[set[str], set[str], set[str]]:
    """Inside (the children of member provinces and cities), coarse (the cities of member
    counties, too coarse to tell) and beside (their counties in no zone)."""
    inside: set[str] = set()
    coarse: set[str] = set()
    beside: set[str] = set()
    for m in members:
        if reg.get(m).level in ("province", "city"):
            inside |= set(reg.children(m))
        else:
            city = reg.city_of(m)
            if city is not None:
                coarse.add(city)
                beside |= {c for c in reg.children(city) if c not in members}
    return inside, coarse, beside


def _outside(reg: PlaceRegistry, home: str, local: list[str]) -> set[str]:
    """The home province's cities in no zone (a province-wide member aside), with one county
    of each."""
    outside: set[str] = set()
    for city in reg.children(home):
        if any(reg.contains(m, city) or reg.contains(city, m) for m in local):
            continue
        outside.add(city)
        kids = reg.children(city)
        if kids:
            outside.add(kids[0])
    return outside


def _elsewhere(reg: PlaceRegistry, home: str) -> set[str]:
    """A city and a county of every other province, and the counties a province governs
    directly; 48 at most."""
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
    return set(sorted(elsewhere)[:48])


def _retired(reg: PlaceRegistry, home: str, known: set[str]) -> list[tuple[str, date]]:
    """Retired codes of the home province whose successor (or its city) the pool knows, with
    the day each was retired."""
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
    return retired


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
