"""JSON text from people and programs, read the same way on every face.

The standard library's parser accepts what no situation, event or row may carry: a key given
twice (the last would silently win), a string holding a lone UTF-16 surrogate (``"\\ud800"``,
which no UTF-8 output can write), integers of thousands of digits (Python refuses to turn more
than 4,300 into text), and nesting deep enough to exhaust the stack of whatever walks the value.
``loads`` refuses each with a ``JsonInputError`` saying where (the path of the value, or line
and column), so ``check``, ``screen`` and ``watch`` answer bad text alike. Clean text costs the C
parser and two substring counts: the slower checks run only when the text could hold what they
look for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from decimal import InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from tongcheng import wording as W
from tongcheng.wording import Words

MAX_DEPTH = 64
"""Objects and lists nested deeper than this are refused (a situation is 4 levels deep)."""

MAX_INT_DIGITS = 4300
"""Integers with more digits are refused (Python's own limit for turning text into ints)."""

MAX_LINE_BYTES = 2**20
"""The longest line of JSON Lines read (a situation file's limit): see ``bounded_lines``."""

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonInputError(ValueError):
    """JSON text refused: ``words`` say why in both languages (``message``: in English),
    ``path`` of the value at fault ("" for the whole text), ``line`` and ``column`` where the
    parser stopped (None when the text parsed)."""

    def __init__(self, words: Words, path: str = "", line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(words.en)
        self.words, self.message = words, words.en
        self.path, self.line, self.column = path, line, column

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line is not None else ""
        at = f"{self.path}: " if self.path else ""
        return f"{where}{at}{self.message}"


class DuplicateKeyError(ValueError):
    """A JSON object names a key twice (JSON parsers keep the last silently; we refuse)."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"duplicate key {key!r}")


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for ``json.loads``: every adapter reads JSON through it."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(printable(key))
        out[key] = value
    return out


class Repeated(dict):
    """An object that named keys twice: the keys (``repeated``) are kept so that a walk can say
    where each was (``repeated_keys``), where ``no_duplicate_keys`` can only name the key."""

    __slots__ = ("repeated",)


def keeping_repeated(pairs: list[tuple[str, Any]], found: list[Repeated]) -> dict[str, Any]:
    """``object_pairs_hook`` (with ``found`` bound) that marks, rather than refuses, an object
    naming a key twice, and adds it to ``found``: clean text is never walked."""
    out: dict[str, Any] = {}
    repeated = []
    for key, value in pairs:
        if key in out:
            repeated.append(key)
        out[key] = value
    if not repeated:
        return out
    marked = Repeated(out)
    marked.repeated = repeated
    found.append(marked)
    return marked


def repeated_keys(value: Any) -> Iterator[tuple[str, str]]:
    """(path, key) of every key an object below ``value`` named twice, the path ending with the
    key (``person.sex``), as parsed with ``keeping_repeated``."""
    for path, node in _walk(value):
        if isinstance(node, Repeated):
            for key in dict.fromkeys(node.repeated):
                yield path_text((*path, key)), printable(key)


def printable(text: str) -> str:
    """``text`` with lone surrogates written as ``\\udXXX`` escapes, so it can be printed."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def path_text(parts: tuple[str | int, ...]) -> str:
    """``("insurance", 1, "to")`` -> ``insurance[1].to``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{printable(part)}" if out else printable(part)
    return out


def _items(value: Any) -> Iterator[tuple[str | int, Any]]:
    if isinstance(value, dict):
        return iter(value.items())
    if isinstance(value, list | tuple):
        return iter(enumerate(value))
    return iter(())


def _walk(value: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) below ``value``, parents first, without recursion."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        yield path, node
        children = [((*path, k), v) for k, v in _items(node)]
        stack.extend(reversed(children))


def too_deep(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """The path of the first object or list nested deeper than ``limit``, or None."""
    for path, node in _walk(value):
        if len(path) >= limit and isinstance(node, dict | list | tuple):
            return path_text(path[:8]) + "…"
    return None


def lone_surrogate(value: Any) -> tuple[str, Words] | None:
    """(path, problem) of the first key or string holding a lone surrogate, or None."""
    for path, node in _walk(value):
        if isinstance(node, dict):
            for key in node:
                if isinstance(key, str) and _SURROGATE.search(key):
                    return path_text(path), W.lone_surrogate(printable(key), key=True)
        elif isinstance(node, str) and _SURROGATE.search(node):
            return path_text(path), W.lone_surrogate(printable(node))
    return None


def surrogate_problem(value: Any, text: str) -> JsonInputError | None:
    """The lone surrogate ``value`` holds, when its ``text`` has an escape that could be one."""
    if "\\u" not in text or _SURROGATE_ESCAPE.search(text) is None:
        return None
    found = lone_surrogate(value)
    if found is None:
        return None
    path, words = found
    return JsonInputError(words, path)


class _LongNumber:
    """Stands for an integer too long to convert, so the walk below can say where it is."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _long_number_path(text: str, parse_float: Callable[[str], Any] | None) -> tuple[str, int]:
    def parse_int(s: str) -> Any:
        digits = len(s.lstrip("-"))
        return _LongNumber(digits) if digits > MAX_INT_DIGITS else 0

    value = json.loads(text, parse_int=parse_int, parse_float=parse_float or float)
    for path, node in _walk(value):
        if isinstance(node, _LongNumber):
            return path_text(path), node.digits
    return "", 0


def _repeated_path(text: str, parse_float: Callable[[str], Any] | None) -> str:
    """Where the first key named twice is (``person.sex``), the text read again keeping it
    (only once refused: clean text is read once)."""
    found: list[Repeated] = []
    try:
        value = json.loads(text, parse_float=parse_float,
                           object_pairs_hook=lambda pairs: keeping_repeated(pairs, found))
    except (ValueError, RecursionError, InvalidOperation):
        return ""
    return next((path for path, _ in repeated_keys(value)), "")


def loads(text: str, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """Parse JSON text, refusing duplicate keys, lone surrogates, integers of more than
    ``MAX_INT_DIGITS`` digits and nesting deeper than ``MAX_DEPTH``; raises JsonInputError."""
    try:
        value = json.loads(text, object_pairs_hook=no_duplicate_keys, parse_float=parse_float)
    except json.JSONDecodeError as e:
        raise JsonInputError(W.not_json(e.msg), line=e.lineno, column=e.colno) from None
    except DuplicateKeyError as e:
        raise JsonInputError(W.duplicate_key(e.key), _repeated_path(text, parse_float)) from None
    except RecursionError:
        raise JsonInputError(W.too_deep(MAX_DEPTH)) from None
    except InvalidOperation:
        raise JsonInputError(W.number_too_long(None, None)) from None
    except ValueError:  # an integer past the interpreter's conversion limit
        try:
            path, digits = _long_number_path(text, parse_float)
        except (ValueError, RecursionError, InvalidOperation):
            path, digits = "", 0
        raise JsonInputError(W.number_too_long(MAX_INT_DIGITS, digits or None), path) from None
    if text.count("[") + text.count("{") > MAX_DEPTH:
        deep = too_deep(value)
        if deep is not None:
            raise JsonInputError(W.too_deep(MAX_DEPTH), deep)
    problem = surrogate_problem(value, text)
    if problem is not None:
        raise problem
    return value



def bounded_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of a binary stream, as iterating it gives them, except that a line longer than
    ``limit`` bytes is read to its end in pieces and given as its first ``limit + 1`` bytes: the
    reader rejects it by its length, and one line without end cannot fill the memory."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


def too_long(line: bytes | str, limit: int = MAX_LINE_BYTES) -> str | None:
    """The reject reason of a line ``bounded_lines`` cut, or None."""
    if len(line) > limit:
        return f"a line longer than {limit // 2**20} MiB"
    return None


def write_file(path: str | Path, data: Any, indent: int | None = 1) -> None:
    """``data`` as UTF-8 JSON at ``path``. A file name the system gave as bytes that are not
    UTF-8 (``o\\xff.parquet``) reaches a summary as a lone surrogate, which UTF-8 cannot hold:
    it is written as its JSON escape (``"o\\udcff.parquet"``), so the run's summary is never lost
    to the name of its own output."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=str)
    Path(path).write_text(text, encoding="utf-8", errors="backslashreplace")
