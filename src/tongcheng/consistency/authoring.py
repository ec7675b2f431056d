"""Checks authors miss, beside ``lint.py``'s: what a pack's tests, parameters and quotes leave out.

warnings
    ``parameter-coverage``: for each place and date a rule can be asked, which value of each
    parameter it reads applies — reported where none does (a place declared with no value, a
    stretch before the first value or after the last, a member the parameter is not declared
    for); ``tongcheng lint --parameter-coverage`` prints the whole table. ``untested``: a rule no
    test case of the pack checks, or that every case sees only as not applicable; an exception
    no case applies. ``quote-subject``: a quoted sentence whose subject is a city outside the
    zones the quote is cited for (the sentence speaks of another city).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import attrs

from tongcheng import sourcetext
from tongcheng.consistency import analysis
from tongcheng.consistency.pack_lines import finding
from tongcheng.consistency.report import Finding, place_named
from tongcheng.errors import Location
from tongcheng.expr import ast
from tongcheng.pack import parameters as param_logic
from tongcheng.pack.model import Basis, Parameter, Rule, RulePack, ZoneRef
from tongcheng.pack.overlay import document_text
from tongcheng.places import PlaceRegistry

_EARLY = date(1900, 1, 1)  # stands for "any date before" when a rule reads a value at= a fact
_DAY = timedelta(days=1)


def _finding(loc: Location | None, check: str, message: str, *, zh: str) -> Finding:
    return finding(loc, "warning", check, message, zh=zh)  # the checks authors miss only warn


# --- parameter coverage -----------------------------------------------------------------------


@attrs.frozen
class Stretch:
    """From ``start`` to ``end`` (None: open) at ``place``, the value a rule reads: ``value`` is
    the ParamValue, or None with ``status`` saying why there is none."""

    place: str
    start: date | None  # None: any date before the first the pack names (an at= fact)
    end: date | None
    status: param_logic.Lookup
    value: Any = None
    declared_at: str | None = None
    guarded: bool = False  # not declared, and the rule's scope tests declared(): not a hole

    @property
    def hole(self) -> bool:
        if self.status is param_logic.Lookup.FOUND:
            return False
        return not (self.status is param_logic.Lookup.NOT_DECLARED and self.guarded)


@attrs.frozen
class Coverage:
    rule: Rule
    parameter: Parameter
    at_fact: bool  # taken at a date the situation gives (at=), not at as_of
    stretches: tuple[Stretch, ...]
    use: analysis.ParamUse

    @property
    def location(self) -> Location:
        clause = self.use.section.clause
        line = analysis.expression_line(clause, self.use.call)
        return Location(clause.location.file, line)

    @property
    def holes(self) -> list[Stretch]:
        return [s for s in self.stretches if s.hole]


def parameter_coverage(pack: RulePack, registry: PlaceRegistry) -> list[Coverage]:
    """For each rule and parameter it reads, the value at every place and date it is asked."""
    out = []
    for rule in pack.rules:
        seen: set[str] = set()
        for use in analysis.param_uses(rule):
            prm = pack.parameters.get(use.parameter)
            if prm is None or use.parameter in seen or use.call.func != "param":
                continue
            seen.add(use.parameter)
            stretches: list[Stretch] = []
            fixed = use.place.value if isinstance(use.place, ast.Literal) else None
            for place, start, end in _asked(rule, registry, prm, at_fact=use.at is not None,
                                            fixed=str(fixed) if fixed else None):
                stretches += _stretches(registry, prm, place, start, end, use.guarded)
            out.append(Coverage(rule, prm, use.at is not None, tuple(stretches), use))
    return out


def _asked(rule: Rule, registry: PlaceRegistry, prm: Parameter, at_fact: bool,
           fixed: str | None = None) -> list[tuple[str, date | None, date | None]]:
    """(place, from, to) where and when the rule can be asked, place by place (a member's
    counties when the parameter has values for some of them); with ``fixed``, the one place
    the rule names (``place="370200"``) for as long as the rule can be asked anywhere."""
    windows: dict[str, list[tuple[date | None, date | None]]] = {}
    for ref in rule.zones:
        for m in ref.zone.members:
            start, end = _window(rule, ref, m.start, m.end)
            if start is None or (end is not None and end < start):
                continue
            for spot in [fixed] if fixed else _spots(registry, prm, m.place):
                windows.setdefault(spot, []).append((_EARLY if at_fact else start,
                                                     None if at_fact else end))
    out = []
    for place, spans in windows.items():
        spans.sort(key=lambda s: s[0] or _EARLY)
        merged: list[list[Any]] = []
        for start, end in spans:
            if merged and (merged[-1][1] is None or start <= merged[-1][1] + _DAY):
                if merged[-1][1] is not None:
                    merged[-1][1] = None if end is None else max(end, merged[-1][1])
                continue
            merged.append([start, end])
        out += [(place, None if s == _EARLY else s, e) for s, e in merged]
    return out


def _window(rule: Rule, ref: ZoneRef, start: date, end: date | None
            ) -> tuple[date | None, date | None]:
    starts = [start, ref.start] + ([rule.in_force_from] if rule.in_force_from else [])
    ends = [e for e in (end, ref.end, rule.in_force_to) if e is not None]
    return max(starts), (min(ends) if ends else None)


def _spots(registry: PlaceRegistry, prm: Parameter, place: str) -> list[str]:
    if place not in registry:
        return []
    if registry.get(place).level == "province":
        return [c for c in registry.children(place)
                if param_logic.declaring_place(registry, prm, c)[0] is not
                param_logic.Lookup.NOT_DECLARED] or [place]
    status, _ = param_logic.declaring_place(registry, prm, place)
    if status is param_logic.Lookup.COARSE:
        return [c for c in registry.children(place) if registry.contains(place, c)] or [place]
    return [place]


def _stretches(registry: PlaceRegistry, prm: Parameter, place: str, start: date | None,
               end: date | None, guarded: bool) -> list[Stretch]:
    _, declaring = param_logic.declaring_place(registry, prm, place)
    values = prm.places.get(declaring, ()) if declaring else ()
    cuts = {start or _EARLY}
    for v in values:
        for d in (v.start, v.end + _DAY if v.end else None):
            if d is not None and (start or _EARLY) < d and (end is None or d <= end):
                cuts.add(d)
    points = sorted(cuts)
    out: list[Stretch] = []
    for i, a in enumerate(points):
        b = points[i + 1] - _DAY if i + 1 < len(points) else end
        hit = param_logic.lookup(registry, prm, place, a)
        value = hit.value if hit.status is param_logic.Lookup.FOUND else None
        stretch = Stretch(place, None if a == _EARLY else a, b, hit.status, value, hit.place,
                          guarded)
        if out and (out[-1].status, out[-1].value) == (stretch.status, stretch.value):
            out[-1] = attrs.evolve(out[-1], end=b)
        else:
            out.append(stretch)
    return out


def _span(s: Stretch) -> str:
    return f"{s.start or '…'} – {s.end or '…'}"


_SHOWN = 6  # places named in a finding; --parameter-coverage lists them all


def check_parameter_coverage(pack: RulePack, registry: PlaceRegistry) -> Iterator[Finding]:
    for cov in parameter_coverage(pack, registry):
        holes = cov.holes
        if not holes:
            continue
        whole = {s.place for s in cov.stretches if s.hole} - {
            s.place for s in cov.stretches if not s.hole}
        parts, parts_zh = [], []
        never = [p for p in dict.fromkeys(s.place for s in holes) if p in whole]
        if never:
            parts.append("never at " + _places(registry, never))
            parts_zh.append(f"{_places(registry, never, 'zh')} 始终没有")
        partly = [s for s in holes if s.place not in whole]
        if partly:
            parts.append("at " + _stretches_named(registry, partly))
            parts_zh.append(f"{_stretches_named(registry, partly, 'zh')} 期间没有")
        when, when_zh = (("at the date the rule reads it", "按规则读取它的日期") if cov.at_fact
                         else ("as of", "按评估日期"))
        rule, pid = cov.rule.id, cov.parameter.id
        yield _finding(cov.location, "parameter-coverage",
                       f"rule {rule} reads {pid} ({when}), and no value "
                       f"applies where it can be asked: {', and '.join(parts)}; decisions there "
                       "are undetermined, naming the parameter (tongcheng lint "
                       "--parameter-coverage shows every place and date)",
                       zh=f"规则 {rule} 读取 {pid}({when_zh}),但在它可被询问的地方没有适用的"
                          f"数值:{';'.join(parts_zh)};那里的判定为待定,并列出该参数"
                          "(`tongcheng lint --parameter-coverage` 列出每个地点和日期)")


def _places(registry: PlaceRegistry, places: list[str], lang: str = "en") -> str:
    shown = [place_named(registry, p, lang) for p in places[:_SHOWN]]
    return _listed(shown, len(places) - _SHOWN, lang, ", ")


def _stretches_named(registry: PlaceRegistry, stretches: list[Stretch], lang: str = "en"
                     ) -> str:
    shown = [f"{place_named(registry, s.place, lang)} {_span(s)}" for s in stretches[:_SHOWN]]
    return _listed(shown, len(stretches) - _SHOWN, lang, "; ")


def _listed(shown: list[str], more: int, lang: str, sep: str) -> str:
    """Items joined, and how many more were left out (--parameter-coverage lists them all)."""
    if lang == "zh":
        return "、".join(shown) + (f" 等(另有 {more} 处)" if more > 0 else "")
    return sep.join(shown) + (f" and {more} more" if more > 0 else "")


_CONFIDENCE_ZH = {"high": "高", "medium": "中", "low": "低"}


def coverage_lines(pack: RulePack, registry: PlaceRegistry, lang: str = "en") -> list[str]:
    """The whole table, in ``lang``: rule, parameter, then a line per place and stretch."""
    zh = lang == "zh"
    lines = []
    for cov in parameter_coverage(pack, registry):
        if zh:
            when = "(按情形中的日期取值)" if cov.at_fact else ""
            lines.append(f"{cov.rule.id} 读取 {cov.parameter.id}{when}")
        else:
            when = " (taken at a date of the situation)" if cov.at_fact else ""
            lines.append(f"{cov.rule.id} reads {cov.parameter.id}{when}")
        for s in cov.stretches:
            head = f"  {place_named(registry, s.place, lang)}  {_span(s)}{':' if zh else ': '}"
            if s.value is not None:
                confidence = s.value.confidence
                if zh:
                    value = s.value.value
                    shown = f"`{_plain(value)}`" if isinstance(value, dict) else _plain(value)
                    lines.append(f"{head}{shown}(可信度 "
                                 f"{_CONFIDENCE_ZH.get(confidence, confidence)};取自 "
                                 f"{s.declared_at})")
                else:
                    lines.append(f"{head}{_plain(s.value.value)} ({confidence}; from "
                                 f"{s.declared_at})")
            elif s.status is param_logic.Lookup.NOT_DECLARED:
                if zh:
                    lines.append(head + ("未声明:规则不适用(其适用范围检验 `declared()`)"
                                         if s.guarded else "无:未声明"))
                else:
                    lines.append(head + ("not declared: the rule does not apply (its scope "
                                         "tests declared())" if s.guarded
                                         else "NONE: not declared"))
            else:
                lines.append(head + ("无:没有已知数值" if zh else "NONE: no value known"))
    return lines


def coverage_json(pack: RulePack, registry: PlaceRegistry) -> list[dict[str, Any]]:
    from tongcheng.evaluate.values import to_json

    return [{
        "rule": cov.rule.id,
        "parameter": cov.parameter.id,
        "at_situation_date": cov.at_fact,
        "stretches": [{
            "place": s.place,
            "from": s.start.isoformat() if s.start else None,
            "to": s.end.isoformat() if s.end else None,
            "value": to_json(s.value.value) if s.value is not None else None,
            "confidence": s.value.confidence if s.value is not None else None,
            "declared_at": s.declared_at,
            "none": None if s.value is not None else s.status.value,
        } for s in cov.stretches],
    } for cov in parameter_coverage(pack, registry)]


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    return str(value)


# --- test reach -------------------------------------------------------------------------------


def check_test_reach(pack: RulePack) -> Iterator[Finding]:
    from tongcheng.packtest.runner import run_pack_tests

    files, results = run_pack_tests(pack)
    if not files:
        yield _finding(Location("pack.yaml", 1), "untested",
                       "the pack has no test cases (tests/*.yaml): no rule is checked by one; "
                       "write them as the README's section \"Writing a rule\" shows",
                       zh="规则包没有测试用例(tests/*.yaml):没有任何规则经过测试用例检验;请按 "
                          "README.md 中“Writing a rule”一节的示例编写")
        return
    checked: dict[str, list] = {}
    for r in results:
        if r.case.broken:
            continue
        named = {e.rule for e in r.case.expectations}
        for d in r.decisions:
            if d.rule in named:
                checked.setdefault(d.rule, []).append(d)
    for rule in pack.rules:
        decisions = checked.get(rule.id, [])
        if not decisions:
            yield _finding(rule.location, "untested",
                           f"no test case of the pack checks rule {rule.id}",
                           zh=f"规则包中没有测试用例检验规则 {rule.id}")
            continue
        if all(d.status.value == "not_applicable" for d in decisions):
            yield _finding(rule.location, "untested",
                           f"every test case of rule {rule.id} finds it not applicable: none "
                           "gets past its zones and scope to its conditions",
                           zh=f"规则 {rule.id} 的每个测试用例都判定它不适用:没有一个越过其区域和"
                              "适用范围,检验到它的条件")
        applied = {d.exception for d in decisions}
        for e in rule.exceptions:
            if e.label not in applied:
                yield _finding(e.location, "untested",
                               f"no test case applies exception {e.label!r} of rule {rule.id}",
                               zh=f"没有测试用例使规则 {rule.id} 的例外 {e.label!r} 适用")


# --- quotes whose sentence is about another city ----------------------------------------------


def check_quote_subjects(pack: RulePack, registry: PlaceRegistry) -> Iterator[Finding]:
    names = _place_names(registry)
    masks = [z.name.zh for z in pack.zones.values()] + list(_ZONE_WORDS)
    for (what, what_zh), where, basis, members in _cited(pack):
        doc = basis.document
        if not basis.quote or not doc.file:
            continue
        text = _source(document_text(pack, doc.id))
        if text is None:
            continue
        span = text.find(basis.quote)
        if span is None:
            continue
        first = text.sentences_over(*span)[0]
        head = text.text[first.start:span[0]] + text.text[span[0]:span[1]][:8]
        subject = _subject(head, span[0] - first.start, names, masks)
        if subject is None or not members:
            continue
        code, name = subject
        if any(registry.contains(code, m) or registry.contains(m, code) for m in members):
            continue
        if _names_a_member(basis.quote, names, members, registry):
            continue  # the quote itself names the zone's places: a clause about them
        sentence = text.sentence_text(first).strip()
        yield _finding(_quote_line(pack.root, basis.location) or where, "quote-subject",
                       f"{what}: the sentence quoted from {doc.file} is about "
                       f"{registry.name(code, 'en')} ({code}), a city outside the zones it is "
                       f"cited for: “{sentence}”; cite a sentence about the zone",
                       zh=f"{what_zh}:从 {doc.file} 引用的语句说的是{name}({code}),这个市不在"
                          f"所引用的区域之内:“{sentence}”;请引用关于该区域的语句")


def _quote_line(root: str, item: Location | None) -> Location | None:
    """The line of a basis item's ``quote:`` key (the item's own line when not found)."""
    if item is None or item.line is None:
        return item
    lines = (Path(root) / item.file).read_text(encoding="utf-8").splitlines()
    for n in range(item.line - 1, min(len(lines), item.line + 6)):
        if re.search(r"\bquote\s*:", lines[n]):
            return Location(item.file, n + 1)
        if n > item.line - 1 and lines[n].lstrip().startswith("- "):
            break
    return item


_ZONE_WORDS = ("青岛都市圈", "胶东经济圈", "省会经济圈", "胶东五市", "济南都市圈", "半岛城市群")


def _cited(pack: RulePack
           ) -> Iterator[tuple[tuple[str, str], Location | None, Basis, set[str]]]:
    """(what cites, in English and Chinese), where, the basis item, the places it is for."""
    for rule in pack.rules:
        members = {m.place for ref in rule.zones for m in ref.zone.members}
        for b in rule.basis:
            yield (f"rule {rule.id}", f"规则 {rule.id}"), rule.location, b, members
        for e in rule.exceptions:
            for b in e.basis:
                yield ((f"rule {rule.id}, exception {e.label}",
                        f"规则 {rule.id} 的例外 {e.label!r}"), e.location, b, members)
    for zone in pack.zones.values():
        members = {m.place for m in zone.members}
        for b in zone.basis:
            yield (f"zone {zone.id}", f"区域 {zone.id}"), zone.location, b, members


@cache
def _source(path: Path | None) -> sourcetext.SourceText | None:
    return sourcetext.read(path) if path is not None and path.is_file() else None


@cache
def _place_names(registry: PlaceRegistry) -> tuple[tuple[str, str], ...]:
    """(name, code) of Shandong's current cities and counties, long names first: full names,
    and cities and county-level cities without 市 (青岛, 海阳)."""
    out = []
    for place in registry.all():
        if not place.code.startswith("37") or place.level not in ("city", "county") or \
                not place.current:
            continue
        out.append((place.name_zh, place.code))
        short = re.sub(r"市$", "", place.name_zh)
        if short != place.name_zh and len(short) >= 2:
            out.append((short, place.code))
    return tuple(sorted(out, key=lambda p: -len(p[0])))


def _names_a_member(quote: str, names, members, registry: PlaceRegistry) -> bool:
    return any(name in quote and any(registry.contains(m, code) or registry.contains(code, m)
                                     for m in members)
               for name, code in names)


def _subject(head: str, quote_at: int, names, masks) -> tuple[str, str] | None:
    """The place the words before the quote (and its first words) make its subject: the last
    place named before the quote starts, else the place it opens with."""
    for word in masks:
        head = head.replace(word, "□" * len(word))
    found: list[tuple[int, str, str]] = []
    taken = [False] * len(head)
    for name, code in names:
        for m in re.finditer(re.escape(name), head):
            if any(taken[m.start():m.end()]):
                continue
            taken[m.start():m.end()] = [True] * len(name)
            found.append((m.start(), name, code))
    if not found:
        return None
    before = [f for f in found if f[0] < quote_at]
    _, name, code = max(before) if before else min(found)
    return code, name

