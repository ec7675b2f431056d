"""Reading situation text (JSON or YAML) into plain data, refusing it with a worded problem.

Apart from the situation model so that the model is about facts and this about text: bytes that
are not UTF-8, JSON that does not parse or names a key twice, YAML that does not parse. An
unquoted date YAML cannot construct (``1965-02-30``, ``2023-13-06``) is not a syntax error: it is
kept as its text, so the model names it by its path, with every other problem of the file.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from tongcheng import wording as W
from tongcheng.errors import Problem, SituationError
from tongcheng.wording import Words

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _SafeConstructor(SafeConstructor):
    """The safe constructor, keeping a date that is not on the calendar as its text."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)


_SafeConstructor.add_constructor(_TIMESTAMP, _SafeConstructor.construct_yaml_timestamp)


def _problem(words: Words, source: str | None) -> SituationError:
    return SituationError([Problem("", words.en, words.zh, code=words.code)], source)


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
            raise DuplicateKeyError(key)
        out[key] = value
    return out


def load_json(text: str, source: str | None = None) -> Any:
    try:
        return json.loads(text, object_pairs_hook=no_duplicate_keys, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        at = W.where(source, exc.lineno, exc.colno)
        raise _problem(W.not_json(exc.msg, at), source) from None
    except DuplicateKeyError as exc:
        raise _problem(W.duplicate_key(exc.key, W.where(source, None, None)), source) from None
    except (InvalidOperation, RecursionError) as exc:
        raise _problem(W.not_json(str(exc), W.where(source, None, None)), source) from None


def yaml_loader() -> YAML:
    """ruamel's safe loader (YAML 1.2), with impossible dates kept as text."""
    loader = YAML(typ="safe", pure=True)
    loader.Constructor = _SafeConstructor
    return loader


def load_yaml(text: str, source: str | None = None) -> Any:
    try:
        return yaml_loader().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        what = exc.problem or exc.context or "syntax error"
        raise _problem(W.not_yaml(what, W.where(source, line, column)), source) from None
    except (YAMLError, RecursionError, ValueError, TypeError) as exc:
        # ruamel raises a few unmarked errors (bad tags, odd scalars): still a problem, not a crash
        raise _problem(W.not_yaml(str(exc), W.where(source, None, None)), source) from None


def load_text(text: str, source: str | None, kind: Literal["json", "yaml", "any"]) -> Any:
    if kind == "json":
        return load_json(text, source)
    if kind == "yaml":
        return load_yaml(text, source)
    try:
        return load_json(text, source)
    except SituationError as json_error:
        try:
            return load_yaml(text, source)
        except SituationError:
            if text.lstrip().startswith(("{", "[")):
                raise json_error from None  # it was meant as JSON: its parser's message is better
            raise


def decode(raw: bytes, source: str | None = None) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem(W.not_utf8(exc.start, W.where(source, None, None)), source) from None
