"""``tongcheng lint PACK``: static checks of a rule pack, one line per finding.

The loader already refuses what cannot be evaluated (unknown names, functions, parameters and
zones in expressions; values without a reference or a confidence; members without a date;
rules without a basis) — lint reports those as load errors (exit 3). It then checks what the
loader lets through:

errors (exit 1)
    ``unknown-fact-path``: a ``monotonic`` fact path that is not a path of the situation;
    ``unknown-value``: a fact compared with a word it can never hold (``person.sex == "mail"``),
    or a place code the registry does not know; ``unknown-parameter-field``: a field read from
    (or ``pick``-ed out of) a parameter value that some value of it lacks;
    ``overlap``: two exceptions of a rule that both apply to one situation with different
    answers and neither overrides the other (found exactly with z3 and confirmed by the
    evaluator; the counterexample is printed); ``gap``: a parameter a rule needs at the place it
    is asked is declared for some members of the rule's zones and not for others (a rule family
    that should cover every member city does not); ``basis-date``: a rule in force in a zone
    before any of its basis documents was issued.
warnings
    ``unused-parameter``; ``no-value`` (a parameter declared for a place with no value: decisions
    there name it in ``missing_parameters``); ``value-gap`` (dated values leave a stretch with no
    value, or stop); ``reference`` (a value whose reference is too short or a placeholder to
    find the source); ``undated-value`` (a value with neither dates nor ``undated: true``);
    ``value-shape`` (values of one parameter of different shapes); ``basis`` (a rule or exception
    citing no sentence and no article); ``member-date`` (a zone member dated before the zone's
    document, or a rule zone starting before any member); ``never-equal`` (``city(...)`` compared
    with a county's code); ``monotonic-path`` (a declared path verify cannot vary);
    ``overlap-undecided`` (exceptions whose overlap could not be decided: conditions outside the
    exact fragment, or z3 not installed); ``overlap-agree`` (exceptions that overlap and agree
    there, with no override); ``firmness`` (a zone entry marked in force whose quoted sentence
    says 探索/推动/推进/支持: see ``consistency.wording``); and the checks authors miss, in
    ``authoring.py``: ``parameter-coverage``, ``untested``, ``quote-subject``.

Output: ``file:line: severity: message [check]``, or ``--format json``, in ``--lang`` (Chinese
by default; each finding is written in both, the check id stays as it is). Exit codes: 0 no
errors (warnings allowed), 1 errors found, 3 the pack fails to load.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from tongcheng.cli_options import (
    language_option,
    one_pack,
    overlay_option,
    pack_argument_or_option,
    say,
)
from tongcheng.consistency import analysis, wording
from tongcheng.consistency.lint_empty import check_empty_fields
from tongcheng.consistency.lint_expressions import check_expressions, check_monotonic
from tongcheng.consistency.pack_lines import PackLines, finding
from tongcheng.consistency.report import Finding, place_named
from tongcheng.errors import Location, PackError
from tongcheng.pack import parameters as param_logic
from tongcheng.pack.model import Rule, RulePack
from tongcheng.places import PlaceRegistry, default_registry

EXIT_OK, EXIT_ERRORS, EXIT_INVALID, EXIT_PACK = 0, 1, 2, 3

_PLACEHOLDER = re.compile(r"^\s*(todo|tbd|tba|fixme|xxx+|unknown|n/?a|none|null|-+|\?+|\.+|"
                          r"see above|source|ref|reference|待定|待补充|未知|无)\s*[.:!]?\s*$", re.I)
_CODE = re.compile(r"^\d{6}$")


# --- parameters -------------------------------------------------------------------------------


def _place_line(lines: PackLines, prm: Any, place: str) -> int | None:
    rel = prm.location.file
    data, _ = lines.load(rel)
    entry = data.get(prm.id) if isinstance(data, dict) else None
    keys = list((entry or {}).get("values", {}) or {}) if isinstance(entry, dict) else []
    for key in keys:
        if str(key) == place:
            return lines.line(rel, (prm.id, "values", str(key)))
    return prm.location.line


def check_parameters(pack: RulePack, lines: PackLines, registry: PlaceRegistry
                     ) -> Iterator[Finding]:
    used = {u.parameter for r in pack.rules for u in analysis.param_uses(r)}
    for prm in pack.parameters.values():
        if prm.id not in used:
            yield finding(prm.location, "warning", "unused-parameter",
                          f"parameter {prm.id} is declared but no rule reads it",
                          zh=f"参数 {prm.id} 已声明,但没有规则读取它")
        shapes: dict[tuple[str, str], list[str]] = {}
        for place, values in prm.places.items():
            if not values:
                yield finding(prm.location, "warning", "no-value",
                              f"parameter {prm.id} is declared for "
                              f"{place_named(registry, place)} with no value: decisions there "
                              f"name {prm.id}[{place}] in missing_parameters",
                              _place_line(lines, prm, place),
                              zh=f"参数 {prm.id} 为 {place_named(registry, place, 'zh')} 作了声明"
                                 f",却没有数值:那里的判定会在 missing_parameters 中列出 "
                                 f"{prm.id}[{place}]")
            for v in values:
                texts = [v.reference] if isinstance(v.reference, str) else [
                    v.reference.zh, v.reference.en]
                for ref in texts:
                    if len(ref.strip()) < 8 or _PLACEHOLDER.match(ref):
                        yield finding(v.location, "warning", "reference",
                                      f"parameter {prm.id} at {place}: the reference "
                                      f"{ref.strip()!r} does not say where the value comes "
                                      "from; name the document, issuer and date (or address)",
                                      zh=f"参数 {prm.id} 在 {place} 的数值:出处 {ref.strip()!r} "
                                         "说不清数值从何而来;请写明文件、发文机关和日期(或网址)")
                if v.start is None and v.end is None and not v.undated:
                    yield finding(v.location, "warning", "undated-value",
                                  f"parameter {prm.id} at {place}: the value has no dates, so "
                                  "it holds on every date; give 'from' (and 'to'), or mark it "
                                  "'undated: true' if the start is not known",
                                  zh=f"参数 {prm.id} 在 {place} 的数值没有日期,因而在任何日期都"
                                     "成立;请给出 `from`(以及 `to`),起始日期不明时标注 "
                                     "`undated: true`")
                shapes.setdefault(_shape(v.value), []).append(place)
            yield from _value_gaps(prm, place, values, registry)
        if len(shapes) > 1:
            described = "; ".join(f"{en} at {', '.join(sorted(set(places)))}"
                                  for (en, _), places in shapes.items())
            described_zh = ";".join(f"{'、'.join(sorted(set(places)))} 为{zh}"
                                    for (_, zh), places in shapes.items())
            yield finding(prm.location, "warning", "value-shape",
                          f"parameter {prm.id} has values of different shapes ({described}); "
                          "a rule reading it cannot read them all alike",
                          zh=f"参数 {prm.id} 的数值形式不一({described_zh}):读取它的规则无法"
                             "以同一种方式读取全部数值")


_TYPE_ZH = {"str": "文本", "list": "列表", "NoneType": "空值"}


def _shape(value: Any) -> tuple[str, str]:
    """What a value is, in English and Chinese (``a record with men, women``)."""
    if isinstance(value, dict):
        fields = sorted(map(str, value))
        return ("a record with " + ", ".join(fields),
                f"含 {'、'.join(f'`{f}`' for f in fields)} 字段的记录")
    if isinstance(value, bool):
        return "true/false", "真假值"
    if isinstance(value, int | float):
        return "a number", "数字"
    name = type(value).__name__
    return name, _TYPE_ZH.get(name, f"`{name}`")


def _value_gaps(prm: Any, place: str, values: tuple, registry: PlaceRegistry
                ) -> Iterator[Finding]:
    dated = sorted((v for v in values if not v.undated and (v.start or v.end)),
                   key=lambda v: v.start or date.min)
    if not dated:
        return
    en, zh = (f"parameter {prm.id} at {place_named(registry, place)}",
              f"参数 {prm.id} 在 {place_named(registry, place, 'zh')}")
    for a, b in itertools.pairwise(dated):
        if a.end and b.start and b.start > a.end + timedelta(days=1):
            first, last = a.end + timedelta(days=1), b.start - timedelta(days=1)
            yield finding(b.location, "warning", "value-gap",
                          f"{en} has no value from {first} to {last}: decisions on those dates "
                          "name it as missing",
                          zh=f"{zh} 从 {first} 到 {last} 没有数值:这些日期的判定会将它列为缺失")
    last = dated[-1]
    if last.end is not None and not any(v.undated for v in values):
        yield finding(last.location, "warning", "value-gap",
                      f"{en} has no value after {last.end}: decisions after it name it as "
                      "missing",
                      zh=f"{zh} {last.end} 之后没有数值:此后的判定会将它列为缺失")


# --- basis, zones -----------------------------------------------------------------------------


def check_basis(pack: RulePack, lines: PackLines) -> Iterator[Finding]:
    for rule in pack.rules:
        if not any(b.quote or b.article for b in rule.basis):
            documents = ", ".join(b.document.id for b in rule.basis)
            yield finding(rule.location, "warning", "basis",
                          f"rule {rule.id} cites no sentence and no article of its documents "
                          f"({documents}); a caseworker cannot check what it rests on",
                          lines.rule_line(rule, "basis"),
                          zh=f"规则 {rule.id} 没有引用其依据文件({documents})中的任何语句或"
                             "条款:经办人员无法核对它以什么为依据")
        for e in rule.exceptions:
            if not any(b.quote or b.article for b in e.basis):
                yield finding(e.location, "warning", "basis",
                              f"rule {rule.id}, exception {e.label}: cites no sentence and no "
                              "article of its documents",
                              zh=f"规则 {rule.id} 的例外 {e.label!r}:没有引用其依据文件中的任何"
                                 "语句或条款")
        earliest = analysis.earliest_issued(rule)
        if earliest is None:
            continue
        for i, ref in enumerate(rule.zones):
            start = max(ref.start, rule.in_force_from or ref.start)
            if start < earliest:
                yield finding(rule.location, "error", "basis-date",
                              f"rule {rule.id} is in force in {ref.zone.id} from {start}, "
                              f"before any of its basis documents was issued (the earliest on "
                              f"{earliest}): it would decide before its basis exists",
                              lines.rule_line(rule, "zones", i),
                              zh=f"规则 {rule.id} 自 {start} 起在区域 {ref.zone.id} 施行,早于"
                                 f"其任何依据文件的发布日期(最早的发布于 {earliest}):依据尚未"
                                 "存在,规则就已作出判定")


def check_zones(pack: RulePack, lines: PackLines) -> Iterator[Finding]:
    for zone in pack.zones.values():
        issued = [b.document.issued for b in zone.basis if b.document.issued]
        founded = min(issued) if issued else None
        for i, m in enumerate(zone.members):
            line = lines.line("zones.yaml", (zone.id, "members", i))
            own = pack.documents.get(m.basis) if m.basis else None
            backed = (own.issued if own else None) if m.basis else founded
            if backed and m.start < backed:
                yield finding(zone.location, "warning", "member-date",
                              f"zone {zone.id}: member {m.place} from {m.start}, before the "
                              f"document that establishes it was issued ({backed})", line,
                              zh=f"区域 {zone.id}:成员 {m.place} 自 {m.start} 起,早于确立其"
                                 f"成员资格的文件的发布日期({backed})")
            for j, other in enumerate(zone.members[:i]):
                if other.place == m.place and other.start <= (m.end or date.max) and \
                        m.start <= (other.end or date.max):
                    yield finding(zone.location, "warning", "member-date",
                                  f"zone {zone.id}: member {m.place} is listed twice with "
                                  f"overlapping dates (entries {j + 1} and {i + 1})", line,
                                  zh=f"区域 {zone.id}:成员 {m.place} 列出了两次且日期重叠"
                                     f"(第 {j + 1} 项与第 {i + 1} 项)")
    for rule in pack.rules:
        for i, ref in enumerate(rule.zones):
            starts = [m.start for m in ref.zone.members]
            if starts and (ref.end or date.max) < min(starts):
                yield finding(rule.location, "warning", "member-date",
                              f"rule {rule.id}: zone {ref.zone.id} ends ({ref.end}) before "
                              "any member joins it", lines.rule_line(rule, "zones", i),
                              zh=f"规则 {rule.id}:区域 {ref.zone.id} 在任何成员加入之前就已"
                                 f"结束({ref.end})")


# --- overlaps ---------------------------------------------------------------------------------


def check_overlaps(pack: RulePack, registry: PlaceRegistry) -> Iterator[Finding]:
    rules = [r for r in pack.rules if len(r.exceptions) > 1]
    if not rules:
        return
    try:
        from tongcheng.consistency import overlap
    except ImportError:  # pragma: no cover - z3 is an optional dependency
        for rule in rules:
            yield finding(rule.location, "warning", "overlap-undecided",
                          f"rule {rule.id}: could not decide whether its exceptions overlap: "
                          "z3-solver is not installed (pip install 'tongcheng[lint]')",
                          zh=f"规则 {rule.id}:无法判断其例外是否重叠:未安装 z3-solver"
                             "(`pip install 'tongcheng[lint]'`)")
        return
    for rule in rules:
        for o in overlap.check_rule(pack, rule, registry):
            pair = f"exceptions {o.first.label!r} and {o.second.label!r} of rule {rule.id}"
            pair_zh = f"规则 {rule.id} 的例外 {o.first.label!r} 与 {o.second.label!r}"
            example = json.dumps(o.counterexample)
            if o.verdict == "conflict":
                yield finding(o.second.location, "error", "overlap",
                              f"{pair} both apply to one situation and give different answers, "
                              "and neither overrides the other; add 'overrides' to the one "
                              f"that wins (counterexample: {example})",
                              counterexample=o.counterexample,
                              zh=f"{pair_zh} 会同时适用于同一情形且结论不同,两者都未声明优先于"
                                 f"对方;请在应当胜出的一项加上 `overrides`(反例:`{example}`)")
            elif o.verdict == "overlap_same":
                yield finding(o.second.location, "warning", "overlap-agree",
                              f"{pair} both apply to one situation (they agree there, but are "
                              "written differently); declare which one wins with 'overrides' "
                              f"(counterexample: {example})",
                              counterexample=o.counterexample,
                              zh=f"{pair_zh} 会同时适用于同一情形(在那里结论相同,只是写法不同);"
                                 f"请用 `overrides` 声明哪一项优先(反例:`{example}`)")
            elif o.verdict == "unknown":
                yield finding(o.second.location, "warning", "overlap-undecided",
                              f"could not decide whether {pair} can both apply ({o.note}); "
                              "declare 'overrides' if they can",
                              zh=f"无法判断{pair_zh} 能否同时适用({o.note_zh});如果能,请声明 "
                                 "`overrides`")


# --- gaps -------------------------------------------------------------------------------------


def _member_places(registry: PlaceRegistry, rule: Rule) -> list[tuple[str, str]]:
    """(zone id, place) for every member of the rule's zones."""
    out = []
    for ref in rule.zones:
        for m in ref.zone.members:
            out.append((ref.zone.id, m.place))
    return out


