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

Output: ``file:line: severity: message [check]``, or ``--format json``. Exit codes: 0 no errors
(warnings allowed), 1 errors found, 3 the pack fails to load.
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

from tongcheng.cli_options import one_pack, overlay_option, pack_argument_or_option
from tongcheng.consistency import analysis, wording
from tongcheng.consistency.lint_empty import check_empty_fields
from tongcheng.consistency.lint_expressions import check_expressions, check_monotonic
from tongcheng.consistency.pack_lines import PackLines, finding
from tongcheng.consistency.report import Finding
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
                           f"parameter {prm.id} is declared but no rule reads it")
        shapes: dict[str, list[str]] = {}
        for place, values in prm.places.items():
            if not values:
                yield finding(prm.location, "warning", "no-value",
                               f"parameter {prm.id} is declared for {place} "
                               f"{registry.name(place)} with no value: decisions there name "
                               f"{prm.id}[{place}] in missing_parameters",
                               _place_line(lines, prm, place))
            for v in values:
                texts = [v.reference] if isinstance(v.reference, str) else [
                    v.reference.zh, v.reference.en]
                for ref in texts:
                    if len(ref.strip()) < 8 or _PLACEHOLDER.match(ref):
                        yield finding(v.location, "warning", "reference",
                                       f"parameter {prm.id} at {place}: the reference "
                                       f"{ref.strip()!r} does not say where the value comes "
                                       "from; name the document, issuer and date (or address)")
                if v.start is None and v.end is None and not v.undated:
                    yield finding(v.location, "warning", "undated-value",
                                   f"parameter {prm.id} at {place}: the value has no dates, so "
                                   "it holds on every date; give 'from' (and 'to'), or mark it "
                                   "'undated: true' if the start is not known")
                shapes.setdefault(_shape(v.value), []).append(place)
            yield from _value_gaps(prm, place, values, registry)
        if len(shapes) > 1:
            described = "; ".join(f"{shape} at {', '.join(sorted(set(places)))}"
                                  for shape, places in shapes.items())
            yield finding(prm.location, "warning", "value-shape",
                           f"parameter {prm.id} has values of different shapes ({described}); "
                           "a rule reading it cannot read them all alike")


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return "a record with " + ", ".join(sorted(map(str, value)))
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def _value_gaps(prm: Any, place: str, values: tuple, registry: PlaceRegistry
                ) -> Iterator[Finding]:
    dated = sorted((v for v in values if not v.undated and (v.start or v.end)),
                   key=lambda v: v.start or date.min)
    if not dated:
        return
    for a, b in itertools.pairwise(dated):
        if a.end and b.start and b.start > a.end + timedelta(days=1):
            yield finding(b.location, "warning", "value-gap",
                           f"parameter {prm.id} at {place} {registry.name(place)} has no value "
                           f"from {a.end + timedelta(days=1)} to {b.start - timedelta(days=1)}: "
                           "decisions on those dates name it as missing")
    last = dated[-1]
    if last.end is not None and not any(v.undated for v in values):
        yield finding(last.location, "warning", "value-gap",
                       f"parameter {prm.id} at {place} {registry.name(place)} has no value "
                       f"after {last.end}: decisions after it name it as missing")


# --- basis, zones -----------------------------------------------------------------------------


def check_basis(pack: RulePack, lines: PackLines) -> Iterator[Finding]:
    for rule in pack.rules:
        if not any(b.quote or b.article for b in rule.basis):
            yield finding(rule.location, "warning", "basis",
                           f"rule {rule.id} cites no sentence and no article of its documents "
                           f"({', '.join(b.document.id for b in rule.basis)}); a caseworker "
                           "cannot check what it rests on", lines.rule_line(rule, "basis"))
        for e in rule.exceptions:
            if not any(b.quote or b.article for b in e.basis):
                yield finding(e.location, "warning", "basis",
                               f"rule {rule.id}, exception {e.label}: cites no sentence and no "
                               "article of its documents")
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
                               lines.rule_line(rule, "zones", i))


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
                               f"document that establishes it was issued ({backed})", line)
            for j, other in enumerate(zone.members[:i]):
                if other.place == m.place and other.start <= (m.end or date.max) and \
                        m.start <= (other.end or date.max):
                    yield finding(zone.location, "warning", "member-date",
                                   f"zone {zone.id}: member {m.place} is listed twice with "
                                   f"overlapping dates (entries {j + 1} and {i + 1})", line)
    for rule in pack.rules:
        for i, ref in enumerate(rule.zones):
            starts = [m.start for m in ref.zone.members]
            if starts and (ref.end or date.max) < min(starts):
                yield finding(rule.location, "warning", "member-date",
                               f"rule {rule.id}: zone {ref.zone.id} ends ({ref.end}) before "
                               "any member joins it", lines.rule_line(rule, "zones", i))


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
                           "z3-solver is not installed (pip install 'tongcheng[lint]')")
        return
    for rule in rules:
        for o in overlap.check_rule(pack, rule, registry):
            pair = f"exceptions {o.first.label!r} and {o.second.label!r} of rule {rule.id}"
            if o.verdict == "conflict":
                yield finding(o.second.location, "error", "overlap",
                               f"{pair} both apply to one situation and give different answers, "
                               "and neither overrides the other; add 'overrides' to the one "
                               f"that wins (counterexample: {json.dumps(o.counterexample)})",
                               counterexample=o.counterexample)
            elif o.verdict == "overlap_same":
                yield finding(o.second.location, "warning", "overlap-agree",
                               f"{pair} both apply to one situation (they agree there, but are "
                               "written differently); declare which one wins with 'overrides' "
                               f"(counterexample: {json.dumps(o.counterexample)})",
                               counterexample=o.counterexample)
            elif o.verdict == "unknown":
                yield finding(o.second.location, "warning", "overlap-undecided",
                               f"could not decide whether {pair} can both apply ({o.note}); "
                               "declare 'overrides' if they can")


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
                missing = sorted(f"{p} {registry.name(p)}" for p in bare
                                 if not (registry.city_of(p) not in (None, p)
                                         and registry.city_of(p) in bare))
                zones_ = sorted({z for z, _ in uncovered})
                line = analysis.expression_line(use.section.clause, use.call)
                yield finding(use.section.clause.location, "error", "gap",
                               f"rule {rule.id} reads parameter {pid} at the place it is asked, "
                               f"and {pid} is declared for some members of its zones but not "
                               f"for {', '.join(missing)} ({', '.join(zones_)}): declare it "
                               "there (with no value, '[]', if it is not known), or guard the "
                               f"rule's scope with declared(\"{pid}\")", line)


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
    return [Finding(loc.file, loc.line, "error", "load", message) for loc, message in
            error.problems]


