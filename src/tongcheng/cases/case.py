"""Cases over time: facts and life events arrive, decisions change, services are offered.

A :class:`Case` follows one subject. It holds the accumulated facts in tongcheng's own
:class:`CaseStore` and its own clock (the situation's ``as_of``). Each step — opening the case,
giving facts, a life event, the clock moving on — evaluates the accumulated situation (so the
case's decisions are exactly ``tongcheng.evaluate``'s; untraced, with the decisions it reports
traced when read: ``decided``), then lets the pack's durable_rules ruleset
(``tongcheng.cases.engine``) match the derived facts to say which decisions changed and which
triggers fire. It returns an :class:`Update`: the changed
decisions (the same ``Decision`` objects the evaluator returns), the notifications of proactive
services with their basis, and the alerts of working-day deadlines.

A step either happens whole or not at all: invalid facts or events (SituationError, naming
every problem) leave the case as it was.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import attrs

from tongcheng.cases import engine
from tongcheng.cases.decided import Decided
from tongcheng.cases.events import LifeEvent, parse_event
from tongcheng.cases.steps import Alert, Change, Deadline, Notification, Update
from tongcheng.cases.triggers import Trigger, TriggerSet, load_triggers
from tongcheng.cases.workdays import DueDate, due_date
from tongcheng.errors import Problem, SituationError, TongchengError
from tongcheng.evaluate.decision import Decision, Evaluation
from tongcheng.pack.model import RulePack, Text
from tongcheng.places import default_registry
from tongcheng.situation import Situation, parse_situation

__all__ = [
    "Alert",
    "Case",
    "CaseClosed",
    "CaseStore",
    "Change",
    "Deadline",
    "Notification",
    "Update",
]


class CaseClosed(TongchengError, KeyError):
    """The case was closed (or never opened in this store)."""

    def __str__(self) -> str:
        return f"case {self.args[0]} is not open"


# --- the store ----------------------------------------------------------------------------------


@attrs.frozen
class _Record:
    """Everything the store keeps of one case between steps (replaced whole at each step)."""

    id: str
    subject: str
    pack: RulePack
    triggers: TriggerSet
    compiled: engine.CompiledRuleset
    facts: Mapping[str, Any]  # the accumulated situation, JSON-ready, without as_of
    clock: date
    decided: Decided  # the decisions at the clock: untraced, traced when read
    history: tuple[Update, ...]
    deadlines: tuple[Deadline, ...] = ()
    raised: frozenset[tuple[str, str]] = frozenset()


class CaseStore:
    """Where open cases live: tongcheng's own store, in memory, safe to share between threads.

    durable_rules sessions never hold a case: one exists only while a step is matched. So any
    number of cases may be open at once (durable_rules allows 1024 live sessions per ruleset).

    ``history=False`` keeps only each case's last step (each step holds a whole evaluation,
    its traced decisions once read): for long streams of many cases (``tongcheng watch``), where
    ``Case.history``, ``opening`` and ``notifications`` then cover the last step only.
    """

    def __init__(self, *, history: bool = True, next_number: int = 1) -> None:
        self.history = history
        self._records: dict[str, _Record] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.next_number = next_number  # the next case id is case-<next_number>

    def _new_id(self) -> str:
        with self._guard:
            number, self.next_number = self.next_number, self.next_number + 1
            return f"case-{number}"

    def _get(self, case_id: str) -> _Record:
        with self._guard:
            try:
                return self._records[case_id]
            except KeyError:
                raise CaseClosed(case_id) from None

    def _put(self, record: _Record) -> None:
        if not self.history and len(record.history) > 1:
            record = attrs.evolve(record, history=record.history[-1:])
        with self._guard:
            self._records[record.id] = record
            self._locks.setdefault(record.id, threading.Lock())

    def _lock(self, case_id: str) -> threading.Lock:
        with self._guard:
            if case_id not in self._locks:
                raise CaseClosed(case_id)
            return self._locks[case_id]

    def _drop(self, case_id: str) -> None:
        with self._guard:
            self._records.pop(case_id, None)
            self._locks.pop(case_id, None)

    def __len__(self) -> int:
        with self._guard:
            return len(self._records)

    def __contains__(self, case_id: object) -> bool:
        with self._guard:
            return case_id in self._records

    def __iter__(self) -> Iterator[Case]:
        with self._guard:
            ids = list(self._records)
        return iter(Case(self, i) for i in ids)

    def get(self, case_id: str) -> Case:
        self._get(case_id)
        return Case(self, case_id)

    def close_idle(self, since: date) -> tuple[str, ...]:
        """Close every case whose clock is before ``since``; return their ids."""
        with self._guard:
            idle = [r.id for r in self._records.values() if r.clock < since]
        for case_id in idle:
            self._drop(case_id)
        return tuple(idle)


# --- the case -----------------------------------------------------------------------------------


def _merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``update`` over ``base``: mappings merge key by key, null makes a fact unknown again,
    anything else (a list included: a given list is complete) replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in update.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            merged = _merge(out[key], value)
            if merged:
                out[key] = merged
            else:
                out.pop(key, None)
        elif isinstance(value, Mapping):
            merged = _merge({}, value)
            if merged:
                out[key] = merged
        else:
            out[key] = copy.deepcopy(value)
    return out


def _render(value: Any, lang: str) -> str:
    registry = default_registry()
    if value is None:
        return "?" if lang == "en" else "(未知)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and len(value) == 6 and value.isdigit() and value in registry:
        return registry.name(value, lang)
    if isinstance(value, list | tuple):
        return ("、" if lang == "zh" else ", ").join(_render(v, lang) for v in value)
    if isinstance(value, Mapping):
        return " ".join(_render(v, lang) for v in value.values())
    return str(value)


def _message(trigger: Trigger, decision: Decision) -> Text:
    def fill(text: str, lang: str) -> str:
        values = {k: _render(v, lang) for k, v in decision.outcome.items()}
        return text.format_map(_Missing(values, lang))

    return Text(fill(trigger.message.zh, "zh"), fill(trigger.message.en, "en"))


class _Missing(dict):
    def __init__(self, values: Mapping[str, str], lang: str) -> None:
        super().__init__(values)
        self.lang = lang

    def __missing__(self, key: str) -> str:
        return _render(None, self.lang)


class Case:
    """One subject's case over time. Open with :meth:`Case.open`.

    Steps: :meth:`update` (facts), :meth:`record` (a life event), :meth:`advance_to` (the clock).
    Each returns an :class:`Update`. A Case is a handle on its record in a :class:`CaseStore`;
    steps on one case are serialised, steps on different cases may run in parallel threads
    (durable_rules itself is entered by one thread at a time).
    """

    def __init__(self, store: CaseStore, case_id: str) -> None:
        self.store = store
        self.id = case_id

    def __repr__(self) -> str:
        return f"Case({self.id!r})"

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        subject: str,
        facts: Mapping[str, Any] | Situation | None = None,
        *,
        on: date | None = None,
        pack: RulePack | None = None,
        triggers: TriggerSet | None = None,
        store: CaseStore | None = None,
    ) -> Case:
        """Open a case for ``subject`` with the facts known so far (validated as a situation).

        The case's clock starts at ``on``, else the facts' ``as_of``, else today. ``pack``
        defaults to the bundled pack, ``triggers`` to the pack's ``triggers.yaml``; ``store``
        to a store of its own. The opening is the case's first Update (:attr:`opening`): every
        decision is new, and triggers may fire on the event ``opened``.
        """
        from tongcheng.api import bundled_pack

        pack = pack or bundled_pack()
        triggers = triggers if triggers is not None else load_triggers(pack)
        compiled = engine.compile_ruleset(pack, triggers)
        store = store if store is not None else CaseStore()
        if isinstance(facts, Situation):
            facts = facts.to_dict()
        facts = dict(facts or {})
        given_as_of = facts.pop("as_of", None)
        if on is None and given_as_of is not None:
            on = parse_situation({"as_of": given_as_of}).as_of
        clock = on or date.today()
        # refused facts take no case id (a service the pack does not know is refused too)
        parse_situation({**facts, "as_of": clock}, services=pack.service_ids)
        case_id = store._new_id()
        record, _ = _step(
            case_id, subject, pack, triggers, compiled, None, facts, clock, "opened", None,
            clock,
        )
        store._put(record)
        return cls(store, case_id)

    # -- reading ---------------------------------------------------------------------------

    @property
    def _record(self) -> _Record:
        return self.store._get(self.id)

    @property
    def subject(self) -> str:
        return self._record.subject

    @property
    def clock(self) -> date:
        """The case's date: the ``as_of`` of its situation."""
        return self._record.clock

    @property
    def facts(self) -> dict[str, Any]:
        """The accumulated facts (JSON-ready, without ``as_of``)."""
        return copy.deepcopy(dict(self._record.facts))

    @property
    def situation(self) -> Situation:
        """The accumulated situation, as of the case's clock."""
        r = self._record
        return parse_situation({**r.facts, "as_of": r.clock})

    @property
    def evaluation(self) -> Evaluation:
        """The current decisions: exactly ``tongcheng.evaluate(case.situation, pack)``."""
        return self._record.decided.evaluation

    @property
    def decisions(self) -> tuple[Decision, ...]:
        return self._record.decided.evaluation.decisions

    def decision(self, rule_id: str) -> Decision:
        return self._record.decided.evaluation.decision(rule_id)

    @property
    def history(self) -> tuple[Update, ...]:
        """Every step so far, the opening first."""
        return self._record.history

    @property
    def opening(self) -> Update:
        return self._record.history[0]

    @property
    def notifications(self) -> tuple[Notification, ...]:
        return tuple(n for u in self._record.history for n in u.notifications)

    @property
    def deadlines(self) -> tuple[Deadline, ...]:
        return self._record.deadlines

    @property
    def pack(self) -> RulePack:
        return self._record.pack

    @property
    def triggers(self) -> TriggerSet:
        return self._record.triggers

    # -- steps -----------------------------------------------------------------------------

    def update(self, facts: Mapping[str, Any], *, on: date | None = None) -> Update:
        """Give facts: a partial situation merged into the case's (mappings merge, lists and
        values replace, null makes a fact unknown again), validated by the situation model.

        ``as_of`` is the case's clock, not a fact: move it with :meth:`advance_to` or ``on``.
        """
        if not isinstance(facts, Mapping):
            raise SituationError([Problem("", "expected a mapping of situation keys",
                                          "应为情形各项(键值对)的映射")])
        if "as_of" in facts:
            raise SituationError([Problem(
                "as_of", "the case's clock sets as_of: use advance_to(date), or "
                "update(facts, on=date)", "as_of 由案件的时钟设定:请改用 advance_to(date),"
                "或 update(facts, on=date)")])
        parse_situation(facts)  # the update on its own first: every unknown key, every type
        with self.store._lock(self.id):
            r = self._record
            clock = max(r.clock, on) if on else r.clock
            return self._commit(_merge(r.facts, facts), clock, "facts", dict(facts), clock)

    def record(self, event: LifeEvent | Mapping[str, Any]) -> Update:
        """A life event (a model from ``tongcheng.cases.events`` or a mapping with its
        ``type``), applied to the facts. The clock moves to the event's date when it is later;
        an event recorded late still counts its deadlines from its own date."""
        event = parse_event(event)
        with self.store._lock(self.id):
            r = self._record
            facts = event.apply(r.facts)
            return self._commit(facts, max(r.clock, event.on), event.type, event, event.on)

    def advance_to(self, day: date) -> Update:
        """Move the case's clock to ``day``: decisions are re-evaluated (ages, running periods
        and rules in force change with time) and deadline alerts raised."""
        with self.store._lock(self.id):
            r = self._record
            if day < r.clock:
                raise ValueError(f"the case's clock is at {r.clock}; it cannot go back to {day}")
            return self._commit(dict(r.facts), day, "clock", None, day)

    def _commit(self, facts: dict[str, Any], clock: date, event: str, detail: Any,
                started: date) -> Update:
        r = self._record
        record, update = _step(r.id, r.subject, r.pack, r.triggers, r.compiled, r, facts,
                               clock, event, detail, started)
        self.store._put(record)
        return update

    # -- deadlines ---------------------------------------------------------------------------

    def alerts(self, as_of: date | None = None) -> tuple[Alert, ...]:
        """Every alert at ``as_of`` (default: the case's clock), raised before or not."""
        r = self._record
        return _alerts(r.deadlines, as_of or r.clock)

    def complete(self, deadline_id: str, *, on: date | None = None) -> Deadline:
        """Mark a deadline done (on the case's clock by default); it raises no more alerts."""
        with self.store._lock(self.id):
            r = self._record
            found = None
            deadlines = []
            for d in r.deadlines:
                if d.id == deadline_id:
                    found = attrs.evolve(d, done_on=on or r.clock)
                    d = found
                deadlines.append(d)
            if found is None:
                raise KeyError(f"no deadline {deadline_id!r} in case {self.id}")
            self.store._put(attrs.evolve(r, deadlines=tuple(deadlines)))
            return found

    def close(self) -> None:
        """Close the case: its record leaves the store (no durable_rules state outlives a step)."""
        self.store._drop(self.id)


