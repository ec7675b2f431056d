"""A decision record (format ``tongcheng.record/1``): what was decided, for which facts, under
which rules, by whom, through which channel — enough to show it years later and to decide it
again under the very same rule pack.

The record is a JSON document; its canonical form (keys sorted, no spaces, UTF-8, numbers as
the answers write them) is what the store keeps and what the Merkle log hashes, so the same
record always gives the same bytes. The README documents every field.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from tongcheng.records.ids import id_ms, id_time, new_id

__all__ = ["CHANNELS", "FORMAT", "Record", "RecordedDecision", "canonical", "digest",
           "make_record", "situation_digest", "situation_facts", "situation_text"]

FORMAT = "tongcheng.record/1"
CHANNELS = ("api", "page", "cli", "screen", "watch")
_encode_text = json.encoder.encode_basestring  # a text as JSON, characters as they are


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} in a record")


def canonical(data: Any) -> str:
    """The canonical JSON text of ``data``: sorted keys, no spaces, characters as they are."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=_default)


def digest(text: str | bytes) -> str:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def situation_digest(situation: Any) -> str:
    """The digest of a validated situation (the service's ``X-Situation-Digest``)."""
    data = situation if isinstance(situation, Mapping) else situation.to_dict()
    return digest(canonical(data))


def at_text(record_id: str) -> str:
    """A record's ``at`` (its id's time, UTC, to the millisecond), as its body writes it."""
    seconds, ms = divmod(id_ms(record_id), 1000)
    return f"{_second_text(seconds)}.{ms:03d}Z"


@functools.lru_cache(maxsize=256)
def _second_text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _string(value: Any) -> str:
    """A value of a record's head as canonical JSON (a text, null, or whatever else it is)."""
    if type(value) is str:
        return _encode_text(value)
    return "null" if value is None else canonical(value)


@attrs.frozen
class RecordedDecision:
    """What a record keeps of one decision (the trace and basis are the pack's to give again)."""

    rule: str
    status: str
    firmness: str
    outcome: Mapping[str, Any]
    missing: tuple[str, ...] = ()
    missing_parameters: tuple[str, ...] = ()
    # the outcome's canonical JSON when already made (not part of the value)
    made: str | None = attrs.field(default=None, eq=False, repr=False)
    # the decision's canonical JSON and its line of ``decided``, when already made (ditto)
    written: str | None = attrs.field(default=None, eq=False, repr=False)
    line: str | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def outcome_text(self) -> str | None:
        """The outcome's canonical JSON (the store's ``decisions.outcome``); None without one."""
        if not self.outcome:
            return None
        return self.made if self.made is not None else canonical(dict(self.outcome))

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "status": self.status, "firmness": self.firmness,
                "outcome": dict(self.outcome), "missing": list(self.missing),
                "missing_parameters": list(self.missing_parameters)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordedDecision:
        return cls(data["rule"], data["status"], data["firmness"], data.get("outcome") or {},
                   tuple(data.get("missing") or ()), tuple(data.get("missing_parameters") or ()))

    @classmethod
    def of(cls, decision: Any) -> RecordedDecision:
        """From the evaluator's Decision; outcome values as the answers write them (exact
        decimals as numbers). A decision without outcome values is one of a few that recur
        (rule, status, firmness, missing facts): made once, its texts with it, and shared."""
        if decision.outcome:
            return cls._made(decision)
        key = (decision.rule, decision.status, decision.firmness, decision.missing,
               decision.missing_parameters)
        try:
            return _SHAPES[key]
        except KeyError:
            made = cls._made(decision)
            if len(_SHAPES) < _MAX_SHAPES:
                _SHAPES[key] = made
            return made
        except TypeError:  # a list among the missing facts: not a key
            return cls._made(decision)

    @classmethod
    def _made(cls, decision: Any) -> RecordedDecision:
        text = canonical(dict(decision.outcome)) if decision.outcome else None
        status = decision.status.value if isinstance(decision.status, Enum) else decision.status
        missing, parameters = tuple(decision.missing), tuple(decision.missing_parameters)
        written = _plain(decision.rule, status, decision.firmness, missing, parameters)
        if text:  # keys sorted: the outcome sits just before the rule
            cut = _outcome_at(written)
            written = written[:cut] + text + written[cut + 2:]
        return cls(decision.rule, status, decision.firmness, json.loads(text) if text else {},
                   missing, parameters, text, written,
                   f"{decision.rule}\t{status}\t{decision.firmness}\t{text or ''}")

    def text(self) -> str:
        """Canonical JSON; a decision without outcome values is made once per rule, status,
        firmness and missing facts (they recur)."""
        if self.written is not None:
            return self.written
        plain = _plain(self.rule, self.status, self.firmness, self.missing,
                       self.missing_parameters)
        if not self.outcome:
            return plain
        # keys sorted: the outcome sits just before the rule; its canonical text is made already
        cut = _outcome_at(plain)
        return plain[:cut] + (self.outcome_text or "{}") + plain[cut + 2:]

    def decided_line(self) -> str:
        """Its line of the store's ``decided`` column: ``rule<TAB>status<TAB>firmness<TAB>``
        and the outcome's canonical JSON (nothing without one; JSON text holds no tab)."""
        if self.line is not None:
            return self.line
        return f"{self.rule}\t{self.status}\t{self.firmness}\t{self.outcome_text or ''}"


