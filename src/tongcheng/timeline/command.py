"""``tongcheng timeline SITUATION --from YYYY-MM --to YYYY-MM``: every rule month by month.

Only click is imported here (the rest loads when the command runs). Exit codes: 0 done; 2 an
invalid situation or command; 3 a rule pack or overlay fails to load, or its rules conflict.
"""

from __future__ import annotations

import json

import click

from tongcheng.cli_options import fail, overlay_option, read_situation, unknown_rules
from tongcheng.cli_usage import BadValue

EXIT_INVALID, EXIT_PACK = 2, 3
MARKS = {"eligible": "✔", "ineligible": "✘", "undetermined": "?", "not_applicable": "·"}


def _month(_ctx, _param, value: str | None) -> int | None:
    from tongcheng import wording as W
    from tongcheng.months import parse_month
    from tongcheng.scalars import month_problem

    if value is None:
        return None
    try:
        return parse_month(value)
    except ValueError as e:  # (the situation's own words for a month, in Chinese)
        raise BadValue(str(e), (month_problem(value) or W.expected_month(value)).zh) from None


@click.command()
@click.argument("situation", type=click.Path(allow_dash=True))
@click.option("--from", "start", required=True, callback=_month, metavar="YYYY-MM",
              help="First month of the window.")
@click.option("--to", "end", required=True, callback=_month, metavar="YYYY-MM",
              help="Last month of the window.")
@click.option("--rule", "rules", multiple=True, help="Only this rule (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Print a table to read, or JSON for programs.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of titles and reasons.")
@click.option("--pack", "pack_path", type=click.Path(file_okay=False), default=None,
              help="Rule-pack folder (default: the bundled pack).")
@overlay_option
def timeline(situation, start, end, rules, fmt, lang, pack_path, overlays) -> None:
    """Decide every rule for SITUATION at the end of each month from --from to --to.

    An open period keeps running, so the timeline also shows when a person who keeps paying
    reaches a minimum. Lists, per rule, the stretches of months with one status and the days
    a decision changes, with why: a zone opened, a parameter changed, a month count reached a
    bound, a birthday, a period started or ended. SITUATION is JSON or YAML (- for stdin).
    """
    from tongcheng.errors import PackError, RuleConflict
    from tongcheng.evaluate.evaluator import RuleError
    from tongcheng.pack.loader import load_pack
    from tongcheng.timeline import TimelineError, build

    try:
        pack = load_pack(pack_path, overlays=overlays)
    except PackError as e:
        fail(EXIT_PACK, e.describe(lang), lang)
    model = read_situation(situation, lang, services=pack.service_ids)
    wrong = unknown_rules(pack.rule_ids, rules, lang)
    if wrong:
        fail(EXIT_INVALID, wrong, lang)
    try:
        result = build(pack, model, start, end, rules=list(rules) or None)
    except TimelineError as e:
        fail(EXIT_INVALID, e.describe(lang, "--from", "--to"), lang)
    except (RuleConflict, RuleError) as e:
        fail(EXIT_PACK, e.describe(lang), lang)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(lang), ensure_ascii=False, indent=2))
    else:
        render(result, lang)


def render(result, lang: str) -> None:
    from tongcheng.compare.words import firmness, status
    from tongcheng.months import format_month

    ruler = ""
    for m in range(result.start, result.end + 1):
        if m % 12 == 0 or m == result.start:
            ruler += format_month(m)[: min(4, 12 - m % 12, result.end + 1 - m)]
        elif len(ruler) <= m - result.start:
            ruler += " "
    head = "月份" if lang == "zh" else "months"
    click.echo(f"{head} {format_month(result.start)} – {format_month(result.end)} "
               f"({'每月月末' if lang == 'zh' else 'as of each month end'}); "
               f"{result.pack.name} {result.pack.version}")
    legend = " ".join(f"{mark} {status(s, lang)}" for s, mark in MARKS.items())
    click.echo(legend)
    for r in result.rules:
        click.echo(f"\n━━ {r.rule.title.get(lang)}  {r.rule.id}")
        strip = "".join(MARKS[s.first.status.value] * (s.end - s.start + 1) for s in r.segments)
        click.echo(f"   {ruler}\n   {strip}")
        for s in r.segments:
            firm = firmness(s.first.firmness, lang) if s.first.firmness != "in_force" else ""
            click.echo(f"   {format_month(s.start)} – {format_month(s.end)}  "
                       f"{status(s.first.status.value, lang)} {firm}".rstrip())
        for c in r.changes:
            why = "; ".join(w.text.get(lang) for w in c.why)
            click.echo(f"   {c.day}: {status(c.before.status.value, lang)} → "
                       f"{status(c.after.status.value, lang)} — {why}")
