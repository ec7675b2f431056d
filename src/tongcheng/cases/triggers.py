"""Proactive triggers: the pack's ``triggers.yaml``, loaded, validated and compiled.

A trigger says which service to offer when a rule's decision changes, as data a policy analyst
reads and edits — no Python::

    - id: pension.certify_where_living
      rule: pension.remote_certification       # a rule of the pack
      on: [move, retirement]                   # the events it reacts to (absent: any event)
      with: {}                                 # optional tests on the event's own fields
      becomes: eligible                        # the status the decision turns to (default)
      fires: on_change                         # on_change (default) | on_event
      where:                                   # optional tests on the decision's outcome
        - {outcome: pension_place, op: in, value: ["370600", "370700"]}
      service: {zh: 异地居住认证, en: Certification where the retiree lives}
      message: {zh: "养老金由{pension_place}发放……", en: "Your pension is paid by {pension_place}…"}
      deadline:                                # optional: a working-day clock starts
        working_days: processing_limit_working_days   # an outcome of the rule, never a constant
        label: {zh: ..., en: ...}

A trigger with ``fires: on_change`` (the default) fires once per transition: when the decision
turns to ``becomes`` from another status (or from no decision, when the case opens), on one of
the ``on`` events — a retiree who moves to a member city is told once, not at every later step.
A trigger with ``fires: on_event`` fires on every ``on`` event after which the decision is
``becomes``: each hospital admission, each transfer request is an occasion of its own, even when
the decision was already eligible. ``with`` narrows the events by their own fields
(``with: {scheme: employee_medical}`` for a transfer of medical insurance only).

Every problem is reported with its file and line, like the pack loader's (a PackError).
"""

from __future__ import annotations

import functools
import hashlib
import string
from pathlib import Path
from typing import Annotated, Any, Literal

import attrs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from tongcheng import yamlio
from tongcheng.cases.events import EVENT_TYPES
from tongcheng.errors import Location, PackError, PackProblem
from tongcheng.evaluate.decision import Status
from tongcheng.pack.model import Rule, RulePack, Text
from tongcheng.pack.schema_words import said

__all__ = [
    "CASE_EVENTS",
    "DeadlineSpec",
    "Trigger",
    "TriggerSet",
    "Where",
    "load_triggers",
    "outcome_names",
]

CASE_EVENTS: tuple[str, ...] = ("opened", "facts", "clock", *EVENT_TYPES)
"""What can happen to a case: it is opened, facts are given, the clock moves, a life event."""

FILE = "triggers.yaml"

# --- the file format ------------------------------------------------------------------------

_Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
_Scalar = StrictBool | StrictInt | StrictFloat | StrictStr


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _TextIn(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _WhereIn(_Strict):
    outcome: str
    op: Literal["==", "!=", "<", "<=", ">", ">=", "in"]
    value: _Scalar | list[_Scalar]


class _DeadlineIn(_Strict):
    working_days: StrictStr | StrictInt
    label: _TextIn | None = None


class _TriggerIn(_Strict):
    id: _Id
    rule: str
    on: list[str] | str | None = None
    with_: dict[str, list[StrictStr] | StrictStr] | None = Field(default=None, alias="with")
    becomes: Literal["eligible", "ineligible", "undetermined", "not_applicable"] = "eligible"
    fires: Literal["on_change", "on_event"] = "on_change"
    where: list[_WhereIn] = []
    service: _TextIn
    message: _TextIn
    deadline: _DeadlineIn | None = None


_ENTRY = TypeAdapter(_TriggerIn)

# --- the compiled form ------------------------------------------------------------------------


@attrs.frozen
class Where:
    """A test on an outcome value of the decision: ``outcome op value``.

    Typed: a number is compared only with a number, a string only with a string; a value of
    another type (or null) makes the test false, never a loose match.
    """

    outcome: str
    op: str
    value: Any  # a scalar, or a tuple of scalars for ``in``

    @property
    def kind(self) -> str:
        first = self.value[0] if isinstance(self.value, tuple) else self.value
        return _kind(first)


@attrs.frozen
class DeadlineSpec:
    """A working-day clock started by a trigger; its length is an outcome of the decision."""

    working_days: str
    label: Text


@attrs.frozen
class Trigger:
    id: str
    rule: str
    on: tuple[str, ...]  # () = any event
    becomes: Status
    where: tuple[Where, ...]
    service: Text
    message: Text
    deadline: DeadlineSpec | None
    location: Location
    fires: str = "on_change"  # on_change | on_event
    with_: tuple[tuple[str, tuple[str, ...]], ...] = ()  # event field -> accepted values

    def reacts_to(self, event: str, fields: dict[str, Any] | None = None) -> bool:
        """Whether an event (its type and its own fields) is one this trigger listens to."""
        if self.on and event not in self.on:
            return False
        fields = fields or {}
        return all(fields.get(name) in values for name, values in self.with_)


@attrs.frozen
class TriggerSet:
    """The triggers of one pack (or of a triggers file given apart from it)."""

    triggers: tuple[Trigger, ...]
    source: str | None
    digest: str

    def __iter__(self):
        return iter(self.triggers)

    def __len__(self) -> int:
        return len(self.triggers)

    @functools.cached_property
    def rules(self) -> frozenset[str]:
        """The rules whose decisions the triggers read."""
        return frozenset(t.rule for t in self.triggers)

    def get(self, trigger_id: str) -> Trigger:
        for t in self.triggers:
            if t.id == trigger_id:
                return t
        raise KeyError(trigger_id)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "string"


def outcome_names(rule: Rule) -> tuple[str, ...]:
    """The outcome keys a rule's decision can carry (its own and its exceptions')."""
    names = [c.name for c in rule.outcome]
    for e in rule.exceptions:
        names.extend(c.name for c in e.outcome if c.name not in names)
    return tuple(names)


def _placeholders(text: str) -> list[str] | tuple[str, str]:
    """Field names of ``{name}`` placeholders; the problem (English, Chinese) when the text is
    malformed."""
    names = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return (f"malformed placeholder: {exc}",
                "占位符写法有误:花括号不成对(文字中的花括号请写作 '{{' 或 '}}')")
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            return (f"placeholder {{{field}}} must be a plain outcome name, like {{pension_place}}",
                    f"占位符 {{{field}}} 须是一个结果项的名称,如 {{pension_place}}")
        names.append(field)
    return names


class _TriggerLoader:
    def __init__(self, pack: RulePack, rel: str, lines: dict) -> None:
        self.pack, self.rel, self.lines = pack, rel, lines
        self.problems: list[PackProblem] = []

    def problem(self, path: tuple, message: str, zh: str) -> None:
        """A problem at ``path`` of the triggers file, in English and Chinese."""
        where = Location(self.rel, yamlio.line_of(self.lines, path))
        self.problems.append(PackProblem(where, message, zh))

    def entry(self, index: int, raw: Any, seen: set[str]) -> Trigger | None:
        try:
            t = _ENTRY.validate_python(raw)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(p for p in err["loc"] if isinstance(p, int) or p not in _NOISE)
                where = ".".join(str(p) for p in loc)
                en, zh = said(err, _UNKNOWN_KEY)
                self.problem((index, *loc), f"{where}: {en}" if where else en,
                             f"{where}:{zh}" if where else zh)
            return None
        ok = True
        if t.id in seen:
            self.problem((index, "id"), f"trigger {t.id} is defined twice",
                         f"触发器 {t.id} 定义了两次")
            ok = False
        seen.add(t.id)
        if t.rule not in self.pack.rule_ids:
            rules = ", ".join(self.pack.rule_ids)
            self.problem((index, "rule"), f"unknown rule {t.rule!r}; the pack's rules: {rules}",
                         f"未知的规则 {t.rule!r};规则包中的规则:{rules}")
            return None
        rule = self.pack.rule(t.rule)
        outcomes = outcome_names(rule)
        on, events_ok = self.events(index, t)
        ok = ok and events_ok
        with_ = self.event_fields(index, t, on)
        ok = ok and with_ is not None
        if t.fires == "on_event" and not on:
            self.problem((index, "fires"), "'fires: on_event' needs the events listed in 'on'",
                         "'fires: on_event' 须在 'on' 中列出事件")
            ok = False
        where = []
        for i, w in enumerate(t.where):
            checked = self.where((index, "where", i), w, outcomes, t.rule)
            ok = ok and checked is not None
            if checked is not None:
                where.append(checked)
        ok = self.messages(index, t, outcomes) and ok
        deadline, deadline_ok = self.deadline(index, t, outcomes)
        if not (ok and deadline_ok):
            return None
        return Trigger(
            t.id, t.rule, tuple(dict.fromkeys(on)), Status(t.becomes), tuple(where),
            Text(t.service.zh, t.service.en), Text(t.message.zh, t.message.en), deadline,
            Location(self.rel, yamlio.line_of(self.lines, (index,))), t.fires, with_ or (),
        )

    def events(self, index: int, t: _TriggerIn) -> tuple[list[str], bool]:
        """``on``: the life events the trigger listens to (none: any), each a known one."""
        ok = True
        on = [t.on] if isinstance(t.on, str) else list(t.on or [])
        for i, event in enumerate(on):
            if event not in CASE_EVENTS:
                self.problem((index, "on", i) if not isinstance(t.on, str) else (index, "on"),
                             f"unknown event {event!r}; expected one of: "
                             + ", ".join(CASE_EVENTS),
                             f"未知的事件 {event!r};应为以下之一:" + ", ".join(CASE_EVENTS))
                ok = False
        if isinstance(t.on, list) and not on:
            self.problem((index, "on"), "an empty list never fires; leave 'on' out for any "
                         "event", "空列表永远不会触发;要对任何事件触发,请省去 'on'")
            ok = False
        return on, ok

    def messages(self, index: int, t: _TriggerIn, outcomes: tuple[str, ...]) -> bool:
        """Whether the message's placeholders, in both languages, name outcomes of the rule."""
        ok = True
        for lang in ("zh", "en"):
            names = _placeholders(getattr(t.message, lang))
            if isinstance(names, tuple):
                self.problem((index, "message", lang), *names)
                ok = False
                continue
            for name in names:
                if name not in outcomes:
                    self.problem((index, "message", lang),
                                 f"placeholder {{{name}}} is not an outcome of {t.rule}; its "
                                 f"outcomes: {_listed(outcomes)}",
                                 f"占位符 {{{name}}} 不是规则 {t.rule} 的结果项;它的结果项:"
                                 f"{_listed(outcomes, 'zh')}")
                    ok = False
        return ok

    def deadline(self, index: int, t: _TriggerIn,
                 outcomes: tuple[str, ...]) -> tuple[DeadlineSpec | None, bool]:
        """The trigger's working-day deadline, its length an outcome of an eligible decision."""
        if t.deadline is None:
            return None, True
        ok = True
        if t.becomes != "eligible":
            self.problem((index, "deadline"), "a deadline needs 'becomes: eligible' (its "
                         "length is an outcome, which only an eligible decision has)",
                         "期限须配合 'becomes: eligible'(期限的长短是一个结果项,只有符合条件的"
                         "判定才有)")
            ok = False
        days = t.deadline.working_days
        if isinstance(days, int):
            self.problem((index, "deadline", "working_days"),
                         f"got the number {days}: name an outcome of "
                         f"{t.rule} instead — the number of working days comes from the "
                         f"decision, never a constant; its outcomes: {_listed(outcomes)}",
                         f"这里写的是数 {days}:请改为规则 {t.rule} 的一个结果项——工作日数来自"
                         f"判定,不能是常数;它的结果项:{_listed(outcomes, 'zh')}")
            ok = False
        elif days not in outcomes:
            self.problem((index, "deadline", "working_days"),
                         f"{days!r} is not an outcome of {t.rule}: the "
                         "number of working days must come from the decision; its "
                         f"outcomes: {_listed(outcomes)}",
                         f"{days!r} 不是规则 {t.rule} 的结果项:工作日数须来自判定;"
                         f"它的结果项:{_listed(outcomes, 'zh')}")
            ok = False
        label = t.deadline.label or t.service
        return DeadlineSpec(str(t.deadline.working_days), Text(label.zh, label.en)), ok

    def event_fields(self, index: int, t: _TriggerIn, on: list[str]):
        """``with``: fields every listed life event has, with values those fields accept."""
        if not t.with_:
            return ()
        from tongcheng.cases.events import event_model

        models = [event_model(e) for e in on]
        if not on or None in models:
            self.problem((index, "with"), "'with' tests the fields of life events: list them "
                         "in 'on' (opened, facts and clock have no fields)",
                         "'with' 检验生活事件的字段:请在 'on' 中列出这些事件"
                         "(opened、facts 和 clock 没有字段)")
            return None
        out = []
        for name, raw in t.with_.items():
            values = [raw] if isinstance(raw, str) else list(raw)
            if not values:
                self.problem((index, "with", name), "an empty list never matches",
                             "空列表永远不会匹配")
                return None
            for model in models:
                field = model.model_fields.get(name)
                if field is None or name in ("type", "on"):
                    event = model.model_fields["type"].default
                    self.problem((index, "with", name), f"{event} has no field {name!r}",
                                 f"事件 {event} 没有字段 {name!r}")
                    return None
                adapter = TypeAdapter(field.annotation)
                for value in values:
                    try:
                        adapter.validate_python(value)
                    except ValidationError as exc:
                        why, why_zh = said(exc.errors()[0])
                        self.problem((index, "with", name), f"{value!r}: {why}",
                                     f"{value!r}:{why_zh}")
                        return None
            out.append((name, tuple(dict.fromkeys(values))))
        return tuple(out)

    def where(self, path: tuple, w: _WhereIn, outcomes: tuple[str, ...], rule: str):
        ok = True
        if w.outcome not in outcomes:
            self.problem((*path, "outcome"), f"{w.outcome!r} is not an outcome of {rule}; its "
                         f"outcomes: {_listed(outcomes)}",
                         f"{w.outcome!r} 不是规则 {rule} 的结果项;它的结果项:"
                         f"{_listed(outcomes, 'zh')}")
            ok = False
        if w.op == "in":
            if not isinstance(w.value, list) or not w.value:
                self.problem((*path, "value"), "'in' needs a non-empty list of values",
                             "'in' 需要一个非空的值列表")
                return None
            kinds = {_kind(v) for v in w.value}
            if len(kinds) > 1:
                self.problem((*path, "value"), "the values of 'in' must all be numbers or all "
                             "strings", "'in' 的值须全是数,或全是字符串")
                return None
            value: Any = tuple(dict.fromkeys(w.value))
        else:
            if isinstance(w.value, list):
                self.problem((*path, "value"), f"{w.op!r} needs a single value (use 'in' for "
                             "a list)", f"{w.op!r} 需要单个值(列表请用 'in')")
                return None
            value = w.value
            if w.op in ("<", "<=", ">", ">=") and _kind(value) != "number":
                self.problem((*path, "value"), f"{w.op!r} compares numbers only, got "
                             f"{value!r}", f"{w.op!r} 只比较数,实际为 {value!r}")
                return None
        return Where(w.outcome, w.op, value) if ok else None


_NOISE = {"str", "int", "float", "bool", "list[str]", "function-after", "list", "literal"}


_KEYS = "id, rule, on, with, becomes, fires, where, service, message, deadline"
_UNKNOWN_KEY = (f"unknown key; allowed keys: {_KEYS}", f"未知的键;允许的键:{_KEYS}")


def _listed(names: tuple[str, ...], lang: str = "en") -> str:
    """Outcome names, or "none" in words of ``lang``."""
    return ", ".join(names) or ("无" if lang == "zh" else "none")


def load_triggers(pack: RulePack, path: str | Path | None = None) -> TriggerSet:
    """The triggers of ``pack``: its ``triggers.yaml`` (none when the pack has no such file),
    or the file at ``path``. Raises PackError listing every problem with file and line."""
    explicit = path is not None
    file = Path(path) if explicit else Path(pack.root) / FILE
    rel = str(file) if explicit else FILE
    if not file.is_file():
        if explicit:
            raise PackError([PackProblem(Location(rel), f"missing triggers file {rel}",
                                         f"没有触发器文件 {rel}")])
        return TriggerSet((), None, "sha256:" + hashlib.sha256(b"").hexdigest())
    try:
        raw = yamlio.read_bytes(file)
    except yamlio.YamlSyntaxError as exc:
        raise PackError([PackProblem(Location(rel), str(exc), exc.zh)]) from None
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    key = (pack.info.digest, str(file.resolve()), digest)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    try:
        data, lines = yamlio.load_text(yamlio.decode(raw))
    except yamlio.YamlSyntaxError as exc:  # not YAML, or not UTF-8 (the line of the byte)
        raise PackError([PackProblem(Location(rel, exc.line, exc.column), str(exc),
                                     exc.zh)]) from None
    loader = _TriggerLoader(pack, rel, lines)
    triggers: list[Trigger] = []
    if data is None:
        data = []
    if not isinstance(data, list):
        loader.problem((), "expected a list of triggers (each starting with '- id: ...')",
                       "应为触发器的列表(每个以 '- id: ...' 开头)")
    else:
        seen: set[str] = set()
        for i, entry in enumerate(data):
            t = loader.entry(i, entry, seen)
            if t is not None:
                triggers.append(t)
    if loader.problems:
        raise PackError(loader.problems)
    loaded = TriggerSet(tuple(triggers), str(file), digest)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = loaded
    return loaded


# Loaded trigger sets by (pack digest, file, file digest): a case opens without parsing YAML.
_CACHE: dict[tuple[str, str, str], TriggerSet] = {}
