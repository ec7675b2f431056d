"""What ``screen`` and ``compare`` say to people when a run cannot go on, in both languages.

Both commands default to Chinese, so every message is written in English and in Chinese and
chosen by ``--lang``: the errors of the population's layout, of a format option, of a rule that
does not compile (``Worded``), and the command line's own (an unknown rule, an output that
cannot be written, a file the system refuses). Nothing heavy is imported here: the commands
word their errors before polars loads.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path

from tongcheng.suggest import closest


class Worded(Exception):
    """An error said in both languages: ``str(e)`` is English, ``zh`` the same in Chinese, and
    ``text(lang)`` the one a run in ``lang`` prints."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh

    def __reduce__(self):  # pickled (a worker's error) with both languages
        return type(self), (str(self), self.zh)

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else str(self)


def say(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def unknown_rules(known: Sequence[str], asked: Sequence[str], lang: str) -> str | None:
    """Each rule id not in the pack, with the nearest known one, in ``lang``; None when every
    id is known (the English is ``cli_options.unknown_rules``'s)."""
    from tongcheng.cli_options import unknown_rules as in_english

    if lang != "zh":
        return in_english(known, asked)
    wrong = [r for r in asked if r not in known]
    if not wrong:
        return None
    parts = []
    for r in wrong:
        hit = closest(r, known)
        parts.append(f"未知的规则 {r!r}" + (f"(是否应为 {hit!r}?)" if hit else ""))
    if all(closest(r, known) for r in wrong):
        return ";".join(parts)
    return ";".join(parts) + f"。规则包中的规则:{', '.join(known)}"


def unwritable(path: str, lang: str) -> str | None:
    """Why a file cannot be written at ``path``, in ``lang``, or None (the English is
    ``cli_options.unwritable``'s): said before the input is read, not after the work."""
    from tongcheng.cli_options import unwritable as in_english

    problem = in_english(path)
    if problem is None or lang != "zh":
        return problem
    target = Path(path)
    if target.is_dir():
        return f"{path}:这是一个文件夹;请给出文件名"
    if not target.parent.is_dir():
        return f"{path}:没有文件夹 {str(target.parent)!r}"
    return f"{path}:无法写入(没有权限)"


# The system's words for the common failures, in Chinese (its own text is English).
_ERRNO_ZH = {
    errno.ENOENT: "没有这个文件或文件夹",
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许这样操作",
    errno.ENOSPC: "磁盘空间不足",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EROFS: "文件系统只读",
    errno.EEXIST: "已经存在",
}


def os_problem(error: OSError, lang: str, path: str | Path | None = None) -> str:
    """What the system said about ``path``, in ``lang``: in Chinese, the common failures in
    Chinese words and any other as the system's own text, quoted (its file named when it is
    not ``path``)."""
    if lang != "zh":
        return str(error)
    named = error.filename is not None and str(error.filename) != str(path)
    where = f"{error.filename}:" if named else ""
    words = _ERRNO_ZH.get(error.errno or 0)
    if words is not None:
        return where + words
    detail = error.strerror or str(error) or type(error).__name__
    return f"{where}系统报告错误(“{detail}”)"


def no_such_file(path: str, lang: str) -> str:
    return say(lang, f"{path}: no such file", f"{path}:没有这个文件")
