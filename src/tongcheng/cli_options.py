"""Option parsers shared by the command-line adapters (``tongcheng`` and its batch commands)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Collection
from datetime import date
from pathlib import Path

import click

from tongcheng import wording as W
from tongcheng.cli_usage import BadUsage, BadValue
from tongcheng.wording import os_problem


def say(lang: str, en: str, zh: str) -> str:
    """The message in ``lang``: every command speaks Chinese unless asked for English."""
    return zh if lang == "zh" else en


def fail(code: int, message: str, lang: str = "en") -> None:
    """End a command with ``code``, the message on stderr after 错误/error (the command's
    language: no English head on a Chinese message)."""
    click.echo(f"{'错误' if lang == 'zh' else 'error'}: {message}", err=True)
    sys.exit(code)


def as_of_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """``--as-of YYYY-MM-DD``: a calendar date, or a usage error naming what was given."""
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
        raise BadValue(f"expected a date as YYYY-MM-DD, got {value!r}",
                       W.expected_date(value).zh)
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise BadValue(f"{value!r} is not a calendar date ({e})",
                       W.impossible_date(value).zh) from None


def language_option(help: str = "Language of the report."):
    """``--lang zh|en`` (Chinese unless asked), for a command defined outside ``cli.py``."""
    return click.option("--lang", type=click.Choice(["zh", "en"]), default="zh",
                        show_default=True, help=help)


def overlay_option(command):
    """``--overlay DIR`` (repeatable): overlays layered on ``--pack`` in the order given."""
    return click.option(
        "--overlay", "overlays", multiple=True, type=click.Path(file_okay=False),
        help="An overlay folder layered on the pack: a deployment's own parameter values, "
             "documents and rules (repeatable, applied in order).",
    )(command)


# --- the pack, taken the same way by every command ----------------------------------------------

PACK_HELP = "Rule-pack folder (default: the bundled pack)."


def pack_option(help: str = PACK_HELP):
    """``--pack DIR``, as every command that reads a pack takes it (into ``pack_path``)."""
    return click.option("--pack", "pack_path", type=click.Path(file_okay=False), default=None,
                        help=help)


def pack_argument_or_option(command):
    """``PACK`` as a positional argument (kept where a command had one) and ``--pack DIR``;
    the command receives both (``pack``, ``pack_path``) and calls :func:`one_pack`."""
    command = pack_option()(command)
    return click.argument("pack", required=False, type=click.Path(file_okay=False))(command)


def one_pack(positional: str | None, option: str | None) -> str | None:
    """The pack a command was given, by its positional ``PACK`` or by ``--pack``; both, naming
    different folders, is a usage error (exit 2)."""
    if positional and option and Path(positional).resolve() != Path(option).resolve():
        raise BadUsage(f"two packs given: {positional} and --pack {option}; give one",
                       f"给出了两个规则包:{positional} 和 --pack {option};请只给一个")
    return option or positional


def unknown_rules(known: tuple[str, ...] | list[str], asked: tuple[str, ...] | list[str],
                  lang: str = "en") -> str | None:
    """A message naming each rule id not in the pack, with the nearest known one; None when
    every id is known."""
    from tongcheng.suggest import closest

    wrong = [r for r in asked if r not in known]
    if not wrong:
        return None
    zh = lang == "zh"
    parts = []
    for r in wrong:
        hit = closest(r, known)
        if zh:
            parts.append(f"未知的规则 {r!r}" + (f"(是否应为 {hit!r}?)" if hit else ""))
        else:
            parts.append(f"unknown rule {r!r}" + (f" (did you mean {hit!r}?)" if hit else ""))
    said = ";".join(parts) if zh else "; ".join(parts)
    if all(closest(r, known) for r in wrong):
        return said
    if zh:
        return said + f"。规则包中的规则:{', '.join(known)}"
    return said + f". The pack's rules: {', '.join(known)}"


def read_situation(arg: str, lang: str, *, as_of: date | None = None,
                   services: Collection[str] | None = None):
    """The situation in the file ``arg`` (``-``: stdin), as every command taking one reads it:
    UTF-8 of at most 1 MiB, ``request.service`` one of ``services`` (the pack's); exit 2 with
    every problem named otherwise."""
    from tongcheng.errors import SituationError
    from tongcheng.situation import MAX_SITUATION_BYTES, load_situation, parse_situation

    try:
        if arg != "-":
            wrong_path = not_a_file(arg, lang)
            if wrong_path:
                fail(2, wrong_path, lang)
            return load_situation(arg, as_of=as_of, services=services)
        raw = sys.stdin.buffer.read(MAX_SITUATION_BYTES + 1)  # bytes: UTF-8 is checked
        if len(raw) > MAX_SITUATION_BYTES:
            fail(2, W.too_large(MAX_SITUATION_BYTES, W.where("<stdin>", None, None)).get(lang),
                 lang)
        return parse_situation(raw, as_of=as_of, source="<stdin>", services=services)
    except SituationError as e:
        fail(2, e.describe(lang), lang)


def not_a_file(path: str, lang: str = "en") -> str | None:
    """Why ``path`` cannot be read as a file (missing, or a folder), or None: a regular file, and
    a pipe or a device too (``check <(…)``, ``/dev/stdin``), read once as a file is."""
    if os.path.exists(path) and not os.path.isdir(path):
        return None
    return no_such_file(path, lang)


def no_such_file(path: str, lang: str = "en") -> str:
    """Why ``path`` is not a file to read: missing, or a folder."""
    if Path(path).is_dir():
        return (f"{path}:这是一个文件夹;请给出文件" if lang == "zh"
                else f"{path}: is a folder; give a file")
    return f"{path}:没有这个文件" if lang == "zh" else f"{path}: no such file"


def cannot_read(path: str, error: OSError, lang: str = "en") -> str:
    """``path: cannot be read (why)``, the why in ``lang`` (``os_problem``)."""
    if lang == "zh":
        return f"{path}:无法读取({os_problem(error, lang, path)})"
    return f"{path}: cannot be read ({error.strerror or error})"


def cannot_write(path: str | Path, error: OSError, lang: str = "en") -> str:
    """``path: cannot be written (why)``, for a write that failed on the way (the disk filled,
    the folder went away), the why in ``lang`` (``os_problem``)."""
    return say(lang, f"{path}: cannot be written ({error})",
               f"{path}:无法写入({os_problem(error, lang, path)})")


def unwritable(path: str, lang: str = "en") -> str | None:
    """Why a file cannot be written at ``path``, or None: checked before a run reads its input,
    so a bad output path is said at once, not as a traceback after the work."""
    zh = lang == "zh"
    target = Path(path)
    if target.is_dir():
        return (f"{path}:这是一个文件夹;请给出文件名" if zh
                else f"{path}: is a folder; give a file name")
    parent = target.parent
    if not parent.is_dir():
        return (f"{path}:没有文件夹 {str(parent)!r}" if zh
                else f"{path}: no such folder {str(parent)!r}")
    if not os.access(parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        return (f"{path}:无法写入(没有权限)" if zh
                else f"{path}: cannot be written (permission denied)")
    if not target.exists():  # a folder that takes no new file (/proc, a read-only mount, a
        try:                 # full disk's inodes): tried, and the trial taken back
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            os.unlink(target)
        except OSError as e:
            return cannot_write(path, e, lang)
    return None
