"""The evaluate endpoint's answer as bytes: exactly ``dumps(narrow(evaluation.to_json(lang)))``
(the contract's JSON with each text in the answer's language only), faster.

Most of an answer never changes between requests: each rule's title, its quoted basis (about
half of the bytes), its firmness and reading, and the wording of each question. ``AnswerWriter``
encodes those once, the first time a rule or a question is met, and writes the rest (status,
outcome, reasons, missing facts, the exception chosen, unverified parameters) as it comes, so
an answer costs a few small ``json`` calls instead of building the whole contract as Python
dicts and encoding it again.

Byte for byte the same as the library's JSON: the pieces are encoded with the same encoder
(compact, UTF-8, Decimal- and date-safe) and joined as ``json`` joins them, and each cached
piece is used only for the very object it was made from (a rule's ``basis`` tuple, its
``title`` and ``reading``). ``AnswerWriter.check`` compares the two ways on real evaluations
when the app starts; if ``Decision``, ``Question`` or ``Evaluation`` ever gain a field this
module does not know, or the check finds a difference, the writer falls back to
``to_json`` + ``dumps`` (and says so in the log) rather than answer differently.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from tongcheng.evaluate.decision import (
    Decision,
    Evaluation,
    Question,
    basis_json,
    unverified_text,
)
from tongcheng.questions import question_for

log = logging.getLogger("tongcheng.service")

# The fields whose JSON this module writes, in each class's order. Anything else: fall back.
_DECISION_FIELDS = (
    "rule", "title", "status", "outcome", "reasons", "missing", "missing_parameters", "basis",
    "firmness", "exception", "reading", "flagged_parameters",
)
_QUESTION_FIELDS = ("path", "rules")
_EVALUATION_FIELDS = ("as_of", "pack", "decisions", "questions")
_MAX_QUESTIONS = 4096  # cached question texts (paths come from the pack, indices from input)


def _fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in attrs.fields(cls))


def known_shapes() -> bool:
    """True when the decision classes have exactly the fields this module writes."""
    return (
        _fields(Decision) == _DECISION_FIELDS
        and _fields(Question) == _QUESTION_FIELDS
        and _fields(Evaluation) == _EVALUATION_FIELDS
    )


_MAX_PLAIN = 64  # cached plain decisions per rule and language (see ``_Rule.plain``)


class _Rule:
    """One rule's unchanging pieces in one language, and the objects they were made from.

    ``plain`` holds whole decisions without outcome, reasons or unverified parameters (most
    decisions of an untraced answer), by what else varies: status, missing facts, missing
    parameters, firmness, exception. The key's parts are strings and tuples of strings, and the
    status member itself, so equal keys write equal bytes."""

    __slots__ = ("basis", "head", "plain", "reading", "reading_bytes", "tail", "title")

    def __init__(self, d: Decision, lang: str, text: Callable[[Any], str]) -> None:
        self.title, self.basis, self.reading = d.title, d.basis, d.reading
        title = {lang: d.title.get(lang)}
        self.head = f'{{"rule":{text(d.rule)},"title":{text(title)},"status":'.encode()
        basis = [basis_json(b, lang) for b in d.basis]
        self.tail = f',"basis":{text(basis)},"firmness":'.encode()
        self.reading_bytes = (
            f',"reading":{text(d.reading.get(lang))}'.encode() if d.reading else b""
        )
        self.plain: dict[tuple[Any, ...], bytes] = {}


class AnswerWriter:
    """Writes evaluations as the contract's JSON bytes (see the module's doc)."""

    def __init__(
        self, dumps: Callable[[Any], bytes], default: Callable[[Any], Any],
        narrow: Callable[[Any, str], Any],
    ) -> None:
        self._dumps, self._narrow = dumps, narrow
        encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=default)
        self._text = encoder.encode
        self._rules: dict[tuple[str, str, int], _Rule] = {}
        self._questions: dict[tuple[str, str], bytes] = {}
        self._status: dict[Any, bytes] = {}
        self._asked: dict[tuple[Any, ...], bytes] = {}  # whole questions: path, lang, rules
        self.fast = known_shapes()
        if not self.fast:
            log.warning("answer writer: decision classes changed; answering through to_json")

    # -- the slow, reference way ---------------------------------------------------------------

    def reference(self, result: Evaluation, lang: str) -> bytes:
        return self._dumps(self._narrow(result.to_json(lang), lang))

    # -- the fast way ------------------------------------------------------------------------

    def write(self, result: Evaluation, lang: str) -> bytes:
        if not self.fast:
            return self.reference(result, lang)
        text = self._text
        pack = result.pack
        parts = [
            f'{{"as_of":{text(result.as_of.isoformat())},"rule_pack":'
            f'{{"name":{text(pack.name)},"version":{text(pack.version)},'
            f'"digest":{text(pack.digest)}}},"decisions":['.encode()
        ]
        decision = self._decision
        parts.append(b",".join([decision(d, lang) for d in result.decisions]))
        parts.append(b'],"questions":[')
        asked = self._asked
        questions = []
        for q in result.questions:
            key = (q.path, lang, q.rules)
            written = asked.get(key)
            if written is None:
                written = self._question(q.path, lang) + self._list(q.rules) + b"}"
                if len(asked) >= _MAX_QUESTIONS:
                    asked.clear()
                if type(q.rules) is tuple:  # a key only when hashable and compared exactly
                    asked[key] = written
            questions.append(written)
        parts.append(b",".join(questions))
        parts.append(b"]}")
        return b"".join(parts)

    def _list(self, items: Iterable[Any]) -> bytes:
        return self._text(list(items)).encode() if items else b"[]"

    def _decision(self, d: Decision, lang: str) -> bytes:
        # A rule may cite one of a few bases (by zone, by date): one entry each. The entry holds
        # the basis it was made from, so that object's id names no other while it is cached.
        key = (d.rule, lang, id(d.basis))
        rule = self._rules.get(key)
        if rule is None or rule.title is not d.title or rule.basis is not d.basis or (
            rule.reading is not d.reading
        ):
            rule = _Rule(d, lang, self._text)
            if len(self._rules) < 4096:
                self._rules[key] = rule
        if d.outcome or d.reasons or d.flagged_parameters:
            return self._written(d, lang, rule)
        plain = (d.status, d.missing, d.missing_parameters, d.firmness, d.exception)
        written = rule.plain.get(plain)
        if written is None:
            written = self._written(d, lang, rule)
            if len(rule.plain) < _MAX_PLAIN:
                rule.plain[plain] = written
        return written

    def _written(self, d: Decision, lang: str, rule: _Rule) -> bytes:
        """One decision's JSON, its rule's unchanging pieces taken from ``rule``."""
        text = self._text
        status = self._status.get(d.status)
        if status is None:
            status = self._status[d.status] = text(d.status.value).encode()
        narrow = self._narrow
        parts = [
            rule.head, status, b',"outcome":',
            text(narrow(dict(d.outcome), lang)).encode() if d.outcome else b"{}",
            b',"reasons":',
            text(narrow([r.to_json(lang) for r in d.reasons], lang)).encode()
            if d.reasons else b"[]",
            b',"missing":', self._list(d.missing),
            b',"missing_parameters":', self._list(d.missing_parameters),
            rule.tail, text(d.firmness).encode(),
        ]
        if d.exception:
            parts.append(f',"exception":{text(d.exception)}'.encode())
        if d.reading:
            parts.append(rule.reading_bytes)
        flagged = d.flagged_parameters
        if flagged:
            unverified = [unverified_text(p, lang) for p in flagged]
            parts.append(f',"unverified_parameters":{text(unverified)}'.encode())
        parts.append(b"}")
        return b"".join(parts)

    def _question(self, path: str, lang: str) -> bytes:
        """``{"path":…,"question":{lang:…},"settles":`` for one missing fact."""
        key = (path, lang)
        head = self._questions.get(key)
        if head is None:
            text = self._text
            question = {lang: question_for(path, lang)}
            head = f'{{"path":{text(path)},"question":{text(question)},"settles":'.encode()
            if len(self._questions) >= _MAX_QUESTIONS:
                self._questions.clear()
            self._questions[key] = head
        return head

    # -- the start-up check ------------------------------------------------------------------

    def check(self, results: Iterable[Evaluation]) -> bool:
        """Compare both ways on ``results`` in both languages; on any difference, answer
        through ``to_json`` from now on. True when the fast way stays on."""
        if not self.fast:
            return False
        for result in results:
            for lang in ("zh", "en"):
                if self.write(result, lang) != self.reference(result, lang):
                    log.warning(
                        "answer writer differs from Evaluation.to_json; answering through it"
                    )
                    self.fast = False
                    return False
        return True
