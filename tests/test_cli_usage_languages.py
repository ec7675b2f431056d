"""click's own usage errors in the command line's language (cli_usage): Chinese unless the
arguments ask for ``--lang en``, and then click's own text, unchanged.

Each kind of usage error is met on a real command where one can meet it, else on a small
command of the same group class (click's types no tongcheng command takes: DateTime, BOOL,
FLOAT, an existing Path, an argument of two values, a file click opens)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tongcheng.cli import main
from tongcheng.cli_usage import Group, language

# An English word: four letters or more, once names, values and formats are taken out.
WORD = re.compile(r"[A-Za-z]{4,}")
FORMATS = re.compile(r"YYYY-MM(-DD)?|ISO 8601")


def _plain(group: click.Group) -> click.Group:
    """The same commands under plain click groups: what click itself says."""
    copy = click.Group(group.name, params=group.params, callback=group.callback,
                       context_settings=group.context_settings)
    for name, command in group.commands.items():
        copy.add_command(_plain(command) if isinstance(command, click.Group) else command, name)
    return copy


def _run(group: click.Group, args: list[str]):
    result = CliRunner(env={"TONGCHENG_RECORDS": None}).invoke(group, args,
                                                               prog_name="tongcheng")
    assert "Traceback" not in result.output, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == "", result.stdout  # said on stderr only
    return result


def _english_left(text: str, args: list[str], group: click.Group) -> list[str]:
    """The English words in a Chinese run, beside the names of commands, options and arguments,
    what the user typed, what is quoted and formats."""
    text = re.sub(r"'[^']*'", "", text)  # quoted: a name, a value, a choice, a path
    for arg in sorted(args, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(arg)}(?![\w-])", "", text)
    names = {"tongcheng"}
    stack = [group]
    while stack:
        command = stack.pop()
        names.add(command.name or "")
        for param in command.params:
            names.update(param.opts)
            names.add(param.human_readable_name)
        if isinstance(command, click.Group):
            stack.extend(command.commands.values())
    for name in sorted(filter(None, names), key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", "", text)
    return WORD.findall(FORMATS.sub("", text))


def _both(group: click.Group, args: list[str], en_args: list[str], zh: list[str], en: str,
          code: int = 2) -> tuple[str, str]:
    """The Chinese run (``args``) says each of ``zh`` and no English word; the English run
    (``en_args``) is click's own output, with ``en``; both exit ``code`` on stderr."""
    said = _run(group, args)
    text = said.stderr
    assert said.exit_code == code, text
    assert text.startswith(("用法: tongcheng", "错误: ")), text
    for words in zh:
        assert words in text, (words, text)
    assert "错误: " in text and "Error" not in text and "Usage" not in text, text
    assert not _english_left(text, args, group), (_english_left(text, args, group), text)
    english = _run(group, en_args)
    reference = _run(_plain(group) if group is main else group, en_args)
    assert english.exit_code == reference.exit_code == code, english.stderr
    assert english.stderr == reference.stderr, (english.stderr, reference.stderr)
    assert en in english.stderr and not re.search(r"[\u3400-\u9fff]", english.stderr), (
        english.stderr)
    return text, english.stderr


def _en(args: list[str], at: int | None = None) -> list[str]:
    """``args`` with ``--lang en`` at ``at`` (the end when None)."""
    at = len(args) if at is None else at
    return [*args[:at], "--lang", "en", *args[at:]]


