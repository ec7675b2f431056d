"""Decisions and their traces: the values the evaluator returns and adapters print."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

import attrs

from tongcheng.pack.model import Basis, PackInfo, Text, local


class Status(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNDETERMINED = "undetermined"
    NOT_APPLICABLE = "not_applicable"


@attrs.frozen
class Reason:
    """One line of the trace: a test or an outcome, its value, and what it rested on."""

    kind: str  # in_force | zone | scope | exception | condition | outcome
    name: str
    label: Text
    expression: str | None
    value: Any  # True / False / None (unknown) for tests; the value for outcomes
    facts: Mapping[str, Any] = attrs.field(factory=dict)
    parameters: tuple[Mapping[str, Any], ...] = ()
    missing: tuple[str, ...] = ()
    missing_parameters: tuple[str, ...] = ()
    notes: tuple[Text, ...] = ()  # plain sentences in Chinese and English

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name,
            "label": self.label.get(lang),
            "value": self.value,
        }
        if self.expression:
            out["expression"] = self.expression
        if self.facts:
            out["facts"] = dict(self.facts)
        if self.parameters:
            out["parameters"] = [parameter_json(p, lang) for p in self.parameters]
        if self.missing:
            out["missing"] = list(self.missing)
        if self.missing_parameters:
            out["missing_parameters"] = list(self.missing_parameters)
        if self.notes:
            out["notes"] = [n.get(lang) for n in self.notes]
        return out


@attrs.frozen
class Decision:
    rule: str
    title: Text
    status: Status
    outcome: Mapping[str, Any]
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]
    missing_parameters: tuple[str, ...]
    basis: tuple[Basis, ...]
    firmness: str = "in_force"
    exception: str | None = None
    reading: Text | None = None
    # Parameter values used below high confidence, or undated (kept without a trace too).
    flagged_parameters: tuple[Mapping[str, Any], ...] = ()

    def __repr__(self) -> str:
        """One line: the rule, its status and outcome, what is missing."""
        outcome = ", ".join(f"{k}={_short(v)}" for k, v in self.outcome.items())
        missing = f"; missing {', '.join(self.missing)}" if self.missing else ""
        return f"<Decision {self.rule}: {self.status.value}" + (
            f" ({outcome})" if outcome else "") + f"{missing}>"

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "title": {"zh": self.title.zh, "en": self.title.en},
            "status": self.status.value,
            "outcome": dict(self.outcome),
            "reasons": [r.to_json(lang) for r in self.reasons],
            "missing": list(self.missing),
            "missing_parameters": list(self.missing_parameters),
            "basis": [basis_json(b, lang) for b in self.basis],
            "firmness": self.firmness,
        }
        if self.exception:
            out["exception"] = self.exception
        if self.reading:
            out["reading"] = self.reading.get(lang)
        flagged = self.flagged_parameters
        if flagged:
            out["unverified_parameters"] = [unverified_text(p, lang) for p in flagged]
        return out


def unverified_text(p: Mapping[str, Any], lang: str = "zh") -> str:
    """``name[place] (confidence, undated)``: a parameter value used below high confidence."""
    undated = ("、无日期" if lang == "zh" else ", undated") if p.get("undated") else ""
    return f"{p['parameter']}[{p['place']}] ({p.get('confidence')}{undated})"


def parameter_json(p: Mapping[str, Any], lang: str = "zh") -> dict[str, Any]:
    """A parameter value a trace used, its reference and note in ``lang`` where they are prose."""
    return {k: local(v, lang) if k in ("reference", "note") else v for k, v in p.items()}


def _short(value: Any, width: int = 60) -> str:
    """A value on one short line (a list of service items can be long)."""
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def basis_json(b: Basis, lang: str = "zh") -> dict[str, Any]:
    doc = b.document
    out: dict[str, Any] = {
        "document": doc.title.get(lang),
        "issuer": doc.issuer.get(lang) if doc.issuer else None,
        "issued": doc.issued.isoformat() if doc.issued else None,
        "source": doc.kind if doc.kind != "news" else "news report",
    }
    if doc.number:
        out["number"] = doc.number
    if b.article:
        out["article"] = b.article
    if b.quote:
        out["quote"] = b.quote
    elif doc.kind == "secondary":
        out["source"] = "secondary"
    if doc.url:
        out["url"] = doc.url
    if doc.file:
        out["file"] = f"sources/{doc.file}"
    if b.reading:
        out["reading"] = b.reading.get(lang)
    if b.zone:  # the sentence of one zone entry: where it grants, and how firmly
        out["zone"] = b.zone
        out["firmness"] = b.firmness
    return out


@attrs.frozen
class Question:
    """A missing fact worth asking for, with the undetermined decisions it could settle."""

    path: str
    rules: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        from tongcheng.questions import question_for

        return {
            "path": self.path,
            "question": {"zh": question_for(self.path, "zh"), "en": question_for(self.path, "en")},
            "settles": list(self.rules),
        }


@attrs.frozen
class Evaluation:
    """All decisions for one situation, as of one date, under one pack."""

    as_of: date
    pack: PackInfo
    decisions: tuple[Decision, ...]
    questions: tuple[Question, ...]

    def __repr__(self) -> str:
        """One line: the date, the pack and how many decisions of each status."""
        counts: dict[str, int] = {}
        for d in self.decisions:
            counts[d.status.value] = counts.get(d.status.value, 0) + 1
        statuses = ", ".join(f"{n} {status}" for status, n in counts.items())
        return (f"<Evaluation as of {self.as_of.isoformat()} under {self.pack.name} "
                f"{self.pack.version}: {statuses}; {len(self.questions)} questions>")

    def decision(self, rule_id: str) -> Decision:
        for d in self.decisions:
            if d.rule == rule_id:
                return d
        raise KeyError(rule_id)

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "rule_pack": {
                "name": self.pack.name,
                "version": self.pack.version,
                "digest": self.pack.digest,
            },
            "decisions": [d.to_json(lang) for d in self.decisions],
            "questions": [q.to_json() for q in self.questions],
        }


_DECISION_FIELDS = tuple(a.name for a in attrs.fields(Decision))
_DECISION_VALUES = operator.attrgetter(*_DECISION_FIELDS)  # every field, in order, in one call
_DECISION_INDEX = {name: k for k, name in enumerate(_DECISION_FIELDS)}


def replaced(d: Decision, **changes: Any) -> Decision:
    """``attrs.evolve`` for decisions, without its generic walk over the class (decisions are
    copied several times in every evaluation: grounded, merged, ranked)."""
    values = list(_DECISION_VALUES(d))
    for name, value in changes.items():
        values[_DECISION_INDEX[name]] = value
    return Decision(*values)


def ranked(info: PackInfo, when: date, raw: list[Decision]) -> Evaluation:
    """The evaluation of these decisions, missing facts ordered by how many undetermined
    decisions each could settle."""
    settles: dict[str, list[str]] = {}
    for d in raw:
        if d.status is Status.UNDETERMINED:
            for path in d.missing:
                if path in settles:
                    settles[path].append(d.rule)
                else:
                    settles[path] = [d.rule]
    # each path's place: most decisions settled first, then by name
    rank = {p: k for k, p in enumerate(sorted(settles, key=lambda p: (-len(settles[p]), p)))}
    last = len(rank)

    def order(paths: Iterable[str]) -> tuple[str, ...]:
        # (a path no undetermined decision misses comes after, by name: missing facts sorted)
        return tuple(sorted(set(paths), key=lambda p: (rank.get(p, last), p)))

    decisions = []
    for d in raw:
        if len(d.missing) > 1 and (ordered := order(d.missing)) != d.missing:
            d = replaced(d, missing=ordered)  # (a decision already in order is kept as is)
        decisions.append(d)
    questions = tuple(Question(p, tuple(rules)) for p, rules in
                      sorted(settles.items(), key=lambda item: rank[item[0]]))
    return Evaluation(when, info, tuple(decisions), questions)
