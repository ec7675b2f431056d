"""A person's timeline: every rule decided at the end of each month of a window, the days its
decision changes, and why.

Each month is decided as of its last day (an open period runs through it, so a person who keeps
paying reaches a minimum in the month the timeline shows). A rule is evaluated at the ends of
each stretch of months in which nothing but counts of months can move (``events``), and the
stretch is bisected where its two ends differ; a change is then placed on its day — the event
that made it, or the first of the month in which a count reached a threshold — and explained
from the events of that day and the tests of the rule that turned.
"""

from __future__ import annotations

import calendar
import functools
import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import attrs

from tongcheng.errors import Worded
from tongcheng.evaluate.decision import Decision
from tongcheng.evaluate.evaluator import _select, decide
from tongcheng.months import first_day, format_month, month_of
from tongcheng.pack import parameters as param_logic
from tongcheng.pack.model import Rule, RulePack, Text, local
from tongcheng.places import PlaceRegistry, default_registry
from tongcheng.timeline.events import Event, person_events, reads, rule_events


class TimelineError(Worded, ValueError):
    """A window that cannot be drawn (the message says why, in both languages). ``field``:
    the bound at fault (``from`` or ``to``); the words name the bounds ``{from}`` and ``{to}``,
    filled by the face that asked (``--from`` on the command line, ``'from'`` over HTTP)."""

    def __init__(self, field: str, en: str, zh: str) -> None:
        self.field, self.en, self.zh_words = field, en, zh
        super().__init__(*self.named("'from'", "'to'"))

    def __reduce__(self):  # pickled with its field and both languages' words
        return type(self), (self.field, self.en, self.zh_words)

    def named(self, start: str, end: str) -> tuple[str, str]:
        """(English, Chinese) with the bounds called ``start`` and ``end``."""
        names = {"from": start, "to": end}
        return self.en.format_map(names), self.zh_words.format_map(names)

    def describe(self, lang: str = "en", start: str = "'from'", end: str = "'to'") -> str:
        en, zh = self.named(start, end)
        return zh if lang == "zh" else en


@functools.lru_cache(maxsize=4096)
def month_end(month: int) -> date:
    year, m = month // 12, month % 12 + 1
    return date(year, m, calendar.monthrange(year, m)[1])


@attrs.frozen
class Why:
    kind: str  # an event's kind, or "threshold" (a count reached a bound), or "test"
    text: Text
    detail: dict[str, Any] = attrs.field(factory=dict)

    def to_json(self, lang: str) -> dict[str, Any]:
        detail = {k: local(v, lang) if k == "reference" else v for k, v in self.detail.items()}
        return {"kind": self.kind, "text": self.text.get(lang), **detail}  # prose in ``lang``


@attrs.frozen
class Change:
    day: date
    before: Decision
    after: Decision
    why: tuple[Why, ...]

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "month": format_month(month_of(self.day)),
                "from": _key_json(self.before), "to": _key_json(self.after),
                "why": [w.to_json(lang) for w in self.why]}


@attrs.frozen
class Segment:
    """Months with one status and firmness; the decisions at its first and last month."""

    start: int
    end: int
    first: Decision
    last: Decision

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"from": format_month(self.start), "to": format_month(self.end),
                **_key_json(self.first), "outcome_first": dict(self.first.outcome),
                "outcome_last": dict(self.last.outcome),
                "missing": list(self.last.missing)}


@attrs.frozen
class RuleTimeline:
    rule: Rule
    segments: tuple[Segment, ...]
    changes: tuple[Change, ...]

    def at(self, month: int) -> Segment:
        for s in self.segments:
            if s.start <= month <= s.end:
                return s
        raise KeyError(format_month(month))

    def to_json(self, lang: str) -> dict[str, Any]:
        statuses = []
        for s in self.segments:
            statuses += [s.first.status.value] * (s.end - s.start + 1)
        return {"rule": self.rule.id,
                "title": {"zh": self.rule.title.zh, "en": self.rule.title.en},
                "statuses": statuses,
                "segments": [s.to_json(lang) for s in self.segments],
                "changes": [c.to_json(lang) for c in self.changes]}


@attrs.frozen
class Timeline:
    start: int
    end: int
    pack: Any  # PackInfo
    rules: tuple[RuleTimeline, ...]

    def rule(self, rule_id: str) -> RuleTimeline:
        for r in self.rules:
            if r.rule.id == rule_id:
                return r
        raise KeyError(rule_id)

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        return {"from": format_month(self.start), "to": format_month(self.end),
                "months": self.end - self.start + 1, "day": "month_end",
                "rule_pack": {"name": self.pack.name, "version": self.pack.version,
                              "digest": self.pack.digest},
                "rules": [r.to_json(lang) for r in self.rules]}


