"""The commands' help pages in the command line's language.

click writes a help page through a formatter (``Context.make_formatter``): the usage line, the
command's help text, the options as a definition list, the subcommands. A command of a tongcheng
group gets :class:`Context` (``cli_usage.Group.add_command``), whose formatter, when the command
line speaks Chinese (no ``--lang en``: the language ``cli_usage.language`` reads from the raw
arguments), is :class:`ChineseFormatter`: it says each text click hands it in Chinese, from the
catalogue ``cli_help_zh.ZH`` keyed by the English text, as gettext keys a message by its msgid
(so an English help changed without its translation shows as missing, and the tests name it);
click's own words (``Usage:``, ``Options``, ``[default: …]``) and the placeholders of the usage
line and the options (``SITUATION``, ``PATH``) from the tables here; and wraps Chinese by the
columns a terminal gives it (two a character), not by characters. In English click's own
formatter writes the page as it always has.
"""

from __future__ import annotations

import inspect
import re
import typing as t
import unicodedata

import click

from tongcheng.cli_help_zh import ZH

# The key in ctx.meta (shared by a context and its children) holding the command line's language.
LANG_META = "tongcheng.usage_lang"

# click's headings and the placeholders of usage lines and option terms, in Chinese.
HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
PLACEHOLDERS = {
    "INTEGER RANGE": "整数", "FLOAT RANGE": "数值", "TEXT": "文本", "INTEGER": "整数",
    "FLOAT": "数值", "BOOLEAN": "真假值", "DIRECTORY": "文件夹", "FILE": "文件", "PATH": "路径",
    "PATHS": "路径", "URL": "地址", "NAME": "名称", "DATE": "日期", "YEAR": "年份",
    "DIGEST": "摘要", "PACK": "规则包", "SITUATION": "情形", "POPULATION": "人群",
    "INPUT": "输入", "OUTPUT": "输出", "EVENTS": "事件流", "RULE_ID": "规则编号",
    "RECORD_ID": "记录编号", "OPTIONS": "选项", "COMMAND": "命令", "ARGS": "参数",
}
_PLACEHOLDER = re.compile(r"(?<![\w-])(INTEGER RANGE|FLOAT RANGE|[A-Z][A-Z_]*)(?![\w-])")
# click's notes after an option's help: "[env var: X; default: Y; required]".
_NOTES = (("env var: ", "环境变量:"), ("default: ", "默认:"))
_REQUIRED = {"required": "必填"}
# A line may not start with a closing mark, nor end with an opening one.
_CLOSING = frozenset("，。、；：！？）》」』,.;:!?)]")
_OPENING = frozenset("（《「『([")


def language(ctx: click.Context) -> str:
    return "en" if ctx.meta.get(LANG_META) == "en" else "zh"


class Context(click.Context):
    """click's context, whose help pages speak the command line's language (click's own
    under a group that reads none: ``cli_usage.Group`` reads it)."""

    def make_formatter(self) -> click.HelpFormatter:
        if self.meta.get(LANG_META) != "zh":
            return super().make_formatter()
        return ChineseFormatter(width=self.terminal_width, max_width=self.max_content_width)


def placeholders(text: str) -> str:
    """``[OPTIONS] SITUATION`` → ``[选项] 情形``: the placeholders known here, in Chinese."""
    return _PLACEHOLDER.sub(lambda m: PLACEHOLDERS.get(m[1], m[1]), text)


def said(text: str) -> str:
    """A help text in Chinese: its catalogue entry; a text without one (a user's own command,
    or one already Chinese) as it is."""
    return ZH.get(text, text)


def short_help(command: click.Command, limit: int) -> str:
    """A subcommand's line in its group's list, in Chinese: the first sentence of its help."""
    if command.short_help:
        return said(command.short_help)
    text = said(inspect.cleandoc(command.help).partition("\f")[0]) if command.help else ""
    sentence = text.split("\n\n")[0].replace("\n", "").split("。")[0]
    return sentence if width(sentence) <= limit else _cut(sentence, limit - 3) + "..."


def option_help(text: str) -> str:
    """An option's help as click writes it (``help  [notes]``), in Chinese."""
    return "  ".join(part for part in option_parts(text) if part)


def option_parts(text: str) -> tuple[str, str]:
    """An option's help as click writes it, in Chinese: the help, and click's notes."""
    head, notes = text, ""
    if text.endswith("]"):
        before, sep, tail = text.rpartition("  [")
        if sep:
            head, notes = before, tail[:-1]
        elif text.startswith("["):  # notes alone (an option without help)
            head, notes = "", text[1:-1]
    if notes:
        notes = f"[{'; '.join(_note(item) for item in notes.split('; '))}]"
    return said(head) if head else "", notes