# --- one step -----------------------------------------------------------------------------------


def _step(
    case_id: str,
    subject: str,
    pack: RulePack,
    triggers: TriggerSet,
    compiled: engine.CompiledRuleset,
    previous: _Record | None,
    facts: Mapping[str, Any],
    clock: date,
    event: str,
    detail: Any,
    started: date,
) -> tuple[_Record, Update]:
    # SituationError: nothing changes (a service the pack does not know is refused too)
    situation = parse_situation({**facts, "as_of": clock}, services=pack.service_ids)
    stored = situation.to_dict()
    stored.pop("as_of", None)
    decided = Decided.of(situation, pack)  # untraced: what the step compares
    evaluation = decided.quick
    before = {d.rule: d for d in previous.decided.quick.decisions} if previous else {}

    fields = detail.model_dump() if isinstance(detail, LifeEvent) else {}
    kinds, fired_triggers = _matched(compiled, triggers, event, fields, evaluation, before)
    changes = []
    for d in evaluation.decisions:
        if d.rule in kinds:
            old = before.get(d.rule)
            ordered = tuple(k for k in engine.CHANGE_KINDS if k in kinds[d.rule])
            changes.append(Change(d.rule, old.status if old else None, d.status, ordered,
                                  decided, previous.decided if previous else None))
    deadlines = list(previous.deadlines) if previous else []
    notifications = _notifications(case_id, triggers, fired_triggers, decided, event, started,
                                   deadlines)
    raised = set(previous.raised) if previous else set()
    alerts = []
    for alert in _alerts(deadlines, clock):
        key = (alert.deadline.id, alert.kind)
        if key not in raised:
            raised.add(key)
            alerts.append(alert)

    update = Update(case_id, event, clock, tuple(changes), tuple(notifications), tuple(alerts),
                    decided, detail)
    record = _Record(
        case_id, subject, pack, triggers, compiled, stored, clock, decided,
        (*(previous.history if previous else ()), update), tuple(deadlines), frozenset(raised),
    )
    return record, update


