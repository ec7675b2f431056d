"""``tongcheng compare``: who a policy change affects, how many, where.

Only click is imported here: polars, altair and the rest load when the command runs.

Exit codes: 0 done; 1 some rows were rejected (named in REPORT/rejects.jsonl); 2 a bad command
or input file; 3 a rule pack or overlay fails to load, or its rules conflict.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tongcheng.cli_options import cannot_write, fail, not_a_file, os_problem, say
from tongcheng.cli_usage import interrupted_exit

EXIT_OK, EXIT_REJECTS, EXIT_INVALID, EXIT_PACK = 0, 1, 2, 3


@click.command()
@click.argument("population", type=click.Path())
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(),
              help="Report folder: summary.json, report.html, changed.parquet, rejects.jsonl.")
@click.option("--base", "base_spec", default=None, metavar="PACK[@DATE]",
              help="The side before the change: a pack folder (default: the bundled pack), "
                   "decided at DATE when given (else each row's own as_of).")
@click.option("--base-overlay", "base_overlays", multiple=True,
              type=click.Path(file_okay=False), help="Overlay on the base side (repeatable).")
@click.option("--new", "new_spec", default=None, metavar="PACK[@DATE]",
              help="The side after the change, as --base.")
@click.option("--new-overlay", "new_overlays", multiple=True,
              type=click.Path(file_okay=False), help="Overlay on the new side (repeatable).")
@click.option("--input-format", "fmt", type=click.Choice(["auto", "parquet", "csv", "jsonl"]),
              default="auto", show_default=True,
              help="Format of POPULATION (default: by its extension).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=500_000, show_default=True,
              help="Rows decided at once: bounds memory.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the terminal table and the HTML report.")
@click.option("--html/--no-html", default=True, show_default=True,
              help="Write REPORT/report.html (charts embedded: opens offline).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
def compare(population, out_dir, base_spec, base_overlays, new_spec, new_overlays, fmt,
            chunk_size, lang, html, progress) -> None:
    """Decide every person of POPULATION under two rule packs and report what changes.

    Each side is a pack (the bundled one by default), with overlays, at a date or at each
    row's own as_of. Both are decided by the vectorised evaluator over one read of the input;
    only the rules whose inputs differ are decided twice. The report gives, per rule, the
    transitions (status and firmness, from → to), counts and shares by target city, household
    city and age band, the numeric outcomes on both sides, and example ids.
    """
    from tqdm import tqdm

    from tongcheng.batch.layout import LayoutError
    from tongcheng.compare import report
    from tongcheng.compare.folder import ReportFolder
    from tongcheng.compare.run import CHANGED, REJECTS, SUMMARY, write_summary
    from tongcheng.compare.run import compare as run
    from tongcheng.errors import RuleConflict
    from tongcheng.evaluate.evaluator import RuleError
    from tongcheng.places import default_registry

    if Path(out_dir).exists() and not Path(out_dir).is_dir():  # said before any row is read
        fail(EXIT_INVALID, say(lang, f"{out_dir}: is a file; the report is a folder",
                               f"{out_dir}:这是一个文件;报告需要一个文件夹"), lang)
    registry = default_registry()
    base, new, fmt, total = _open_sides(population, base_spec, base_overlays, new_spec,
                                        new_overlays, fmt, registry, lang)
    folder = ReportFolder(out_dir, (CHANGED, REJECTS, SUMMARY, report.HTML))
    try:
        staging = folder.open()
    except OSError as e:
        fail(EXIT_INVALID, cannot_write(out_dir, e, lang), lang)
    bar = tqdm(total=total, unit="rows", unit_scale=True, file=sys.stderr,
               disable=(not sys.stderr.isatty()) if progress is None else not progress)
    seen = [0]

    def read(rows: int) -> None:
        seen[0] += rows
        bar.update(rows)

    try:
        result = run(population, fmt, base, new, staging, chunk_size=chunk_size,
                     registry=registry, progress=read, lang=lang)
        data = write_summary(result, folder.staging)
        missing_extra = _write_html(data, folder.staging / report.HTML, lang) if html else None
    except (KeyboardInterrupt, LayoutError, RuleConflict, RuleError, OSError) as e:
        bar.close()
        folder.discard()
        _stopped_by(e, population, seen[0], out_dir, lang)
    finally:
        bar.close()
    _finish(folder, result, data, missing_extra, out_dir, lang)


def _finish(folder, result, data, missing_extra, out_dir: str, lang: str) -> None:
    """The whole report moved into REPORT, the table and the closing line; the exit code."""
    from tongcheng.compare import report

    try:
        folder.publish()
    except OSError as e:
        fail(EXIT_INVALID, cannot_write(out_dir, e, lang), lang)
    report.terminal(data, lang)
    if missing_extra is not None:  # pragma: no cover - depends on the installation
        fail(EXIT_INVALID, say(
            lang, f"the HTML report needs its extra: pip install 'tongcheng[compare]' "
                  f"({missing_extra}); summary.json is written, and --no-html leaves the page out",
            f"HTML 报告需要额外安装:pip install 'tongcheng[compare]'(“{missing_extra}”);"
            "summary.json 已写好,加 --no-html 则不生成网页"), lang)
    click.echo(closing_line(result, out_dir, lang), err=True)
    sys.exit(EXIT_REJECTS if result.rejected else EXIT_OK)


def _write_html(data, path: Path, lang: str) -> ImportError | None:
    """The HTML page; the ImportError when its extra is not installed (the rest is kept)."""
    from tongcheng.compare import report

    try:
        report.write_html(data, path, lang)
    except ImportError as e:  # pragma: no cover - depends on the installation
        return e
    return None


def _stopped_by(error: BaseException, population: str, seen: int, out_dir: str,
                lang: str) -> None:
    """A run stopped half way: interrupted (Ctrl-C: exit 130; SIGTERM: 143), a bad file
    (exit 2) or a defect of a pack (exit 3); REPORT was left as it was, and is said to be."""
    from tongcheng.batch.layout import LayoutError

    if isinstance(error, KeyboardInterrupt):
        click.echo(say(lang, f"interrupted after {seen} rows read; {out_dir} was not changed",
                       f"已中断:读入 {seen} 行后停止;{out_dir} 未被改动"), err=True)
        sys.exit(interrupted_exit(error))  # Ctrl-C 130, SIGTERM 143
    unchanged = say(lang, f" ({out_dir} was not changed)", f"({out_dir} 未被改动)")
    if isinstance(error, LayoutError):
        fail(EXIT_INVALID, error.describe(lang) + unchanged, lang)
    if isinstance(error, OSError):  # the file named by the system where it names one
        where = population if error.filename is None else error.filename
        fail(EXIT_INVALID, say(lang, f"{population}: {error}",
                               f"{where}:{os_problem(error, lang, where)}") + unchanged, lang)
    fail(EXIT_PACK, error.describe(lang) + unchanged, lang)  # type: ignore[attr-defined]


def closing_line(result, out_dir, lang: str) -> str:
    """The last line ``compare`` prints on stderr, in the run's language."""
    return say(lang, f"compared {result.rows} rows in {result.seconds:.1f} s: {result.decided} "
                     f"decided on both sides, {result.changed_persons} changed "
                     f"({Path(out_dir)}), {result.rejected} rejected",
               f"已比较 {result.rows} 行,用时 {result.seconds:.1f} 秒:{result.decided} 行两边均已"
               f"判定,{result.changed_persons} 人有变化({Path(out_dir)}),拒收 "
               f"{result.rejected} 行")


def _open_sides(population, base_spec, base_overlays, new_spec, new_overlays, fmt, registry,
                lang):
    """Before any row is read: the population there, both sides' packs loaded (a pack loaded
    once when both name it), the input's format and row count; a problem ends the run by its
    exit code, in the run's language."""
    from tongcheng.batch import io
    from tongcheng.batch.layout import LayoutError
    from tongcheng.compare.sides import SideError, load_side
    from tongcheng.errors import PackError

    wrong_path = not_a_file(population, lang)  # a pipe too: JSON Lines and CSV are read once
    if wrong_path:
        fail(EXIT_INVALID, wrong_path, lang)
    cache: dict = {}
    try:
        base = load_side("base", base_spec, base_overlays, registry, cache)
        new = load_side("new", new_spec, new_overlays, registry, cache)
    except SideError as e:
        fail(EXIT_INVALID, e.describe(lang), lang)
    except PackError as e:
        fail(EXIT_PACK, e.describe(lang), lang)
    try:
        fmt = io.detect_format(population, fmt)
        total = io.count_rows(population, fmt)  # a file that is no Parquet fails here, at once
    except LayoutError as e:
        fail(EXIT_INVALID, e.describe(lang), lang)
    return base, new, fmt, total
