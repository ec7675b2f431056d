"""Recording from the HTTP service: many requests' records per transaction (group commit), the
log sealed now and then.

A request builds its record and waits (without holding the event loop) until the transaction
holding it has committed; only then is the answer sent, carrying the record id. The records an
event loop makes in one turn are committed together, at the turn's end: on SQLite by the loop
itself, never waiting for the write lock (``lanes``); on PostgreSQL, and for callers outside an
event loop, by one background thread per worker process, which whenever it is free takes every
record waiting and builds, inserts and commits them in one transaction; the loop learns of the
thread's commit as soon as it next hands a record over, or at its next turn, and the service's
front lane sends the answers from there (``front.Front.send_recorded``). The thread also seals
the log when no event loop has (``SEAL_STEP`` records a step), checkpoints SQLite's write-ahead
log for the loops, and purges. So an answer that says it was recorded always was, and a worker
killed mid-flight leaves at most answers never sent — never a half-written record (a
transaction is all or nothing).

Configured by the environment, which every worker process inherits:

- ``TONGCHENG_RECORDS``: the store's URL (unset: nothing is recorded);
- ``TONGCHENG_RECORDS_TOKEN``: the bearer token ``GET /v1/records/{id}`` requires (unset: that
  endpoint answers 404 for every id: records hold personal data);
- ``TONGCHENG_ACTOR_HEADER``: the request header naming the caseworker (e.g. ``X-Caseworker``);
- ``TONGCHENG_RECORDS_KEY``: the Ed25519 key that signs tree heads;
- ``TONGCHENG_RECORDS_SEAL_SECONDS``: how often the log is sealed (default 2);
- ``TONGCHENG_RECORDS_RETENTION_DAYS``: records older than this are purged (checked hourly).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import hmac
import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from tongcheng.records.actor import actor_of
from tongcheng.records.lanes import BATCH, SqliteLane, run_callbacks
from tongcheng.records.record import Record, make_record

__all__ = ["Recorder", "RecordingSettings"]

log = logging.getLogger("tongcheng.records")
# records a sealing transaction at most: on SQLite a seal holds the write lock (~17 us a record),
# and every writer (both workers') waits meanwhile; 2 s of a busy service sealed at once held it
# ~40 ms, the answers waiting for their commit behind it
SEAL_STEP = 512
# The writer thread shares the GIL with the event loop: each time it gives the GIL away (a
# database call, a sleep) it waits to take it back from a busy loop, up to the interpreter's
# switch interval (5 ms by default), while its answers wait for the commit. A worker that
# records switches every millisecond instead (measured: throughput with recording 0.88-1.05 of
# recording off against 0.67-0.84, two workers, 32 clients).
SWITCH_INTERVAL = 0.001
# SQLite's checkpoints (copying the write-ahead log into the database, an fsync) are the writer
# thread's, every so often, rather than whichever event loop's commit crosses 1,000 pages
CHECKPOINT_SECONDS = 0.25


@attrs.frozen
class RecordingSettings:
    url: str
    token: str | None = None
    actor_header: str | None = None
    seal_seconds: float = 2.0
    retention_days: int | None = None

    @classmethod
    def from_environment(cls) -> RecordingSettings | None:
        url = os.environ.get("TONGCHENG_RECORDS")
        if not url:
            return None
        retention = os.environ.get("TONGCHENG_RECORDS_RETENTION_DAYS")
        return cls(url, os.environ.get("TONGCHENG_RECORDS_TOKEN") or None,
                   os.environ.get("TONGCHENG_ACTOR_HEADER") or None,
                   float(os.environ.get("TONGCHENG_RECORDS_SEAL_SECONDS", "2")),
                   int(retention) if retention else None)

    def allows(self, authorization: str | None) -> bool:
        """Whether an ``Authorization`` header carries the token (compared in constant time)."""
        if not self.token or not authorization:
            return False
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                                  self.token.encode())


class Recorder:
    """One worker's recording: ``make`` a record, ``await commit(record)``."""

    def __init__(self, settings: RecordingSettings, pack: Any) -> None:
        from tongcheng.records.signing import Signer
        from tongcheng.records.store import RecordStore

        self.settings = settings
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        self.store = RecordStore.open(settings.url, signer=Signer.from_env())
        self.store.archive_pack(pack)
        # SQLite (a file): each event loop commits its own records (None: the writer thread)
        self._lane: SqliteLane | None = None
        if self.store.engine.dialect.name == "sqlite" and \
                self.store.engine.url.database not in (None, "", ":memory:"):
            self._lane = SqliteLane(RecordStore.open(settings.url, signer=self.store.signer,
                                                     wait=False), settings.seal_seconds)
        # (record, waiter) to write, or None: stop. A deque's append and popleft are atomic,
        # so requests add records while the writer takes them, with no lock.
        self._waiting: collections.deque = collections.deque()
        self._idle = False  # the writer sleeps until ``_wake_writer`` is set
        self._wake_writer = threading.Event()
        self._turn: dict[Any, list] = {}  # an event loop's records of its current turn
        # per event loop, the transactions it has not yet been told of (``when_committed``)
        self._told: weakref.WeakKeyDictionary[Any, _Told] = weakref.WeakKeyDictionary()
        self._thread = threading.Thread(target=self._run, name="tongcheng-records",
                                        daemon=True)
        self._thread.start()

    def make(self, evaluation: Any, situation: Any, *, channel: str, lang: str,
             rules: Any, headers: Any, request_id: str | None = None,
             facts: Any = None) -> Record:
        """The record of an answer (``facts``: the situation's facts, its canonical JSON and
        that JSON's digest, when the answer made them already). ``request_id`` is the id the
        service gave the request (its answer's ``X-Request-Id``, in its log lines), never the
        raw header: one that is no plain token was replaced, and nothing else names it."""
        actor = actor_of(headers, self.settings.actor_header)
        return make_record(evaluation, situation, channel=channel, actor=actor,
                           request_id=request_id, lang=lang, rules=rules, facts=facts)

    def submit(self, record: Record) -> Future:
        """Hand ``record`` to the writer; the future is done once it is committed (for a caller
        outside an event loop)."""
        future: Future = Future()
        self._hand((record, future))
        return future

    async def commit(self, record: Record) -> None:
        """Wait until ``record`` is committed (raises the store's error when it failed)."""
        future = asyncio.get_running_loop().create_future()
        self.when_committed(record, functools.partial(_settle_future, future))
        await future

    def when_committed(self, record: Record, then: Callable[[BaseException | None], Any]
                       ) -> None:
        """Call ``then(error)`` in this event loop once ``record`` is committed (``error``:
        None, or the store's error when it failed).

        The loop's records of one turn are committed together, at the turn's end: on SQLite
        by the loop itself (``lanes``), ``then`` called right after the commit; else handed
        to the writer thread, which takes every record waiting whenever it is free, so
        what arrives while it commits goes in its next transaction (group commit, without a
        pause to gather them). The thread's committed transactions' callbacks run in the event
        loop itself: here, before the next record is handed over (the loop has just spent a
        decision's time, and the writer has often committed meanwhile), or at the loop's next
        turn (a call the writer makes into the loop), whichever comes first."""
        loop = asyncio.get_running_loop()
        told = self._told.get(loop)
        if told is not None and told.pending:
            _tell(told)
        turn = self._turn.get(loop)
        if turn is None:
            turn = self._turn[loop] = []
            loop.call_soon(self._flush, loop)
        turn.append((record, (loop, then)))

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        turn = self._turn.pop(loop)
        if self._lane is None:
            self._hand(turn)
        else:
            self._lane.flush(loop, turn)

    def _hand(self, item: Any) -> None:
        self._waiting.append(item)
        if self._idle:
            self._idle = False
            self._wake_writer.set()

    def get(self, record_id: str) -> Record | None:
        return self.store.get(record_id)

    def close(self) -> None:
        if self._lane is not None:  # records an event loop has not committed: the thread's
            leftovers = self._lane.leftovers()
            if leftovers:
                self._hand(leftovers)
        self._hand(None)
        self._thread.join(timeout=30)
        self.store.close()
        if self._lane is not None:
            self._lane.close()

    # -- the writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        next_seal = time.monotonic() + self.settings.seal_seconds
        next_purge = next_checkpoint = time.monotonic()
        checkpoints = self._lane is not None  # (the loops' SQLite connections do not)
        while True:
            batch, stop = self._take()
            if batch:
                self._write(batch)
            elif not stop:
                self._sleep(min(next_seal, next_checkpoint) if checkpoints else next_seal)
            if checkpoints and time.monotonic() >= next_checkpoint:
                self._checkpoint()
                next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS
            if stop:
                self._seal()
                return
            now = time.monotonic()
            # sealed a step at a time, the records waiting meanwhile written between steps;
            # not while an event loop seals (``lanes.SqliteLane``)
            if now >= next_seal:
                sealed_at = self._lane.sealed_at if self._lane is not None else 0.0
                if now - sealed_at < self.settings.seal_seconds:
                    next_seal = sealed_at + self.settings.seal_seconds
                elif self._seal_step() < SEAL_STEP:
                    next_seal = now + self.settings.seal_seconds
            if self.settings.retention_days and now >= next_purge:
                self._purge()
                next_purge = now + 3600

    def _take(self) -> tuple[list, bool]:
        """Every record waiting (at most ``BATCH``), and whether the recorder is closing."""
        batch: list = []
        waiting = self._waiting
        while len(batch) < BATCH:
            try:
                item = waiting.popleft()
            except IndexError:
                break
            if item is None:
                return batch, True
            if type(item) is list:  # an event loop's records of one turn
                batch.extend(item)
            else:
                batch.append(item)
        return batch, False

    def _sleep(self, until: float) -> None:
        """Wait for a record (or the next sealing or checkpoint). ``_idle`` is set before
        looking once more, so a record handed meanwhile either is seen here or sets the
        event."""
        self._wake_writer.clear()
        self._idle = True
        if not self._waiting:
            self._wake_writer.wait(timeout=max(0.01, until - time.monotonic()))
        self._idle = False

    def _write(self, batch: list) -> None:
        try:
            self.store.write([r for r, _ in batch])
        except Exception as exc:  # the store is down: every waiting request answers 503
            log.error("records not written: %s", exc)
            self._settle(batch, exc)
            return
        self._settle(batch, None)

    def _settle(self, batch: list, exc: BaseException | None) -> None:
        """Tell every waiter of a transaction how it ended: a thread's future at once; an event
        loop's waiters through that loop (its ``_told`` queue, and a call into it)."""
        loops: dict[Any, list[Callable]] = {}
        for _, waiter in batch:
            if isinstance(waiter, Future):
                if exc is None:
                    waiter.set_result(None)
                else:
                    waiter.set_exception(exc)
            else:
                loops.setdefault(waiter[0], []).append(waiter[1])
        for loop, callbacks in loops.items():
            told = self._told.get(loop)
            if told is None:
                told = self._told.setdefault(loop, _Told())
            told.pending.append((callbacks, exc))
            if not told.called:  # one call into the loop at a time (a write to its self-pipe)
                told.called = True
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                    loop.call_soon_threadsafe(_called, told)

    def _seal(self) -> None:
        try:
            self.store.seal(wait=False)  # another worker sealing now covers these too
        except Exception as exc:  # pragma: no cover - logged, retried at the next period
            log.error("log not sealed: %s", exc)

    def _seal_step(self) -> int:
        try:
            return self.store.seal_step(SEAL_STEP)
        except Exception as exc:  # pragma: no cover - logged, retried at the next period
            log.error("log not sealed: %s", exc)
            return 0

    def _checkpoint(self) -> None:
        try:
            self.store.checkpoint()
        except Exception as exc:  # pragma: no cover - logged, tried again shortly
            log.error("write-ahead log not checkpointed: %s", exc)

    def _purge(self) -> None:
        before = datetime.now(UTC) - timedelta(days=self.settings.retention_days or 0)
        try:
            removed = self.store.purge(before)
            if removed:
                log.info("purged %d records made before %s", removed, before.isoformat())
        except Exception as exc:  # pragma: no cover - logged, retried an hour later
            log.error("records not purged: %s", exc)


class _Told:
    """The transactions committed whose callbacks a loop has not run yet, and whether a call
    into the loop to run them is on its way."""

    __slots__ = ("called", "pending")

    def __init__(self) -> None:
        self.pending: collections.deque = collections.deque()
        self.called = False


def _called(told: _Told) -> None:
    told.called = False  # first: a transaction committed from now on calls again
    _tell(told)


def _tell(told: _Told) -> None:
    """Run the callbacks of the transactions a loop has not been told of (in that loop)."""
    pending = told.pending
    while True:
        try:
            callbacks, exc = pending.popleft()
        except IndexError:
            return
        run_callbacks(callbacks, exc)


def _settle_future(future: asyncio.Future, exc: BaseException | None) -> None:
    if future.done():  # the request was cancelled (client gone)
        return
    if exc is None:
        future.set_result(None)
    else:
        future.set_exception(exc)
