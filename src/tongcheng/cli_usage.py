"""click's own usage errors in the command's language.

click refuses a command line (an unknown option, a missing argument, ``--limit x``) before the
command runs, so before its ``--lang`` is read; it says so in English. :class:`Group` (the class
of ``tongcheng`` and of its subgroups) reads the language from the raw arguments (``--lang en``
or ``--lang=en``, the last ``--lang`` given; anything else is the default, Chinese) and, in
Chinese, says each usage error in Chinese words, from the exception's class and attributes (and
for a value refused by one of click's types, from the type and the value): the usage line, the
help hint and ``错误: …``, on stderr, with click's exit code (2). In English click's own output is
left as it is. A command's own refusal raised as :class:`BadValue` or :class:`BadUsage` carries
its Chinese words; any other message that already has Chinese is kept as it is.

``--help`` pages speak the same language (``cli_help``: the context every command of a
:class:`Group` gets).
"""

from __future__ import annotations

import contextlib
import enum
import os
import re
import signal
import stat
import sys
import typing as t

import click
from click.exceptions import (
    BadArgumentUsage,
    BadOptionUsage,
    BadParameter,
    ClickException,
    FileError,
    MissingParameter,
    NoSuchOption,
    UsageError,
)

from tongcheng.cli_help import LANG_META, Context, placeholders, short_help
from tongcheng.wording import shortened

NoSuchCommand = getattr(click.exceptions, "NoSuchCommand", None)  # click >= 8.4
# The help a group shows when given nothing (click >= 8.2 raises it; shown as it is).
_HELP = tuple(filter(None, [getattr(click.exceptions, "NoArgsIsHelpError", None)]))

# Keys in ctx.meta (shared by a context and its children): the command line's language, and the
# command a group is about to run (click's parser names no command when it refuses an option).
_LANG, _COMMAND = LANG_META, "tongcheng.usage_command"
_CJK = re.compile(r"[\u3400-\u9fff]")


class BadValue(click.BadParameter):
    """A callback's refusal of a value in both languages: the English ``message`` (what click
    shows under ``--lang en``) and ``zh``, the same in Chinese."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


class BadUsage(click.UsageError):
    """A command's refusal of its command line in both languages (``message`` English, ``zh``)."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def language(args: t.Sequence[str] | None) -> str:
    """The language a raw command line asks for: ``en`` when its last ``--lang`` is ``en``,
    else (no ``--lang``, ``--lang zh``, an invalid ``--lang fr``) Chinese."""
    args = list(args or ())
    asked = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang":
            asked = args[i + 1] if i + 1 < len(args) else None
        elif arg.startswith("--lang="):
            asked = arg.split("=", 1)[1]
    return "en" if asked == "en" else "zh"


class Group(click.Group):
    """A click group whose usage errors and help pages are said in the command line's
    language.

    Its subgroups are made of the same class (``group_class = type``); every command added to
    it gets the context whose help pages speak that language (``cli_help.Context``)."""

    group_class = type
    context_class = Context

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if cmd.context_class is click.Context:
            cmd.context_class = Context
        super().add_command(cmd, name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Known before click reads the options: ``--help`` is shown while they are read.
        ctx.meta.setdefault(_LANG, language(args))
        return super().parse_args(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if ctx.meta.get(_LANG, "zh") == "en":
            return super().format_commands(ctx, formatter)
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, c) for name, c in commands if c is not None and not c.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Commands"):
                formatter.write_dl([(name, short_help(c, limit)) for name, c in commands])

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: t.Any) -> click.Context:
        lang = (parent.meta.get(_LANG) if parent is not None else None) or language(args)
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except ClickException as e:
            _reraise(e, lang, self)
            raise
        ctx.meta[_LANG] = lang
        return ctx

    def resolve_command(self, ctx: click.Context, args: list[str]) -> t.Any:
        name, command, rest = super().resolve_command(ctx, args)
        ctx.meta[_COMMAND] = command
        return name, command, rest

    def invoke(self, ctx: click.Context) -> t.Any:
        if ctx.parent is not None:
            return self._invoke(ctx)
        with terminated_as_interrupted():
            try:
                return self._invoke(ctx)
            except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM: said in the run's language
                said = {"en": ("Aborted!", "Terminated."), "zh": ("已中止。", "已终止。")}
                words = said["en" if ctx.meta.get(_LANG, "zh") == "en" else "zh"]
                click.echo(f"\n{words[isinstance(e, Terminated)]}", err=True)
                ctx.exit(interrupted_exit(e))
            except BrokenPipeError:  # the reader went away (tongcheng rules | head -1)
                _quiet_stdout()
                ctx.exit(128 + signal.SIGPIPE)  # nothing to say: as a shell reports SIGPIPE

    def _invoke(self, ctx: click.Context) -> t.Any:
        try:
            return super().invoke(ctx)
        except ClickException as e:
            _reraise(e, ctx.meta.get(_LANG, "zh"), ctx.meta.get(_COMMAND))
            raise