def overlay_findings(pack: RulePack) -> list[Finding]:
    """What each overlay of a stack adds, replaces, extends or fills, where it says so (notes:
    nothing here is wrong; an overlay that conflicts does not load)."""
    out = []
    for layer in pack.layers[1:]:
        for c in layer.changes:
            below = ""
            if c.below is not None:
                shown = c.below if Path(c.below.file).is_absolute() else Location(
                    str(Path(pack.root) / c.below.file), c.below.line)
                below = f" (below: {shown})"
            out.append(Finding(c.location.file, c.location.line, "note", f"overlay-{c.action}",
                               f"overlay {layer.info.name} {c.action} {c.kind} {c.id}{below}"))
    return out


@click.command("lint")
@pack_argument_or_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--parameter-coverage", "coverage", is_flag=True,
              help="Print, for each rule and parameter it reads, the value at every place and "
                   "date the rule can be asked (and where none applies), instead of the checks.")
@overlay_option
def lint(pack: str | None, pack_path: str | None, fmt: str, coverage: bool,
         overlays: tuple[str, ...]) -> None:
    """Static checks of the rule pack in PACK or --pack (default: the bundled one), with its
    overlays.

    One line per finding, `file:line: severity: message [check]`; with overlays, a note for
    each thing an overlay adds, replaces, extends or fills, and a conflicting overlay fails to
    load with its file and line. Exit 0 when there is no error (warnings allowed), 1 when there
    are errors, 3 when the pack or an overlay fails to load.
    """
    from tongcheng.pack.loader import bundled_pack_path, load_pack

    pack = one_pack(pack, pack_path)
    root = Path(pack) if pack else bundled_pack_path()
    shown_root = pack if pack else str(root)
    try:
        loaded = load_pack(root, overlays=overlays)
    except PackError as e:
        findings = load_findings(e)
        _print(findings, shown_root, fmt, loaded=False)
        sys.exit(EXIT_PACK)
    if coverage:
        from tongcheng.consistency.authoring import coverage_json, coverage_lines

        registry = default_registry()
        if fmt == "json":
            click.echo(json.dumps(coverage_json(loaded, registry), ensure_ascii=False, indent=2))
        else:
            for line in coverage_lines(loaded, registry):
                click.echo(line)
        sys.exit(EXIT_OK)
    findings = lint_pack(loaded) + overlay_findings(loaded)
    _print(findings, shown_root, fmt, loaded=True)
    sys.exit(EXIT_ERRORS if any(f.severity == "error" for f in findings) else EXIT_OK)


def _print(findings: list[Finding], root: str, fmt: str, *, loaded: bool) -> None:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    if fmt == "json":
        click.echo(json.dumps({"pack": root, "loaded": loaded, "errors": errors,
                               "warnings": warnings,
                               "findings": [f.to_json(root) for f in findings]},
                              ensure_ascii=False, indent=2))
        return
    for f in findings:
        click.echo(_where_root(f, root))
    status = "fails to load" if not loaded else f"{errors} error(s), {warnings} warning(s)"
    click.echo(f"{root}: {status}", err=True)


def _where_root(f: Finding, root: str) -> str:
    file = f.file if Path(f.file).is_absolute() else str(Path(root) / f.file)
    where = f"{file}:{f.line}" if f.line else file
    return f"{where}: {f.severity}: {f.message} [{f.check}]"
