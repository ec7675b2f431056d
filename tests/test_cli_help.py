"""Help pages in the command line's language (``cli_help``): every command's page, read as a
user reads it — ``tongcheng … -h`` run through click — in Chinese with no English sentence
left, in English as click writes it, wrapped by the columns the text takes."""

from __future__ import annotations

import inspect
import re

import click
import pytest
from click.testing import CliRunner

from tongcheng.cli import main
from tongcheng.cli_help import PLACEHOLDERS, option_help, paragraphs, width, wrap
from tongcheng.cli_help_zh import ZH


def _commands(command: click.Command = main, path: tuple[str, ...] = ()):
    """Every command of the tree with its path (the group itself first)."""
    yield path, command
    if isinstance(command, click.Group):
        ctx = _context(command)
        for name in command.list_commands(ctx):
            yield from _commands(command.get_command(ctx, name), (*path, name))


def _context(command: click.Command) -> click.Context:
    # (the help option's names as the command line has them: click keeps the option it makes)
    return click.Context(command, help_option_names=["-h", "--help"])


COMMANDS = list(_commands())
PATHS = [" ".join(path) or "tongcheng" for path, _ in COMMANDS]


def _texts(command: click.Command) -> list[tuple[str, str]]:
    """The help texts click hands the formatter for ``command``: (where, text)."""
    ctx = _context(command)
    out = []
    if command.help:
        out.append(("the command", inspect.cleandoc(command.help).partition("\f")[0]))
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and param.help and not param.hidden:
            out.append((param.opts[-1], param.help))
    return out


def _help(args: list[str]) -> str:
    said = CliRunner().invoke(main, args, prog_name="tongcheng")
    assert said.exit_code == 0, said.output
    return said.output


def test_every_help_text_has_its_chinese():
    missing = [f"{path}: {where}: {text!r}"
               for path, (_, command) in zip(PATHS, COMMANDS, strict=True)
               for where, text in _texts(command) if text not in ZH]
    assert not missing, "no Chinese in cli_help_zh.ZH for:\n" + "\n".join(missing)


def test_every_catalogue_entry_is_a_help_text_in_use():
    used = {text for _, command in COMMANDS for _, text in _texts(command)}
    assert not set(ZH) - used, f"entries no command uses: {sorted(set(ZH) - used)}"


def test_every_chinese_text_keeps_its_options():
    """A translation names the options its English names (a user types them as they are)."""
    for en, zh in ZH.items():
        assert set(re.findall(r"--[a-z][a-z-]*", en)) <= set(re.findall(r"--[a-z][a-z-]*", zh)), en


# English words in a row: a sentence left untranslated (code, names and values excepted).
_SENTENCE = re.compile(r"(?<![\w./$-])[A-Za-z]+(?:'[a-z]+)?(?:[ ,]+[a-z]+(?:'[a-z]+)?){2,}")


def _english_left(page: str) -> list[str]:
    page = page.partition("\n")[2]  # (the usage line: the command as typed)
    page = re.sub(r"`[^`]*`", "", page)  # code, as the user types it
    page = re.sub(r"\[[a-z_|-]+\]", "", page)  # choices
    page = re.sub(r"\{.*\}", "", page)  # the watch stream's example lines
    return _SENTENCE.findall(page)


@pytest.mark.parametrize("path", PATHS)
def test_the_chinese_page_has_no_english_left(path):
    args = path.split() if path != "tongcheng" else []
    page = _help([*args, "-h"])
    assert page.startswith(f"用法: tongcheng{' ' if args else ''}{' '.join(args)}"), page
    assert "选项:" in page and "显示本帮助并退出。" in page
    for word in ("Usage", "Options", "Commands", "default:", "required", "Show this"):
        assert word not in page, (word, page)
    assert not _english_left(page), (_english_left(page), page)
    for line in page.splitlines():
        assert not line.lstrip().startswith((",", ";", ":", ".", ")", "。", "、")), page
        assert not line.rstrip().endswith("("), page


