"""``tongcheng screen`` and ``tongcheng synth``: population screening on the command line.

This module imports only click at load time: polars, pyarrow and numpy are imported when one of
these commands runs, so the other commands never pay for them.

Exit codes: 0 done; 1 some rows were rejected (named in the rejects file): bad input, or a row a
rule erred on (a defect of the pack that row's situation meets: the rule, its file and line named;
the run goes on); 2 a bad command or input file; 3 the rule pack fails to load.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

import click

from tongcheng.cli_options import (
    as_of_date,
    cannot_write,
    fail,
    no_such_file,
    os_problem,
    overlay_option,
    pack_option,
    say,
    unknown_rules,
    unwritable,
)
from tongcheng.cli_usage import interrupted_exit

EXIT_OK, EXIT_REJECTS, EXIT_INVALID, EXIT_PACK = 0, 1, 2, 3
STATUS_CHOICES = ("eligible", "ineligible", "undetermined", "not_applicable")


def _load_pack(pack_path: str | None, overlays: tuple[str, ...] = (), lang: str = "zh"):
    """The pack and its overlays; one that fails to load ends the run, said in ``lang``."""
    from tongcheng.errors import PackError
    from tongcheng.pack.loader import bundled_pack_path, load_pack

    try:
        return load_pack(Path(pack_path) if pack_path else bundled_pack_path(),
                         overlays=overlays)
    except PackError as e:
        fail(EXIT_PACK, e.describe(lang), lang)


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=True))
@click.option("-o", "--output", required=True, type=click.Path(),
              help="File of decisions: Parquet, CSV or JSON Lines by its extension or "
                   "--output-format (a Parquet folder with --engine spark).")
@click.option("--input-format", "input_fmt", type=click.Choice(["auto", "parquet", "csv", "jsonl"]),
              default=None, help="Format of INPUT (default: by its extension).")
@click.option("--format", "old_fmt", type=click.Choice(["auto", "parquet", "csv", "jsonl"]),
              default=None, hidden=True,
              help="The old name of --input-format (it names the INPUT's format).")
@click.option("--output-format", "out_fmt", type=click.Choice(["parquet", "csv", "jsonl"]),
              default=None,
              help="Format of OUTPUT (default: by its extension: .parquet, .csv, .jsonl; else "
                   "Parquet).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the summary printed at the end and of the rejects' reasons.")
@click.option("--rule", "rules", multiple=True, help="Only this rule (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUS_CHOICES),
              help="Keep only persons for whom some selected rule has this status (repeatable).")
@click.option("--as-of", callback=as_of_date,
              help="Evaluate every row as of this date; default: each row's own, else today.")
@click.option("--rejects", "rejects_path", type=click.Path(),
              help="Where rejected rows go (JSON Lines); default OUTPUT.rejects.jsonl.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=500_000, show_default=True,
              help="Rows evaluated at once: bounds memory.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local",
              show_default=True, help="Evaluate here (polars), or per partition on Spark.")
@click.option("--master", default=None,
              help="Spark master URL (default: SPARK_MASTER, else local[*]).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
@pack_option()
@overlay_option
def screen(input_path, output, input_fmt, old_fmt, out_fmt, lang, rules, statuses, as_of,
           rejects_path, chunk_size, engine, master, progress, pack_path, overlays) -> None:
    """Decide every rule for every situation in INPUT (Parquet, CSV or JSON Lines).

    Writes one row per valid situation to OUTPUT (Parquet): _row (the input row, from 0), id
    (when the input has one), and per rule RULE.status, RULE.firmness and RULE.outcome.NAME.
    Rows the situation model refuses go to the rejects file with every problem named; so does
    a row a rule errs on (a defect of the pack: the rule, its file and line named), and the run
    goes on. At the end, a summary (rule × status × firmness, by target city) on stderr and in
    OUTPUT.summary.json.
    """
    from tongcheng.batch.output import FormatError, input_format, output_format

    try:
        fmt = input_format(input_path, input_fmt or old_fmt, old_name=input_fmt is None)
        out_fmt = output_format(output, out_fmt) if engine == "local" else "parquet"
    except FormatError as e:
        fail(EXIT_INVALID, e.describe(lang), lang)
    pack = _load_pack(pack_path, overlays, lang)
    wrong = unknown_rules(pack.rule_ids, rules, lang)
    if wrong:
        fail(EXIT_INVALID, wrong, lang)
    if not Path(input_path).exists():
        fail(EXIT_INVALID, no_such_file(input_path, lang), lang)
    rejects_path = rejects_path or f"{output}.rejects.jsonl"
    if engine == "spark":
        sys.exit(_screen_spark(pack, input_path, output, fmt, rejects_path, lang, rules=list(rules),
                               statuses=list(statuses), as_of=as_of, master=master,
                               pack_path=pack_path))
    sys.exit(_screen_local(pack, input_path, output, fmt, list(rules), list(statuses), as_of,
                           rejects_path, chunk_size, progress, out_fmt, lang))


def _screen_spark(pack, input_path, output, fmt, rejects_path, lang, **options) -> int:
    """``--engine spark``: a Parquet input (a file or a folder) screened on Spark."""
    from tongcheng.batch.io import detect_format
    from tongcheng.batch.layout import LayoutError
    from tongcheng.batch.spark import screen_spark

    try:
        spark_input = Path(input_path).is_dir() or detect_format(input_path, fmt) == "parquet"
    except LayoutError as e:
        fail(EXIT_INVALID, e.describe(lang), lang)
    if not spark_input:
        fail(EXIT_INVALID, say(lang, "--engine spark reads Parquet (a file or a folder of them)",
                               "--engine spark 只读 Parquet(一个文件或装有它们的文件夹)"), lang)
    _writable((rejects_path, f"{output}.summary.json"), lang)  # (the output: Spark's folder)
    try:
        run = screen_spark(pack, input_path, output, rejects_path, lang=lang, **options)
    except LayoutError as e:
        fail(EXIT_INVALID, e.describe(lang), lang)
    except (ValueError, KeyError) as e:  # refused on the way: the words of what refused it
        detail = str(e.args[0] if e.args else e)
        fail(EXIT_INVALID, say(lang, detail, f"Spark 上的筛查未能完成(“{detail}”)"), lang)
    # the same summary as the local engine's, from every partition's tally
    _report(run.tally, input_path, output, "parquet", run.written, run.rejected, run.seconds,
            rejects_path, lang)
    return run.code


def _screen_local(pack, input_path, output, fmt, rules, statuses, as_of, rejects_path,
                  chunk_size, progress, out_fmt="parquet", lang="zh") -> int:
    from tongcheng.batch import phases

    phases_path = phases.start()
    fmt, total, evaluator = _open_screen(pack, input_path, output, fmt, rules, rejects_path,
                                         lang)
    sink, tally, n_rejects, seconds = _stream(
        evaluator, input_path, output, fmt, statuses, as_of, rejects_path, chunk_size,
        progress, out_fmt, lang, total)
    phases.finish(phases_path, wall_seconds=round(seconds, 3), rows=sink.rows + n_rejects)
    _report(tally, input_path, output, out_fmt, sink.rows, n_rejects, seconds, rejects_path,
            lang)
    return EXIT_REJECTS if n_rejects else EXIT_OK


def _writable(paths: tuple[str, ...], lang: str) -> None:
    """Every output writable before any row is read, else exit 2 naming the first that is not."""
    for path in paths:
        problem = unwritable(path, lang)
        if problem is not None:
            fail(EXIT_INVALID, problem, lang)


def _report(tally, input_path, output, out_fmt, written, rejected, seconds, rejects_path,
            lang) -> None:
    """What a run found: ``OUTPUT.summary.json``, the summary on stderr, the closing line."""
    from tongcheng.batch import summary

    try:
        data = tally.write(f"{output}.summary.json", input=str(input_path), output=str(output),
                           output_format=out_fmt, rows=tally.rows + rejected, written=written,
                           rejected=rejected, seconds=round(seconds, 3))
    except OSError as e:
        fail(EXIT_INVALID, cannot_write(f"{output}.summary.json", e, lang), lang)
    summary.render(data, lang)
    click.echo(closing_line(written, rejected, seconds, output, out_fmt, rejects_path, lang,
                            tally.rule_error_rows), err=True)


def _open_screen(pack, input_path, output, fmt, rules, rejects_path, lang):
    """Before any row is read: every output writable, the input's format and row count, the
    pack compiled (rules it cannot compile are named); a problem ends the run with exit 2."""
    from tongcheng.batch import io, phases
    from tongcheng.batch.engine import BatchEvaluator
    from tongcheng.batch.layout import LayoutError

    _writable((output, rejects_path, f"{output}.summary.json"), lang)
    try:
        fmt = io.detect_format(input_path, fmt)
        total = io.count_rows(input_path, fmt)  # a file that is no Parquet fails here, at once
        with phases.clock("compile_pack"):
            evaluator = BatchEvaluator(pack, rules=rules or None)
    except LayoutError as e:
        fail(EXIT_INVALID, e.describe(lang), lang)
    except KeyError as e:  # a rule the pack does not have (named before, so not expected)
        fail(EXIT_INVALID, unknown_rules(pack.rule_ids, rules, lang)
             or str(e.args[0] if e.args else e), lang)
    for rid, why in evaluator.fallback_reasons(lang).items():
        click.echo(say(lang, f"note: {rid} is decided by the reference evaluator ({why})",
                       f"注意:{rid} 由参考求值器逐行判定({why})"), err=True)
    return fmt, total, evaluator


def _stream(evaluator, input_path, output, fmt, statuses, as_of, rejects_path, chunk_size,
            progress, out_fmt, lang, total):
    """Every chunk read, screened, written and tallied; the sink, the tally, the rows rejected
    (bad rows, and rows a rule erred on) and the seconds taken. A bad file met on the way, or
    Ctrl-C (exit 130), ends the run, the files closed and the rows decided kept apart
    (``Destination``): never a complete-looking OUTPUT with part of the rows."""
    from tqdm import tqdm

    from tongcheng.batch import io, phases, summary
    from tongcheng.batch import output as out
    from tongcheng.batch.layout import LayoutError
    from tongcheng.errors import RuleConflict
    from tongcheng.evaluate.evaluator import RuleError

    where = Destination(output)
    sink = out.open_sink(where.partial, out_fmt)
    rejects_file = io.RejectsFile(rejects_path, lang)
    tally = summary.ScreenSummary(evaluator)

    def screened(chunk):
        result = io.screen_chunk(evaluator, chunk)  # rows a rule erred on: to chunk.rejects
        with phases.clock("summary"):
            tally.refused(chunk.rejects)
            if result is not None:
                tally.add(result, summary.targets_of(chunk))
            return summary.keep(result, evaluator, statuses)

    started = time.perf_counter()
    bar = tqdm(total=total, unit="rows", unit_scale=True, file=sys.stderr,
               disable=(not sys.stderr.isatty()) if progress is None else not progress)
    whole, seen = False, 0
    try:
        results = (
            (screened(chunk), chunk.rejects, chunk.rows)
            for chunk in io.prefetch(io.read(input_path, fmt, chunk_size, as_of,
                                             evaluator.pack.service_ids)))
        for result, rejects, rows in results:
            if result is not None and result.height:
                sink.write(result)
            rejects_file.write(rejects)
            bar.update(rows)
            seen += rows
        sink.flush()
        whole = True
    except (KeyboardInterrupt, LayoutError, RuleConflict, RuleError, OSError) as e:
        bar.close()
        _stopped_by(e, input_path, seen, lang)  # (the files closed below)
    finally:
        bar.close()
        rejects_file.close()
        try:
            sink.close(io.empty_result(evaluator))
        except OSError as e:  # the disk filled, the folder went away: said, not a traceback
            fail(EXIT_INVALID, cannot_write(where.partial, e, lang), lang)
        finally:
            if not whole:
                where.stopped(sink.rows, lang)
    where.whole(lang)
    return sink, tally, rejects_file.count, time.perf_counter() - started


def _stopped_by(error: BaseException, input_path: str, seen: int, lang: str) -> None:
    """A run interrupted (Ctrl-C: exit 130; SIGTERM: 143), or that met a bad file (exit 2) or
    a pack defect outside any row (exit 3), after ``seen`` rows read."""
    from tongcheng.batch.layout import LayoutError

    if isinstance(error, KeyboardInterrupt):
        click.echo(say(lang, f"interrupted after {seen} rows read",
                       f"已中断:读入 {seen} 行后停止"), err=True)
        sys.exit(interrupted_exit(error))  # Ctrl-C 130, SIGTERM 143
    if isinstance(error, LayoutError):
        fail(EXIT_INVALID, error.describe(lang), lang)
    if isinstance(error, OSError):  # the file named by the system where it names one
        where = input_path if error.filename is None else error.filename
        fail(EXIT_INVALID, say(lang, f"{input_path}: {error}",
                               f"{where}:{os_problem(error, lang, where)}"), lang)
    fail(EXIT_PACK, error.describe(lang), lang)  # type: ignore[attr-defined]


class Destination:
    """Where a screening's rows go: ``OUTPUT.partial``, renamed OUTPUT once the run is whole.
    A device or a pipe named as the output (``/dev/stdout``) is written as it is, never
    renamed over; a link: the file it names is the one replaced, the link kept."""

    def __init__(self, output: str) -> None:
        self.output = output
        self.special = os.path.exists(output) and not os.path.isfile(output)
        self.final = output if self.special else os.path.realpath(output)
        self.partial = output if self.special else f"{self.final}.partial"

    def whole(self, lang: str) -> None:
        """The run is whole: its rows become OUTPUT."""
        try:
            if not self.special:
                os.replace(self.partial, self.final)
        except OSError as e:
            fail(EXIT_INVALID, cannot_write(self.output, e, lang), lang)

    def stopped(self, rows: int, lang: str) -> None:
        """The run stopped half way: the rows it decided, where they are (none: the partial
        file removed); OUTPUT not written."""
        if self.special:
            return
        if not rows:
            with contextlib.suppress(OSError):
                os.remove(self.partial)
            return
        click.echo(say(lang, f"the {rows} rows decided before it are in {self.partial} "
                             f"(incomplete); {self.output} was not written",
                       f"此前已判定的 {rows} 行在 {self.partial}(不完整);未写出 {self.output}"),
                   err=True)


def closing_line(written: int, rejected: int, seconds: float, output: str, out_fmt: str,
                 rejects_path: str, lang: str, rule_errors: int = 0) -> str:
    """The last line ``screen`` prints on stderr, in the run's language; rows a rule erred on
    (``rule_errors``, among the rejected) said apart: they are for the pack's authors."""
    if lang == "zh":
        pack = (f",其中 {rule_errors} 行遇到规则错误(规则包的缺陷,请告知规则维护人员)"
                if rule_errors else "")
        return (f"已筛查 {written + rejected} 行,用时 {seconds:.1f} 秒:{written} 行写入 {output}"
                f"({out_fmt}),拒收 {rejected} 行({rejects_path}){pack};汇总见 "
                f"{output}.summary.json")
    pack = (f", {rule_errors} of them by a rule error (a defect of the pack: tell the rule "
            "authors)" if rule_errors else "")
    return (f"screened {written + rejected} rows in {seconds:.1f} s: {written} written to "
            f"{output} ({out_fmt}), {rejected} rejected ({rejects_path}){pack}; summary in "
            f"{output}.summary.json")


