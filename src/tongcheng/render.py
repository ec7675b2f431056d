"""Text rendering of decisions and rules for people at a terminal (the command line's table).

Everything printed is in the language asked: words from ``WORDS``, values through ``show``
(booleans as 是/否, outcome codes as their terms, phrases in both languages picked), pack
prose through its ``{zh, en}`` form. Codes, ids, paths and quoted source text stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from tongcheng.evaluate.decision import Decision, Evaluation, Reason, Status, basis_json
from tongcheng.pack.model import Rule, RulePack, Text, ZoneRef, local
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
        "needs": "缺",
        "explain": "判断过程与政策依据:加 --explain(或 --rule 规则编号)",
        "firmness_names": {"pilot": "试点(探索)", "promise": "承诺(推动)", "in_force": "已实施"},
        "yes": "是",
        "no": "否",
        "none": "(无)",
        "undated": "无日期",
        "sources": {"official": "官方文本", "news report": "新闻报道", "news": "新闻报道",
                    "secondary": "二手资料"},
        "in_force": "施行",
        "zones": "区域",
        "parameter": "参数",
        "domain": "领域",
        "subject": "对象",
        "subjects": {"person": "个人", "project": "项目", "enterprise": "企业"},
        "defined_at": "定义于",
        "from": "起",
        "firmness_label": "确定程度",
        "definitions": "定义",
        "scope": "适用范围",
        "conditions": "条件",
        "applies": "适用于",
        "parameters": "参数",
        "declared_no_value": "(已声明,尚无已知数值)",
        "no_values": "无数值",
        "places_without_value": "{n} 个地方无数值",
        "sources_head": "政策来源及引用它们的规则",
        "treatments_head": "政策承诺的待遇",
        "not_a_person_rule": "不编为规则",
        "announced_on": "{date} 公布",
        "confidence": "可信度 {c}",
        "not_encoded": "尚未编码",
        "uncatalogued": "未列入目录的规则",
        "services_head": "跨市通办事项:已知 / 公布",
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
        "needs": "needs",
        "explain": "traces and basis: add --explain (or --rule ID)",
        "firmness_names": {"pilot": "pilot (to explore)", "promise": "promise",
                           "in_force": "in force"},
        "yes": "yes",
        "no": "no",
        "none": "(none)",
        "undated": "undated",
        "sources": {"official": "official text", "news report": "news report",
                    "news": "news report", "secondary": "secondary source"},
        "in_force": "in force",
        "zones": "zones",
        "parameter": "parameter",
        "domain": "domain",
        "subject": "subject",
        "subjects": {"person": "person", "project": "project", "enterprise": "enterprise"},
        "defined_at": "defined at",
        "from": "from",
        "firmness_label": "firmness",
        "definitions": "definitions",
        "scope": "scope",
        "conditions": "conditions",
        "applies": "applies",
        "parameters": "parameters",
        "declared_no_value": "(declared, no value known)",
        "no_values": "no values",
        "places_without_value": "{n} place(s) without value",
        "sources_head": "Policy sources and the rules citing them",
        "treatments_head": "Promised treatments",
        "not_a_person_rule": "not a rule",
        "announced_on": "announced {date}",
        "confidence": "{c} confidence",
        "not_encoded": "NOT YET ENCODED",
        "uncatalogued": "rules not in the catalogue",
        "services_head": "One-stop service items known / announced",
    },
}


def _mark(value: Any) -> str:
    return "✔" if value is True else "✘" if value is False else "?"


def show(value: Any, lang: str = "zh", terms: Mapping[str, Text] | None = None) -> str:
    """A value as a person reads it in ``lang``: 是/否 for booleans, an outcome code as its term,
    a phrase given in both languages in one, a service item by its name."""
    w = WORDS[lang]
    if value is None:
        return "—"
    if isinstance(value, bool):
        return w["yes"] if value else w["no"]
    if isinstance(value, str):
        term = (terms or {}).get(value)
        return term.get(lang) if term is not None else value
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, list | tuple):
        return "; ".join(show(v, lang, terms) for v in value) or w["none"]
    if isinstance(value, Mapping):
        if set(value) == {"zh", "en"}:
            return str(local(value, lang))
        name = value.get("name")
        if isinstance(name, Mapping) and set(name) == {"zh", "en"}:
            return str(local(name, lang))
        return "{" + ", ".join(f"{k}: {_item(v, lang, terms)}" for k, v in value.items()) + "}"
    return str(value)


_ORDER = {Status.ELIGIBLE: 0, Status.UNDETERMINED: 1, Status.INELIGIBLE: 2,
          Status.NOT_APPLICABLE: 3}


def render_summary(result: Evaluation, console: Console, lang: str = "zh") -> None:
    """What a person at a terminal wants first: one line per rule — status, firmness, the main
    outcome (or what is missing) — granted first, then the questions to ask next."""
    w = WORDS[lang]
    console.print(
        f"{w['as_of']}: {result.as_of}   {w['pack']}: {result.pack.name} {result.pack.version}",
        highlight=False)
    for d in sorted(result.decisions, key=lambda d: _ORDER[d.status]):
        symbol, words, style = STATUS_WORDS[d.status]
        line = RichText(f"{symbol} {words[lang]:<{14 if lang == 'en' else 5}}", style=style)
        line.append(f" {d.title.get(lang)}")
        firm = w["firmness"].get(d.firmness, "")
        if firm and d.status is not Status.NOT_APPLICABLE:
            line.append(f" [{firm}]", style="yellow")
        main = main_outcome(d, lang, result.pack.terms)
        if main:
            line.append(f"  {main}")
        elif d.status is Status.UNDETERMINED and (d.missing or d.missing_parameters):
            line.append(f"  {w['needs']}: {', '.join([*d.missing, *d.missing_parameters])}",
                        style="yellow")
        line.append(f"  {d.rule}", style="dim")
        console.print(line, soft_wrap=True)  # one line per rule, even in a narrow pipe
    if result.questions:
        console.print(f"\n[bold]{w['questions']}[/bold]")
        for q in result.questions:
            console.print(f"  • {escape(question_for(q.path, lang))}  [dim]{escape(q.path)}[/dim]",
                          highlight=False, soft_wrap=True)
    console.print(f"\n[dim]{w['explain']}[/dim]")


def main_outcome(d: Decision, lang: str = "zh", terms: Mapping[str, Text] | None = None) -> str:
    """The first outcome value a decision gives (``recognized_months = 305``), or nothing."""
    for name, value in d.outcome.items():
        if value is not None and value != [] and value != {}:
            return f"{name} = {show(value, lang, terms)}"
    return ""


def _item(value: Any, lang: str, terms: Mapping[str, Text] | None) -> str:
    """A field of a record: text the person wrote (not a code) is quoted, as they wrote it."""
    if isinstance(value, str) and not value.isascii() and value not in (terms or {}):
        return f"'{value}'"
    return show(value, lang, terms)


_fmt = show  # the name older callers use


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
        terms = result.pack.terms
        outcome = escape(", ".join(f"{k}={show(v, lang, terms)}" for k, v in d.outcome.items()))
        title = d.title.get(lang)
        table.add_row(
            f"{title}\n[dim]{d.rule}[/dim]",
            f"[{style}]{symbol} {words[lang]}[/]{firmness_tag(d, lang)}", outcome
        )
    console.print(table)
    for d in result.decisions:
        render_decision(d, console, lang, result.pack.terms)
    if result.questions:
        console.print(f"\n[bold]{w['questions']}[/bold]")
        for q in result.questions:
            console.print(
                f"  • {question_for(q.path, lang)}  [dim]{escape(f'({q.path}; ')}"
                f"{w['settles']}: {', '.join(q.rules)})[/dim]"
            )


def render_decision(
    d: Decision, console: Console, lang: str = "zh", terms: Mapping[str, Text] | None = None
) -> None:
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
            console.print(f"   {w['outcome']}: {k} = {escape(show(v, lang, terms))}")
    console.print(f"   {w['trace']}:")
    for r in d.reasons:
        _reason_line(r, console, lang, terms)
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
            undated = f", {w['undated']}" if p.get("undated") else ""
            console.print(
                escape(
                    f"      {p['parameter']}[{p['place']}] = {show(p.get('value'), lang)} "
                    f"({p.get('confidence')}{undated}): {local(p.get('reference', ''), lang)}"
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


def _reason_line(
    r: Reason, console: Console, lang: str, terms: Mapping[str, Text] | None = None
) -> None:
    head, *rest = reason_lines(r, lang, terms=terms)
    console.print(escape(head), highlight=False)
    for line in rest:
        console.print(f"[dim]{escape(line)}[/dim]", highlight=False)


def reason_lines(r: Reason, lang: str, indent: str = "     ",
                 terms: Mapping[str, Text] | None = None) -> list[str]:
    """One line of the trace as plain text: the test and its value, then the facts it read and
    its notes, indented (the command line's table and ``tongcheng test`` print it alike)."""
    if r.kind == "outcome":
        lines = [f"{indent}= {r.label.get(lang)}: {show(r.value, lang, terms)}"]
    else:
        lines = [f"{indent}{_mark(r.value)} {r.label.get(lang)}"]
    facts = ", ".join(f"{k}={show(v, lang)}" for k, v in list(r.facts.items())[:6])
    if len(r.facts) > 6:
        facts += f", … (+{len(r.facts) - 6})"
    if facts:
        lines.append(f"{indent}    {facts}")
    lines += [f"{indent}    {note.get(lang)}" for note in r.notes]
    return lines


FIRMNESS_WORDS = {  # the short words a basis line gives its zone entry
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
    text += f" [{WORDS[lang]['sources'].get(b['source'], b['source'])}]"
    if b.get("zone"):  # a zone entry's sentence: where it grants, and how firmly
        names = FIRMNESS_WORDS["en" if lang == "en" else "zh"]
        text += f" ({b['zone']}: {names.get(b['firmness'], b['firmness'])})"
    return text


def render_rules(pack: RulePack, console: Console, lang: str = "zh") -> None:
    """One block per rule: id, title, domain, dates, zones, and its parameters' confidence."""
    w = WORDS[lang]
    for rule in pack.rules:
        zones = ", ".join(f"{z.zone.name.get(lang)} ({z.start}{_zone_firmness(z, lang)})"
                          for z in rule.zones)
        span = f"{rule.in_force_from or '…'} – {rule.in_force_to or ''}"
        levels = rule.firmness_levels
        firm = ("" if levels == ("in_force",)
                else " · " + "/".join(w["firmness_names"][f] for f in levels))
        console.print(f"[bold]{rule.id}[/bold]", highlight=False)
        console.print(escape(f"  {rule.title.get(lang)} · {rule.domain} · {w['in_force']} "
                             f"{span}{firm}"), highlight=False)
        console.print(escape(f"  {w['zones']}: {zones}"), highlight=False)
        for name, conf in rule_parameters(pack, rule, lang).items():
            console.print(escape(f"  {w['parameter']} {name}: {conf}"), highlight=False)


def rule_parameters(pack: RulePack, rule: Rule, lang: str = "en") -> dict[str, str]:
    """Parameters a rule reads, each with the range of confidences of its values."""
    w = WORDS[lang]
    names = rule.parameter_names()
    out = {}
    order = ["high", "medium", "low"]
    for name in names:
        p = pack.parameters[name]
        confs = {v.confidence for vals in p.places.values() for v in vals}
        empty = sum(1 for vals in p.places.values() if not vals)
        desc = "/".join(c for c in order if c in confs) or w["no_values"]
        if empty:
            desc += ", " + w["places_without_value"].format(n=empty)
        out[name] = desc
    return out


def render_rule(pack: RulePack, rule: Rule, console: Console, lang: str = "zh") -> None:
    w = WORDS[lang]
    console.print(f"[bold]{rule.title.get(lang)}[/bold]  [dim]{rule.id}[/dim]")
    console.print(f"{w['domain']}: {rule.domain}   "
                  f"{w['subject']}: {w['subjects'].get(rule.subject, rule.subject)}   "
                  f"{w['firmness_label']}: "
                  + "/".join(w["firmness_names"][f] for f in rule.firmness_levels))
    console.print(
        f"{w['in_force']}: {rule.in_force_from or '…'} – {rule.in_force_to or ''}   "
        f"{w['defined_at']} {rule.location}"
    )
    console.print(f"{w['zones']}:")
    for z in rule.zones:
        members = ", ".join(sorted(z.zone.members_at(z.start)))
        firm = w["firmness_names"].get(z.firmness, z.firmness)
        console.print(escape(f"  {z.zone.name.get(lang)} {w['from']} {z.start} [{firm}]: "
                             f"{members}"), highlight=False)
    for title, clauses in (
        (w["definitions"], rule.lets),
        (w["scope"], rule.scope),
        (w["conditions"], rule.conditions),
        (w["outcome"], rule.outcome),
    ):
        if clauses:
            console.print(f"{title}:")
            for c in clauses:
                label = "" if c.label.zh == c.name else f"{c.label.get(lang)}: "
                console.print(f"  {c.name}: {escape(label)}[cyan]{escape(c.text)}[/cyan]",
                              highlight=False)
    for e in rule.exceptions:
        console.print(f"{w['exception']} {e.label}: {e.title.get(lang)}")
        for c in e.applies:
            console.print(f"  {w['applies']}: [cyan]{escape(c.text)}[/cyan]", highlight=False)
        for c in e.outcome:
            console.print(f"  {w['outcome']} {c.name}: [cyan]{escape(c.text)}[/cyan]",
                          highlight=False)
    console.print(f"{w['basis']}:")
    for b in rule.basis:
        console.print("  " + escape(basis_line(basis_json(b, lang), lang)), highlight=False)
    if rule.reading:
        console.print(f"{w['reading']}: {rule.reading.get(lang)}", highlight=False)
    params = rule_parameters(pack, rule, lang)
    if params:
        console.print(f"{w['parameters']}:")
        for name in params:
            p = pack.parameters[name]
            console.print(f"  {name}: {p.description.get(lang)}")
            for place, vals in p.places.items():
                if not vals:
                    console.print(f"    {place}: {w['declared_no_value']}")
                for val in vals:
                    span = w["undated"] if val.undated else f"{val.start or '…'} – {val.end or ''}"
                    console.print(
                        escape(f"    {place}: {show(val.value, lang)}  [{span}, "
                               f"{val.confidence}] {local(val.reference, lang)}"),
                        highlight=False,
                    )


def rules_markdown(pack: RulePack, lang: str = "en", only: list[str] | None = None) -> str:
    """The pack's rules (or those in ``only``) as a Markdown table (the README's rule list is
    generated from this)."""
    head = ("| 规则 | 标题 | 区域(起始) | 确定程度 | 参数 |" if lang == "zh"
            else "| rule | title | zones (from) | firmness | parameters |")
    rows = [head, "|---|---|---|---|---|"]
    for rule in pack.rules:
        if only is not None and rule.id not in only:
            continue
        zones = "; ".join(f"{z.zone.name.get(lang)} {z.start}{_zone_firmness(z, lang)}"
                          for z in rule.zones)
        params = "; ".join(f"`{k}` ({v})"
                           for k, v in rule_parameters(pack, rule, lang).items()) or "—"
        title = rule.title.get(lang).replace("|", "/")
        # English keeps the codes (the README's list); Chinese says them in words
        firm = ", ".join(rule.firmness_levels if lang == "en"
                         else (WORDS[lang]["firmness_names"][f] for f in rule.firmness_levels))
        rows.append(f"| `{rule.id}` | {title} | {zones} | {firm} | {params} |")
    return "\n".join(rows) + "\n"


def _zone_firmness(ref: ZoneRef, lang: str = "en") -> str:
    """`` (promise)`` after a zone entry that is not in force, in ``lang``."""
    firm = WORDS[lang]["firmness"].get(ref.firmness, ref.firmness)
    return f" ({firm})" if firm else ""


def render_coverage(report: dict, console: Console, lang: str = "zh") -> None:
    w = WORDS[lang]
    console.print(f"[bold]{w['sources_head']}[/bold]")
    for src in report["sources"]:
        rules = ", ".join(src["rules"]) or "—"
        kind = w["sources"].get(src["kind"], src["kind"])
        console.print(escape(f"  {src['document']} [{kind}]: {rules}"), highlight=False)
    console.print(f"\n[bold]{w['treatments_head']}[/bold]")
    marks = {"encoded": "✔", "not_encoded": "✘", "not_a_person_rule": "·"}
    for t in report["treatments"]:
        line = f"  {marks[t['status']]} {t['treatment'][lang]}: "
        if t.get("firmness"):
            line += f"[{w['firmness_names'][t['firmness']]}] "
        if t.get("zones"):
            line += f"{w['zones']} {', '.join(t['zones'])}; "
        if t["status"] == "not_a_person_rule":
            line += f"{w['not_a_person_rule']} — {t['reason'][lang]}"
        elif t["status"] == "encoded":
            line += ", ".join(t["rules"])
        else:
            line += f"{w['not_encoded']}: " + ", ".join(t["missing_rules"])
        console.print(escape(line), highlight=False)
    if report["uncatalogued_rules"]:
        console.print(escape(f"  {w['uncatalogued']}: " + ", ".join(report["uncatalogued_rules"])),
                      highlight=False)
    console.print(f"\n[bold]{w['services_head']}[/bold]")
    for z in report["service_items"]:
        announced = "?" if z["announced"] is None else (
            f"{z['announced']}+" if z["at_least"] else str(z["announced"]))
        notes = [", ".join(z["items"])] if z["items"] else []
        if z.get("announced_on"):
            notes.append(w["announced_on"].format(date=z["announced_on"]))
        if z.get("confidence"):
            notes.append(w["confidence"].format(c=z["confidence"]))
        more = f" ({'; '.join(notes)})" if notes else ""
        console.print(escape(f"  {z['zone']}: {z['known']} / {announced}{more}"),
                      highlight=False)
