"""``tongcheng watch EVENTS``: follow many cases from one JSON Lines stream of events.

Each line of the stream is one JSON object about one subject (a person or a project followed by
a portal); the watcher keeps one :class:`~tongcheng.cases.Case` per subject in a
:class:`~tongcheng.cases.CaseStore` and writes what each step produced — the notifications of
proactive services, the deadline alerts and, on request, the changed decisions — as JSON Lines.
The lines of the stream::

    {"subject": "P1", "on": "2025-05-06", "open": {...situation facts...}}    open a case
    {"subject": "P1", "on": "2025-06-03", "event": {"type": "move", "to": "371000"}}
    {"subject": "P1", "on": "2025-07-01", "facts": {"person": {"sex": "male"}}}
    {"subject": "P1", "advance_to": "2025-10-22"}          move one case's clock
    {"advance_to": "2025-10-22"}                            move every open case's clock
    {"subject": "P1", "close": true}                        close it (the case is dropped)

``on`` is the day the line speaks of: the case's opening day (else the facts' ``as_of``), the
event's day (an event may carry its own ``on`` instead; two different days are refused), the
day facts arrive (the clock never goes back). Facts are a partial situation merged as
:meth:`Case.update` merges them. Blank lines are skipped.

A line that cannot be applied — not JSON, not an object, an unknown key, an event or facts for
a subject with no open case, a second ``open`` for an open subject, invalid facts, an unknown
event type, a clock moved back — is *rejected*: reported with its line number and reason, and
the stream goes on; a step is applied whole or not at all (the case is unchanged). A defect of
the rule pack met on the way (two exceptions in conflict, a rule that fails) stops the stream:
it is no fault of the line.

Memory stays flat over an endless stream: a closed case is dropped, and with ``idle_days`` a
case whose last step is more than that many days before the latest day the stream has reached
is dropped too (a ``dropped`` record says so); output is written line by line, never gathered.

The command is :func:`tongcheng.cases.watch_cli.watch`; the library behind it is
:class:`Watcher` (one stream's state, fed one line at a time) and :func:`watch_stream` (a whole
stream, to callbacks). Two streams may be watched from two threads at once: each watcher has
its own store, and durable_rules is entered by one thread at a time
(:mod:`tongcheng.cases.engine`).

Only the standard library is imported at load time: ``import tongcheng.cli`` pulls in neither
durable_rules nor the calendar.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import attrs

from tongcheng import jsonio

__all__ = ["Rejected", "WatchStats", "Watcher", "watch_stream"]

EXIT_OK, EXIT_REJECTS, EXIT_INVALID, EXIT_PACK = 0, 1, 2, 3

ACTIONS = ("open", "event", "facts", "close", "advance_to")
KEYS = ("subject", "on", *ACTIONS)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Rejected(Exception):
    """A line of the stream that cannot be applied: the stream goes on without it.

    ``reason`` is English, ``zh`` the same in Chinese; the watcher words ``reason`` in its
    language (:meth:`in_language`) before the reject is written."""

    def __init__(self, reason: str, subject: str | None = None, zh: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.subject, self.zh = reason, subject, zh

    def in_language(self, lang: str) -> Rejected:
        if lang == "zh" and self.zh:
            self.reason, self.zh = self.zh, None
        return self


class StreamStopped(Exception):
    """A defect of the rule pack met at a line (a rule conflict, a failing rule): the stream
    cannot go on (exit 3)."""

    def __init__(self, line: int, error: Exception) -> None:
        super().__init__(f"line {line}: {error}")
        self.line, self.error = line, error

    def describe(self, lang: str = "en") -> str:
        words = getattr(self.error, "describe", None)
        said = words(lang) if words is not None else str(self.error)
        return f"第 {self.line} 行:{said}" if lang == "zh" else f"line {self.line}: {said}"


@attrs.define
class WatchStats:
    """Counts over a stream so far."""

    lines: int = 0
    opened: int = 0
    closed: int = 0
    dropped: int = 0
    notifications: int = 0
    alerts: int = 0
    changes: int = 0
    rejected: int = 0
    open: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


def _date(value: Any, key: str) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise Rejected(f"{key}: expected a date as YYYY-MM-DD, got {json.dumps(value)}",
                       zh=f"{key}:应为 YYYY-MM-DD 格式的日期,实际为 {json.dumps(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise Rejected(f"{key}: {value!r} is not a calendar date ({e})",
                       zh=f"{key}:{value} 不是日历上的日期") from None


def _problems(error: Exception, lang: str = "en") -> str:
    problems = getattr(error, "problems", None)
    if problems:
        return "; ".join(p.describe(lang) if hasattr(p, "describe") else str(p)
                         for p in problems)
    return str(error)


class Watcher:
    """One stream's cases: feed it the stream's lines, one at a time, in order.

    ``pack`` defaults to the bundled pack, ``triggers`` to the pack's ``triggers.yaml``.
    :meth:`feed` returns the output records of one line (JSON-ready dicts) or raises
    :class:`Rejected` (the line changed no case) or :class:`StreamStopped` (a defect of the
    pack). A line that moves every open case's clock rejects no line for one case that cannot
    move: that case's refusal is a record of ``"type": "rejected"`` among the others. Cases
    dropped as idle are reported by :meth:`take_dropped`. Not for sharing between threads: give
    each stream its own watcher.
    """

    def __init__(
        self,
        pack: Any = None,
        triggers: Any = None,
        *,
        lang: str = "zh",
        changes: bool = False,
        idle_days: int | None = None,
    ) -> None:
        from tongcheng.api import bundled_pack
        from tongcheng.cases.case import CaseStore
        from tongcheng.cases.triggers import load_triggers

        self.pack = pack if pack is not None else bundled_pack()
        self.triggers = triggers if triggers is not None else load_triggers(self.pack)
        self.lang = lang
        self.with_changes = changes
        if idle_days is not None and idle_days < 0:
            raise ValueError("idle_days must be 0 or more")
        self.idle_days = idle_days
        self.store = CaseStore(history=False)  # a step holds what the next one needs
        self.stats = WatchStats()
        self._cases: dict[str, Any] = {}  # subject -> Case (open cases only)
        self._subjects: dict[str, str] = {}  # case id -> subject
        self._reached: date | None = None  # the latest day the stream has named
        self._pending: list[dict[str, Any]] = []  # dropped records not yet taken

    # -- reading -----------------------------------------------------------------------------

    @property
    def subjects(self) -> tuple[str, ...]:
        """The subjects with an open case, in the order they were opened."""
        return tuple(self._cases)

    def case(self, subject: str) -> Any:
        """The open case of ``subject`` (KeyError when it has none)."""
        return self._cases[subject]

    # -- feeding -----------------------------------------------------------------------------

    def feed(self, number: int, text: str | bytes) -> list[dict[str, Any]]:
        """Apply line ``number`` of the stream; return the records it produced (a reject's
        reason in the watcher's language)."""
        try:
            return self._feed(number, text)
        except Rejected as e:
            raise e.in_language(self.lang) from None

    def _feed(self, number: int, text: str | bytes) -> list[dict[str, Any]]:
        self.stats.lines += 1
        data = _line_data(text)
        if data is None:
            return []
        subject, action = _line_action(data)
        try:
            on = _date(data["on"], "on") if data.get("on") is not None else None
            if action == "advance_to":
                day = _date(data["advance_to"], "advance_to")
                self._reach(number, day)
                if subject is None:
                    return self._advance_all(number, day)
                return self._advance(number, subject, day)
            if action == "open":
                return self._open(number, subject, data["open"], on)
            if action == "event":
                return self._event(number, subject, data["event"], on)
            if action == "facts":
                return self._facts(number, subject, data["facts"], on)
            return self._close(number, subject, data["close"], on)
        except Rejected as e:
            e.subject = e.subject or subject
            raise

    def _records(self, number: int, subject: str, update: Any) -> list[dict[str, Any]]:
        head = {"line": number, "subject": subject, "case": update.case}
        out: list[dict[str, Any]] = []
        if self.with_changes and update.event == "opened":
            # the first decisions, once: a case that opens has no "changes" yet
            out.append({"type": "opened", **head, "on": update.as_of.isoformat(),
                        "decisions": [_first(d) for d in update.decided.quick.decisions]})
        elif self.with_changes:
            # stamped with the day the step speaks of: a backdated event's own date
            on = getattr(update.detail, "on", None) or update.as_of
            for c in update.changes:
                out.append({"type": "change", **head, "event": update.event,
                            "on": on.isoformat(), "as_of": update.as_of.isoformat(),
                            **c.to_json(self.lang)})
        out.extend({"type": "notification", **head, **n.to_json(self.lang)}
                   for n in update.notifications)
        out.extend({"type": "alert", **head, **a.to_json(self.lang)} for a in update.alerts)
        self.stats.changes += (len(update.changes) if self.with_changes
                               and update.event != "opened" else 0)
        self.stats.notifications += len(update.notifications)
        self.stats.alerts += len(update.alerts)
        return out

    def _step(self, number: int, step: Callable[[], Any]) -> Any:
        """Run one step of a case: invalid input rejects the line, a pack defect stops."""
        from tongcheng.cases.engine import FactError
        from tongcheng.errors import RuleConflict, SituationError
        from tongcheng.evaluate.evaluator import RuleError

        try:
            return step()
        except SituationError as e:
            raise Rejected(_problems(e), zh=_problems(e, "zh")) from None
        except (RuleConflict, RuleError, FactError) as e:
            raise StreamStopped(number, e) from None

    def _open_case(self, subject: str) -> Any:
        case = self._cases.get(subject)
        if case is None:
            raise Rejected(f"subject {subject} has no open case (never opened, closed, or "
                           "dropped as idle): open it first",
                           zh=f"对象 {subject} 没有未结的案件(从未开立、已结案或因闲置被撤下):"
                           "请先开立")
        return case

    def _open(self, number: int, subject: str, facts: Any, on: date | None) -> list[dict]:
        from tongcheng.cases.case import Case

        if not isinstance(facts, dict):
            raise Rejected("open: expected an object of situation facts ({} for none known)",
                           zh="open:应为情形事实的对象(一无所知时为 {})")
        if on is None:
            if facts.get("as_of") is None:
                raise Rejected("open: needs a date: give on (or the facts' as_of)",
                               zh="open:需要日期:请给出 on(或事实中的 as_of)")
            on = _date(facts["as_of"], "open.as_of")
        self._reach(number, on)
        if subject in self._cases:
            raise Rejected(f"subject {subject} already has an open case ({self._cases[subject].id})"
                           ": close it first",
                           zh=f"对象 {subject} 已有未结的案件({self._cases[subject].id}):"
                           "请先结案")
        case = self._step(number, lambda: Case.open(subject, facts, on=on, pack=self.pack,
                                                      triggers=self.triggers, store=self.store))
        self._cases[subject] = case
        self._subjects[case.id] = subject
        self.stats.opened += 1
        self.stats.open = len(self._cases)
        return self._records(number, subject, case.history[-1])

    def _event(self, number: int, subject: str, event: Any, on: date | None) -> list[dict]:
        if not isinstance(event, dict):
            raise Rejected("event: expected an object with a type",
                           zh="event:应为带 type 的对象")
        event = dict(event)
        if event.get("on") is None:
            if on is None:
                raise Rejected("event: needs a date: give on", zh="event:需要日期:请给出 on")
            event["on"] = on.isoformat()
        elif on is not None and _date(event["on"], "event.on") != on:
            raise Rejected(f"event.on {event['on']} and on {on.isoformat()} differ: give one",
                           zh=f"event.on {event['on']} 与 on {on.isoformat()} 不一致:只给一个")
        else:
            on = _date(event["on"], "event.on")
        self._reach(number, on)
        case = self._open_case(subject)
        return self._records(number, subject, self._step(number, lambda: case.record(event)))

    def _facts(self, number: int, subject: str, facts: Any, on: date | None) -> list[dict]:
        if not isinstance(facts, dict):
            raise Rejected("facts: expected an object of situation facts",
                           zh="facts:应为情形事实的对象")
        self._reach(number, on)
        case = self._open_case(subject)
        return self._records(number, subject, self._step(number, lambda: case.update(facts,
                                                                                     on=on)))

    def _advance(self, number: int, subject: str, day: date) -> list[dict]:
        case = self._open_case(subject)
        if day < case.clock:
            raise Rejected(f"advance_to: the case's clock is at {case.clock}; it cannot go back "
                           f"to {day}", zh=f"advance_to:案件的时钟在 {case.clock},不能回到 {day}")
        return self._records(number, subject, self._step(number, lambda: case.advance_to(day)))

    def _advance_all(self, number: int, day: date) -> list[dict]:
        """Every open case whose clock is before ``day`` moves to it (later ones stay)."""
        out: list[dict[str, Any]] = []
        for subject, case in list(self._cases.items()):
            if case.clock < day:
                try:
                    out.extend(self._records(number, subject,
                                             self._step(number, lambda c=case: c.advance_to(day))))
                except Rejected as e:  # this case cannot be moved: say so, move the others
                    self.stats.rejected += 1
                    out.append({"type": "rejected", "line": number, "subject": subject,
                                "reason": e.in_language(self.lang).reason})
        return out

    def _close(self, number: int, subject: str, flag: Any, on: date | None) -> list[dict]:
        if flag is not True:
            raise Rejected(f"close: expected true, got {json.dumps(flag)}",
                           zh=f"close:应为 true,实际为 {json.dumps(flag)}")
        self._reach(number, on)
        case = self._open_case(subject)
        self._forget(subject, case)
        case.close()
        self.stats.closed += 1
        return []

    def _forget(self, subject: str, case: Any) -> None:
        self._cases.pop(subject, None)
        self._subjects.pop(case.id, None)
        self.stats.open = len(self._cases)

    # -- idle cases -------------------------------------------------------------------------

    def _reach(self, number: int, day: date | None) -> None:
        """The stream has named ``day``: with idle_days, drop the cases idle since too long."""
        if day is None or (self._reached is not None and day <= self._reached):
            return
        self._reached = day
        if self.idle_days is None:
            return
        since = day - timedelta(days=self.idle_days)
        for case_id in self.store.close_idle(since):
            subject = self._subjects.pop(case_id, None)
            if subject is not None and subject in self._cases:
                self._cases.pop(subject)
                self.stats.dropped += 1
                self._pending.append({"type": "dropped", "line": number, "subject": subject,
                                      "case": case_id, "reason": "idle",
                                      "idle_since_before": since.isoformat()})
        self.stats.open = len(self._cases)

    def take_dropped(self) -> list[dict[str, Any]]:
        """The ``dropped`` records of the cases dropped as idle since the last call (a line
        may drop cases and still be rejected)."""
        out, self._pending = self._pending, []
        return out


def _line_data(text: str | bytes) -> dict[str, Any] | None:
    """A line of the stream as its JSON object (None for a blank line); a line that is too
    long, not UTF-8, not JSON or not an object is rejected, saying which."""
    long = jsonio.too_long(text)
    if long is not None:
        raise Rejected(long, zh=f"一行超过 {jsonio.MAX_LINE_BYTES // 2**20} MiB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise Rejected(f"not UTF-8 text (byte {e.start})",
                           zh=f"不是 UTF-8 文本(第 {e.start} 字节)") from None
    text = text.strip().lstrip("\ufeff")
    if not text:
        return None
    try:
        data = jsonio.loads(text)
    except jsonio.JsonInputError as e:
        if e.line is not None:
            raise Rejected(f"not JSON: {e.message.removeprefix('not valid JSON: ')} "
                           f"(column {e.column})",
                           zh=f"不是 JSON:{e.words.zh.removeprefix('不是有效的 JSON:')}"
                              f"(第 {e.column} 列)") from None
        raise Rejected(f"{e.path}: {e.message}" if e.path else e.message,
                       zh=f"{e.path}:{e.words.zh}" if e.path else e.words.zh) from None
    if not isinstance(data, dict):
        raise Rejected("expected a JSON object: {\"subject\": ..., \"on\": ..., and one of "
                       + ", ".join(ACTIONS) + "}",
                       zh="应为 JSON 对象:{\"subject\": ..., \"on\": ..., 以及以下之一:"
                       + "、".join(ACTIONS) + "}")
    return data


def _line_action(data: dict[str, Any]) -> tuple[str | None, str]:
    """The line's subject and its one action; unknown keys, no action or two are rejected."""
    subject = data.get("subject")
    if (subject is not None and not isinstance(subject, str)) or subject == "":
        raise Rejected(f"subject: expected a non-empty string, got {json.dumps(subject)}",
                       zh=f"subject:应为非空字符串,实际为 {json.dumps(subject)}")
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise Rejected(f"unknown key {', '.join(map(repr, unknown))}; a line has "
                       f"{', '.join(KEYS)}", subject,
                       zh=f"未知的键 {'、'.join(map(repr, unknown))};"
                       f"每行可有的键:{'、'.join(KEYS)}")
    actions = [k for k in ACTIONS if k in data]
    if len(actions) != 1:
        raise Rejected(("no action" if not actions else "more than one action "
                        f"({', '.join(actions)})") + f": give one of {', '.join(ACTIONS)}",
                       subject,
                       zh=("没有动作" if not actions else f"动作多于一个({'、'.join(actions)})")
                       + f":请给出以下之一:{'、'.join(ACTIONS)}")
    action = actions[0]
    if subject is None and action != "advance_to":
        raise Rejected(f"subject: required for {action}", zh=f"subject:{action} 必须给出")
    return subject, action


def _first(decision: Any) -> dict[str, Any]:
    return {"rule": decision.rule, "status": decision.status.value,
            "firmness": decision.firmness, "outcome": dict(decision.outcome)}


def watch_stream(
    lines: Iterable[str | bytes],
    emit: Callable[[dict[str, Any]], None],
    reject: Callable[[dict[str, Any]], None] | None = None,
    *,
    pack: Any = None,
    triggers: Any = None,
    lang: str = "zh",
    changes: bool = False,
    idle_days: int | None = None,
    progress: Callable[[WatchStats], None] | None = None,
    progress_every: int = 0,
) -> WatchStats:
    """Watch a whole stream: every output record goes to ``emit`` as it is produced, every
    rejected line to ``reject`` (``{"line", "reason"[, "subject"]}``). Returns the counts.

    Raises :class:`StreamStopped` at a defect of the rule pack. ``progress`` is called with the
    counts every ``progress_every`` lines and once at the end.
    """
    watcher = Watcher(pack, triggers, lang=lang, changes=changes, idle_days=idle_days)
    stats = watcher.stats
    started = time.perf_counter()
    for number, text in enumerate(lines, start=1):
        try:
            records = watcher.feed(number, text)
        except Rejected as e:
            records = []
            stats.rejected += 1
            if reject is not None:
                entry: dict[str, Any] = {"line": number, "reason": e.reason}
                if e.subject:
                    entry["subject"] = e.subject
                reject(entry)
        for record in watcher.take_dropped():
            emit(record)
        for record in records:
            if record["type"] == "rejected":
                if reject is not None:
                    reject({k: v for k, v in record.items() if k != "type"})
            else:
                emit(record)
        if progress is not None and progress_every and number % progress_every == 0:
            stats.seconds = time.perf_counter() - started
            progress(stats)
    stats.seconds = time.perf_counter() - started
    if progress is not None:
        progress(stats)
    return stats