def _matched(compiled: engine.CompiledRuleset, triggers: TriggerSet, event: str,
             fields: Mapping[str, Any], evaluation: Evaluation,
             before: Mapping[str, Decision]) -> tuple[dict[str, set[str]], set[str]]:
    """The durable_rules match of a step: the kinds of change of each rule, the triggers that
    fire. Posted: the event, and the decision facts a rule of the ruleset can match."""
    posted = [engine.event_fact(compiled, event, fields)]
    watched = triggers.rules  # the rules some trigger joins with the event
    for i, d in enumerate(evaluation.decisions):
        old = before.get(d.rule)
        was = old.status.value if old else engine.NO_DECISION
        outcome_changed = old is not None and old.status is d.status and old.outcome != d.outcome
        if old is not None and old.status is d.status and not outcome_changed \
                and d.rule not in watched:
            continue  # unchanged, and no trigger reads it: no rule of the ruleset can match it
        posted.append(engine.decision_fact(compiled, i, d.rule, was, d.status.value,
                                           outcome_changed, d.outcome))
    kinds: dict[str, set[str]] = {}
    fired_triggers: set[str] = set()
    for f in engine.run(compiled, posted):
        what, name, extra = compiled.actions[f.name]
        if what == "change":
            kinds.setdefault(name, set()).add(extra)
        else:
            fired_triggers.add(name)
    return kinds, fired_triggers


