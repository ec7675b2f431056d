"""Writing the site's files: every path joined safely under the output folder, each file once.

As Pelican's ``Writer`` does (``sanitised_join``, ``FileOverwriteFailedError``): a name that
would leave the folder is refused, and so is a second write to one file — two pages that would
land on one file (two rules whose ids differ only in a way the file system folds) are a defect
to report, not a page to lose silently.
"""

from __future__ import annotations

import os
from pathlib import Path

from tongcheng.errors import TongchengError, Worded


class SiteError(Worded, TongchengError):
    """The site cannot be written as asked (a path outside the folder, a file written twice),
    said in both languages (``describe(lang)``)."""


class UnsafePath(SiteError):
    pass


class FileOverwrite(SiteError):
    pass


def sanitised_join(root: Path, *parts: str) -> Path:
    """``root / parts`` when the result lies inside ``root``; UnsafePath otherwise."""
    base = os.path.abspath(root)
    joined = os.path.abspath(os.path.join(base, *parts))
    if os.path.commonpath([base, joined]) != base or joined == base:
        raise UnsafePath(f"{'/'.join(parts)!r} would be written outside {root}",
                         f"{'/'.join(parts)!r} 会写到 {root} 之外")
    return Path(joined)


class Writer:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.written: dict[str, str] = {}  # folded path -> the path first written there

    def write(self, rel: str, content: str | bytes) -> Path:
        path = sanitised_join(self.root, rel)
        key = os.path.normcase(str(path)).lower()  # case-insensitive file systems fold names
        if key in self.written:
            first = self.written[key]
            raise FileOverwrite(f"{rel} would be written twice (first as {first}); "
                                "two pages of the site land on one file",
                                f"{rel} 会被写两次(第一次写作 {first}):"
                                "网站的两个页面落在同一个文件上")
        self.written[key] = rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path