# --- Ctrl-C and SIGTERM -------------------------------------------------------------------------


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a service manager stopping the command), raised where the command is
    so that it ends as Ctrl-C ends it — files closed, partial outputs kept apart, the store's
    transaction rolled back — but with the shell's code for SIGTERM."""


def interrupted_exit(error: KeyboardInterrupt) -> int:
    """The exit code of a run stopped by a signal, as a shell reports it: 128 + the signal."""
    return 128 + (signal.SIGTERM if isinstance(error, Terminated) else signal.SIGINT)


def _quiet_stdout() -> None:
    """Standard output pointed at nothing, so that the flush at exit does not meet the closed
    pipe again (Python's documented way: ``signal`` module, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test runner's)
        pass


@contextlib.contextmanager
def terminated_as_interrupted() -> t.Iterator[None]:
    """SIGTERM raises :class:`Terminated` in the main thread while the command runs (Python's
    default ends the process at once: no output closed, no message); the handler before is
    put back after."""

    def terminate(_signum: int, _frame: object) -> None:
        raise Terminated

    try:
        before = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread (an embedding program's): left as it is
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _reraise(error: ClickException, lang: str, command: click.Command | None) -> None:
    """Raise ``error`` said in Chinese, when ``lang`` is Chinese and click would show it;
    return (for the caller to re-raise it as it is) otherwise. ``command`` is the one whose
    command line was being read (for an error that names none)."""
    if lang == "en" or isinstance(error, (Said, *_HELP)):
        return
    if not isinstance(error, UsageError | FileError):
        return  # another ClickException: a command's own, already in its words
    raise Said(error, command) from error


class Said(click.UsageError):
    """A usage error (or a file click could not open) said in Chinese; click shows it and exits
    with the original's code."""

    def __init__(self, original: ClickException, command: click.Command | None = None) -> None:
        super().__init__(original.message, getattr(original, "ctx", None))
        self.original = original
        self.exit_code = original.exit_code  # type: ignore[misc]  (2; 1 for a FileError)
        # Worked out now, while the traceback is at hand.
        self.reason = reason(original, command)

    def format_message(self) -> str:
        return self.reason

    def show(self, file: t.IO[t.Any] | None = None) -> None:
        """As click shows a usage error (``UsageError.show``): the usage line and the help hint
        when the command is known, then the error; on stderr unless given ``file``."""
        ctx = self.ctx
        color = ctx.color if ctx is not None else None
        lines = []
        if ctx is not None:
            lines.append(usage(ctx))
            names = (ctx.command.get_help_option_names(ctx)
                     if ctx.command.get_help_option(ctx) is not None else [])
            if names:
                lines.append(f"运行 '{ctx.command_path} {min(names, key=len)}' 查看帮助。")
            lines.append("")
        lines.append(f"错误: {self.reason}")
        click.echo("\n".join(lines), file=file, err=file is None, color=color)


def usage(ctx: click.Context) -> str:
    """The command's usage line in Chinese: ``用法: tongcheng check [选项] SITUATION``."""
    command = ctx.command
    # [OPTIONS] SITUATION → [选项] 情形, COMMAND [ARGS]... → 命令 [参数]...
    pieces = [placeholders(piece) for piece in command.collect_usage_pieces(ctx)]
    formatter = ctx.make_formatter()
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法: ")
    return formatter.getvalue().rstrip("\n")


# --- the reasons ----------------------------------------------------------------------------------


def _v(value: object) -> str:
    """A value as the user typed it, quoted (cut only when very long: a path stays whole)."""
    return repr(shortened(value if isinstance(value, str) else str(value), "zh", limit=300))