_SHAPES: dict[tuple[Any, ...], RecordedDecision] = {}
_MAX_SHAPES = 8192


@attrs.frozen
class Record:
    """One decision record. ``body`` (canonical JSON) is computed once and kept."""

    id: str
    channel: str
    actor: str | None
    request_id: str | None
    situation: Mapping[str, Any]
    situation_digest: str
    as_of: date
    lang: str
    pack_name: str
    pack_version: str
    pack_digest: str
    package_version: str
    decisions: tuple[RecordedDecision, ...]
    rules: tuple[str, ...] | None = None  # the rules asked for, when not all
    # the situation's canonical JSON, when already made (not part of the record's value)
    situation_text: str | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def at(self) -> datetime:
        """When the record was made: its id's time (UTC, to the millisecond)."""
        return id_time(self.id)

    def to_json(self) -> dict[str, Any]:
        return {**self._fields(), "situation": dict(self.situation),
                "decisions": [d.to_json() for d in self.decisions]}

    def _fields(self) -> dict[str, Any]:
        """Every field but the situation and the decisions."""
        return {
            "format": FORMAT,
            "id": self.id,
            "at": at_text(self.id),
            "channel": self.channel,
            "actor": self.actor,
            "request_id": self.request_id,
            "situation_digest": self.situation_digest,
            "as_of": self.as_of.isoformat(),
            "lang": self.lang,
            "rule_pack": {"name": self.pack_name, "version": self.pack_version,
                          "digest": self.pack_digest},
            "package": {"name": "tongcheng", "version": self.package_version},
            "rules": list(self.rules) if self.rules is not None else None,
        }

    @property
    def body(self) -> str:
        """The canonical JSON: ``canonical(self.to_json())``, written in parts (keys in sorted
        order; the situation and the decisions are canonical already)."""
        s = _string
        rules = "null" if self.rules is None else canonical(list(self.rules))
        situation = self.situation_text or canonical(dict(self.situation))
        return (
            f'{{"actor":{s(self.actor)},"as_of":"{self.as_of.isoformat()}","at":"{at_text(self.id)}","channel":{s(self.channel)},'
            f'"decisions":[{",".join([d.written or d.text() for d in self.decisions])}],'
            f'"format":"{FORMAT}","id":{s(self.id)},"lang":{s(self.lang)},'
            f'"package":{{"name":"tongcheng","version":{s(self.package_version)}}},'
            f'"request_id":{s(self.request_id)},"rule_pack":{{"digest":{s(self.pack_digest)},'
            f'"name":{s(self.pack_name)},"version":{s(self.pack_version)}}},"rules":{rules},'
            f'"situation":{situation},"situation_digest":{s(self.situation_digest)}}}'
        )

    def decision(self, rule: str) -> RecordedDecision:
        for d in self.decisions:
            if d.rule == rule:
                return d
        raise KeyError(rule)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Record:
        """A record from its JSON (``ValueError`` naming the field when it is not one)."""
        if data.get("format") != FORMAT:
            raise ValueError(f"format: expected {FORMAT!r}, got {data.get('format')!r}")
        try:
            pack, package = data["rule_pack"], data["package"]
            rules = data.get("rules")
            return cls(
                data["id"], data["channel"], data.get("actor"), data.get("request_id"),
                data["situation"], data["situation_digest"], date.fromisoformat(data["as_of"]),
                data["lang"], pack["name"], pack["version"], pack["digest"], package["version"],
                tuple(RecordedDecision.from_json(d) for d in data["decisions"]),
                tuple(rules) if rules is not None else None,
            )
        except (KeyError, TypeError) as e:
            raise ValueError(f"not a {FORMAT} record: missing or wrong {e}") from None

    @classmethod
    def from_body(cls, body: str) -> Record:
        return cls.from_json(json.loads(body))


