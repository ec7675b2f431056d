"""``tongcheng watch --store URL``: cases that survive a restart, in the record store's database.

The watcher (``tongcheng.cases.watch.Watcher``) runs as always; every ``commit_every`` lines (and
at the end) one transaction stores what changed since the last commit: each open case touched
(its accumulated facts, clock, last decisions, pending deadlines and the alerts already raised),
the cases closed or dropped, and the stream's position — the number of lines applied, the
digest of the last one, the next case number, and how far the output and rejects files were
written. The output is flushed and synced *before* that commit, so the store never says more
was emitted than the file holds.

Restarted on the same input after a kill (SIGKILL included), the watcher reloads the open cases,
cuts the output and rejects files back to the committed length (dropping what the lost lines had
written), checks the line it stopped at is the same, skips the lines already applied and goes on:
every notification is emitted exactly once. On stdout nothing can be taken back: there the
lines of the last uncommitted batch are written only once committed (a kill between the commit
and the write loses them, never doubles them); use ``-o FILE`` for exactly once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import IO, Any

import attrs
import sqlalchemy as sa

from tongcheng.records import schema
from tongcheng.records.record import canonical
from tongcheng.records.store import RecordStore, StoreError

__all__ = ["DurableWatch", "StreamMismatch"]


class StreamMismatch(StoreError):
    """The input is not the stream the store followed (or the pack is another)."""


def _deadline_json(d: Any) -> dict[str, Any]:
    return {"id": d.id, "trigger": d.trigger, "rule": d.rule,
            "label": {"zh": d.label.zh, "en": d.label.en}, "started": d.started.isoformat(),
            "working_days": d.working_days, "due": d.due.isoformat() if d.due else None,
            "reason": d.reason, "done_on": d.done_on.isoformat() if d.done_on else None}


def _deadline(data: dict[str, Any]) -> Any:
    from tongcheng.cases.case import Deadline
    from tongcheng.pack.model import Text

    day = date.fromisoformat
    return Deadline(data["id"], data["trigger"], data["rule"], Text(**data["label"]),
                    day(data["started"]), data["working_days"],
                    day(data["due"]) if data["due"] else None, data["reason"],
                    day(data["done_on"]) if data["done_on"] else None)


def case_state(record: Any) -> str:
    """What the store keeps of a case (``cases.case._Record``), as canonical JSON."""
    return canonical({
        "case": record.id, "subject": record.subject, "facts": dict(record.facts),
        "clock": record.clock.isoformat(),
        "decisions": [{"rule": d.rule, "status": d.status.value, "outcome": dict(d.outcome)}
                      for d in record.decided.quick.decisions],
        "deadlines": [_deadline_json(d) for d in record.deadlines],
        "raised": sorted([list(k) for k in record.raised]),
    })


@attrs.define
class _Position:
    lines: int = 0
    line_digest: str | None = None
    output: int = 0
    rejects: int = 0


class DurableWatch:
    """One stream's cases kept in a store. ``stream`` names the stream (several may share a
    store); the watcher must be new (no line fed yet)."""

    def __init__(self, store: RecordStore, stream: str, watcher: Any) -> None:
        self.store, self.stream, self.watcher = store, stream, watcher
        self.position = _Position()
        self._committed: dict[str, Any] = {}  # subject -> the case record committed last
        self._exists = False

    # -- restoring ---------------------------------------------------------------------------

    def restore(self) -> _Position:
        """Load the stream's committed state into the watcher; its position."""
        from tongcheng.cases.case import _Record
        from tongcheng.cases.decided import Decided
        from tongcheng.situation import parse_situation

        ws, wc = schema.watch_streams.c, schema.watch_cases.c
        w = self.watcher
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(schema.watch_streams).where(ws.name == self.stream)
                               ).first()
            if row is None:
                return self.position
            cases = conn.execute(sa.select(wc.state).where(wc.stream == self.stream)
                                 .order_by(wc.case_id)).all()
        if row.pack_digest != w.pack.info.digest:
            raise StreamMismatch(
                f"stream {self.stream!r} was followed under rule pack {row.pack_digest}; this "
                f"run uses {w.pack.info.digest}: give that pack, or another --stream",
                f"流 {self.stream!r} 是在规则包 {row.pack_digest} 下跟踪的;本次运行使用 "
                f"{w.pack.info.digest}:请给出那个规则包,或另一个 --stream")
        self._exists = True
        self.position = _Position(row.position, row.line_digest, row.output_offset,
                                  row.rejects_offset)
        w.store.next_number = row.next_case
        w._reached = row.reached
        compiled = _compiled(w)
        for (text,) in sorted(cases, key=lambda c: _case_number(json.loads(c[0])["case"])):
            data = json.loads(text)
            clock = date.fromisoformat(data["clock"])
            situation = parse_situation({**data["facts"], "as_of": clock})
            record = _Record(
                data["case"], data["subject"], w.pack, w.triggers, compiled, data["facts"],
                clock, Decided.of(situation, w.pack), (),
                tuple(_deadline(d) for d in data["deadlines"]),
                frozenset(tuple(k) for k in data["raised"]))
            w.store._put(record)
            from tongcheng.cases.case import Case

            w._cases[record.subject] = Case(w.store, record.id)
            w._subjects[record.id] = record.subject
            self._committed[record.subject] = record
        w.stats.open = len(w._cases)
        return self.position

    # -- committing ---------------------------------------------------------------------------

    def commit(self, lines: int, last_line: bytes | None, output: int, rejects: int) -> None:
        """Store the cases changed since the last commit and the stream's new position."""
        w = self.watcher
        now = datetime.now(UTC)
        current: dict[str, Any] = {}
        for subject, case in w._cases.items():
            current[subject] = w.store._records[case.id]
        changed = [r for s, r in current.items() if self._committed.get(s) is not r]
        gone = [s for s in self._committed if s not in current]
        ws, wc = schema.watch_streams, schema.watch_cases
        digest_ = hashlib.sha256(last_line).hexdigest() if last_line is not None else None
        values = {"position": lines, "line_digest": digest_, "output_offset": output,
                  "rejects_offset": rejects, "next_case": w.store.next_number,
                  "pack_digest": w.pack.info.digest, "reached": w._reached, "updated_at": now}
        with self.store.writing() as conn, conn.begin():
            if self._exists:
                conn.execute(ws.update().where(ws.c.name == self.stream).values(**values))
            else:
                conn.execute(ws.insert().values(name=self.stream, **values))
            if gone:
                conn.execute(wc.delete().where(wc.c.stream == self.stream,
                                               wc.c.subject.in_(gone)))
            if changed:
                subjects = [r.subject for r in changed]
                conn.execute(wc.delete().where(wc.c.stream == self.stream,
                                               wc.c.subject.in_(subjects)))
                conn.execute(wc.insert(), [
                    {"stream": self.stream, "subject": r.subject, "case_id": r.id,
                     "clock": r.clock, "state": case_state(r), "updated_at": now}
                    for r in changed])
        self._exists = True
        self._committed = current
        self.position = _Position(lines, digest_, output, rejects)


