"""Text rendering of decisions and rules for people at a terminal (the command line's table)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from tongcheng.evaluate.decision import Decision, Evaluation, Reason, Status, basis_json
from tongcheng.pack.model import Rule, RulePack, ZoneRef
from tongcheng.questions import question_for

STATUS_WORDS = {
    Status.ELIGIBLE: ("✔", {"zh": "符合", "en": "eligible"}, "green"),
    Status.INELIGIBLE: ("✘", {"zh": "不符合", "en": "ineligible"}, "red"),
    Status.UNDETERMINED: ("?", {"zh": "待定", "en": "undetermined"}, "yellow"),
    Status.NOT_APPLICABLE: ("–", {"zh": "不适用", "en": "not applicable"}, "dim"),
}

WORDS = {
    "zh": {
        "rule": "规则",
        "status": "状态",
        "outcome": "结果",
        "trace": "判断过程",
        "missing": "尚缺事实",
        "missing_parameters": "尚缺参数(须由规则维护方补充,窗口无法提供)",
        "basis": "政策依据",
        "reading": "本项目的理解",
        "questions": "下一步可询问",
        "unverified": "未核实参数(可信度低于 high 或无日期)",
        "exception": "适用例外",
        "as_of": "评估日期",
        "pack": "规则包",
        "settles": "可确定",
        "firmness": {"pilot": "试点(探索)", "promise": "承诺(推动)", "in_force": ""},
    },
    "en": {
        "rule": "rule",
        "status": "status",
        "outcome": "outcome",
        "trace": "trace",
        "missing": "missing facts",
        "missing_parameters": (
            "missing parameters (the rule pack lacks them; a caseworker cannot supply them)"
        ),
        "basis": "basis",
        "reading": "the project's reading",
        "questions": "ask next",
        "unverified": "unverified parameters (below high confidence, or undated)",
        "exception": "exception applied",
        "as_of": "as of",
        "pack": "rule pack",
        "settles": "settles",
        "firmness": {"pilot": "pilot (to explore)", "promise": "promise", "in_force": ""},
    },
}


def _mark(value: Any) -> str:
    return "✔" if value is True else "✘" if value is False else "?"


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(_fmt(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def render_evaluation(result: Evaluation, console: Console, lang: str = "zh") -> None:
    w = WORDS[lang]
    console.print(
        f"{w['as_of']}: {result.as_of}   {w['pack']}: {result.pack.name} {result.pack.version} "
        f"({result.pack.digest[:19]}…)"
    )
    table = Table(show_lines=False)
    table.add_column(w["rule"])
    table.add_column(w["status"])
    table.add_column(w["outcome"])
    for d in result.decisions:
        symbol, words, style = STATUS_WORDS[d.status]
        outcome = escape(", ".join(f"{k}={_fmt(v)}" for k, v in d.outcome.items()))
        title = d.title.get(lang)
        table.add_row(
            f"{title}\n[dim]{d.rule}[/dim]",
            f"[{style}]{symbol} {words[lang]}[/]{firmness_tag(d, lang)}", outcome
        )
    console.print(table)
    for d in result.decisions:
        render_decision(d, console, lang)
    if result.questions:
        console.print(f"\n[bold]{w['questions']}[/bold]")
        for q in result.questions:
            console.print(
                f"  • {question_for(q.path, lang)}  [dim]{escape(f'({q.path}; ')}"
                f"{w['settles']}: {', '.join(q.rules)})[/dim]"
            )


def render_decision(d: Decision, console: Console, lang: str = "zh") -> None:
    w = WORDS[lang]
    symbol, words, style = STATUS_WORDS[d.status]
    console.print()
    head = RichText(f"━━ {d.title.get(lang)}  ", style="bold")  # Text: no markup parsing
    head.append(d.rule, style="dim")
    console.print(head)
    console.print(f"   {w['status']}: [{style}]{symbol} {words[lang]}[/]{firmness_tag(d, lang)}")
    if d.exception:
        console.print(f"   {w['exception']}: {d.exception}")
    if d.outcome:
        for k, v in d.outcome.items():
            console.print(f"   {w['outcome']}: {k} = {escape(_fmt(v))}")
    console.print(f"   {w['trace']}:")
    for r in d.reasons:
        _reason_line(r, console, lang)
    if d.missing:
        console.print(f"   [yellow]{w['missing']}[/]: {escape(', '.join(d.missing))}")
    if d.missing_parameters:
        console.print(
            f"   [yellow]{w['missing_parameters']}[/]: {escape(', '.join(d.missing_parameters))}"
        )
    flagged = d.flagged_parameters
    if flagged:
        console.print(f"   [yellow]⚠ {w['unverified']}[/]:")
        for p in flagged:
            console.print(
                escape(
                    f"      {p['parameter']}[{p['place']}] = {_fmt(p.get('value'))} "
                    f"({p.get('confidence')}{', undated' if p.get('undated') else ''}): "
                    f"{p.get('reference', '')}"
                ),
                highlight=False,
            )
    if d.status in (Status.ELIGIBLE, Status.INELIGIBLE, Status.UNDETERMINED):
        console.print(f"   {w['basis']}:")
        for b in d.basis:
            console.print("      " + escape(basis_line(basis_json(b, lang), lang)),
                          highlight=False)
        if d.reading:
            console.print(f"   {w['reading']}: {d.reading.get(lang)}", highlight=False)


def firmness_tag(d: Decision, lang: str) -> str:
    """``  [promise]`` beside a status resting on a pilot or a promise, as rich markup (the
    brackets escaped: rich would read ``[promise]`` as a style and drop it)."""
    firm = WORDS[lang]["firmness"].get(d.firmness, "")
    return f"   {escape(f'[{firm}]')}" if firm else ""


def _reason_line(r: Reason, console: Console, lang: str) -> None:
    if r.kind == "outcome":
        line = f"     = {escape(r.label.get(lang))}: {escape(_fmt(r.value))}"
    else:
        line = f"     {_mark(r.value)} {escape(r.label.get(lang))}"
    facts = ", ".join(f"{k}={_fmt(v)}" for k, v in list(r.facts.items())[:6])
    if len(r.facts) > 6:
        facts += f", … (+{len(r.facts) - 6})"
    console.print(line, highlight=False)
    if facts:
        console.print(f"         [dim]{escape(facts)}[/dim]", highlight=False)
    for note in r.notes:
        console.print(f"         [dim]{escape(note.get(lang))}[/dim]", highlight=False)


FIRMNESS_WORDS = {
    "zh": {"in_force": "已实施", "pilot": "试点", "promise": "承诺"},
    "en": {"in_force": "in force", "pilot": "pilot", "promise": "promise"},
}


def basis_line(b: dict[str, Any], lang: str = "zh") -> str:
    parts = [b["document"]]
    if b.get("number"):
        parts.append(b["number"])
    if b.get("issued"):
        parts.append(b["issued"])
    if b.get("article"):
        parts.append(b["article"])
    text = " ".join(parts)
    if b.get("quote"):
        text += f": “{b['quote']}”"
    text += f" [{b['source']}]"
    if b.get("zone"):  # a zone entry's sentence: where it grants, and how firmly
        words = FIRMNESS_WORDS["en" if lang == "en" else "zh"]
        text += f" ({b['zone']}: {words.get(b['firmness'], b['firmness'])})"
    return text


def render_rules(pack: RulePack, console: Console, lang: str = "zh") -> None:
    """One block per rule: id, title, domain, dates, zones, and its parameters' confidence."""
    for rule in pack.rules:
        zones = ", ".join(f"{z.zone.name.get(lang)} ({z.start}{_zone_firmness(z)})"
                          for z in rule.zones)
        span = f"{rule.in_force_from or '…'} – {rule.in_force_to or ''}"
        levels = rule.firmness_levels
        firm = "" if levels == ("in_force",) else f" · {'/'.join(levels)}"
        console.print(f"[bold]{rule.id}[/bold]", highlight=False)
        console.print(escape(f"  {rule.title.get(lang)} · {rule.domain} · in force {span}{firm}"),
                      highlight=False)
        console.print(escape(f"  zones: {zones}"), highlight=False)
        for name, conf in rule_parameters(pack, rule).items():
            console.print(escape(f"  parameter {name}: {conf}"), highlight=False)


