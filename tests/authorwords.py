"""What a rule author's tool (``lint``, ``verify``) said, searched for words of the other
language: a Chinese run may keep only what an author types or greps as it is (paths, ids, the
check in brackets, code in backticks, quoted text and values), an English run no Chinese but in
quotes (a quoted sentence of a source, a value as written)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Kept as they are in a Chinese text: the program's name (and a command, as typed) and the
# format a situation file is written in.
NAMES = ("YAML",)
_COMMAND = re.compile(r"\btongcheng(?: [a-z]+\b)?")

_QUOTED = re.compile(r"`[^`]*`|'[^'\n]*'|\"[^\"\n]*\"|“[^”]*”|《[^》]*》")
_CHECK = re.compile(r"\[[a-z0-9-]+\]")
_PATH = re.compile(r"[\w.*~-]*/[\w.*/~-]*|[\w./*~-]+\.(?:yaml|yml|md|json)\b", re.A)
# a token with a dot, an underscore, a digit or a hyphen: an id, a fact path, a code, a date
_TOKEN = re.compile(r"[A-Za-z0-9_.\[\]-]*[._0-9\[-][A-Za-z0-9_.\[\]-]*")
# a line of a situation printed as a YAML file (a counterexample)
_YAML = re.compile(r"^\s*(?:- )?\{?[a-z_]+: .*$|^\s*[a-z_]+:$", re.M)
_WORD = re.compile(r"[A-Za-z]{4,}")
_HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def english_left(text: str, ids: Iterable[str] = ()) -> list[str]:
    """English words of four letters or more left in a Chinese text once what stays as it is
    (and ``ids``: names the pack or the suite gives, such as a property ``time``) is taken out."""
    text = _YAML.sub("", text)
    text = _COMMAND.sub(" ", text)
    text = _QUOTED.sub(" ", text)
    text = _CHECK.sub(" ", text)
    text = _PATH.sub(" ", text)
    for name in sorted({*NAMES, *ids}, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z0-9_.]){re.escape(name)}(?![A-Za-z0-9_])", " ", text)
    text = _TOKEN.sub(" ", text)
    return _WORD.findall(text)


def chinese_left(text: str) -> list[str]:
    """Chinese characters (and full-width punctuation) left in an English text outside quotes."""
    return _HAN.findall(_QUOTED.sub(" ", text))