def _case_number(case_id: str) -> int:
    try:
        return int(case_id.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def _compiled(watcher: Any) -> Any:
    from tongcheng.cases import engine

    return engine.compile_ruleset(watcher.pack, watcher.triggers)


# --- the run -------------------------------------------------------------------------------------


def _cut(handle: IO[bytes] | None, offset: int) -> None:
    """Cut a file back to what the store says was written (lines of uncommitted work go)."""
    if handle is None:
        return
    handle.flush()
    handle.truncate(offset)
    handle.seek(offset)


def _sync(handle: IO[bytes] | None) -> int:
    if handle is None:
        return 0
    handle.flush()
    with contextlib.suppress(OSError):  # a pipe
        os.fsync(handle.fileno())
    return handle.tell()


class _Outputs:
    """Where a durable watch writes: the output (a file, cut back and synced; or stdout, held
    until each commit) and the rejects file."""

    def __init__(self, out: IO[bytes], seekable: bool, rejects: IO[bytes] | None,
                 reject_line: Any) -> None:
        self.out, self.seekable, self.rejects = out, seekable, rejects
        self.reject_line = reject_line
        self.pending: list[bytes] = []  # stdout lines waiting for the commit

    def cut(self, position: _Position) -> None:
        if self.seekable:
            _cut(self.out, position.output)
        _cut(self.rejects, position.rejects)

    def write(self, data: bytes) -> None:
        if self.seekable:
            self.out.write(data)
        else:
            self.pending.append(data)

    def reject(self, entry: dict[str, Any]) -> None:
        text = self.reject_line(entry)
        if text is not None and self.rejects is not None:
            self.rejects.write(text)

    def synced(self) -> tuple[int, int]:
        """Flushed to disk: the output's and the rejects' lengths."""
        return (_sync(self.out) if self.seekable else 0), _sync(self.rejects)

    def committed(self) -> None:
        if self.pending:
            self.out.write(b"".join(self.pending))
            self.out.flush()
            self.pending.clear()


def _records_of(watcher: Any, number: int, raw: bytes, outputs: _Outputs,
                emit_line: Any) -> None:
    """Feed one line; write what it produced (rejects to the rejects)."""
    from tongcheng.cases.watch import Rejected

    try:
        records = watcher.feed(number, raw)
    except Rejected as e:
        records = []
        watcher.stats.rejected += 1
        entry: dict[str, Any] = {"line": number, "reason": e.reason}
        if e.subject:
            entry["subject"] = e.subject
        outputs.reject(entry)
    for record in [*watcher.take_dropped(), *records]:
        if record["type"] == "rejected":
            outputs.reject({k: v for k, v in record.items() if k != "type"})
        else:
            outputs.write(emit_line(record))


def run(durable: DurableWatch, lines: Iterable[bytes], *, out: IO[bytes], seekable: bool,
        rejects: IO[bytes] | None, commit_every: int, emit_line: Any, reject_line: Any,
        progress: Any = None, progress_every: int = 0) -> Any:
    """Follow ``lines`` from where the store stopped. ``emit_line(record) -> bytes`` and
    ``reject_line(entry) -> bytes | None`` format the output (None: written elsewhere)."""
    import time

    watcher = durable.watcher
    stats = watcher.stats
    position = durable.restore()
    outputs = _Outputs(out, seekable, rejects, reject_line)
    outputs.cut(position)
    started = time.perf_counter()
    last: bytes | None = None
    number = since_commit = 0

    def commit() -> None:
        durable.commit(number, last, *outputs.synced())
        outputs.committed()

    for number, raw in enumerate(lines, start=1):
        if number <= position.lines:
            if number == position.lines and \
                    hashlib.sha256(raw).hexdigest() != position.line_digest:
                raise StreamMismatch(
                    f"line {number} of the input is not the line {number} the store's stream "
                    f"{durable.stream!r} stopped at: another input, or give another --stream",
                    f"输入的第 {number} 行不是记录库中流 {durable.stream!r} 停下时的第 {number} "
                    "行:输入不同,或请给出另一个 --stream")
            continue
        _records_of(watcher, number, raw, outputs, emit_line)
        stats.lines, last = number, raw
        since_commit += 1
        if since_commit >= commit_every:
            commit()
            since_commit = 0
        if progress is not None and progress_every and number % progress_every == 0:
            stats.seconds = time.perf_counter() - started
            progress(stats)
    if number > position.lines:
        commit()
    stats.seconds = time.perf_counter() - started
    if progress is not None:
        progress(stats)
    return stats