def check_gaps(pack: RulePack, lines: PackLines, registry: PlaceRegistry) -> Iterator[Finding]:
    for rule in pack.rules:
        uses = {}
        for u in analysis.param_uses(rule):
            if u.call.func == "param" and not u.guarded and u.place is None:
                uses.setdefault(u.parameter, u)
        for pid, use in uses.items():
            prm = pack.parameters.get(pid)
            if prm is None or not prm.places:
                continue
            covered, uncovered = [], []
            for zone_id, place in _member_places(registry, rule):
                for spot in _spots(registry, prm, place):
                    status, _ = param_logic.declaring_place(registry, prm, spot)
                    (uncovered if status is param_logic.Lookup.NOT_DECLARED else covered).append(
                        (zone_id, spot))
            if covered and uncovered:
                bare = {p for _, p in uncovered}
                missing = sorted(p for p in bare
                                 if not (registry.city_of(p) not in (None, p)
                                         and registry.city_of(p) in bare))
                zones_ = ", ".join(sorted({z for z, _ in uncovered}))
                line = analysis.expression_line(use.section.clause, use.call)
                yield finding(use.section.clause.location, "error", "gap",
                              f"rule {rule.id} reads parameter {pid} at the place it is asked, "
                              f"and {pid} is declared for some members of its zones but not "
                              f"for {', '.join(place_named(registry, p) for p in missing)} "
                              f"({zones_}): declare it there (with no value, '[]', if it is not "
                              f"known), or guard the rule's scope with declared(\"{pid}\")",
                              line,
                              zh=f"规则 {rule.id} 在被询问的地点读取参数 {pid},而 {pid} 只为其"
                                 "区域的部分成员作了声明,没有为 "
                                 f"{'、'.join(place_named(registry, p, 'zh') for p in missing)}"
                                 f"({zones_})声明:请在那里声明(数值不明时写空列表 `[]`),或在"
                                 f"规则的适用范围中以 `declared(\"{pid}\")` 加以限定")


