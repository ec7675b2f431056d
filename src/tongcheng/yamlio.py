"""YAML and JSON reading that remembers where each value came from, and refuses hostile text.

Rule authors need "file:line: what is wrong", so pack files are read with ruamel.yaml's
round-trip loader (YAML 1.2: ``no`` stays a string, ``2025-06-01`` is a date) and every mapping
key and list item is indexed by its path. Situation files are read with the safe loader
(``load_data``). Both loaders share the same guards, each refused with a line:

- aliases may repeat at most ``MAX_ALIAS_VALUES`` values in a document (a "billion laughs" file
  of a few hundred bytes would otherwise expand to gigabytes), and an alias may not refer to the
  collection it is in (a self-referencing structure has no end for whoever walks it);
- nesting deeper than ``MAX_DEPTH`` levels is refused (the loader and its readers recurse);
- integers are plain decimal digits: ``0370200`` (octal in YAML 1.1), ``370_200``, ``0x5A``
  would silently become other numbers, so they are refused rather than read as a place code;
  and an integer has at most ``MAX_INT_DIGITS`` digits;
- tags other than YAML's own (``!!python/object``, ``!custom``) are refused;
- a file is UTF-8 text of at most ``MAX_FILE_BYTES`` bytes.

An unquoted date that is not on the calendar (``from: 2023-13-06``) is kept as its text by both
loaders, so validation names it by path (and line) with the file's other problems.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.constructor import (
    ConstructorError,
    RoundTripConstructor,
    SafeConstructor,
)
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, SequenceNode

from tongcheng.jsonio import MAX_INT_DIGITS

PathKey = tuple[str | int, ...]

MAX_ALIAS_VALUES = 10_000
"""Values that aliases (``*name``) may repeat in one document, all aliases together."""
MAX_DEPTH = 64
"""Nesting levels of mappings and lists in one document."""
MAX_ITEMS = 10_000
"""Items of one list in a pack file (a situation file's lists are capped lower: its callers
pass ``max_items``)."""
MAX_FILE_BYTES = 8 * 2**20
"""Size of one YAML or JSON file read (a pack file, a situation, a triggers file)."""


class YamlSyntaxError(ValueError):
    """Text refused, with the line and column where known; ``zh`` says the same in Chinese."""

    def __init__(self, message: str, line: int | None, column: int | None, zh: str) -> None:
        self.line, self.column = line, column
        self.zh = zh
        super().__init__(message)


def _refused(error: type[MarkedYAMLError], en: str, zh: str, mark: Any) -> MarkedYAMLError:
    """A ruamel error for a guard, carrying its Chinese words for ``_error``."""
    e = error(None, None, en, mark)
    e.zh = zh  # type: ignore[attr-defined]
    return e


class _GuardedComposer(Composer):
    """Counts what aliases expand to, and refuses aliases to a collection still being read."""

    def compose_document(self) -> Any:
        self._sizes: dict[int, int] = {}
        self._repeated = 0
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        limit = getattr(self.loader, "max_items", MAX_ITEMS)
        if isinstance(parent, SequenceNode) and index == limit:
            raise _refused(ComposerError, f"a list of more than {limit:,} items",
                           f"列表超过 {limit:,} 项", self.parser.peek_event().start_mark)
        if self.parser.check_event(AliasEvent):
            event = self.parser.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None and id(target) not in self._sizes:
                raise _refused(ComposerError, f"the alias *{event.anchor} refers to the "
                               "collection it is in (a structure without end)",
                               f"别名 *{event.anchor} 指向它所在的集合(没有尽头的结构)",
                               event.start_mark)
            node = super().compose_node(parent, index)
            self._repeated += self._sizes.get(id(node), 1)
            if self._repeated > MAX_ALIAS_VALUES:
                raise _refused(ComposerError, f"aliases repeat more than {MAX_ALIAS_VALUES:,} "
                               "values in this document",
                               f"本文档中别名重复的值超过 {MAX_ALIAS_VALUES:,} 个",
                               event.start_mark)
            return node
        node = super().compose_node(parent, index)
        if isinstance(node, SequenceNode):
            size = 1 + sum(self._sizes.get(id(c), 1) for c in node.value)
        elif isinstance(node, MappingNode):
            size = 1 + sum(self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1)
                           for k, v in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        return node


_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")


def _check_int(node: Any) -> None:
    text = str(node.value)
    if not _PLAIN_INT.fullmatch(text):
        raise _refused(ConstructorError, f"{text} is not a plain decimal number (no leading "
                       "zero, underscore or 0x/0o/0b); quote it if it is a code: "
                       f'"{text}"', f"{text} 不是普通的十进制数(不能有前导零、下划线或 "
                       f'0x/0o/0b);若是代码,请加引号:"{text}"', node.start_mark)
    if len(text.lstrip("+-")) > MAX_INT_DIGITS:
        raise _refused(ConstructorError, f"a number longer than {MAX_INT_DIGITS:,} digits",
                       f"数字超过 {MAX_INT_DIGITS:,} 位", node.start_mark)


def _unknown_tag(constructor: Any, node: Any) -> Any:
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    raise _refused(ConstructorError, f"the tag '{tag}' is not allowed here (plain YAML values "
                   "only)", f"此处不允许标签 '{tag}'(只允许普通的 YAML 值)", node.start_mark)


class _Guarded:
    """What both loaders' constructors do alike: plain decimal integers only, and a date that
    is not on the calendar (``1965-02-30``, ``2023-13-06``) kept as its text."""

    def construct_yaml_int(self, node: Any) -> Any:
        _check_int(node)
        return super().construct_yaml_int(node)  # type: ignore[misc]

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)  # type: ignore[misc]
        except ValueError:
            return self.construct_scalar(node)  # type: ignore[attr-defined]


class _SafeConstructor(_Guarded, SafeConstructor):
    pass


class _RoundTripConstructor(_Guarded, RoundTripConstructor):
    pass


# Only YAML's plain values: no Python objects, no sets, binaries or ordered pairs.
for _cls in (_SafeConstructor, _RoundTripConstructor):
    _cls.add_constructor("tag:yaml.org,2002:int", _cls.construct_yaml_int)
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _cls.construct_yaml_timestamp)
    for _tag in (None, "tag:yaml.org,2002:binary", "tag:yaml.org,2002:omap",
                 "tag:yaml.org,2002:pairs", "tag:yaml.org,2002:set"):
        _cls.add_constructor(_tag, _unknown_tag)


def _guarded(y: YAML, constructor: type, max_items: int = MAX_ITEMS) -> YAML:
    y.Composer = _GuardedComposer
    y.Constructor = constructor
    y.max_depth = MAX_DEPTH
    y.max_items = max_items  # read by _GuardedComposer
    return y


def _yaml(max_items: int = MAX_ITEMS) -> YAML:
    y = YAML(typ="rt")
    y.allow_duplicate_keys = False
    return _guarded(y, _RoundTripConstructor, max_items)


def _error(e: Exception) -> YamlSyntaxError:
    """A ruamel error (or a recursion or conversion error) as a YamlSyntaxError with its line."""
    if isinstance(e, MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = e.problem or e.context or "not valid YAML"
        zh = getattr(e, "zh", None) or _problem_zh(problem)
        if "maximum depth" in problem:
            problem, zh = _TOO_DEEP
        return YamlSyntaxError(f"not valid YAML: {problem}", line, column,
                               f"不是有效的 YAML:{zh}")
    if isinstance(e, RecursionError):
        return YamlSyntaxError(f"not valid YAML: {_TOO_DEEP[0]}", None, None,
                               f"不是有效的 YAML:{_TOO_DEEP[1]}")
    return YamlSyntaxError(f"not valid YAML: {e}", None, None,
                           f"不是有效的 YAML:{_problem_zh(str(e))}")


_TOO_DEEP = (f"nested more than {MAX_DEPTH} levels deep", f"嵌套超过 {MAX_DEPTH} 层")

# ruamel's words for the common mistakes, in Chinese (its own text is English): a pattern of
# its problem, and the Chinese with the quoted part it names ({0}) kept as written.
_PROBLEMS_ZH = [
    (re.compile(r'found duplicate key "(.*?)"'), '键 "{0}" 出现了两次'),
    (re.compile(r"mapping values are not allowed here"),
     "此处不能出现键值对的冒号(检查缩进,或给含冒号的文字加引号)"),
    (re.compile(r"could not find expected ':'"), "缺少键后的冒号 ':'"),
    (re.compile(r"found undefined alias '(.*?)'"), "别名 '{0}' 没有定义"),
    (re.compile(r"found unknown escape character '(.*?)'"), "未知的转义字符 '{0}'"),
    (re.compile(r"found character '(.*?)' that cannot start any token"),
     "字符 '{0}' 不能出现在此处(缩进请用空格,不用制表符)"),
    (re.compile(r"found unexpected end of stream"), "文件意外结束(可能缺少结尾的引号)"),
    (re.compile(r"expected ',' or '([\]}])'"), "括号没有闭合:缺少 ',' 或 '{0}'"),
    (re.compile(r"expected <block end>|expected <block mapping start>|"
                r"expected a single document"), "结构有误:检查这一行的缩进"),
    (re.compile(r"found another document"), "一个文件只应有一个文档(去掉多余的 '---')"),
]


def _problem_zh(problem: str) -> str:
    """ruamel's ``problem`` in Chinese, or "syntax error" in Chinese when it is not known."""
    for pattern, zh in _PROBLEMS_ZH:
        found = pattern.search(problem)
        if found:
            return zh.format(*found.groups())
    return "语法错误"