# (id, the arguments, where --lang en goes, Chinese fragments, click's English fragment)
REAL = [
    ("missing argument", ["check"], None,
     ["用法: tongcheng check [选项] 情形", "运行 'tongcheng check -h' 查看帮助。",
      "错误: 缺少参数 '情形'"], "Error: Missing argument 'SITUATION'."),
    ("missing option", ["timeline", "x.json", "--to", "2025-01"], None,
     ["错误: 缺少选项 '--from'"], "Error: Missing option '--from'."),
    ("missing option with an envvar", ["records", "list"], None,
     ["用法: tongcheng records list [选项]", "错误: 缺少选项 '--records'"],
     "Missing option '--records'"),
    ("no such option", ["records", "list", "--records", "x.db", "--lmit", "5"], 2,
     ["错误: 没有选项 '--lmit';您是否想用 '--limit'?"],
     "Error: No such option '--lmit'. Did you mean '--limit'?"),
    ("no such short option", ["check", "x.json", "-Z"], 1, ["错误: 没有选项 '-Z'"],
     "Error: No such option '-Z'."),
    ("no such command", ["chek"], None,
     ["用法: tongcheng [选项] 命令 [参数]...", "运行 'tongcheng -h' 查看帮助。",
      "错误: 没有命令 'chek';您是否想用"], "Error: No such command 'chek'."),
    ("no such subcommand", ["records", "lst"], None,
     ["用法: tongcheng records [选项] 命令 [参数]...", "错误: 没有命令 'lst';您是否想用 'list'?"],
     "No such command 'lst'"),
    ("an option without its value", ["check", "x.json", "--as-of"], 1,
     ["错误: 选项 '--as-of' 需要一个值"], "Error: Option '--as-of' requires an argument."),
    ("a value for a flag", ["check", "x.json", "--explain=yes"], 1,
     ["错误: 选项 '--explain' 不接受值"], "Error: Option '--explain' does not take a value."),
    ("an extra argument", ["check", "a.json", "b.json"], None,
     ["错误: 多余的参数:b.json"], "Got unexpected extra argument (b.json)"),
    ("Choice", ["check", "x.json", "--format", "xml"], None,
     ["错误: '--format' 的值无效:应为 'table'、'json' 之一,实际为 'xml'"],
     "Invalid value for '--format': 'xml' is not one of 'table', 'json'."),
    ("INT", ["synth", "--seed", "x", "5", "-o", "out.csv"], 1,
     ["错误: '--seed' 的值无效:应为整数,实际为 'x'"],
     "Invalid value for '--seed': 'x' is not a valid integer."),
    ("IntRange below", ["records", "list", "--records", "x.db", "--limit", "0"], 2,
     ["错误: '--limit' 的值无效:应为不小于 1 的整数,实际为 '0'"],
     "Invalid value for '--limit': 0 is not in the range x>=1."),
    ("IntRange not a number", ["records", "list", "--records", "x.db", "--limit", "x"], 2,
     ["错误: '--limit' 的值无效:应为整数,实际为 'x'"], "Invalid value for '--limit'"),
    ("IntRange of both ends", ["synth", "5", "-o", "out.csv", "--retiring", "1800"], 1,
     ["错误: '--retiring' 的值无效:应为不小于 1990 且不大于 2100 的整数,实际为 '1800'"],
     "Invalid value for '--retiring': 1800 is not in the range 1990<=x<=2100."),
    ("a callback's date", ["check", "x.json", "--as-of", "2025-13-01"], None,
     ["错误: '--as-of' 的值无效:应为日历上真实存在的日期(YYYY-MM-DD),实际为 '2025-13-01'"],
     "Invalid value for '--as-of': '2025-13-01' is not a calendar date"),
    ("a callback's month", ["timeline", "x.json", "--from", "2025-13", "--to", "2026-01"], None,
     ["错误: '--from' 的值无效:'2025-13' 中的月份 13 不是日历上的月份"],
     "Invalid value for '--from': month 13 in '2025-13' is not a calendar month"),
    ("a callback's time", ["records", "list", "--records", "x.db", "--since", "soon"], 2,
     ["错误: '--since' 的值无效:应为日期(YYYY-MM-DD)或日期时间(ISO 8601),实际为 'soon'"],
     "Invalid value for '--since': expected a date (YYYY-MM-DD)"),
]


@pytest.mark.parametrize(("args", "at", "zh", "en"), [c[1:] for c in REAL],
                         ids=[c[0] for c in REAL])
def test_a_usage_error_of_a_real_command_in_both_languages(args, at, zh, en):
    _both(main, args, _en(args, at), zh, en)