def _key(d: Decision) -> tuple[str, str]:
    return d.status.value, d.firmness


def _key_json(d: Decision) -> dict[str, Any]:
    return {"status": d.status.value, "firmness": d.firmness}


class _Decider:
    """One rule's decisions by day, each computed once (one memo per day, as ``evaluate``)."""

    def __init__(self, pack: RulePack, registry: PlaceRegistry, situation: Any,
                 memos: dict[date, dict]) -> None:
        self.pack, self.registry, self.situation = pack, registry, situation
        self.memos = memos
        self.done: dict[tuple[str, date, bool], Decision] = {}

    def __call__(self, rule: Rule, day: date, trace: bool = False) -> Decision:
        key = (rule.id, day, trace)
        if key not in self.done:
            memo = self.memos.setdefault(day, {}) if not trace else {}
            self.done[key] = decide(self.pack, self.registry, self.situation, day, rule, memo,
                                    trace)
        return self.done[key]


def build(pack: RulePack, situation: Any, start: int, end: int, *,
          rules: Sequence[str] | None = None,
          registry: PlaceRegistry | None = None) -> Timeline:
    """The timeline of a validated situation from month ``start`` to ``end`` (month indexes,
    both included). Raises TimelineError for an empty window or one before the person's birth,
    KeyError for an unknown rule."""
    if end < start:
        raise TimelineError("to", f"{{to}} {format_month(end)} is before {{from}} "
                            f"{format_month(start)}",
                            f"{{to}} {format_month(end)} 早于 {{from}} {format_month(start)}")
    born = getattr(getattr(situation, "person", None), "birth_date", None)
    if born is not None and month_end(start) < born:
        first = format_month(month_of(born))
        raise TimelineError("from", f"{{from}} {format_month(start)} is before the person's "
                            f"birth ({born}): start at {first} or later",
                            f"{{from}} {format_month(start)} 早于此人出生({born}):"
                            f"请从 {first} 或之后开始")
    registry = registry or default_registry()
    decider = _Decider(pack, registry, situation, {})
    places = frozenset(_places(situation))
    related = functools.cache(lambda a: any(_related(registry, a, p) for p in places))
    out = []
    for rule in _select(pack, rules):
        out.append(_rule_timeline(pack, registry, situation, rule, start, end, decider,
                                  related))
    return Timeline(start, end, pack.info, tuple(out))


def _rule_timeline(pack, registry, situation, rule: Rule, start: int, end: int,
                   decider: _Decider, related) -> RuleTimeline:
    lo, hi = month_end(start - 1), month_end(end)
    own, written, read = _pack_events(pack, rule)
    events = [e for e in own + person_events(situation, first_day(start), month_end(end), read)
              if lo < e.day <= hi and ("place" not in e.detail or e.detail["place"] in written
                                       or related(e.detail["place"]))]
    cuts = sorted({month_of(e.day) for e in events if month_of(e.day) > start})
    by_month: dict[int, Decision] = {}

    def at(month: int) -> Decision:
        if month not in by_month:
            by_month[month] = decider(rule, month_end(month))
        return by_month[month]

    def settle(a: int, b: int) -> None:
        """Decide a stretch's ends; bisect between ends that differ."""
        if _key(at(a)) == _key(at(b)) or b - a <= 1:
            return
        mid = (a + b) // 2
        at(mid)
        settle(a, mid)
        settle(mid, b)

    bounds = [start, *cuts, end + 1]
    for a, b in itertools.pairwise(bounds):
        settle(a, b - 1)
    months = sorted(by_month)
    segments: list[Segment] = []
    changes: list[Change] = []
    for month in months:
        d = by_month[month]
        if segments and _key(segments[-1].last) == _key(d):
            segments[-1] = attrs.evolve(segments[-1], end=month, last=d)
            continue
        if segments:  # a change between the previous decided month and this one
            prev = segments[-1]
            segments[-1] = attrs.evolve(prev, end=month - 1)
            changes.append(_change(pack, registry, rule, month, prev.last, d, events, decider))
        segments.append(Segment(month, month, d, d))
    segments[-1] = attrs.evolve(segments[-1], end=end)
    return RuleTimeline(rule, tuple(segments), tuple(changes))


_EVENTS: dict[int, tuple[RulePack, dict[str, Any]]] = {}


def _pack_events(pack: RulePack, rule: Rule) -> tuple[list[Event], frozenset[str],
                                                      frozenset[str]]:
    """``rule_events``, the place codes the rule writes and the names it reads, once per pack
    and rule (packs are immutable)."""
    held = _EVENTS.get(id(pack))
    if held is None or held[0] is not pack:
        if len(_EVENTS) > 8:
            _EVENTS.clear()
        held = _EVENTS[id(pack)] = (pack, {})
    if rule.id not in held[1]:
        held[1][rule.id] = (rule_events(pack, rule), frozenset(_rule_places(rule)),
                            reads(rule))
    return held[1][rule.id]


