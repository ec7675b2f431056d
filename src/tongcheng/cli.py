"""The ``tongcheng`` command line: check a situation, list rules, print the situation schema.

Exit codes (CONTRACT.md): 0 done; 1 ran and found problems; 2 invalid situation or command;
3 a rule pack fails to load. Bad input never shows a traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from rich.console import Console

from tongcheng.api import bundled_pack
from tongcheng.cli_help import group_language_option, version_option
from tongcheng.cli_options import (
    as_of_date,
    fail,
    overlay_option,
    pack_option,
    read_situation,
    unknown_rules,
)
from tongcheng.cli_usage import Group
from tongcheng.console import stdout_console
from tongcheng.errors import PackError, RuleConflict
from tongcheng.evaluate.evaluator import RuleError
from tongcheng.evaluate.evaluator import evaluate as evaluate_pack
from tongcheng.pack.loader import bundled_pack_path, load_pack
from tongcheng.pack.model import RulePack
from tongcheng.situation import situation_json_schema

EXIT_OK, EXIT_PROBLEMS, EXIT_INVALID, EXIT_PACK = 0, 1, 2, 3


_COMPILED_NEEDS_RULE = {
    "zh": "--compiled 需要一个规则编号:tongcheng rules 规则编号 --compiled",
    "en": "--compiled needs a rule id: tongcheng rules RULE_ID --compiled",
}


def _pack(path: str | None, overlays: tuple[str, ...] = (), lang: str = "en") -> RulePack:
    try:
        if not path and not overlays:
            return bundled_pack()  # cached: loaded once per process
        return load_pack(Path(path) if path else bundled_pack_path(), overlays=overlays)
    except PackError as e:
        fail(EXIT_PACK, e.describe(lang), lang)
        raise  # unreachable


def _console() -> Console:
    # A pipe or file gets a wide page rather than rich's 80-column default.
    return stdout_console(120)


lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of titles and reasons.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="Print a table to read, or JSON for programs.",
)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@version_option("tongcheng")
@group_language_option()
def main() -> None:
    """同城 tongcheng: same-city treatment across Shandong's integration zones."""
    from tongcheng.evaluate.evaluator import DEFAULT_EVALUATOR, EVALUATORS

    if DEFAULT_EVALUATOR not in EVALUATORS:
        fail(EXIT_INVALID, f"TONGCHENG_EVALUATOR={DEFAULT_EVALUATOR!r}: 未知的评估器,"
              f"可选 {'、'.join(EVALUATORS)} / unknown evaluator; "
              f"evaluators: {', '.join(EVALUATORS)}")


@main.command()
@click.argument("situation", type=click.Path(allow_dash=True))
@click.option(
    "--as-of",
    callback=as_of_date,
    help="Evaluate as of this date (YYYY-MM-DD); "
    "overrides the situation's as_of. Default: the situation's, else today.",
)
@click.option("--rule", "rules", multiple=True,
              help="Only this rule, with its trace and basis (repeatable).")
@click.option("--explain", is_flag=True,
              help="Show each decision's trace, missing facts and basis (the table shows one "
                   "line per rule).")
@format_option
@lang_option
@pack_option()
@overlay_option
@click.option("--records", "records_url", envvar="TONGCHENG_RECORDS", metavar="URL",
              help="Record the decisions in this store: a file (SQLite) or postgresql://… "
                   "(default: $TONGCHENG_RECORDS; none: nothing is recorded).")
@click.option("--actor", help="Who decides (a caseworker id), kept in the record.")
def check(
    situation: str,
    as_of: date | None,
    rules: tuple[str, ...],
    explain: bool,
    fmt: str,
    lang: str,
    pack_path: str | None,
    overlays: tuple[str, ...],
    records_url: str | None = None,
    actor: str | None = None,
) -> None:
    """Decide every rule for the situation in SITUATION (JSON or YAML; - for stdin).

    The table shows one line per rule (status, firmness, main outcome) and the questions to ask
    next; --explain (or --rule ID) adds each decision's trace and basis.
    """
    from tongcheng.render import render_evaluation, render_summary

    pack = _pack(pack_path, overlays, lang)
    model = read_situation(situation, lang, as_of=as_of, services=pack.service_ids)
    wrong = unknown_rules(pack.rule_ids, rules, lang)
    if wrong:
        fail(EXIT_INVALID, wrong, lang)
    try:
        result = evaluate_pack(pack, model, as_of=as_of, rules=list(rules) or None)
    except (RuleConflict, RuleError) as e:
        fail(EXIT_PACK, e.describe(lang), lang)
        return
    if records_url:
        from tongcheng.records.cli import WORDS, record_evaluation

        record_id = record_evaluation(records_url, result, model, actor=actor, lang=lang,
                                      rules=list(rules) or None, pack=pack)
        click.echo(WORDS[lang]["recorded"].format(id=record_id), err=True)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(lang), ensure_ascii=False, indent=2))
    elif explain or rules:
        render_evaluation(result, _console(), lang)
    else:
        render_summary(result, _console(), lang)


