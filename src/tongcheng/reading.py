"""Reading situation text (JSON or YAML) into plain data, refusing it with a worded problem.

Apart from the situation model so that the model is about facts and this about text: bytes that
are not UTF-8, JSON that does not parse, names a key twice or holds what no situation may carry
(see jsonio.py), YAML that does not parse or trips a guard of yamlio.py (aliases, nesting, odd
integers, foreign tags, overlong lists). An unquoted date YAML cannot construct (``1965-02-30``,
``2023-13-06``) is not a syntax error: yamlio keeps it as its text, so the model names it by its
path, with every other problem of the file. Every problem is worded in English and Chinese.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from tongcheng import jsonio, yamlio
from tongcheng import wording as W
from tongcheng.errors import Problem, SituationError
from tongcheng.jsonio import DuplicateKeyError, no_duplicate_keys  # re-exported
from tongcheng.wording import Words

__all__ = ["DuplicateKeyError", "decode", "load_json", "load_text", "load_yaml",
           "no_duplicate_keys"]


def _problem(words: Words, source: str | None, path: str = "") -> SituationError:
    return SituationError([Problem(path, words.en, words.zh, code=words.code)], source)


def _located(words: Words, at: tuple[str, str]) -> Words:
    return Words(words.code, at[0] + words.en, at[1] + words.zh)


def load_json(text: str, source: str | None = None) -> Any:
    try:
        return jsonio.loads(text, parse_float=Decimal)
    except jsonio.JsonInputError as exc:
        if exc.path:
            raise _problem(exc.words, source, exc.path) from None
        at = W.where(source, exc.line, exc.column)
        raise _problem(_located(exc.words, at), source) from None


def load_yaml(text: str, source: str | None = None, max_items: int = yamlio.MAX_ITEMS) -> Any:
    """YAML 1.2 through the guarded safe loader; a list longer than ``max_items`` is refused
    as soon as it is met."""
    try:
        data = yamlio.load_data(text, max_items=max_items)
    except yamlio.YamlSyntaxError as exc:
        detail = str(exc).removeprefix("not valid YAML: ")
        at = W.where(source, exc.line, exc.column)
        words = W.not_yaml(detail, at)
        raise _problem(Words(words.code, words.en, at[1] + exc.zh), source) from None
    problem = jsonio.surrogate_problem(data, text)
    if problem is not None:
        raise _problem(problem.words, source, problem.path)
    return data


def load_text(text: str, source: str | None, kind: Literal["json", "yaml", "any"],
              max_items: int = yamlio.MAX_ITEMS) -> Any:
    if kind == "json":
        return load_json(text, source)
    if kind == "yaml":
        return load_yaml(text, source, max_items)
    try:
        return load_json(text, source)
    except SituationError as json_error:
        if json_error.problems[0].path:
            raise  # it parsed as JSON: the value at that path is what is wrong
        try:
            return load_yaml(text, source, max_items)
        except SituationError:
            if text.lstrip().startswith(("{", "[")):
                raise json_error from None  # it was meant as JSON: its parser's message is better
            raise


def decode(raw: bytes, source: str | None = None) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem(W.not_utf8(exc.start, W.where(source, None, None)), source) from None
