"""``tongcheng test [--pack DIR] [PATHS…]``: run a pack's YAML test cases.

Without PATHS, the pack's own ``tests/*.yaml``. A PATH is a test file or a folder of them; a
path inside a pack folder runs against that pack unless ``--pack`` names another. Exit 0 all
passed; 1 a case failed; 2 a test file or case is broken (or the command is); 3 the pack fails
to load.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tongcheng.cli_options import (
    cannot_read,
    cannot_write,
    fail,
    overlay_option,
    pack_option,
    say,
)

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_PACK = 0, 1, 2, 3


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@pack_option("Rule-pack folder (default: the pack the PATHS lie in, else the bundled pack).")
@overlay_option
@click.option("--junit-xml", "junit", type=click.Path(dir_okay=False), default=None,
              help="Also write the results as JUnit XML to this file (for CI).")
@click.option("-k", "keyword", default=None, help="Only the cases whose name contains this text.")
@click.option("-v", "--verbose", is_flag=True, help="Also list the cases that pass.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the report and the traces.")
def test(paths: tuple[str, ...], pack_path: str | None, overlays: tuple[str, ...],
         junit: str | None, keyword: str | None, verbose: bool, lang: str) -> None:
    """Run the YAML test cases of a rule pack (default: PACK/tests/*.yaml)."""
    from tongcheng.errors import PackError
    from tongcheng.pack.loader import bundled_pack_path, load_pack
    from tongcheng.packtest import report
    from tongcheng.packtest.cases import pack_of, pack_test_files, read_test_file
    from tongcheng.packtest.runner import run_file

    for p in paths:
        if not Path(p).exists():
            fail(EXIT_INVALID, say(lang, f"{p}: no such file or folder",
                                   f"{p}:没有这个文件或文件夹"), lang)
    root = Path(pack_path) if pack_path else (
        (paths and pack_of(Path(paths[0]))) or bundled_pack_path())
    try:
        pack = load_pack(root, overlays=overlays)
    except PackError as e:
        fail(EXIT_PACK, e.describe(lang), lang)
        return
    try:
        files = _files(paths, root, pack_test_files)
    except OSError as e:  # a folder that cannot be listed
        fail(EXIT_INVALID, cannot_read(e.filename or ", ".join(paths), e, lang), lang)
    if not files:
        where = ", ".join(paths) if paths else f"{root}/tests/"
        fail(EXIT_INVALID, say(lang, f"no test files (*.yaml) in {where}: write one, as the "
                                     "README's section \"Writing a rule\" shows",
                               f"{where} 中没有测试文件(*.yaml):请按 README 的"
                               "“Writing a rule”一节写一个"), lang)
    read = [read_test_file(path, pack, shown) for path, shown in files]
    results = []
    for f in read:
        for problem in f.problems:
            click.echo(problem.text(lang))
        for r in run_file(pack, f, keyword):
            results.append(r)
            for line in report.result_lines(r, lang, verbose):
                click.echo(line)
    click.echo(report.summary(results, read, lang))
    if junit:
        try:
            report.junit_xml(read, results, Path(junit), lang)
        except OSError as e:  # its folder cannot be made, the disk filled: the report above
            fail(EXIT_INVALID, f"--junit-xml: {cannot_write(junit, e, lang)}", lang)  # stands
    if any(f.problems for f in read) or any(r.case.broken for r in results):
        sys.exit(EXIT_INVALID)
    sys.exit(EXIT_OK if all(r.passed for r in results) else EXIT_FAILED)


def _files(paths: tuple[str, ...], root: Path, pack_files) -> list[tuple[Path, str]]:
    """(file, name shown) for every test file the command runs."""
    if not paths:
        return [(p, _shown(p)) for p in pack_files(root)]
    out = []
    for p in map(Path, paths):
        if (p / "pack.yaml").is_file():  # a pack folder (as lint and verify take it): its tests,
            out += [(f, _shown(f)) for f in pack_files(p)]  # not its rules and zones
        elif p.is_dir():
            out += [(f, _shown(f)) for f in sorted(p.iterdir())
                    if f.is_file() and f.suffix in (".yaml", ".yml")]
        else:
            out.append((p, _shown(p)))
    return out


def _shown(path: Path) -> str:
    """A path as the person typed it, or relative to the working folder when it lies below."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)