def _names(names: t.Iterable[object]) -> str:
    return "、".join(_v(n) for n in names)


def _hint(error: BadParameter) -> str:
    """The option or argument as the usage line names it (``'--limit'``, ``'情形'``)."""
    hint = error.param_hint
    if hint is None and isinstance(error.param, click.Argument):
        return placeholders(error.param.get_error_hint(error.ctx))  # '情形', as in the usage line
    if hint is None and error.param is not None:
        hint = list(error.param.opts) or [error.param.human_readable_name]
    if hint is None:
        return ""
    if isinstance(hint, str):
        return hint
    return " / ".join(f"'{h}'" for h in hint)


def _maybe(suggestions: t.Sequence[str] | None) -> str:
    if not suggestions:
        return ""
    if len(suggestions) == 1:
        return f";您是否想用 {_v(suggestions[0])}?"
    return f";您是否想用以下之一:{_names(sorted(suggestions))}?"


def _kept(error: ClickException) -> str | None:
    """A command's own Chinese words for ``error``: its ``zh``, or its message when that is
    Chinese already."""
    zh = getattr(error, "zh", None)
    if zh:
        return zh
    return error.message if _CJK.search(error.message) else None


_EXTRA = re.compile(r"Got unexpected extra arguments? \((?P<args>.*)\)\Z", re.S)


def reason(error: ClickException, command: click.Command | None = None) -> str:
    """What is wrong, in Chinese, for ``错误: …`` (``command``: the one whose command line was
    read, when the error does not name it)."""
    if isinstance(error, UsageError) and error.cmd is not None:
        command = error.cmd
    if isinstance(error, MissingParameter):
        return _missing(error)
    if isinstance(error, BadParameter):
        return _bad_value(error)
    if isinstance(error, NoSuchOption):
        return f"没有选项 {_v(error.option_name)}" + _maybe(error.possibilities)
    if NoSuchCommand is not None and isinstance(error, NoSuchCommand):
        return f"没有命令 {_v(error.command_name)}" + _maybe(error.possibilities)
    if isinstance(error, BadOptionUsage):
        return _bad_option_usage(error, command)
    if isinstance(error, FileError):
        return f"无法打开文件 {_v(error.ui_filename)}({_os_words(error.message)})"
    kept = _kept(error)
    if kept:
        return kept
    if isinstance(error, BadArgumentUsage):
        return _bad_argument_usage(error, command)
    extra = _EXTRA.match(error.message)
    if extra:
        return f"多余的参数:{extra['args']}"
    return error.message  # no Chinese words for it: said as it was given


def _missing(error: MissingParameter) -> str:
    kind = error.param_type or (error.param.param_type_name if error.param else "parameter")
    what = {"argument": "参数", "option": "选项"}.get(kind, "参数")
    hint = _hint(error)
    said = f"缺少{what}" + (f" {hint}" if hint else "")
    kept = _kept(error)
    if kept:
        said += f":{kept}"
    param = error.param
    if param is not None and isinstance(param.type, click.Choice):
        said += f";可选:{_names(_choices(param.type))}"
    return said


def _bad_value(error: BadParameter) -> str:
    head = f"{_hint(error)} 的值无效" if _hint(error) else "值无效"
    kept = _kept(error)
    if kept:
        return f"{head}:{kept}"
    refused = _refused(error)
    if refused is not None:
        words = _type_words(*refused)
        if words:
            return f"{head}:{words}"
    return f"{head}:{error.message}"


def _refused(error: BaseException) -> tuple[click.ParamType, object] | None:
    """The click type that refused a value, and the value, read from the traceback (the frame
    of the type's ``convert``); None when the refusal was not a type's (a callback's)."""
    found = None
    tb = error.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        here = frame.f_locals
        if (frame.f_code.co_name == "convert" and isinstance(here.get("self"), click.ParamType)
                and "value" in here):
            found = (here["self"], here["value"])
        tb = tb.tb_next
    return found


def _choices(choice: click.Choice) -> list[str]:
    return [c.name if isinstance(c, enum.Enum) else str(c) for c in choice.choices]