def _notifications(case_id: str, triggers: TriggerSet, fired: set[str], decided: Decided,
                   event: str, started: date, deadlines: list[Deadline]) -> list[Notification]:
    """The notifications of the triggers that fired, each with its traced decision; a
    trigger with a deadline starts its working-day clock (appended to ``deadlines``)."""
    notifications = []
    cited = decided.traced(t.rule for t in triggers if t.id in fired)
    for trigger in triggers:
        if trigger.id not in fired:
            continue
        decision = cited[trigger.rule]
        deadline = None
        if trigger.deadline is not None:
            due: DueDate = due_date(started, decision.outcome.get(trigger.deadline.working_days))
            deadline = Deadline(
                f"{case_id}/{trigger.id}/{len(deadlines) + 1}", trigger.id, trigger.rule,
                trigger.deadline.label, started, due.working_days, due.due, due.reason,
            )
            deadlines.append(deadline)
        notifications.append(Notification(trigger.id, trigger.rule, event, started,
                                          trigger.service, _message(trigger, decision),
                                          decision, deadline))
    return notifications


def _alerts(deadlines: tuple[Deadline, ...] | list[Deadline], as_of: date) -> tuple[Alert, ...]:
    out = []
    for d in deadlines:
        if d.done_on is not None:
            continue
        if d.due is None:
            out.append(Alert("undetermined", d, as_of, d.reason))
        elif as_of == d.due:
            out.append(Alert("due", d, as_of))
        elif as_of > d.due:
            out.append(Alert("overdue", d, as_of))
    return tuple(out)
