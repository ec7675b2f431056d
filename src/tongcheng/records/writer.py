"""Recording from the HTTP service: records written by one background thread per worker
process, many requests per transaction (group commit), the log sealed now and then.

A request builds its record, hands it over and waits (without holding the event loop) until
the transaction holding it has committed; only then is the answer sent, carrying the record id.
The records an event loop makes in one turn are handed over together (one wake-up of the
writer instead of one each); the writer builds their bodies and rows and inserts them.
So an answer that says it was recorded always was, and a worker killed mid-flight leaves at
most answers never sent — never a half-written record (a transaction is all or nothing).

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
import contextlib
import hmac
import logging
import os
import queue
import sys
import threading
import time
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from tongcheng.records.record import Record, make_record

__all__ = ["Recorder", "RecordingSettings"]

log = logging.getLogger("tongcheng.records")
BATCH = 256
LINGER = 0.001  # seconds the writer waits for more records while they keep coming
LINGER_MAX = 0.004  # at most this long in all (an answer waits for its record's commit)
# The writer thread shares the GIL with the event loop: each time it gives the GIL away (a
# database call, a sleep) it waits to take it back from a busy loop, up to the interpreter's
# switch interval (5 ms by default), while its answers wait for the commit. A worker that
# records switches every millisecond instead (measured: throughput with recording 0.88-1.05 of
# recording off against 0.67-0.84, two workers, 32 clients).
SWITCH_INTERVAL = 0.001


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
        # a record and its waiter, an event loop's records of one turn, or None: stop
        self._queue: queue.Queue[Any] = queue.Queue()
        self._turn: dict[Any, list] = {}  # an event loop's records of its current turn
        self._thread = threading.Thread(target=self._run, name="tongcheng-records",
                                        daemon=True)
        self._thread.start()

    def make(self, evaluation: Any, situation: Any, *, channel: str, lang: str,
             rules: Any, headers: Any, facts: Any = None) -> Record:
        """The record of an answer (``facts``: the situation's facts, its canonical JSON and
        that JSON's digest, when the answer made them already)."""
        actor = headers.get(self.settings.actor_header) if self.settings.actor_header else None
        request_id = headers.get("x-request-id")
        return make_record(evaluation, situation, channel=channel, actor=actor,
                           request_id=request_id, lang=lang, rules=rules, facts=facts)

    def submit(self, record: Record) -> Future:
        """Hand ``record`` to the writer; the future is done once it is committed (for a caller
        outside an event loop)."""
        future: Future = Future()
        self._queue.put((record, future))
        return future

    async def commit(self, record: Record) -> None:
        """Wait until ``record`` is committed (raises the store's error when it failed). The
        records an event loop makes in one turn reach the writer together, in one hand-off
        (``_flush``, run once the turn's ready requests have run); the writer settles a whole
        transaction's waiters with one call into each event loop."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        waiting = self._turn.get(loop)
        if waiting is None:
            waiting = self._turn[loop] = []
            loop.call_soon(self._flush, loop)
        waiting.append((record, (loop, future)))
        await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        self._queue.put(self._turn.pop(loop))

    def get(self, record_id: str) -> Record | None:
        return self.store.get(record_id)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)
        self.store.close()

    # -- the writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        next_seal = time.monotonic() + self.settings.seal_seconds
        next_purge = time.monotonic()
        while True:
            try:
                item = self._queue.get(timeout=max(0.05, next_seal - time.monotonic()))
            except queue.Empty:
                item = ...
            if item is None:
                self._seal()
                return
            batch = [] if item is ... else [item]
            if batch:
                self._gather(batch)
            if batch:
                self._write(batch)
            now = time.monotonic()
            if now >= next_seal:
                self._seal()
                next_seal = now + self.settings.seal_seconds
            if self.settings.retention_days and now >= next_purge:
                self._purge()
                next_purge = now + 3600

    def _gather(self, batch: list) -> None:
        """More records for the transaction (group commit): whatever is queued, then, while
        records keep arriving, a little more (``LINGER`` at a time, ``LINGER_MAX`` in all):
        one commit for many answers instead of one each. An event loop's records of one turn
        come as one list."""
        if batch and type(batch[0]) is list:
            batch[:] = batch[0]
        waited = 0.0
        while len(batch) < BATCH:
            before = len(batch)
            while len(batch) < BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)
                    return
                if type(more) is list:
                    batch.extend(more)
                else:
                    batch.append(more)
            if waited >= LINGER_MAX or (waited and len(batch) == before):
                return
            time.sleep(LINGER)
            waited += LINGER

    def _write(self, batch: list) -> None:
        try:
            self.store.write([r for r, _ in batch])
        except Exception as exc:  # the store is down: every waiting request answers 503
            log.error("records not written: %s", exc)
            _settle(batch, exc)
            return
        _settle(batch, None)

    def _seal(self) -> None:
        try:
            self.store.seal(wait=False)  # another worker sealing now covers these too
        except Exception as exc:  # pragma: no cover - logged, retried at the next period
            log.error("log not sealed: %s", exc)

    def _purge(self) -> None:
        before = datetime.now(UTC) - timedelta(days=self.settings.retention_days or 0)
        try:
            removed = self.store.purge(before)
            if removed:
                log.info("purged %d records made before %s", removed, before.isoformat())
        except Exception as exc:  # pragma: no cover - logged, retried an hour later
            log.error("records not purged: %s", exc)


def _settle(batch: list, exc: BaseException | None) -> None:
    """Tell every waiter of a transaction how it ended: a thread's future at once, an event
    loop's waiters in one call into that loop."""
    loops: dict[Any, list[asyncio.Future]] = {}
    for _, waiter in batch:
        if isinstance(waiter, Future):
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)
        else:
            loops.setdefault(waiter[0], []).append(waiter[1])
    for loop, futures in loops.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            loop.call_soon_threadsafe(_wake, futures, exc)


def _wake(futures: list[asyncio.Future], exc: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the request was cancelled (client gone)
            continue
        if exc is None:
            future.set_result(None)
        else:
            future.set_exception(exc)
