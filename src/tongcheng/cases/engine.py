"""The rule pack as a durable_rules ruleset, and a safe way to run it.

**What is compiled.** The reference evaluator stays the one judge of every decision: a case
evaluates its accumulated situation with it, and the facts posted to durable_rules are derived
from those decisions — one ``event`` fact (what just happened to the case) and one ``decision``
fact per rule of the pack (``rule``, its status ``before`` and ``after`` the step, whether an
eligible outcome changed, and the outcome values the triggers test). The ruleset is generated
from the compiled pack and its triggers, never written by hand:

- for every rule of the pack, one durable rule per kind of change (``newly_eligible``,
  ``no_longer_eligible``, ``newly_determined``, ``newly_undetermined``, ``status_changed`` —
  ineligible and not applicable trading places — and ``outcome_changed``), matching that rule's
  decision fact; together they fire for every decision whose status or outcome changed;
- for every trigger, one durable rule joining the event fact (when the trigger lists events,
  with the event's own fields it tests) with the decision fact of its rule turning to the
  trigger's status (or being in it, for ``fires: on_event``), and its outcome tests.

**durable_rules 2.0.28 hazards, each handled by design** (tests in ``tests/cases``):

- *Dispatcher threads.* ``durable.engine.Host`` starts two ``threading.Timer`` loops that
  dispatch pending actions and timers in the background and race with the caller (wrong results
  and segfaults in batch use). :class:`_QuietHost` overrides ``Host._run`` so that no thread is
  ever started; every action runs inline, inside the ``assert_fact`` call that caused it. (Its
  timers need those threads, so deadlines are kept by tongcheng's own clock: ``workdays``.)
- *1024 live sessions per ruleset* (the 1025th raises MemoryError). A session exists only while
  one step of one case is matched: facts asserted, actions collected, state deleted in a
  ``finally``. Cases live in tongcheng's own store, so any number of cases can be open.
- *An absence test alone matches the session's own state object* and loops forever. Every
  condition of every generated rule tests a ``kind`` discriminator; :func:`check_definition`
  refuses a definition where one does not.
- *No ``$in``.* Lists of values (a trigger's events, ``where … in``, "undetermined or no
  decision yet") are expanded to ``$or``.
- *Loose typing* (``"16"`` matches ``>= 15``). Every fact is validated against the fields the
  ruleset was compiled for before it is posted (:func:`validate_fact`); an outcome value is
  posted only when its type is the one its tests compare with, so a where-test on a null or
  mistyped value is false, never a loose match.
- *Rulesets cannot be deleted,* and a name can be registered only once per host. A ruleset is
  registered once per (pack digest, triggers) — its name is a digest of the generated
  definition — in the process-wide registry of this module, the only global state of tongcheng.
- *Definitions are mutated in place* (``Ruleset`` deletes each rule's ``run``): the host is
  given a deep copy; the compiled definition stays intact.
- *A session where no rule fired cannot be deleted.* When no action ran in a session — every
  fact raised ``MessageNotHandledException``, or was only kept waiting for a join (a decision
  fact a trigger joins with an event that never came): a step where nothing changed, decision
  facts alone — ``delete_state`` aborts the process in the native engine (``free(): invalid
  pointer``, ``double free or corruption``), and not deleting the session leaks one of the
  1024 live sessions. :func:`run` then posts one closing fact that fires in every ruleset (a
  decision of the pack's first rule turning eligible, its firings discarded) before deleting
  the state.
- *The C extension holds the GIL and is not re-entrant:* every call into it — registering,
  asserting, collecting, deleting — is serialised by one module lock. Matching is therefore
  single-threaded; evaluating with the reference evaluator is not, and runs outside the lock.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import json
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from tongcheng.cases.triggers import CASE_EVENTS, Trigger, TriggerSet, Where
from tongcheng.evaluate.decision import Status
from tongcheng.pack.model import RulePack

__all__ = [
    "CHANGE_KINDS",
    "NO_DECISION",
    "CompiledRuleset",
    "FactError",
    "Firing",
    "check_definition",
    "compile_ruleset",
    "run",
    "validate_fact",
]

E, INE, U, NA = (s.value for s in (Status.ELIGIBLE, Status.INELIGIBLE, Status.UNDETERMINED,
                                   Status.NOT_APPLICABLE))
NO_DECISION = "none"
"""The status ``before`` a case's first step: no decision yet."""
STATUSES = (E, INE, U, NA)