def _range(kind: click.IntRange | click.FloatRange) -> str:
    low = high = ""
    if kind.min is not None:
        low = f"大于 {kind.min}" if kind.min_open else f"不小于 {kind.min}"
    if kind.max is not None:
        high = f"小于 {kind.max}" if kind.max_open else f"不大于 {kind.max}"
    return " 且".join(part for part in (low, high) if part)


def _type_words(kind: click.ParamType, value: object) -> str | None:
    """Why a click type refused ``value``, in Chinese (None for a type not known here)."""
    got = f"实际为 {_v(value)}"
    if isinstance(kind, click.IntRange | click.FloatRange):
        number = "整数" if isinstance(kind, click.IntRange) else "数"
        try:
            (int if isinstance(kind, click.IntRange) else float)(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return f"应为{number},{got}"
        return f"应为{_range(kind)} 的{number},{got}"
    if isinstance(kind, click.types.IntParamType):
        return f"应为整数,{got}"
    if isinstance(kind, click.types.FloatParamType):
        return f"应为数,{got}"
    if isinstance(kind, click.types.BoolParamType):
        states = sorted(click.types.BoolParamType.bool_states)
        return f"应为真假值({_names(states)}之一),{got}"
    if isinstance(kind, click.Choice):
        return f"应为 {_names(_choices(kind))} 之一,{got}"
    if isinstance(kind, click.DateTime):
        return f"应为格式为 {_names(kind.formats)} 的日期时间,{got}"
    if isinstance(kind, click.Path):
        return _path_words(kind, value)
    if isinstance(kind, click.types.UUIDParameterType):
        return f"应为 UUID,{got}"
    if isinstance(kind, click.File):
        return f"无法打开文件 {_v(value)}"
    return None


def _path_words(kind: click.Path, value: object) -> str:
    """Why ``value`` is refused, found again as click checks it."""
    path = os.fsdecode(value) if isinstance(value, str | bytes | os.PathLike) else str(value)
    name = {(True, False): "文件", (False, True): "文件夹"}.get((kind.file_okay, kind.dir_okay),
                                                             "路径")
    try:
        st = os.stat(os.path.realpath(path) if kind.resolve_path else path)
    except OSError:
        return f"{name} {_v(path)} 不存在"
    if not kind.file_okay and stat.S_ISREG(st.st_mode):
        return f"{_v(path)} 是文件,应为文件夹"
    if not kind.dir_okay and stat.S_ISDIR(st.st_mode):
        return f"{_v(path)} 是文件夹,应为文件"
    checks = ((kind.readable, os.R_OK, "不可读"), (kind.writable, os.W_OK, "不可写"),
              (kind.executable, os.X_OK, "不可执行"))
    for asked, mode, words in checks:
        if asked and not os.access(path, mode):
            return f"{name} {_v(path)} {words}(没有权限)"
    return f"{name} {_v(path)} 无法使用"


def _takes(command: click.Command | None, option_name: str) -> click.Option | None:
    for param in command.params if command is not None else ():
        if isinstance(param, click.Option) and option_name in (*param.opts,
                                                               *param.secondary_opts):
            return param
    return None


def _bad_option_usage(error: BadOptionUsage, command: click.Command | None) -> str:
    kept = _kept(error)
    if kept:
        return kept
    option = _takes(command, error.option_name)
    name = _v(error.option_name)
    if option is not None and (option.is_flag or option.count):
        return f"选项 {name} 不接受值"
    if option is not None and option.nargs > 1:
        return f"选项 {name} 需要 {option.nargs} 个值"
    if option is not None:
        return f"选项 {name} 需要一个值"
    return f"选项 {name} 的用法不对"


def _bad_argument_usage(error: BadArgumentUsage, command: click.Command | None) -> str:
    several = [p for p in (command.params if command is not None else ())
               if isinstance(p, click.Argument) and p.nargs > 1]
    if len(several) == 1:
        name = placeholders(several[0].human_readable_name)
        return f"参数 {_v(name)} 需要 {several[0].nargs} 个值"
    return "参数的个数不对"


def _os_words(strerror: str) -> str:
    """The system's reason (English, as ``strerror``) in Chinese words where it is a common
    one; else quoted as the system said it."""
    from tongcheng.wording import ERRNO_ZH

    for number, words in ERRNO_ZH.items():
        if os.strerror(number) == strerror:
            return words
    return f"系统报告错误(“{strerror}”)"