def rule_parameters(pack: RulePack, rule: Rule) -> dict[str, str]:
    """Parameters a rule reads, each with the range of confidences of its values."""
    names = rule.parameter_names()
    out = {}
    order = ["high", "medium", "low"]
    for name in names:
        p = pack.parameters[name]
        confs = {v.confidence for vals in p.places.values() for v in vals}
        empty = sum(1 for vals in p.places.values() if not vals)
        desc = "/".join(c for c in order if c in confs) or "no values"
        if empty:
            desc += f", {empty} place(s) without value"
        out[name] = desc
    return out


def render_rule(pack: RulePack, rule: Rule, console: Console, lang: str = "zh") -> None:
    console.print(f"[bold]{rule.title.get(lang)}[/bold]  [dim]{rule.id}[/dim]")
    console.print(f"domain: {rule.domain}   subject: {rule.subject}   "
                  f"firmness: {'/'.join(rule.firmness_levels)}")
    console.print(
        f"in force: {rule.in_force_from or '…'} – {rule.in_force_to or ''}   "
        f"defined at {rule.location}"
    )
    console.print("zones:")
    for z in rule.zones:
        members = ", ".join(sorted(z.zone.members_at(z.start)))
        console.print(escape(f"  {z.zone.name.get(lang)} from {z.start} [{z.firmness}]: "
                             f"{members}"), highlight=False)
    for title, clauses in (
        ("definitions", rule.lets),
        ("scope", rule.scope),
        ("conditions", rule.conditions),
        ("outcome", rule.outcome),
    ):
        if clauses:
            console.print(f"{title}:")
            for c in clauses:
                label = "" if c.label.zh == c.name else f"{c.label.get(lang)}: "
                console.print(f"  {c.name}: {escape(label)}[cyan]{escape(c.text)}[/cyan]",
                              highlight=False)
    for e in rule.exceptions:
        console.print(f"exception {e.label}: {e.title.get(lang)}")
        for c in e.applies:
            console.print(f"  applies: [cyan]{escape(c.text)}[/cyan]", highlight=False)
        for c in e.outcome:
            console.print(f"  outcome {c.name}: [cyan]{escape(c.text)}[/cyan]", highlight=False)
    console.print("basis:")
    for b in rule.basis:
        console.print("  " + escape(basis_line(basis_json(b, lang), lang)), highlight=False)
    if rule.reading:
        console.print(f"reading: {rule.reading.get(lang)}", highlight=False)
    params = rule_parameters(pack, rule)
    if params:
        console.print("parameters:")
        for name in params:
            p = pack.parameters[name]
            console.print(f"  {name}: {p.description.get(lang)}")
            for place, vals in p.places.items():
                if not vals:
                    console.print(f"    {place}: (declared, no value known)")
                for val in vals:
                    span = "undated" if val.undated else f"{val.start or '…'} – {val.end or ''}"
                    console.print(
                        f"    {place}: {_fmt(val.value)}  [{span}, {val.confidence}] "
                        f"{val.reference}",
                        highlight=False,
                    )


