"""``tongcheng verify PACK``: run the property suite on any rule pack.

Exit codes: 0 every property holds (or does not apply); 1 a property failed (its shrunk
counterexample is printed as a situation file for ``tongcheng check``); 2 invalid command or
hypothesis not installed; 3 the pack fails to load. The properties are described in
``tongcheng.consistency.properties``. Everything it says follows ``--lang`` (Chinese by
default); property names, ids and the situations themselves stay as they are.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import click

from tongcheng.cli_options import (
    fail,
    language_option,
    one_pack,
    overlay_option,
    pack_argument_or_option,
    say,
)
from tongcheng.errors import PackError

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_PACK = 0, 1, 2, 3
DEFAULT_EXAMPLES = 200


def _load(pack_path: str | None, overlays: tuple[str, ...] = (), lang: str = "en"):
    from tongcheng.pack.loader import bundled_pack_path, load_pack

    try:
        return load_pack(Path(pack_path) if pack_path else bundled_pack_path(), overlays=overlays)
    except PackError as e:
        fail(EXIT_PACK, e.describe(lang), lang)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_failure(failure: Any, pack_arg: str, saved: dict[str, Path] | None = None,
                   lang: str = "en") -> str:
    """A failed property as text in ``lang``: its message, then each situation as a YAML file
    with the command that runs it."""
    from tongcheng.consistency.properties.context import label_text
    from tongcheng.consistency.report import indent, situation_yaml

    lines = [indent(failure.text(lang), "  ")]
    for label, situation in failure.situations:
        where = saved.get(label) if saved else None
        file = str(where) if where else f"{_slug(label)}.yaml"
        run = f"tongcheng check {file}" + (f" --pack {pack_arg}" if pack_arg else "")
        if failure.rule:
            run += f" --rule {failure.rule}"
        if lang == "zh":
            lines.append(f"  --- {label_text(label, lang)}"
                         + (f"(已保存为 {where})" if where else "") + f";运行:`{run}`")
        else:
            lines.append(f"  --- {label}" + (f" (saved as {where})" if where else "")
                         + f"; run: {run}")
        lines.append(indent(situation_yaml(situation), "  "))
    return "\n".join(lines)


def save_failure(failure: Any, folder: Path, lang: str = "en") -> dict[str, Path]:
    """Each situation of a failure as a file ``tongcheng check`` runs, its comment in
    ``lang`` (the file names stay ASCII: property and English label)."""
    from tongcheng.consistency.properties.context import label_text
    from tongcheng.consistency.report import situation_yaml

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for label, situation in failure.situations:
        path = folder / f"{failure.prop}-{_slug(label)}.yaml"
        comment = f"tongcheng verify: {failure.prop} ({label_text(label, lang)})\n" \
                  f"{failure.text(lang)}"
        path.write_text(situation_yaml(situation, comment), encoding="utf-8")
        out[label] = path
    return out


def _as_json(pack: str | None, loaded: Any, examples: int, seed: int, seconds: float,
             results: list[Any], saved: dict[str, dict[str, Path]], lang: str = "en"
             ) -> dict[str, Any]:
    """``--format json``: the pack, the run, and each property's result and saved files (notes
    and messages in ``lang`` only)."""
    return {
        "pack": {"path": pack, "name": loaded.info.name, "version": loaded.info.version,
                 "digest": loaded.info.digest},
        "examples": examples,
        "seed": seed,
        "seconds": round(seconds, 2),
        "properties": [
            {"name": r.prop.name, "status": r.status, "examples": r.examples,
             "seconds": round(r.seconds, 2), "note": r.said_note(lang),
             "failure": r.failure.to_json(lang) if r.failure else None,
             "saved": {k: str(v) for k, v in saved.get(r.prop.name, {}).items()}}
            for r in results
        ],
    }


@click.command("verify")
@pack_argument_or_option
@click.option("--examples", "-n", type=click.IntRange(1, 100_000), default=DEFAULT_EXAMPLES,
              show_default=True, help="Situations generated per property.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the search (the same seed explores the same situations).")
@click.option("--property", "properties", multiple=True, metavar="NAME",
              help="Only this property (repeatable).")
@click.option("--save", "save_dir", type=click.Path(file_okay=False), default=None,
              help="Write each counterexample to this folder as a situation file.")
@click.option("--shrink-seconds", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Time spent shrinking a counterexample to a small one.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Print text to read, or JSON for programs.")
@overlay_option
@language_option("Language of the report, the failures and the errors.")
def verify(pack: str | None, pack_path: str | None, examples: int, seed: int,
           properties: tuple[str, ...], save_dir: str | None, shrink_seconds: float,
           fmt: str, overlays: tuple[str, ...], lang: str) -> None:
    """Check that the rule pack in PACK or --pack (default: the bundled one) is consistent.

    Searches generated situations for counterexamples to each property: no contradictions,
    determinism, order independence, information monotonicity and completeness, symmetric
    mutual recognition, dates, and the monotonic outcomes rules declare. A failure prints the
    shrunk counterexample as a situation file to run with `tongcheng check`.
    """
    try:
        from tongcheng.consistency import properties as props
    except ImportError as e:  # hypothesis is an optional dependency
        fail(EXIT_INVALID, say(
            lang, f"tongcheng verify needs hypothesis ({e}); install it with: "
                  "pip install 'tongcheng[verify]'",
            f"tongcheng verify 需要 hypothesis(“{e}”);请安装:pip install 'tongcheng[verify]'"),
            lang)
    pack = one_pack(pack, pack_path)
    unknown = [p for p in properties if p not in props.PROPERTY_NAMES]
    if unknown:
        fail(EXIT_INVALID, say(
            lang, f"unknown property {', '.join(unknown)}; properties: "
                  f"{', '.join(props.PROPERTY_NAMES)}",
            f"未知的性质 {'、'.join(unknown)};可选的性质:{'、'.join(props.PROPERTY_NAMES)}"),
            lang)
    loaded = _load(pack, overlays, lang)
    pack_arg = pack or ""
    started = time.monotonic()
    if fmt == "text":
        click.echo(say(
            lang, f"tongcheng verify {pack or '(bundled pack)'}: {loaded.info.name} "
                  f"{loaded.info.version}, {examples} examples per property, seed {seed}",
            f"tongcheng verify {pack or '(内置规则包)'}:{loaded.info.name} "
            f"{loaded.info.version},每项性质 {examples} 个样例,种子 {seed}"))

    def show(result: Any) -> None:
        if fmt == "text":
            click.echo(_result_line(result, lang))

    try:
        results = props.run(loaded, properties=properties or None, examples=examples, seed=seed,
                            shrink_seconds=shrink_seconds, on_result=show)
    except props.GeneratorError as e:
        fail(EXIT_FAILED, say(lang, f"{e} (a defect of tongcheng's strategies; please report it)",
                              f"{e.describe('zh')}(这是 tongcheng 生成策略的缺陷;请报告)"), lang)
    failed = [r for r in results if r.status in ("failed", "error")]
    saved: dict[str, dict[str, Path]] = {}
    if save_dir:
        for r in failed:
            saved[r.prop.name] = save_failure(r.failure, Path(save_dir), lang)
    seconds = time.monotonic() - started
    if fmt == "json":
        click.echo(json.dumps(_as_json(pack, loaded, examples, seed, seconds, results, saved,
                                       lang), ensure_ascii=False, indent=2))
    else:
        _report_failures(failed, saved, pack_arg, lang)
        click.echo(_verdict(len(results), len(failed), seconds, seed, lang))
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


def _report_failures(failed: list[Any], saved: dict[str, dict[str, Path]], pack_arg: str,
                     lang: str) -> None:
    for r in failed:
        click.echo(say(lang, f"\nFAILED {r.prop.name}:", f"\n未通过 {r.prop.name}:"))
        click.echo(render_failure(r.failure, pack_arg, saved.get(r.prop.name), lang))


def _verdict(total: int, failed: int, seconds: float, seed: int, lang: str) -> str:
    """The closing line: how many properties hold, the time, the seed to run it again."""
    if lang == "zh":
        verdict = f"{total} 项性质中 {failed} 项未通过" if failed else f"全部 {total} 项性质成立"
        return f"\n{verdict}(用时 {seconds:.1f} 秒;种子 {seed})"
    verdict = (f"{failed} of {total} properties failed" if failed
               else f"all {total} properties hold")
    return f"\n{verdict} ({seconds:.1f}s; seed {seed})"


# A property's mark as it finishes: English marks of four letters, Chinese of two characters
# (the same width in a terminal).
_MARKS = {"en": {"passed": "ok  ", "failed": "FAIL", "skipped": "skip", "inconclusive": "????",
                 "error": "ERR "},
          "zh": {"passed": "通过", "failed": "失败", "skipped": "跳过", "inconclusive": "存疑",
                 "error": "出错"}}


def _result_line(result: Any, lang: str = "en") -> str:
    """A property's line as it finishes (text format): mark, name, examples, seconds."""
    mark = _MARKS["zh" if lang == "zh" else "en"][result.status]
    note = result.said_note(lang)
    summary = result.prop.said(lang)
    if lang == "zh":
        extra = f"({note})" if note else ""
        return (f"  {mark} {result.prop.name:<30} {result.examples:>5} 个样例 "
                f"{result.seconds:6.1f} 秒  {summary}{extra}")
    extra = f" ({note})" if note else ""
    return (f"  {mark} {result.prop.name:<30} {result.examples:>5} examples "
            f"{result.seconds:6.1f}s  {summary}{extra}")