def test_a_path_refused_by_its_type_in_both_languages(tmp_path):
    a_file, a_folder = tmp_path / "pack.txt", tmp_path / "key"
    a_file.write_text("x")
    a_folder.mkdir()
    args = ["check", "x.json", "--pack", str(a_file)]
    _both(main, args, _en(args), [f"错误: '--pack' 的值无效:'{a_file}' 是文件,应为文件夹"],
          f"Invalid value for '--pack': Directory '{a_file}' is a file.")
    args = ["records", "seal", "--records", "x.db", "--signing-key", str(a_folder)]
    _both(main, args, _en(args), [f"'--signing-key' 的值无效:'{a_folder}' 是文件夹,应为文件"],
          f"Invalid value for '--signing-key': File '{a_folder}' is a directory.")


def test_an_invalid_lang_is_said_in_chinese_the_default():
    text = _run(main, ["check", "x.json", "--lang", "fr"]).stderr
    assert "错误: '--lang' 的值无效:应为 'zh'、'en' 之一,实际为 'fr'" in text, text


def test_lint_and_verify_are_chinese_unless_asked_for_english(tmp_path):
    both = ["lint", str(tmp_path / "a"), "--pack", str(tmp_path / "b")]
    said = _run(main, both)
    assert said.exit_code == 2 and "错误: 给出了两个规则包" in said.stderr, said.stderr
    said = _run(main, _en(both))
    assert said.exit_code == 2 and "Error: two packs given" in said.stderr, said.stderr
    _both(main, ["verify", "--shrink-seconds", "x"], _en(["verify", "--shrink-seconds", "x"]),
          ["错误: '--shrink-seconds' 的值无效:应为数,实际为 'x'"],
          "Error: Invalid value for '--shrink-seconds': 'x' is not a valid float range.")
    said = _run(main, ["verify", "--shrink-seconds", "-1"])
    assert "'--shrink-seconds' 的值无效:应为不小于 0 的数,实际为 '-1'" in said.stderr


# --- click's types no tongcheng command takes, on a command of the same group class --------------

probe_group = Group("tongcheng", context_settings={"help_option_names": ["-h", "--help"]})