def rules_markdown(pack: RulePack, lang: str = "en") -> str:
    """The pack's rules as a Markdown table (the README's rule list is generated from this)."""
    rows = ["| rule | title | zones (from) | firmness | parameters |", "|---|---|---|---|---|"]
    for rule in pack.rules:
        zones = "; ".join(f"{z.zone.name.get(lang)} {z.start}{_zone_firmness(z)}"
                          for z in rule.zones)
        params = "; ".join(f"`{k}` ({v})" for k, v in rule_parameters(pack, rule).items()) or "—"
        title = rule.title.get(lang).replace("|", "/")
        firm = ", ".join(rule.firmness_levels)
        rows.append(f"| `{rule.id}` | {title} | {zones} | {firm} | {params} |")
    return "\n".join(rows) + "\n"


def _zone_firmness(ref: ZoneRef) -> str:
    """`` (promise)`` after a zone entry that is not in force."""
    return "" if ref.firmness == "in_force" else f" ({ref.firmness})"


def render_coverage(report: dict, console: Console, lang: str = "zh") -> None:
    console.print("[bold]Policy sources and the rules citing them[/bold]")
    for src in report["sources"]:
        rules = ", ".join(src["rules"]) or "—"
        console.print(escape(f"  {src['document']} [{src['kind']}]: {rules}"), highlight=False)
    console.print("\n[bold]Promised treatments[/bold]")
    marks = {"encoded": "✔", "not_encoded": "✘", "not_a_person_rule": "·"}
    for t in report["treatments"]:
        line = f"  {marks[t['status']]} {t['treatment'][lang]}: "
        if t["status"] == "not_a_person_rule":
            line += f"not a person rule — {t['reason'][lang]}"
        elif t["status"] == "encoded":
            line += ", ".join(t["rules"])
        else:
            line += "NOT YET ENCODED: " + ", ".join(t["missing_rules"])
        console.print(escape(line), highlight=False)
    if report["uncatalogued_rules"]:
        console.print(escape("  rules not in the catalogue: "
                             + ", ".join(report["uncatalogued_rules"])), highlight=False)
    console.print("\n[bold]One-stop service items known / announced[/bold]")
    for z in report["service_items"]:
        announced = "?" if z["announced"] is None else (
            f"{z['announced']}+" if z["at_least"] else str(z["announced"]))
        items = ", ".join(z["items"])
        console.print(escape(f"  {z['zone']}: {z['known']} / {announced} ({items})"),
                      highlight=False)