CHANGE_KINDS = (
    "newly_eligible",
    "no_longer_eligible",
    "newly_determined",
    "newly_undetermined",
    "status_changed",
    "outcome_changed",
)
"""Kinds of change, in the order reported. ``newly_determined`` includes a first decision
that is not undetermined; ``status_changed`` is ineligible and not applicable trading places;
``outcome_changed`` an eligible decision whose outcome values changed, or an ineligible one
whose figures (the outcome values marked ``on_ineligible``) changed."""

_CHANGE_TESTS: dict[str, list[dict[str, Any]]] = {
    "newly_eligible": [{"after": E}, {"$neq": {"before": E}}],
    "no_longer_eligible": [{"before": E}, {"$neq": {"after": E}}],
    "newly_determined": [
        {"$or": [{"before": U}, {"before": NO_DECISION}]},
        {"$neq": {"after": U}},
    ],
    "newly_undetermined": [{"after": U}, {"$neq": {"before": U}}],
    "status_changed": [
        {"$or": [
            {"$and": [{"before": INE}, {"after": NA}]},
            {"$and": [{"before": NA}, {"after": INE}]},
        ]},
    ],
    "outcome_changed": [
        {"$or": [{"$and": [{"before": E}, {"after": E}]},
                 {"$and": [{"before": INE}, {"after": INE}]}]},
        {"outcome_changed": "yes"},
    ],
}