@probe_group.command()
@click.argument("pair", nargs=2, required=False)
@click.option("--when", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--strict", type=click.BOOL)
@click.option("--ratio", type=click.FLOAT)
@click.option("--above", type=click.FloatRange(0, 1, min_open=True))
@click.option("--source", type=click.Path(exists=True))
@click.option("--out", type=click.File("w", lazy=True))
@click.option("--note", callback=lambda _c, _p, v: _refuse(v))
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
def probe(pair, when: datetime | None, strict, ratio, above, source, out, note, lang) -> None:
    if out is not None:
        out.write("x")


def _refuse(value):
    if value is not None:
        raise click.BadParameter(f"备注 {value!r} 太短")  # a callback's own Chinese, kept
    return value


PROBES = [
    ("DateTime", ["--when", "01/06/2025"],
     ["用法: tongcheng probe [选项] [PAIR]...", "运行 'tongcheng probe -h' 查看帮助。",
      "错误: '--when' 的值无效:应为格式为 '%Y-%m-%d' 的日期时间,实际为 '01/06/2025'"],
     "Invalid value for '--when': '01/06/2025' does not match the format '%Y-%m-%d'."),
    ("BOOL", ["--strict", "maybe"],
     ["错误: '--strict' 的值无效:应为真假值(", "'true'", "之一),实际为 'maybe'"],
     "Invalid value for '--strict': 'maybe' is not a valid boolean."),
    ("FLOAT", ["--ratio", "half"], ["错误: '--ratio' 的值无效:应为数,实际为 'half'"],
     "Invalid value for '--ratio': 'half' is not a valid float."),
    ("FloatRange", ["--above", "0"],
     ["错误: '--above' 的值无效:应为大于 0 且不大于 1 的数,实际为 '0'"],
     "Invalid value for '--above': 0.0 is not in the range 0<x<=1."),
    ("Path exists", ["--source", "/no/such/place"],
     ["错误: '--source' 的值无效:路径 '/no/such/place' 不存在"],
     "Invalid value for '--source': Path '/no/such/place' does not exist."),
    ("an argument of two values", ["one"], ["错误: 参数 'PAIR' 需要 2 个值"],
     "Error: Argument 'pair' takes 2 values."),
    ("a callback's Chinese", ["--note", "x"], ["错误: '--note' 的值无效:备注 'x' 太短"],
     "Invalid value for '--note': 备注"),
]


@pytest.mark.parametrize(("args", "zh", "en"), [c[1:] for c in PROBES],
                         ids=[c[0] for c in PROBES])
def test_a_usage_error_of_click_types_in_both_languages(args, zh, en):
    args = ["probe", *args]
    if en.startswith("Invalid value for '--note'"):  # Chinese in English too: the callback's
        said = _run(probe_group, _en(args))
        assert said.exit_code == 2 and en in said.stderr and "Usage:" in said.stderr
        _run(probe_group, args)
        return
    _both(probe_group, args, _en(args, 1), zh, en)


def test_a_file_click_cannot_open_is_said_in_chinese_with_its_exit_code(tmp_path):
    target = str(tmp_path / "no" / "such" / "out.txt")
    args = ["probe", "--out", target]
    said = _run(probe_group, args)
    assert said.exit_code == 1, said.stderr
    assert said.stderr == f"错误: 无法打开文件 '{target}'(没有这个文件或文件夹)\n", said.stderr
    english = _run(probe_group, _en(args))
    assert english.exit_code == 1
    assert english.stderr == f"Error: Could not open file '{target}': No such file or directory\n"


# --- what is left as it was --------------------------------------------------------------------


def test_no_arguments_show_the_help_in_the_command_lines_language():
    said = CliRunner().invoke(main, ["records"], prog_name="tongcheng")
    assert said.exit_code == 2 and "用法: tongcheng records [选项] 命令 [参数]..." in said.output
    said = CliRunner().invoke(main, ["--lang", "en", "records"], prog_name="tongcheng")
    assert said.exit_code == 2 and "Usage: tongcheng records [OPTIONS] COMMAND" in said.output


@pytest.mark.parametrize(("args", "lang"), [
    ([], "zh"), (["--lang", "en"], "en"), (["--lang=en"], "en"), (["--lang", "zh"], "zh"),
    (["--lang", "fr"], "zh"), (["--lang"], "zh"), (["--lang", "en", "--lang", "zh"], "zh"),
    (["--lang", "zh", "--lang=en"], "en"), (["--", "--lang", "en"], "zh"),
])
def test_the_language_is_read_from_the_raw_arguments(args, lang):
    assert language(["check", "x.json", *args]) == lang


def test_the_entry_point_outside_the_test_runner():
    """The command as a shell runs it: Chinese by default, click's English with --lang en."""
    env = {k: v for k, v in os.environ.items() if k != "TONGCHENG_RECORDS"}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    code = "from tongcheng.cli import main; main(prog_name='tongcheng')"
    args = ["records", "list", "--records", "x.db", "--limit", "x"]
    zh = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                        env=env, timeout=120)
    assert zh.returncode == 2 and zh.stdout == "", zh.stderr
    assert zh.stderr == ("用法: tongcheng records list [选项]\n"
                         "运行 'tongcheng records list -h' 查看帮助。\n\n"
                         "错误: '--limit' 的值无效:应为整数,实际为 'x'\n"), zh.stderr
    en = subprocess.run([sys.executable, "-c", code, *_en(args, 2)], capture_output=True,
                        text=True, env=env, timeout=120)
    assert en.returncode == 2 and en.stdout == "", en.stderr
    assert en.stderr == ("Usage: tongcheng records list [OPTIONS]\n"
                         "Try 'tongcheng records list --help' for help.\n\n"
                         "Error: Invalid value for '--limit': 'x' is not a valid integer range.\n")


def test_ctrl_c_is_said_in_the_command_lines_language(monkeypatch):
    """Ctrl-C (here raised where the situation is read): "Aborted!" in English, "已中止。"
    otherwise; exit 130 either way, as a shell reports SIGINT."""
    import tongcheng.situation

    def interrupted(*_args, **_kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(tongcheng.situation, "load_situation", interrupted)
    example = str(Path(__file__).resolve().parents[1] / "examples"
                  / "recognition-yantai-qingdao.yaml")
    zh = CliRunner().invoke(main, ["check", example])
    assert (zh.exit_code, zh.stderr) == (130, "\n已中止。\n")
    en = CliRunner().invoke(main, ["check", example, "--lang", "en"])
    assert en.exit_code == 130 and en.stderr.strip() == "Aborted!"
