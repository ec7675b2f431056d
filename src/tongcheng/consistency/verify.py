"""``tongcheng verify PACK``: run the property suite on any rule pack.

Exit codes: 0 every property holds (or does not apply); 1 a property failed (its shrunk
counterexample is printed as a situation file for ``tongcheng check``); 2 invalid command or
hypothesis not installed; 3 the pack fails to load. The properties are described in
``tongcheng.consistency.properties``.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import click

from tongcheng.cli_options import one_pack, overlay_option, pack_argument_or_option
from tongcheng.errors import PackError

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_PACK = 0, 1, 2, 3
DEFAULT_EXAMPLES = 200


def _load(pack_path: str | None, overlays: tuple[str, ...] = ()):
    from tongcheng.pack.loader import bundled_pack_path, load_pack

    try:
        return load_pack(Path(pack_path) if pack_path else bundled_pack_path(), overlays=overlays)
    except PackError as e:
        click.echo(f"error: {e.describe()}", err=True)
        sys.exit(EXIT_PACK)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_failure(failure: Any, pack_arg: str, saved: dict[str, Path] | None = None) -> str:
    from tongcheng.consistency.report import indent, situation_yaml

    lines = [indent(failure.message, "  ")]
    for label, situation in failure.situations:
        where = saved.get(label) if saved else None
        file = str(where) if where else f"{_slug(label)}.yaml"
        run = f"tongcheng check {file}" + (f" --pack {pack_arg}" if pack_arg else "")
        if failure.rule:
            run += f" --rule {failure.rule}"
        lines.append(f"  --- {label}" + (f" (saved as {where})" if where else "")
                     + f"; run: {run}")
        lines.append(indent(situation_yaml(situation), "  "))
    return "\n".join(lines)


def save_failure(failure: Any, folder: Path) -> dict[str, Path]:
    from tongcheng.consistency.report import situation_yaml

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for label, situation in failure.situations:
        path = folder / f"{failure.prop}-{_slug(label)}.yaml"
        comment = f"tongcheng verify: {failure.prop} ({label})\n{failure.message}"
        path.write_text(situation_yaml(situation, comment), encoding="utf-8")
        out[label] = path
    return out


def _as_json(pack: str | None, loaded: Any, examples: int, seed: int, seconds: float,
             results: list[Any], saved: dict[str, dict[str, Path]]) -> dict[str, Any]:
    """``--format json``: the pack, the run, and each property's result and saved files."""
    return {
        "pack": {"path": pack, "name": loaded.info.name, "version": loaded.info.version,
                 "digest": loaded.info.digest},
        "examples": examples,
        "seed": seed,
        "seconds": round(seconds, 2),
        "properties": [
            {"name": r.prop.name, "status": r.status, "examples": r.examples,
             "seconds": round(r.seconds, 2), "note": r.note,
             "failure": r.failure.to_json() if r.failure else None,
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
              show_default=True)
@overlay_option
def verify(pack: str | None, pack_path: str | None, examples: int, seed: int,
           properties: tuple[str, ...], save_dir: str | None, shrink_seconds: float,
           fmt: str, overlays: tuple[str, ...]) -> None:
    """Check that the rule pack in PACK or --pack (default: the bundled one) is consistent.

    Searches generated situations for counterexamples to each property: no contradictions,
    determinism, order independence, information monotonicity and completeness, symmetric
    mutual recognition, dates, and the monotonic outcomes rules declare. A failure prints the
    shrunk counterexample as a situation file to run with `tongcheng check`.
    """
    try:
        from tongcheng.consistency import properties as props
    except ImportError as e:  # hypothesis is an optional dependency
        click.echo(f"error: tongcheng verify needs hypothesis ({e}); "
                   "install it with: pip install 'tongcheng[verify]'", err=True)
        sys.exit(EXIT_INVALID)
    pack = one_pack(pack, pack_path)
    unknown = [p for p in properties if p not in props.PROPERTY_NAMES]
    if unknown:
        click.echo(f"error: unknown property {', '.join(unknown)}; properties: "
                   f"{', '.join(props.PROPERTY_NAMES)}", err=True)
        sys.exit(EXIT_INVALID)
    loaded = _load(pack, overlays)
    pack_arg = pack or ""
    started = time.monotonic()
    if fmt == "text":
        click.echo(f"tongcheng verify {pack or '(bundled pack)'}: {loaded.info.name} "
                   f"{loaded.info.version}, {examples} examples per property, seed {seed}")

    def show(result: Any) -> None:
        if fmt == "text":
            click.echo(_result_line(result))

    try:
        results = props.run(loaded, properties=properties or None, examples=examples, seed=seed,
                            shrink_seconds=shrink_seconds, on_result=show)
    except props.GeneratorError as e:
        click.echo(f"error: {e} (a defect of tongcheng's strategies; please report it)",
                   err=True)
        sys.exit(EXIT_FAILED)
    failed = [r for r in results if r.status in ("failed", "error")]
    saved: dict[str, dict[str, Path]] = {}
    if save_dir:
        for r in failed:
            saved[r.prop.name] = save_failure(r.failure, Path(save_dir))
    seconds = time.monotonic() - started
    if fmt == "json":
        click.echo(json.dumps(_as_json(pack, loaded, examples, seed, seconds, results, saved),
                              ensure_ascii=False, indent=2))
    else:
        for r in failed:
            click.echo(f"\nFAILED {r.prop.name}:")
            click.echo(render_failure(r.failure, pack_arg, saved.get(r.prop.name)))
        verdict = (f"{len(failed)} of {len(results)} properties failed" if failed
                   else f"all {len(results)} properties hold")
        click.echo(f"\n{verdict} ({seconds:.1f}s; seed {seed})")
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


def _result_line(result: Any) -> str:
    """A property's line as it finishes (text format): mark, name, examples, seconds."""
    mark = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip",
            "inconclusive": "????", "error": "ERR "}[result.status]
    extra = f" ({result.note})" if result.note else ""
    return (f"  {mark} {result.prop.name:<30} {result.examples:>5} examples "
            f"{result.seconds:6.1f}s  {result.prop.summary}{extra}")