@main.command()
@click.argument("rule_id", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True,
              help="Print a table, JSON, or Markdown (for documents).")
@lang_option
@pack_option()
@overlay_option
@click.option("--compiled", "show_compiled", is_flag=True,
              help="Print the Python code RULE_ID is compiled to (generated from its checked "
              "syntax trees), for review.")
def rules(rule_id: str | None, fmt: str, lang: str, pack_path: str | None,
          overlays: tuple[str, ...], show_compiled: bool) -> None:
    """List the pack's rules, or show RULE_ID with its basis and parameters."""
    from tongcheng.render import render_rule, render_rules, rule_parameters, rules_markdown

    pack = _pack(pack_path, overlays, lang)
    wrong = unknown_rules(pack.rule_ids, [rule_id] if rule_id else [], lang)
    if wrong:
        fail(EXIT_INVALID, wrong, lang)
    if show_compiled:
        if not rule_id:
            fail(EXIT_INVALID, _COMPILED_NEEDS_RULE[lang], lang)
        from tongcheng.evaluate import compiled

        click.echo(compiled.source(pack, rule_id), nl=False)
        return
    if fmt == "markdown":
        click.echo(rules_markdown(pack, lang, [rule_id] if rule_id else None), nl=False)
    elif fmt == "json":
        from tongcheng.evaluate.decision import basis_json

        chosen = [pack.rule(rule_id)] if rule_id else list(pack.rules)
        out = [
            {
                "id": r.id,
                "title": {"zh": r.title.zh, "en": r.title.en},
                "domain": r.domain,
                "subject": r.subject,
                "firmness": r.firmness,
                "zones": [
                    {
                        "zone": z.zone.id,
                        "from": z.start.isoformat(),
                        "to": z.end.isoformat() if z.end else None,
                        "firmness": z.firmness,
                    }
                    for z in r.zones
                ],
                "in_force": {
                    "from": str(r.in_force_from) if r.in_force_from else None,
                    "to": str(r.in_force_to) if r.in_force_to else None,
                },
                "parameters": rule_parameters(pack, r, lang),
                "basis": [basis_json(b, lang) for b in r.basis],
                "defined_at": str(r.location),
            }
            for r in chosen
        ]
        click.echo(json.dumps(out if not rule_id else out[0], ensure_ascii=False, indent=2))
    elif rule_id:
        render_rule(pack, pack.rule(rule_id), _console(), lang)
    else:
        render_rules(pack, _console(), lang)


@main.command()
@format_option
@lang_option
@pack_option()
@overlay_option
def coverage(fmt: str, lang: str, pack_path: str | None, overlays: tuple[str, ...]) -> None:
    """Which policy sources the rules cite, and which promised treatments are encoded."""
    from tongcheng.coverage import coverage as compute
    from tongcheng.render import render_coverage

    pack = _pack(pack_path, overlays, lang)
    try:
        report = compute(pack)
    except PackError as e:
        fail(EXIT_PACK, e.describe(lang), lang)
        return
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        render_coverage(report, _console(), lang)
    if any(t["status"] == "not_encoded" for t in report["treatments"]):
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--events", is_flag=True,
              help="The schema of a line of a `tongcheng watch` event stream instead.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the schema's titles and descriptions.")
def schema(events: bool, lang: str) -> None:
    """Print the JSON Schema of a situation (or, with --events, of a watch stream's line)."""
    if events:
        from tongcheng.cases.stream_schema import events_json_schema

        click.echo(json.dumps(events_json_schema(lang), ensure_ascii=False, indent=2))
        return
    click.echo(json.dumps(situation_json_schema(lang), ensure_ascii=False, indent=2))


from tongcheng.service.command import serve  # noqa: E402 (click only; FastAPI loads when it runs)

main.add_command(serve)

from tongcheng.batch.cli import COMMANDS as _BATCH  # noqa: E402 (click only; polars loads on use)

for _command in _BATCH: main.add_command(_command)  # noqa: E701 (screen, synth)

from tongcheng.consistency.lint import lint  # noqa: E402 (click only; z3 loads on use)
from tongcheng.consistency.verify import verify  # noqa: E402 (click only; hypothesis on use)

main.add_command(lint)
main.add_command(verify)

from tongcheng.cases.watch_cli import watch  # noqa: E402 (click only; durable_rules loads on use)

main.add_command(watch)

from tongcheng.compare.command import compare  # noqa: E402 (click only; polars loads on use)

main.add_command(compare)

from tongcheng.timeline.command import timeline  # noqa: E402 (click only)

main.add_command(timeline)

from tongcheng.records.cli import records, replay  # noqa: E402 (click only; SQLAlchemy on use)

main.add_command(records)
main.add_command(replay)

from tongcheng.packtest.command import test  # noqa: E402 (click only; the runner loads on use)

main.add_command(test)

from tongcheng.docsite.command import docs  # noqa: E402 (click only; jinja2 loads on use)

main.add_command(docs)

if __name__ == "__main__":
    main()
