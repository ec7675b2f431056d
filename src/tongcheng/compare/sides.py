"""The two sides of a comparison, and which rules must be decided on both.

As OpenFisca's reform keeps its baseline untouched, a comparison holds two packs loaded apart —
each the bundled pack or a folder, with its own overlays, at the rows' own dates or at one date —
and never edits either. A rule is decided twice only when something it reads differs between
the sides: the rule itself (its zones with their members included), a parameter it names, a
zone it names in ``in_zone``/``shares_zone``, the service items (for ``service_items``), or the
date. Every other rule is decided once and its decision stands for both sides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import attrs

from tongcheng.errors import Worded
from tongcheng.expr import ast
from tongcheng.pack.model import Layer, PackInfo, Rule, RulePack
from tongcheng.places import PlaceRegistry

_AT = re.compile(r"^(?P<pack>.*?)@(?P<date>\d{4}-\d{2}-\d{2})$")
BUNDLED = "bundled"


class SideError(Worded, ValueError):
    """A side given wrongly on the command line (the message names what was expected, in
    English and in Chinese)."""


@attrs.frozen
class Side:
    """One side of a comparison: its pack (with overlays) and the date it decides at."""

    label: str  # base | new
    pack: RulePack
    as_of: date | None  # None: each row's own as_of
    spec: str  # as given, for the report

    def layers(self) -> tuple[Layer, ...]:
        return self.pack.layers or (Layer(self.pack.info, self.pack.root),)

    def to_json(self) -> dict:
        return {"spec": self.spec, "as_of": self.as_of.isoformat() if self.as_of else None,
                "rule_pack": info_json(self.pack.info),
                "layers": [{**info_json(lay.info), "root": lay.root} for lay in self.layers()]}


def info_json(info: PackInfo) -> dict:
    return {"name": info.name, "version": info.version, "digest": info.digest}


def parse_spec(text: str | None) -> tuple[str | None, date | None]:
    """``PACK[@DATE]`` (``bundled`` or empty: the bundled pack) as (folder or None, date)."""
    if not text:
        return None, None
    m = _AT.match(text)
    folder, when = (m["pack"], m["date"]) if m else (text, None)
    day = None
    if when is not None:
        try:
            day = date.fromisoformat(when)
        except ValueError:
            raise SideError(f"{text!r}: {when} is not a calendar date",
                            f"{text!r}:{when} 不是日历上存在的日期") from None
    if "@" in folder and m is None:
        raise SideError(f"{text!r}: expected PACK@YYYY-MM-DD",
                        f"{text!r}:应写作 规则包文件夹@YYYY-MM-DD")
    return (None if folder in ("", BUNDLED) else folder), day


def load_side(label: str, spec: str | None, overlays: Sequence[str], registry: PlaceRegistry,
              cache: dict | None = None) -> Side:
    """The pack of a side, loaded apart from the other (a cache shares the base pack when both
    sides name the same folder: packs are immutable). Raises PackError or SideError."""
    from tongcheng.pack.loader import bundled_pack_path, load_pack
    from tongcheng.pack.overlay import layer

    folder, day = parse_spec(spec)
    root = Path(folder) if folder else bundled_pack_path()
    cache = {} if cache is None else cache
    key = str(root.resolve())
    if key not in cache:
        cache[key] = load_pack(root, registry=registry)
    pack = cache[key]
    if overlays:
        pack = layer(pack, overlays, registry)
    shown = spec or BUNDLED
    if overlays:
        shown += "".join(f" +{o}" for o in overlays)
    return Side(label, pack, day, shown)


@attrs.frozen
class Plan:
    """Which rules each side decides: ``twice`` on both (with why), ``once`` shared, and the
    rules only one side has."""

    twice: dict[str, dict[str, str]]  # rule id -> why it is decided on both sides (zh, en)
    once: tuple[str, ...]
    only_base: tuple[str, ...]
    only_new: tuple[str, ...]

    @property
    def new_rules(self) -> tuple[str, ...]:
        """What the new side decides itself."""
        return (*self.twice, *self.only_new)


def plan(base: Side, new: Side) -> Plan:
    b, n = base.pack, new.pack
    b_ids, n_ids = set(b.rule_ids), set(n.rule_ids)
    twice: dict[str, dict[str, str]] = {}
    once: list[str] = []
    for rule in b.rules:
        if rule.id not in n_ids:
            continue
        why = difference(rule, n.rule(rule.id), b, n) if base.as_of == new.as_of else {
            "zh": f"评估日期不同({base.as_of or '各行自身'} / {new.as_of or '各行自身'})",
            "en": f"dates differ ({base.as_of or 'own'} / {new.as_of or 'own'})"}
        if why:
            twice[rule.id] = why
        else:
            once.append(rule.id)
    return Plan(twice, tuple(once), tuple(r for r in b.rule_ids if r not in n_ids),
                tuple(r for r in n.rule_ids if r not in b_ids))


def difference(a: Rule, b: Rule, pa: RulePack, pb: RulePack) -> dict[str, str] | None:
    """Why rule ``a`` of pack ``pa`` may decide differently from ``b`` of ``pb``, in Chinese and
    English (None: it cannot — same definition, same parameters, zones and service items it
    reads)."""
    if a != b:
        return {"zh": "规则本身不同", "en": "the rule differs"}
    for name in a.parameter_names():
        if pa.parameters.get(name) != pb.parameters.get(name):
            return {"zh": f"参数 {name} 不同", "en": f"parameter {name} differs"}
    for zone_id in _zone_names(a):
        if pa.zones.get(zone_id) != pb.zones.get(zone_id):
            return {"zh": f"区域 {zone_id} 不同", "en": f"zone {zone_id} differs"}
    if _calls(a, "service_items") and pa.services != pb.services:
        return {"zh": "服务事项不同", "en": "service items differ"}
    return None


def _clause_nodes(rule: Rule):
    clauses = [*rule.lets, *rule.scope, *rule.conditions, *rule.outcome]
    if rule.place is not None:
        clauses.append(rule.place)
    for e in rule.exceptions:
        clauses += [*e.applies, *(e.conditions or ()), *e.outcome]
    for c in clauses:
        yield from ast.walk(c.expr)


def _calls(rule: Rule, func: str) -> bool:
    return any(isinstance(n, ast.Call) and n.func == func for n in _clause_nodes(rule))


def _zone_names(rule: Rule) -> set[str]:
    """Zones a rule names in its expressions (its own zones are part of the rule)."""
    out = set()
    for node in _clause_nodes(rule):
        if isinstance(node, ast.Call) and node.func in ("in_zone", "shares_zone"):
            for arg in node.args:
                if isinstance(arg, ast.Literal) and isinstance(arg.value, str):
                    out.add(arg.value)
    return out