@click.command()
@click.argument("n", type=click.IntRange(min=0))
@click.option("-o", "--output", required=True, type=click.Path(), help="Parquet file to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same persons.")
@click.option("--as-of", callback=as_of_date, default="2025-06-01", show_default=True,
              help="The date the population is described at.")
@click.option("--retiring", type=click.IntRange(1990, 2100), default=None, metavar="YEAR",
              help="Instead: residents of the Qingdao metro area reaching retirement age in "
                   "YEAR, described at its last day (careers of employee medical insurance "
                   "across cities, deemed years before 1996).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the messages.")
def synth(n, output, seed, as_of, retiring, progress, lang) -> None:
    """Write N synthetic residents of Shandong (weighted toward the Qingdao metro area)."""
    from tqdm import tqdm

    from tongcheng.batch import synth as gen

    problem = unwritable(output, lang)
    if problem is not None:  # said at once, not as a traceback from the Parquet writer
        fail(EXIT_INVALID, problem, lang)
    started = time.perf_counter()
    try:
        with tqdm(total=n, unit="rows", unit_scale=True, file=sys.stderr,
                  disable=(not sys.stderr.isatty()) if progress is None else not progress) as bar:
            written = gen.write(output, n, seed=seed, as_of=as_of, progress=bar.update,
                                retiring=retiring)
    except OSError as e:  # the disk filled, the folder went away
        fail(EXIT_INVALID, cannot_write(output, e, lang), lang)
    seconds = time.perf_counter() - started
    click.echo(say(lang, f"wrote {written} persons to {output} in {seconds:.1f} s",
                   f"已写入 {written} 人到 {output},用时 {seconds:.1f} 秒"), err=True)


COMMANDS = (screen, synth)