def _spots(registry: PlaceRegistry, prm: Any, place: str) -> list[str]:
    """The places a member stands for: itself, or its parts when the parameter is declared for
    some of them only (a city whose counties have their own values)."""
    if place not in registry:
        return []
    if registry.get(place).level == "province":
        return list(registry.children(place))
    status, _ = param_logic.declaring_place(registry, prm, place)
    if status is param_logic.Lookup.COARSE:
        return list(registry.children(place)) or [place]
    return [place]


# --- the whole lint ---------------------------------------------------------------------------

CHECKS = ("expressions", "monotonic", "parameters", "basis", "zones", "overlaps", "gaps",
          "parameter-coverage", "quote-subject", "untested")


def lint_pack(pack: RulePack, registry: PlaceRegistry | None = None) -> list[Finding]:
    """Every finding for a loaded pack, errors first, then by file and line."""
    from tongcheng.consistency import authoring

    registry = registry or default_registry()
    lines = PackLines(Path(pack.root))
    findings: list[Finding] = []
    findings += check_expressions(pack, registry)
    findings += check_monotonic(pack, lines)
    findings += check_empty_fields(pack)
    findings += check_parameters(pack, lines, registry)
    findings += check_basis(pack, lines)
    findings += check_zones(pack, lines)
    findings += wording.check_firmness(pack, lines)
    findings += check_overlaps(pack, registry)
    findings += check_gaps(pack, lines, registry)
    findings += authoring.check_parameter_coverage(pack, registry)
    findings += authoring.check_quote_subjects(pack, registry)
    findings += authoring.check_test_reach(pack)
    unique = list({(f.file, f.line, f.severity, f.check, f.message): f
                   for f in findings}.values())
    return sorted(unique, key=lambda f: (f.severity != "error", f.file, f.line or 0, f.message))