def load_text(text: str, *,
              max_items: int = MAX_ITEMS) -> tuple[Any, dict[PathKey, tuple[int, int]]]:
    """Parse YAML text; return plain data and 1-based (line, column) per path."""
    try:
        doc = _yaml(max_items).load(text)
    except (YAMLError, RecursionError, ValueError, TypeError) as e:
        # ruamel raises a few unmarked errors too (duplicate keys, odd scalars)
        raise _error(e) from None
    lines: dict[PathKey, tuple[int, int]] = {}
    return _plain(doc, (), lines), lines


def load_data(text: str, *, max_items: int = MAX_ITEMS) -> Any:
    """Parse YAML text into plain Python data (the safe loader, with the same guards); a list
    of more than ``max_items`` items is refused as soon as it is met."""
    y = _guarded(YAML(typ="safe", pure=True), _SafeConstructor, max_items)
    try:
        return y.load(text)
    except (YAMLError, RecursionError, ValueError, TypeError) as e:
        raise _error(e) from None


def decode(raw: bytes) -> str:
    """UTF-8 text (a byte-order mark is dropped); YamlSyntaxError naming the line of a bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        byte = f"0x{raw[e.start]:02x}"
        raise YamlSyntaxError(f"not UTF-8 text (byte {byte})", line, column,
                              f"不是 UTF-8 文本(字节 {byte})") from None


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes; YamlSyntaxError when it is larger than ``limit``."""
    with open(path, "rb") as f:
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise YamlSyntaxError(f"the file is larger than {limit // 2**20} MiB", None, None,
                              f"文件大于 {limit // 2**20} MiB")
    return raw


def load_file(path: Path) -> tuple[Any, dict[PathKey, tuple[int, int]]]:
    return load_text(decode(read_bytes(path)))


def _plain(node: Any, path: PathKey, lines: dict[PathKey, tuple[int, int]]) -> Any:
    if isinstance(node, CommentedMap):
        if path == ():
            lines[()] = (node.lc.line + 1, node.lc.col + 1)
        out = {}
        for key in node:
            line, col = node.lc.key(key)
            sub = (*path, str(key))
            lines[sub] = (line + 1, col + 1)
            out[str(key) if not isinstance(key, int) else key] = _plain(node[key], sub, lines)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            lines[(*path, i)] = (line + 1, col + 1)
            out_list.append(_plain(item, (*path, i), lines))
        return out_list
    if isinstance(node, dt.datetime):
        return node  # kept as datetime so validators can refuse it where a date is expected
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def line_of(lines: dict[PathKey, tuple[int, int]], path: PathKey) -> int | None:
    """The line of the deepest known prefix of ``path``."""
    for n in range(len(path), -1, -1):
        hit = lines.get(tuple(path[:n]))
        if hit:
            return hit[0]
    return None