def _note(item: str) -> str:
    for en, zh in _NOTES:
        if item.startswith(en):
            return zh + item[len(en):]
    return _REQUIRED.get(item, item)


class ChineseFormatter(click.HelpFormatter):
    """click's formatter writing Chinese: texts from the catalogue, click's words, placeholders,
    and lines wrapped by the columns they take."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, placeholders(args), prefix="用法: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(paragraphs(said(text), max(self.width - self.current_indent, 11), indent))
        self.write("\n")

    def write_dl(self, rows: t.Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = [(placeholders(term), text) for term, text in rows]
        first_col = min(max((width(term) for term, _ in rows), default=0), col_max) + col_spacing
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if width(term) <= first_col - col_spacing:
                self.write(" " * (first_col - width(term)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = _with_notes(*option_parts(text), max(self.width - first_col - 2, 10))
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


def _with_notes(text: str, notes: str, columns: int) -> list[str]:
    """The help's lines, click's notes after the last where they fit, else on a line of their
    own (never cut)."""
    lines = wrap(text, columns) if text else []
    if not notes:
        return lines or [""]
    if lines and width(lines[-1]) + 2 + width(notes) <= columns:
        return [*lines[:-1], f"{lines[-1]}  {notes}"]
    return [*lines, notes]


# --- lines by the columns they take ---------------------------------------------------------


def width(text: str) -> int:
    """The columns ``text`` takes in a terminal (a Chinese character two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut(text: str, columns: int) -> str:
    out, used = [], 0
    for c in text:
        used += width(c)
        if used > columns:
            break
        out.append(c)
    return "".join(out)


_CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
# A Chinese character; a run of other characters (its closing marks in front and opening marks
# at its end apart, as marks of their own); spaces.
_PIECE = re.compile(rf"[{_CJK}]|(?:[,;:!?)\]]|\.(?!\w))+"
                    rf"|[^\s{_CJK}]+?(?=[(\[]*(?:[\s{_CJK}]|$))|[(\[]+|\s+")


def _pieces(text: str) -> list[str]:
    """Where a line may break: between Chinese characters, and at spaces between words."""
    return _PIECE.findall(text)


def wrap(text: str, columns: int) -> list[str]:
    """``text`` (one paragraph) in lines of at most ``columns`` columns. No line starts with a
    closing mark (it overhangs, as in print) nor ends with an opening one (it goes down with
    what it opens)."""
    lines: list[str] = []
    line: list[str] = []  # the pieces of the line being filled
    for piece in _pieces(" ".join(text.split())):
        if piece.isspace():
            if line:
                line.append(" ")
            continue
        if (line and width("".join(line)) + width(piece) > columns
                and piece[0] not in _CLOSING):
            carried = [line.pop()] if len(line) > 1 and line[-1][-1] in _OPENING else []
            lines.append("".join(line).rstrip())
            line = carried
        line.append(piece)
    lines.append("".join(line).rstrip())
    return lines


def paragraphs(text: str, columns: int, indent: str) -> str:
    """A help text's paragraphs wrapped, each line indented; a paragraph that begins with
    ``\\b`` (click's mark: leave as written) kept line by line."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        if block.startswith("\b"):
            out.append("\n".join(indent + line for line in block[1:].strip("\n").splitlines()))
        else:
            out.append("\n".join(indent + line for line in wrap(block, columns)))
    return "\n\n".join(out)


def version_option(package: str) -> t.Callable[[click.Command], click.Command]:
    """``--version``: the program and its version, said in the command line's language
    (click's own says ``version`` in every language)."""

    def show(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if not value or ctx.resilient_parsing:
            return
        from importlib.metadata import version

        name = ctx.find_root().info_name
        click.echo(f"{name}, version {version(package)}" if language(ctx) == "en"
                   else f"{name},版本 {version(package)}")
        ctx.exit()

    return click.option("--version", is_flag=True, expose_value=False, is_eager=True,
                        callback=show, help="Show the version and exit.")


def group_language_option() -> t.Callable[[click.Command], click.Command]:
    """``tongcheng --lang en …``: the language of the help pages and usage errors, and the
    default ``--lang`` of every command under the group (a command's own ``--lang`` wins)."""

    def every_command(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is not None:
            ctx.default_map = {**(ctx.default_map or {}), **_defaults(ctx.command, ctx, value)}

    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                        is_eager=True, expose_value=False, callback=every_command,
                        help="Language of the help and of every command (default: Chinese; "
                             "a command's own --lang wins).")


def _defaults(group: click.Command, ctx: click.Context, lang: str) -> dict:
    """``default_map`` giving ``lang`` to every command under ``group`` that takes ``--lang``."""
    out: dict = {}
    if isinstance(group, click.Group):
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                out[name] = _defaults(command, ctx, lang)
            elif command is not None and any(p.name == "lang" for p in command.params):
                out[name] = {"lang": lang}
    return out