@pytest.mark.parametrize("path", PATHS)
def test_the_english_page_is_clicks_own(path):
    args = path.split() if path != "tongcheng" else []
    page = _help(["--lang", "en", *args, "-h"])
    assert page.startswith(f"Usage: tongcheng{' ' if args else ''}{' '.join(args)} [OPTIONS]")
    assert "Options:" in page and not re.search(r"[\u4e00-\u9fff]{2}", page.replace(
        "同城", "")), page


def test_a_page_in_detail():
    page = _help(["check", "-h"])
    assert page.splitlines()[0] == "用法: tongcheng check [选项] 情形"
    assert "对 情形 中的情形判定每一条规则(JSON 或 YAML;- 表示标准输入)。" in page
    assert re.search(r"--as-of 文本 +按此日期评估", page)
    assert re.search(r"--lang \[zh\|en\] +标题和理由的语言。 +\[默认:zh\]", page)
    assert re.search(r"--records 地址 +把判定记入此记录库", page)
    listing = _help(["-h"])
    assert re.search(r"\n  records +判定记录:列出、查看、导出、验证、封存、清除", listing)
    assert re.search(r"\n  replay +用筛查评估器重新判定记录中的情形\n", listing)
    required = _help(["records", "list", "-h"])
    assert "[必填]" in required and "[默认:100; x>=1]" in required
    english = _help(["check", "--lang", "en", "-h"])
    assert english.splitlines()[0] == "Usage: tongcheng check [OPTIONS] SITUATION"
    assert "[default: zh]" in english


def test_the_version_in_both_languages():
    from importlib.metadata import version

    assert _help(["--version"]) == f"tongcheng,版本 {version('tongcheng')}\n"
    assert _help(["--lang", "en", "--version"]) == f"tongcheng, version {version('tongcheng')}\n"


def test_the_groups_lang_is_every_commands_default(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    for args, english in ((["--lang", "en", "check", str(bad)], True),
                          (["check", str(bad)], False),
                          (["--lang", "en", "check", str(bad), "--lang", "zh"], False),
                          (["--lang", "en", "records", "list", "--records", str(bad)], True)):
        said = CliRunner().invoke(main, args, prog_name="tongcheng")
        assert said.exit_code == 2, (args, said.output)
        chinese = bool(re.search(r"[\u4e00-\u9fff]", said.output))
        assert chinese is not english, (args, said.output)


# --- the layout --------------------------------------------------------------------------------


def test_lines_are_wrapped_by_the_columns_they_take():
    text = "把案件和事件流的位置保存在此记录库中(SQLite 用一个文件,或 postgresql://…):在同一输入上重启后。"
    lines = wrap(text, 30)
    assert all(width(line) <= 30 for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(not line.startswith((",", ")", ":", "。")) for line in lines[1:]), lines
    assert "postgresql://…" in "\n".join(lines)  # a word is not cut
    assert width("中a") == 3


def test_a_paragraph_marked_to_stay_is_kept_line_by_line():
    said = paragraphs("第一段。\n\n\b\n  {\"a\": 1}\n  {\"b\": 2}\n\n最后一段。", 40, "  ")
    assert said == "  第一段。\n\n    {\"a\": 1}\n    {\"b\": 2}\n\n  最后一段。"


@pytest.mark.parametrize(("given", "said"), [
    ("Address to listen on.  [default: 127.0.0.1]", "监听的地址。  [默认:127.0.0.1]"),
    ("[default: 100; x>=1]", "[默认:100; x>=1]"),
    ("The record store: a file (SQLite) or postgresql://USER@HOST:PORT/DB (default: "
     "$TONGCHENG_RECORDS).  [env var: TONGCHENG_RECORDS; required]",
     ZH["The record store: a file (SQLite) or postgresql://USER@HOST:PORT/DB (default: "
        "$TONGCHENG_RECORDS)."] + "  [环境变量:TONGCHENG_RECORDS; 必填]"),
    ("An option of a user's own [with brackets]", "An option of a user's own [with brackets]"),
])
def test_an_options_notes(given, said):
    assert option_help(given) == said


def test_placeholders_have_chinese_words():
    assert all(re.search(r"[\u4e00-\u9fff]", zh) for zh in PLACEHOLDERS.values()), PLACEHOLDERS