def load_findings(error: PackError) -> list[Finding]:
    """The loader's problems as ``load`` errors at their file and line, each in both languages
    (``PackProblem`` carries its Chinese)."""
    return [Finding(p.where.file, p.where.line, "error", "load", p.message, zh=p.zh)
            for p in error.problems]


# What an overlay does to a thing, in Chinese: adds | replaces | extends | fills.
_ACTION_ZH = {"adds": "新增{kind} {id}", "replaces": "替换{kind} {id}",
              "extends": "为{kind} {id} 追加有日期的数值", "fills": "为{kind} {id} 填补数值"}
_KIND_ZH = {"document": "文件", "zone": "区域", "zone member": "区域成员", "parameter": "参数",
            "parameter place": "参数数值", "rule": "规则"}


def overlay_findings(pack: RulePack) -> list[Finding]:
    """What each overlay of a stack adds, replaces, extends or fills, where it says so (notes:
    nothing here is wrong; an overlay that conflicts does not load)."""
    out = []
    for layer in pack.layers[1:]:
        for c in layer.changes:
            below = below_zh = ""
            if c.below is not None:
                shown = c.below if Path(c.below.file).is_absolute() else Location(
                    str(Path(pack.root) / c.below.file), c.below.line)
                below, below_zh = f" (below: {shown})", f"(下层原处:{shown})"
            kind = _KIND_ZH.get(c.kind, f"`{c.kind}`")
            did = _ACTION_ZH.get(c.action, f"`{c.action}` {{kind}} {{id}}").format(
                kind=kind, id=c.id)
            out.append(Finding(c.location.file, c.location.line, "note", f"overlay-{c.action}",
                               f"overlay {layer.info.name} {c.action} {c.kind} {c.id}{below}",
                               zh=f"覆盖层 {layer.info.name} {did}{below_zh}"))
    return out


