"""The days on which a rule's decision for one situation may change, and why.

As ``as_of`` moves on, a decision changes only (1) on a day the pack changes something the rule
reads — the rule comes into or goes out of force, one of its zones opens or closes or gains or
loses a member, a parameter it reads takes a new value, a service item starts, a date the rule
names — or (2) on a day the person's own facts say — a birthday, a period starting or ending, a
permit issued, the retirement date — or (3) at the start of a month, when a count of months
grows because a period runs on. Between two days of (1) or (2), counts only grow, so a rule's
tests can only turn once: the timeline evaluates each rule at the ends of those stretches and
bisects where they differ (``timeline.build``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import attrs

from tongcheng.expr import ast
from tongcheng.months import first_day
from tongcheng.pack.model import Rule, RulePack, Text


@attrs.frozen
class Event:
    """Something that happens on a day and may change a decision."""

    day: date
    kind: str  # in_force | out_of_force | zone_opened | zone_closed | member_joined |
    #            member_left | parameter | service | rule_date | birthday | period_starts |
    #            period_ends | permit | retirement | result
    text: Text
    detail: dict[str, Any] = attrs.field(factory=dict, eq=False)


def _after(d: date | None) -> date | None:
    return d + timedelta(days=1) if d is not None else None


def _nodes(rule: Rule) -> Iterable[Any]:
    clauses = [*rule.lets, *rule.scope, *rule.conditions, *rule.outcome]
    if rule.place is not None:
        clauses.append(rule.place)
    for e in rule.exceptions:
        clauses += [*e.applies, *(e.conditions or ()), *e.outcome]
    for c in clauses:
        yield from ast.walk(c.expr)


def rule_events(pack: RulePack, rule: Rule) -> list[Event]:
    """The pack's days for this rule (see the module's docstring)."""
    out: list[Event] = []
    if rule.in_force_from:
        day = rule.in_force_from
        out.append(Event(day, "in_force", Text(
            f"规则自 {day} 起施行", f"the rule is in force from {day}")))
    if rule.in_force_to:
        day = _after(rule.in_force_to)
        out.append(Event(day, "out_of_force", Text(
            f"规则施行至 {rule.in_force_to}", f"the rule ends on {rule.in_force_to}")))
    calls = [n for n in _nodes(rule) if isinstance(n, ast.Call)]
    out += _zone_events(pack, rule, calls)
    out += _parameter_events(pack, rule)
    if any(c.func == "service_items" for c in calls):
        for item in pack.services:
            out.append(Event(item.start, "service", Text(
                f"服务事项 {item.name.zh} 自 {item.start} 起", f"service item {item.name.en} "
                f"from {item.start}"), {"item": item.id}))
    for call in calls:
        if call.func in ("date", "month") and call.args and isinstance(call.args[0], ast.Literal):
            day = _literal_day(call.func, call.args[0].value)
            if day is not None:
                out.append(Event(day, "rule_date", Text(
                    f"规则中的日期 {day}", f"a date the rule names: {day}")))
    return out


def _zone_events(pack: RulePack, rule: Rule, calls: list[Any]) -> list[Event]:
    """When the rule begins and ends in each zone it cites, and when each member of those zones
    (and of the zones its expressions name) joins or leaves."""
    out: list[Event] = []
    zones = {ref.zone.id: ref.zone for ref in rule.zones}
    for ref in rule.zones:
        name = ref.zone.name
        out.append(Event(ref.start, "zone_opened", Text(
            f"本规则在{name.zh}自 {ref.start} 起适用",
            f"the rule applies in {name.en} from {ref.start}"), {"zone": ref.zone.id}))
        if ref.end:
            out.append(Event(_after(ref.end), "zone_closed", Text(
                f"本规则在{name.zh}适用至 {ref.end}",
                f"the rule applies in {name.en} until {ref.end}"), {"zone": ref.zone.id}))
    for call in calls:
        if call.func in ("in_zone", "shares_zone"):
            for arg in call.args:
                if isinstance(arg, ast.Literal) and arg.value in pack.zones:
                    zones.setdefault(str(arg.value), pack.zones[str(arg.value)])
    for zone in zones.values():
        for m in zone.members:
            out.append(Event(m.start, "member_joined", Text(
                f"{m.place} 自 {m.start} 起属于{zone.name.zh}",
                f"{m.place} is in {zone.name.en} from {m.start}"),
                {"zone": zone.id, "place": m.place}))
            if m.end:
                out.append(Event(_after(m.end), "member_left", Text(
                    f"{m.place} 属于{zone.name.zh}至 {m.end}",
                    f"{m.place} is in {zone.name.en} until {m.end}"),
                    {"zone": zone.id, "place": m.place}))
    return out


def _parameter_events(pack: RulePack, rule: Rule) -> list[Event]:
    """The days a parameter the rule reads changes value at a place."""
    out: list[Event] = []
    for name in rule.parameter_names():
        parameter = pack.parameters.get(name)
        if parameter is None:
            continue
        for place, values in parameter.places.items():
            for v in values:
                for day, word in ((v.start, ("起", "from")), (_after(v.end), ("后", "after"))):
                    if day is None:
                        continue
                    out.append(Event(day, "parameter", Text(
                        f"参数 {name}[{place}] 自 {day} {word[0]}改变",
                        f"parameter {name}[{place}] changes on {day}"),
                        {"parameter": name, "place": place}))
    return out


def _literal_day(func: str, value: Any) -> date | None:
    try:
        if func == "date":
            return date.fromisoformat(str(value))
        year, month = str(value).split("-")
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None


def reads(rule: Rule) -> frozenset[str]:
    """The names a rule's expressions read (situation roots such as ``insurance`` among them),
    and ``age()`` as ``"age()"``: a person's day matters to the rules that read its fact."""
    names = {n.name for n in _nodes(rule) if isinstance(n, ast.Name)}
    if any(isinstance(n, ast.Call) and n.func == "age" for n in _nodes(rule)):
        names.add("age()")
    return frozenset(names)


