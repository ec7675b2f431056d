"""What a comparison tells people: the terminal table (rich) and the HTML page (``html``).

Both read the JSON summary only, so the three faces of one comparison always agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from tongcheng.compare import words
from tongcheng.compare.words import WORDS
from tongcheng.console import stdout_console

HTML = "report.html"
TOP = 8


def side_line(side: dict[str, Any], lang: str) -> str:
    w = WORDS[lang]
    info = side["rule_pack"]
    when = side["as_of"] or w["own_as_of"]
    return (f"{side['spec']} — {info['name']} {info['version']} ({info['digest'][:19]}…), "
            f"{w['as_of']}: {when}")


def terminal(data: dict[str, Any], lang: str = "zh", console: Console | None = None) -> None:
    console = console or stdout_console(120)
    w = WORDS[lang]
    pop = data["population"]
    console.print(f"[bold]{w['title']}[/bold]")
    console.print(f"  {w['base']}: {side_line(data['base'], lang)}")
    console.print(f"  {w['new']}: {side_line(data['new'], lang)}")
    console.print(f"  {w['rows']}: {pop['rows']:,} · {w['decided']}: {pop['decided']:,} · "
                  f"{w['rejected']}: {pop['rejected']:,} · {w['changed_persons']}: "
                  f"{pop['changed']:,}")
    twice = [r for r in data["rules"] if r["decided"] != "once"]
    console.print(f"  {w['rules_twice']}: {len(twice)} · {w['rules_once']}: "
                  f"{len(data['rules']) - len(twice)}")
    if not twice:
        console.print(w["no_change"])
    for rule in twice:
        _rule(console, rule, lang)


def _rule(console: Console, rule: dict[str, Any], lang: str) -> None:
    w = WORDS[lang]
    console.print()
    console.print(f"[bold]━━ {rule['title'][lang]}[/bold]  {rule['rule']}")
    console.print(f"   {words.DECIDED[rule['decided']][lang]}"
                  + (f" ({w['why']}: {rule['why'][lang]})" if rule.get("why") else ""))
    table = Table(w["transition"], w["persons"], w["share"], w["examples"], box=None,
                  padding=(0, 2))
    for t in rule["transitions"]:
        label = words.transition(t, lang)
        style = "bold" if t["changed"] else "dim"
        table.add_row(f"[{style}]{label}[/{style}]", f"{t['persons']:,}", f"{t['share']:.1%}",
                      ", ".join(str(x) for x in t["examples"]))
    console.print(table)
    if rule.get("outcome_only_changed"):
        console.print(f"   {w['outcome_only']}: {rule['outcome_only_changed']:,}")
    if not rule["changed"]:
        return
    for key in ("by_target_city", "by_hukou_city", "by_age_band"):
        groups = [g for g in rule.get(key, []) if g["changed"]][:TOP]
        text = ", ".join(f"{words.group_name(g, lang)} {g['changed']:,} "
                         f"({g['share_changed']:.1%})" for g in groups)
        console.print(f"   {w[key]}: {text}")
    for name, entry in rule.get("outcomes", {}).items():
        b, n = entry["base"], entry["new"]
        if not b.get("count") and not n.get("count"):
            continue
        console.print(f"   {name}: {w['median']} {b.get('median', '—')} → {n.get('median', '—')}"
                      f", {w['mean']} {b.get('mean', '—')} → {n.get('mean', '—')}"
                      f" ({w['count']}: {b['count']:,} → {n['count']:,})")
        for t in entry["by_transition"]:
            if t["side"] == "new" and t["from"] != t["to"]:
                console.print(f"      {words.status(t['from'], lang)} → "
                              f"{words.status(t['to'], lang)}: {w['median']} {t['median']}, "
                              f"{w['mean']} {t['mean']} ({t['count']:,})")


def write_html(data: dict[str, Any], path: str | Path, lang: str = "zh") -> None:
    from tongcheng.compare.html import render

    Path(path).write_text(render(data, lang), encoding="utf-8")