@click.command("lint")
@pack_argument_or_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Print text to read, or JSON for programs.")
@click.option("--parameter-coverage", "coverage", is_flag=True,
              help="Print, for each rule and parameter it reads, the value at every place and "
                   "date the rule can be asked (and where none applies), instead of the checks.")
@overlay_option
@language_option("Language of the findings, the summary and the errors.")
def lint(pack: str | None, pack_path: str | None, fmt: str, coverage: bool,
         overlays: tuple[str, ...], lang: str) -> None:
    """Static checks of the rule pack in PACK or --pack (default: the bundled one), with its
    overlays.

    One line per finding, `file:line: severity: message [check]` (the severity and message in
    --lang, the check id as it is); with overlays, a note for each thing an overlay adds,
    replaces, extends or fills, and a conflicting overlay fails to load with its file and line.
    Exit 0 when there is no error (warnings allowed), 1 when there are errors, 3 when the pack
    or an overlay fails to load.
    """
    from tongcheng.pack.loader import bundled_pack_path, load_pack

    pack = one_pack(pack, pack_path)
    root = Path(pack) if pack else bundled_pack_path()
    shown_root = pack if pack else str(root)
    try:
        loaded = load_pack(root, overlays=overlays)
    except PackError as e:
        findings = load_findings(e)
        _print(findings, shown_root, fmt, lang, loaded=False)
        sys.exit(EXIT_PACK)
    if coverage:
        from tongcheng.consistency.authoring import coverage_json, coverage_lines

        registry = default_registry()
        if fmt == "json":
            click.echo(json.dumps(coverage_json(loaded, registry), ensure_ascii=False, indent=2))
        else:
            for line in coverage_lines(loaded, registry, lang):
                click.echo(line)
        sys.exit(EXIT_OK)
    findings = lint_pack(loaded) + overlay_findings(loaded)
    _print(findings, shown_root, fmt, lang, loaded=True)
    sys.exit(EXIT_ERRORS if any(f.severity == "error" for f in findings) else EXIT_OK)


def _print(findings: list[Finding], root: str, fmt: str, lang: str, *, loaded: bool) -> None:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    if fmt == "json":
        click.echo(json.dumps({"pack": root, "loaded": loaded, "errors": errors,
                               "warnings": warnings,
                               "findings": [f.to_json(root, lang) for f in findings]},
                              ensure_ascii=False, indent=2))
        return
    for f in findings:
        click.echo(f.line_text(root, lang))
    if not loaded:
        status = say(lang, f"{root}: fails to load", f"{root}:规则包载入失败")
    else:
        status = say(lang, f"{root}: {errors} error(s), {warnings} warning(s)",
                     f"{root}:{errors} 个错误,{warnings} 个警告")
    click.echo(status, err=True)