def person_events(situation: Any, start: date, end: date,
                  read: frozenset[str] | None = None) -> list[Event]:
    """The situation's own days between ``start`` and ``end`` (those of the facts in ``read``,
    when given)."""
    out: list[Event] = []
    person = getattr(situation, "person", None)
    born = getattr(person, "birth_date", None)

    def wanted(root: str) -> bool:
        return read is None or root in read

    if wanted("age()") and born is not None:
        for year in range(start.year, end.year + 1):
            day = _birthday(born, year)
            age = year - born.year
            out.append(Event(day, "birthday", Text(f"年满 {age} 周岁", f"turns {age}"),
                             {"age": age}))
    retired = getattr(person, "retired_on", None)
    if retired is not None and wanted("person"):
        out.append(Event(retired, "retirement", Text(f"{retired} 退休", f"retires on {retired}")))
    residence = getattr(person, "residence", None) if wanted("person") else None
    for i, r in enumerate(residence or ()):
        if r.since is not None:
            out.append(Event(r.since, "permit", Text(
                f"{r.place} 居住证自 {r.since} 起", f"residence permit in {r.place} from "
                f"{r.since}"), {"path": f"person.residence[{i}]"}))
    results = getattr(situation, "results", None) if wanted("results") else None
    for i, res in enumerate(results or ()):
        if res.issued is not None:
            out.append(Event(res.issued, "result", Text(
                f"{res.issued} 取得结果", f"a result issued on {res.issued}"),
                {"path": f"results[{i}]"}))
    fund = getattr(situation, "provident_fund", None)
    for path, periods in (("insurance", getattr(situation, "insurance", None) or ()),
                          ("provident_fund.periods", getattr(fund, "periods", None) or ())):
        if not wanted(path.split(".")[0]):
            continue
        for i, p in enumerate(periods):
            where = f"{path}[{i}]"
            out.append(Event(first_day(p.from_), "period_starts", Text(
                f"{where}({p.place})开始", f"{where} ({p.place}) starts"), {"path": where}))
            if p.to is not None:
                out.append(Event(first_day(p.to + 1), "period_ends", Text(
                    f"{where}({p.place})结束", f"{where} ({p.place}) ends"), {"path": where}))
    return out


def _birthday(born: date, year: int) -> date:
    """The day one turns a year older: 1 March in common years for those born on 29 February
    (as ``age()`` counts)."""
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 3, 1)
