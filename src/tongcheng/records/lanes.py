"""An event loop committing its own records on SQLite, without the writer thread
(``writer.Recorder``).

A writer thread beside a busy event loop spends most of its time waiting for the GIL, and on
SQLite it waits while holding the write lock, which the other workers' writers then wait for
(measured under load: the thread's commits p90 15 ms, its seals of 512 records 23–43 ms; the
answers waiting behind them). So a worker's event loop writes the records of each of its turns
itself, in one transaction, and sends their answers right after the commit, through a store
that never waits for the write lock (``RecordStore.open(…, wait=False)``). A turn's commit
holds the lock ~0.6 ms; when another writer holds it, the records wait for the loop's next try
(0.5 ms, then less and less often) and a later turn's records join them: the loop never blocks
on a lock. The loop also seals the log, a short step at a time, and leaves checkpoints
(copying the write-ahead log into the database, an fsync) to the writer thread.

A transaction is all or nothing, and a failed one answers every request in it with the error
(503), as the thread's do. PostgreSQL stays with the thread: an asynchronous connection of the
loop's own (psycopg) was tried and measured no better (0.72–0.78 of recording off's
throughput against 0.74–0.78, four pairs), its protocol's steps costing the loop what the
thread's GIL waits did.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from tongcheng.records.inserting import Busy

log = logging.getLogger("tongcheng.records")

BATCH = 256  # records a transaction at most (the loops' and the writer thread's)
# A loop tries again this soon when another writer holds SQLite's write lock (a turn's commit
# holds it ~0.6 ms), doubling while it stays taken (a long purge) up to RETRY_MOST.
RETRY_SECONDS = 0.0005
RETRY_MOST = 0.008
# Records a loop seals at most in one step: a step blocks the loop (~17 us a record) as long
# as it holds the lock.
SEAL_STEP = 128

Waiting = list[tuple[Any, tuple[Any, Callable[[BaseException | None], Any]]]]


def run_callbacks(callbacks: list[Callable], exc: BaseException | None) -> None:
    for then in callbacks:
        try:
            then(exc)
        except Exception:  # pragma: no cover - one request's failure is its own
            log.exception("a recorded answer failed once its record was committed")


class SqliteLane:
    """Each event loop commits its turns' records itself, never waiting for the write lock."""

    def __init__(self, store: Any, seal_seconds: float) -> None:
        self.store = store  # opened with wait=False
        self.seal_seconds = seal_seconds
        self.sealed_at = 0.0  # when a loop last sealed (the writer thread then need not)
        self._next_seal = time.monotonic() + seal_seconds
        self._queued: dict[Any, Waiting] = {}  # per loop: its records waiting for the lock
        self._retrying: set[Any] = set()  # the loops with a try scheduled
        self._delay: dict[Any, float] = {}  # per loop, its last wait for the lock

    def flush(self, loop: asyncio.AbstractEventLoop, turn: Waiting) -> None:
        self._queued.setdefault(loop, []).extend(turn)
        self._write(loop)

    def _write(self, loop: asyncio.AbstractEventLoop) -> None:
        """Commit the loop's waiting records, if the write lock is free; else try again
        shortly. Then a step of sealing, when due."""
        queue = self._queued.get(loop)
        while queue:
            batch = queue[:BATCH]
            try:
                self.store.write([record for record, _ in batch])
            except Busy:
                if loop not in self._retrying:
                    delay = min(self._delay.get(loop, 0) * 2 or RETRY_SECONDS, RETRY_MOST)
                    self._delay[loop] = delay
                    self._retrying.add(loop)
                    loop.call_later(delay, self._retry, loop)
                return
            except Exception as exc:  # the store is down: every waiting request answers 503
                log.error("records not written: %s", exc)
                error: BaseException | None = exc
            else:
                error = None
            del queue[:len(batch)]
            self._delay.pop(loop, None)
            run_callbacks([then for _, (_, then) in batch], error)
        self._queued.pop(loop, None)
        self._seal()

    def _retry(self, loop: asyncio.AbstractEventLoop) -> None:
        self._retrying.discard(loop)
        self._write(loop)

    def _seal(self) -> None:
        now = time.monotonic()
        if now < self._next_seal:
            return
        try:
            sealed = self.store.seal_step(SEAL_STEP)
        except Busy:
            return  # at the next commit
        except Exception as exc:  # pragma: no cover - logged, retried at the next period
            log.error("log not sealed: %s", exc)
            sealed = 0
        self.sealed_at = now
        if sealed < SEAL_STEP:  # nothing more waiting: the next period
            self._next_seal = now + self.seal_seconds

    def leftovers(self) -> Waiting:
        """The records still waiting for the lock (at closing: for the writer thread)."""
        out = [item for queue in self._queued.values() for item in queue]
        self._queued.clear()
        return out

    def close(self) -> None:
        self.store.close()