_SITUATION = ',"situation":'
_SITUATION_DIGEST = ',"situation_digest":"'


def situation_text(body: str) -> str | None:
    """The situation's JSON as a record's canonical body holds it, byte for byte: keys sorted,
    ``situation_digest`` is the body's last key and ``situation`` the one before it (a marker
    cannot sit inside a string). None when the body is not laid out so, or when the text cut
    out does not hash to the digest the body states."""
    end = body.rfind(_SITUATION_DIGEST)
    start = body.rfind(_SITUATION, 0, end)
    if min(end, start) < 0 or not body.endswith('"}'):
        return None
    text = body[start + len(_SITUATION):end]
    return text if digest(text) == body[end + len(_SITUATION_DIGEST):-2] else None


def situation_facts(situation: Any) -> tuple[dict[str, Any], str]:
    """A validated situation as JSON-ready facts (dates as text, amounts as numbers) and their
    canonical JSON (whose digest is the situation's)."""
    facts = situation.to_dict()
    return facts, canonical(facts)


@functools.lru_cache(maxsize=8192)
def _outcome_at(plain: str) -> int:
    """Where the empty outcome (``{}``) of a plain decision's text starts."""
    return plain.rindex(',"rule":') - 2


@functools.lru_cache(maxsize=8192)
def _plain(rule: str, status: str, firmness: str, missing: tuple[str, ...],
           missing_parameters: tuple[str, ...]) -> str:
    """A decision without outcome values, as canonical JSON (the same few recur)."""
    return canonical({"firmness": firmness, "missing": list(missing),
                      "missing_parameters": list(missing_parameters), "outcome": {},
                      "rule": rule, "status": status})


def make_record(
    evaluation: Any,
    situation: Any,
    *,
    channel: str,
    actor: str | None = None,
    request_id: str | None = None,
    lang: str = "zh",
    rules: Sequence[str] | None = None,
    now: float | None = None,
    facts: tuple[Any, ...] | None = None,
) -> Record:
    """The record of one evaluation (``tongcheng.evaluate``'s result) of a validated situation;
    ``facts``: the situation's ``to_dict()`` and its canonical JSON (and that JSON's digest),
    when already made."""
    from tongcheng import __version__

    if channel not in CHANNELS:
        raise ValueError(f"channel: expected one of {', '.join(CHANNELS)}, got {channel!r}")
    data, text, *known = facts or situation_facts(situation)
    info = evaluation.pack
    return Record(
        new_id(now), channel, actor or None, request_id or None, data,
        known[0] if known else digest(text),
        evaluation.as_of, lang, info.name, info.version, info.digest, __version__,
        tuple(RecordedDecision.of(d) for d in evaluation.decisions),
        tuple(rules) if rules else None, text,
    )
