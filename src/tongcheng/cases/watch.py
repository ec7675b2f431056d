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

The command is :func:`watch`; the library behind it is :class:`Watcher` (one stream's state,
fed one line at a time) and :func:`watch_stream` (a whole stream, to callbacks). Two streams may
be watched from two threads at once: each watcher has its own store, and durable_rules is
entered by one thread at a time (:mod:`tongcheng.cases.engine`).

Only click and the standard library are imported at load time: ``import tongcheng.cli`` pulls
in neither durable_rules nor the calendar.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import click

from tongcheng import jsonio
from tongcheng.cli_options import overlay_option, pack_option, unwritable

__all__ = ["Rejected", "WatchStats", "Watcher", "watch", "watch_stream"]

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
            return []
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
                        "decisions": [_first(d) for d in update.evaluation.decisions]})
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


# --- the command ----------------------------------------------------------------------------


def _lines(source: str) -> Iterator[bytes]:
    if source == "-":
        yield from jsonio.bounded_lines(sys.stdin.buffer)
        return
    with open(source, "rb") as f:
        yield from jsonio.bounded_lines(f)


def _memory() -> dict[str, float]:
    import resource

    out = {"max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        import os

        out["rss_mb"] = round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        pass
    return out


@click.command()
@click.argument("events", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Where the notifications go, as JSON Lines (default: stdout).")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False),
              help="Write rejected lines here as JSON Lines (line, reason, subject) instead of "
                   "stderr.")
@click.option("--changes", is_flag=True, help="Also write every changed decision.")
@click.option("--idle-days", type=click.IntRange(min=0), default=None, metavar="N",
              help="Drop a case whose last step is more than N days before the latest day the "
                   "stream has reached (by the stream's dates).")
@click.option("--triggers", "triggers_path", type=click.Path(dir_okay=False),
              help="Triggers file (default: the pack's triggers.yaml).")
@click.option("--progress", "progress_every", type=click.IntRange(min=0), default=0, metavar="N",
              help="Every N lines, one JSON line of counts and memory on stderr.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of services and messages.")
@pack_option()
@overlay_option
@click.option("--store", "store_url", metavar="URL",
              help="Keep the cases and the stream's position in this store (a file for SQLite, "
                   "or postgresql://…): restarted on the same input, the watch goes on from "
                   "the last committed line, each notification written once.")
@click.option("--stream", "stream_name", default="default", show_default=True,
              help="With --store: the stream's name (several streams may share a store).")
@click.option("--commit-every", type=click.IntRange(min=1), default=None, metavar="N",
              help="With --store: commit every N lines (default 200; 1 when reading stdin).")
def watch(events, output, rejects_path, changes, idle_days, triggers_path, progress_every,
          lang, pack_path, overlays, store_url=None, stream_name="default",
          commit_every=None) -> None:
    """Follow many cases from the JSON Lines event stream EVENTS (a file, or - for stdin).

    One JSON object a line, one case per subject:

    \b
      {"subject": "P1", "on": "2025-05-06", "open": {...situation facts...}}
      {"subject": "P1", "on": "2025-06-03", "event": {"type": "move", "to": "371000"}}
      {"subject": "P1", "on": "2025-07-01", "facts": {"person": {"sex": "male"}}}
      {"subject": "P1", "advance_to": "2025-10-22"}      (one case's clock)
      {"advance_to": "2025-10-22"}                        (every open case's clock)
      {"subject": "P1", "close": true}

    "on" is the day the line speaks of (an event may carry its own instead); facts merge into
    the case's; a case's clock never goes back. Blank lines are skipped.

    Writes one JSON object a line: notifications ("type": "notification": trigger, rule,
    service, message, outcome, basis, deadline), deadline alerts ("type": "alert"), with
    --changes the changed decisions ("type": "change"), and cases dropped as idle
    ("type": "dropped"); each names the input line, the subject and the case.

    A line that cannot be applied (bad JSON, an unknown subject, invalid facts, an unknown
    event type, ...) is reported with its line number and skipped; the others are kept.
    Exit 0 when every line was applied, 1 when some were rejected, 2 for a bad command,
    3 for a rule pack (or triggers file) that fails to load or a rule conflict.
    """
    from tongcheng.errors import PackError

    if events != "-" and not Path(events).is_file():
        _fail(EXIT_INVALID, f"{events}: no such file")
    if events != "-":
        try:
            open(events, "rb").close()
        except OSError as e:
            _fail(EXIT_INVALID, f"{events}: cannot be read ({e.strerror or e})")
    for path in (output, rejects_path):
        problem = unwritable(path) if path and path != "-" else None
        if problem is not None:
            _fail(EXIT_INVALID, problem)
    try:
        from tongcheng.api import bundled_pack
        from tongcheng.cases.triggers import load_triggers
        from tongcheng.pack.loader import load_pack

        pack = (load_pack(Path(pack_path) if pack_path else None, overlays=overlays)
                if pack_path or overlays else bundled_pack())
        triggers = load_triggers(pack, triggers_path)
    except PackError as e:
        _fail(EXIT_PACK, e.describe())
        return

    if store_url:
        from tongcheng.records.cli import durable_watch

        durable_watch(store_url, stream_name, commit_every or (1 if events == "-" else 200),
                      _lines(events), output, rejects_path,
                      Watcher(pack, triggers, lang=lang, changes=changes, idle_days=idle_days),
                      progress_every)
        return
    out = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115
    rejects = open(rejects_path, "w", encoding="utf-8") if rejects_path else None  # noqa: SIM115
    interactive = events == "-"

    def emit(record: dict[str, Any]) -> None:
        out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        if interactive:
            out.flush()

    def reject(entry: dict[str, Any]) -> None:
        if rejects is not None:
            rejects.write(json.dumps(entry, ensure_ascii=False) + "\n")
        else:
            who = f" ({entry['subject']})" if entry.get("subject") else ""
            at = f"第 {entry['line']} 行" if lang == "zh" else f"line {entry['line']}"
            click.echo(f"{at}{who}: {entry['reason']}", err=True)

    def progress(stats: WatchStats) -> None:
        click.echo(json.dumps({"progress": stats.lines, **stats.to_json(), **_memory()}),
                   err=True)

    try:
        stats = watch_stream(_lines(events), emit, reject, pack=pack, triggers=triggers,
                             lang=lang, changes=changes, idle_days=idle_days,
                             progress=progress if progress_every else None,
                             progress_every=progress_every)
    except StreamStopped as e:
        _fail(EXIT_PACK, str(e))
        return
    finally:
        out.flush()
        if out is not sys.stdout.buffer:
            out.close()
        if rejects is not None:
            rejects.close()
    click.echo(_summary(stats, lang, changes, rejects_path if rejects is not None else None),
               err=True)
    sys.exit(EXIT_REJECTS if stats.rejected else EXIT_OK)


def _fail(code: int, message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _summary(stats: WatchStats, lang: str, changes: bool, rejects_path: Any) -> str:
    """The closing line on stderr, in the watcher's language."""
    if lang == "zh":
        where = "" if rejects_path is None else f"({rejects_path})"
        return (f"已处理 {stats.lines} 行,用时 {stats.seconds:.2f} 秒:开立案件 {stats.opened} 件,"
                f"结案 {stats.closed} 件,因闲置撤下 {stats.dropped} 件,仍未结 {stats.open} 件;"
                f"通知 {stats.notifications} 条,提醒 {stats.alerts} 条"
                + (f",变化 {stats.changes} 项" if changes else "")
                + f";拒收 {stats.rejected} 行{where}")
    where = "" if rejects_path is None else f" ({rejects_path})"
    return (f"watched {stats.lines} lines in {stats.seconds:.2f} s: {stats.opened} cases opened, "
            f"{stats.closed} closed, {stats.dropped} dropped as idle, {stats.open} still open; "
            f"{stats.notifications} notifications, {stats.alerts} alerts"
            + (f", {stats.changes} changes" if changes else "")
            + f"; {stats.rejected} lines rejected{where}")