_OPS = {"==": None, "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


class FactError(TypeError):
    """A fact does not fit the fields its ruleset was compiled for (never posted)."""


@attrs.frozen
class Firing:
    """One durable rule fired: its name, and the ids of the facts it matched by alias."""

    name: str
    facts: Mapping[str, str]


@attrs.frozen
class CompiledRuleset:
    """A pack and its triggers as a durable_rules ruleset (JSON), with what each rule means."""

    name: str
    definition_json: str
    # durable rule name -> ("change", pack rule id, kind) | ("trigger", trigger id, pack rule id)
    actions: Mapping[str, tuple[str, str, str]]
    rules: tuple[str, ...]
    # per pack rule: outcome name -> kind of value its tests compare with (number|string|bool)
    outcome_fields: Mapping[str, Mapping[str, str]]
    # life event fields the triggers test (all strings)
    event_fields: tuple[str, ...]
    pack_digest: str
    triggers_digest: str

    def definition(self) -> dict[str, Any]:
        """A fresh copy of the ruleset definition (durable_rules mutates what it is given)."""
        return json.loads(self.definition_json)


def outcome_field(name: str) -> str:
    """The property of a decision fact holding outcome ``name``."""
    return f"o_{name}"


def _either(tests: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``$or`` of the tests (durable_rules has no ``$in``); one test stands alone."""
    return tests[0] if len(tests) == 1 else {"$or": list(tests)}


def _where(w: Where) -> list[dict[str, Any]]:
    field = outcome_field(w.outcome)
    present = {"$ex": {field: 1}}
    if w.op == "in":
        return [present, _either([{field: v} for v in w.value])]
    op = _OPS[w.op]
    return [present, {field: w.value} if op is None else {op: {field: w.value}}]


def _decision(rule_id: str, tests: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"$and": [{"kind": "decision"}, {"rule": rule_id}, *tests]}


def event_field(name: str) -> str:
    """The property of the event fact holding the life event's field ``name``."""
    return f"e_{name}"


def _trigger_rule(t: Trigger) -> dict[str, Any]:
    becomes = t.becomes.value
    tests: list[dict[str, Any]] = [{"after": becomes}]
    if t.fires == "on_change":
        tests.append({"$neq": {"before": becomes}})
    for w in t.where:
        tests.extend(_where(w))
    conditions = []
    if t.on:
        event_tests = [{"kind": "event"}, _either([{"event": e} for e in t.on])]
        for name, values in t.with_:
            event_tests.append(_either([{event_field(name): v} for v in values]))
        conditions.append({"e": {"$and": event_tests}})
    conditions.append({"d": _decision(t.rule, tests)})
    return {"all": conditions}


def compile_ruleset(pack: RulePack, triggers: TriggerSet) -> CompiledRuleset:
    """The durable_rules ruleset of a pack and its triggers (nothing is registered; the result
    is remembered per pack and triggers digest, as it depends on nothing else)."""
    key = (pack.info.digest, triggers.digest)
    with _LOCK:
        cached = _COMPILED.get(key)
    if cached is None or cached.rules != pack.rule_ids:
        cached = _compile(pack, triggers)
        with _LOCK:
            _COMPILED[key] = cached
    return cached


def _compile(pack: RulePack, triggers: TriggerSet) -> CompiledRuleset:
    definition: dict[str, Any] = {}
    actions: dict[str, tuple[str, str, str]] = {}
    for rule in pack.rules:
        for kind in CHANGE_KINDS:
            name = f"change:{rule.id}:{kind}"
            definition[name] = {"all": [{"d": _decision(rule.id, _CHANGE_TESTS[kind])}],
                                "run": name}
            actions[name] = ("change", rule.id, kind)
    fields: dict[str, dict[str, str]] = {}
    event_fields: dict[str, None] = {}
    unknown = [t.id for t in triggers if t.rule not in pack.rule_ids]
    if unknown:
        raise ValueError(f"triggers {', '.join(unknown)} name rules this pack does not have: "
                         "load the triggers for this pack (load_triggers(pack))")
    for t in triggers:
        for name, _ in t.with_:
            event_fields[name] = None
        name = f"trigger:{t.id}"
        definition[name] = {**_trigger_rule(t), "run": name}
        actions[name] = ("trigger", t.id, t.rule)
        for w in t.where:
            known = fields.setdefault(t.rule, {})
            if known.get(w.outcome, w.kind) != w.kind:
                raise FactError(
                    f"triggers compare {t.rule} outcome {w.outcome!r} with values of two "
                    f"types ({known[w.outcome]} and {w.kind}); use one"
                )
            known[w.outcome] = w.kind
    check_definition(definition)
    text = json.dumps(definition, ensure_ascii=False, sort_keys=True)
    seal = hashlib.sha256(f"{pack.info.digest}\0{triggers.digest}\0{text}".encode()).hexdigest()
    return CompiledRuleset(
        name=f"tongcheng_{seal[:24]}",
        definition_json=text,
        actions=actions,
        rules=pack.rule_ids,
        outcome_fields={r: dict(f) for r, f in fields.items()},
        event_fields=tuple(event_fields),
        pack_digest=pack.info.digest,
        triggers_digest=triggers.digest,
    )


def _discriminated(test: Any) -> bool:
    """Whether a condition pins ``kind`` to a value (in every branch of an ``$or``)."""
    if not isinstance(test, Mapping):
        return False
    if isinstance(test.get("kind"), str):
        return True
    if "$and" in test:
        return any(_discriminated(t) for t in test["$and"])
    if "$or" in test:
        return bool(test["$or"]) and all(_discriminated(t) for t in test["$or"])
    return False


def check_definition(definition: Mapping[str, Any]) -> None:
    """Refuse a definition with a condition that has no ``kind`` discriminator (it could match
    the session's state object and loop) or that uses ``$in`` (not supported: use ``$or``)."""
    for name, rule in definition.items():
        for condition in rule.get("all", ()):
            for alias, test in condition.items():
                if not _discriminated(test):
                    raise ValueError(f"durable rule {name}: condition {alias} has no 'kind' "
                                     "discriminator (it would match the session state)")
        if '"$in"' in json.dumps(rule):
            raise ValueError(f"durable rule {name}: '$in' is not supported; expand to '$or'")


# --- facts ------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def typed(value: Any, kind: str) -> bool:
    """Whether ``value`` is of the kind a test compares with (no loose matches)."""
    if kind == "number":
        return _is_number(value)
    if kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, str)


def validate_fact(fact: Mapping[str, Any], compiled: CompiledRuleset) -> None:
    """Raise FactError unless ``fact`` has exactly the fields and types the ruleset expects."""

    def need(ok: bool, message: str) -> None:
        if not ok:
            raise FactError(f"fact {dict(fact)!r}: {message}")

    need(isinstance(fact.get("id"), str), "'id' must be a string")
    kind = fact.get("kind")
    if kind == "event":
        need(type(fact.get("event")) is str and fact["event"] in CASE_EVENTS,
             f"'event' must be one of {', '.join(CASE_EVENTS)}")
        allowed = {event_field(n) for n in compiled.event_fields}
        for key, value in fact.items():
            if key not in ("id", "kind", "event"):
                need(key in allowed, f"unexpected field {key!r}")
                need(type(value) is str, f"{key} must be a string, got {value!r}")
        return
    need(kind == "decision", "'kind' must be 'event' or 'decision'")
    rule = fact.get("rule")
    need(type(rule) is str and rule in compiled.rules, "'rule' must be a rule of the pack")
    need(type(fact.get("before")) is str and fact["before"] in (*STATUSES, NO_DECISION),
         "'before' must be a status or 'none'")
    need(type(fact.get("after")) is str and fact["after"] in STATUSES,
         "'after' must be a status")
    need(fact.get("outcome_changed") in ("yes", "no"), "'outcome_changed' must be yes or no")
    expected = compiled.outcome_fields.get(rule, {})
    for key, value in fact.items():
        if key in ("id", "kind", "rule", "before", "after", "outcome_changed"):
            continue
        name = key[2:] if key.startswith("o_") else None
        need(name in expected, f"unexpected field {key!r}")
        need(typed(value, expected[name]),
             f"{key} must be a {expected[name]}, got {type(value).__name__} {value!r}")


def decision_fact(
    compiled: CompiledRuleset,
    index: int,
    rule: str,
    before: str,
    after: str,
    outcome_changed: bool,
    outcome: Mapping[str, Any],
) -> dict[str, Any]:
    """The fact for one rule's decision; outcome values only where typed as tests expect."""
    fact: dict[str, Any] = {
        "id": f"d{index}",
        "kind": "decision",
        "rule": rule,
        "before": before,
        "after": after,
        "outcome_changed": "yes" if outcome_changed else "no",
    }
    for name, kind in compiled.outcome_fields.get(rule, {}).items():
        value = outcome.get(name)
        if typed(value, kind):
            fact[outcome_field(name)] = value
    return fact


def event_fact(
    compiled: CompiledRuleset, event: str, fields: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The fact for what happened: the event type, and the event's own fields the triggers
    test (strings only; a field the event lacks is left out, so its test is false)."""
    fact: dict[str, Any] = {"id": "e", "kind": "event", "event": event}
    for name in compiled.event_fields:
        value = (fields or {}).get(name)
        if type(value) is str:
            fact[event_field(name)] = value
    return fact


# --- the engine, run safely ---------------------------------------------------------------------

_LOCK = threading.RLock()
_COMPILED: dict[tuple[str, str], CompiledRuleset] = {}
_HOST: Any = None
_REGISTERED: dict[str, str] = {}  # ruleset name -> definition JSON
_SESSIONS = itertools.count(1)


def _durable_engine():
    try:
        from durable import engine
    except ImportError as exc:  # pragma: no cover - the extra is not installed
        raise ImportError(
            "tongcheng.cases needs durable_rules: pip install 'tongcheng[cases]'"
        ) from exc
    return engine


def _make_host():
    engine = _durable_engine()

    class _QuietHost(engine.Host):
        """A durable_rules Host without its dispatcher threads; actions run inline.

        Not thread-safe on its own: use it only under the module lock.
        """

        def __init__(self) -> None:
            self.sink: list[Firing] | None = None
            super().__init__()

        def _run(self) -> None:
            """durable_rules starts its dispatch and timer threads here: start none."""

        def get_action(self, action_name: str):
            def action(c) -> None:
                matched = c._m if isinstance(c._m, dict) else {}
                ids = {alias: str(fact.get("id")) for alias, fact in matched.items()
                       if isinstance(fact, dict)}
                if self.sink is None:  # pragma: no cover - only under run()
                    raise RuntimeError(f"durable rule {action_name} fired outside a run")
                self.sink.append(Firing(action_name, ids))

            return action

    return _QuietHost()


def _host():
    global _HOST
    if _HOST is None:
        _HOST = _make_host()
    return _HOST


def register(compiled: CompiledRuleset) -> str:
    """Register the ruleset with the process-wide host, once; return its name.

    Serialised by the module lock (the durable_rules C extension is not re-entrant).
    """
    with _LOCK:
        known = _REGISTERED.get(compiled.name)
        if known is not None:
            if known != compiled.definition_json:  # pragma: no cover - a digest collision
                raise RuntimeError(f"ruleset {compiled.name} registered with another definition")
            return compiled.name
        # durable_rules deletes each rule's 'run' from what it is given: give it a copy.
        _host().register_rulesets({compiled.name: copy.deepcopy(compiled.definition())})
        _REGISTERED[compiled.name] = compiled.definition_json
        return compiled.name


def registered() -> tuple[str, ...]:
    """Names of the rulesets registered in this process (they cannot be deleted)."""
    with _LOCK:
        return tuple(_REGISTERED)


def run(compiled: CompiledRuleset, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
    """Match ``facts`` in a fresh session and return the rules fired, in the order fired.

    Every fact is validated first (FactError; nothing is posted). The session lives only for
    this call: its state is deleted before returning, whatever happens. Serialised by the module
    lock: the durable_rules C extension holds the GIL and is not re-entrant.
    """
    for fact in facts:
        validate_fact(fact, compiled)
    engine = _durable_engine()
    with _LOCK:
        name = register(compiled)
        host = _host()
        sid = f"s{next(_SESSIONS)}"
        fired: list[Firing] = []
        host.sink = fired
        try:
            for fact in facts:
                message = dict(fact)
                message["sid"] = sid
                try:
                    host.assert_fact(name, message)
                except engine.MessageNotHandledException:
                    continue  # no rule tests this fact: nothing to do
        finally:
            try:
                if not fired:
                    _close_quiet(compiled, host, name, sid, engine)
            finally:
                host.sink = None
                host.delete_state(name, sid)
    return fired


def _close_quiet(compiled: CompiledRuleset, host: Any, name: str, sid: str,
                 engine: Any) -> None:
    """Make a session where no rule fired deletable: post one fact that fires (the pack's first
    rule, from no decision to eligible: its ``newly_eligible`` rule always matches), firings
    discarded. Without it ``delete_state`` aborts in durable_rules 2.0.28's native code."""
    if not compiled.rules:  # pragma: no cover - a pack has rules
        return
    closing = decision_fact(compiled, 0, compiled.rules[0], NO_DECISION, E, False, {})
    closing["id"] = "close"
    closing["sid"] = sid
    host.sink = []
    with contextlib.suppress(engine.MessageNotHandledException):  # newly_eligible matches
        host.assert_fact(name, closing)