def _rule_places(rule: Rule) -> set[str]:
    from tongcheng.expr import ast
    from tongcheng.timeline.events import _nodes

    return {str(n.value) for n in _nodes(rule) if isinstance(n, ast.Literal)
            and isinstance(n.value, str) and len(n.value) == 6 and n.value.isdigit()}


def _places(situation: Any) -> set[str]:
    """Every place the situation names: a parameter value or a zone member elsewhere cannot
    change its decisions (a look-up at a place reads only its own, its ancestors' and its
    counties' values and memberships; places the rule itself writes are kept anyway)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and len(value) == 6 and value.isdigit():
            found.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(situation.model_dump(mode="json", by_alias=True) if hasattr(situation, "model_dump")
         else situation)
    return found


def _change(pack, registry, rule: Rule, month: int, before: Decision, after: Decision,
            events: list[Event], decider: _Decider) -> Change:
    """The day in ``month`` the decision changes, and why."""
    lo, hi = month_end(month - 1), month_end(month)
    candidates = sorted({e.day for e in events if lo < e.day <= hi} | {first_day(month)})
    day = hi
    for candidate in candidates:
        if _key(decider(rule, candidate)) != _key(before):
            day = candidate
            break
    return Change(day, before, after, tuple(_why(pack, registry, rule, day, events, decider)))


def _why(pack, registry, rule: Rule, day: date, events: list[Event],
         decider: _Decider) -> list[Why]:
    out = []
    before = decider(rule, day - timedelta(days=1), trace=True)
    after = decider(rule, day, trace=True)
    todays = [e for e in events if e.day == day and _concerns(e, before, after, registry)]
    opened = {e.detail.get("zone") for e in todays if e.kind in ("zone_opened", "zone_closed")}
    todays = [e for e in todays if not (
        (e.kind in ("member_joined", "member_left") and e.detail.get("zone") in opened)
        or (e.kind in ("in_force", "out_of_force") and opened))]
    for e in todays:
        detail = dict(e.detail)
        if e.kind == "parameter":
            detail.update(_parameter_change(pack, registry, e, day))
        out.append(Why(e.kind, e.text, detail))
    old = {(r.kind, r.name): r for r in before.reasons}
    for r in after.reasons:
        was = old.get((r.kind, r.name))
        if r.kind in ("outcome", "in_force") or was is None or was.value == r.value:
            continue
        out.append(Why("test", Text(f"{r.label.zh}:{_word(was.value, 'zh')} → "
                                    f"{_word(r.value, 'zh')}",
                                    f"{r.label.en}: {_word(was.value, 'en')} → "
                                    f"{_word(r.value, 'en')}"),
                       {"test": r.name, "before": was.value, "after": r.value}))
    if not todays:
        out.insert(0, Why("threshold", Text(
            "月数累计达到规则的界限(缴费或居住仍在继续)",
            "a count of months reached the rule's bound (a period runs on)"), {}))
    return out


def _concerns(event: Event, before: Decision, after: Decision,
              registry: PlaceRegistry) -> bool:
    """Whether an event of the day touches this decision: a parameter value it read, a zone
    member that holds a place it looked at; every other kind of event does."""
    reasons = [*before.reasons, *after.reasons]
    if event.kind == "parameter":
        used = {(p.get("parameter"), p.get("place")) for r in reasons for p in r.parameters}
        return (event.detail["parameter"], event.detail["place"]) in used or not used
    if event.kind in ("member_joined", "member_left"):
        places = {v for r in reasons for v in r.facts.values()
                  if isinstance(v, str) and len(v) == 6 and v.isdigit()}
        member = event.detail["place"]
        return any(_related(registry, member, p) for p in places) or not places
    return True


def _related(registry: PlaceRegistry, a: str, b: str) -> bool:
    try:
        return registry.contains(a, b) or registry.contains(b, a)
    except (KeyError, ValueError):
        return False


def _word(value: Any, lang: str) -> str:
    words = {True: ("成立", "holds"), False: ("不成立", "fails"), None: ("未知", "unknown")}
    if isinstance(value, bool) or value is None:
        zh, en = words[value]
        return zh if lang == "zh" else en
    return str(value)


def _parameter_change(pack, registry, event: Event, day: date) -> dict[str, Any]:
    parameter = pack.parameters[event.detail["parameter"]]
    values = parameter.places.get(event.detail["place"], ())
    old = param_logic.value_at(values, day - timedelta(days=1))
    new = param_logic.value_at(values, day)
    return {"before": old.value if old else None, "after": new.value if new else None,
            "reference": new.reference if new else None}
