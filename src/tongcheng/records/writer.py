"""Recording from the HTTP service: records written by one background thread per worker
process, many requests per transaction (group commit), the log sealed now and then.

A request builds its record, hands it over and waits (without holding the event loop) until
the transaction holding it has committed; only then is the answer sent, carrying the record id.
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
import hmac
import logging
import os
import queue
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
        self.store = RecordStore.open(settings.url, signer=Signer.from_env())
        self.store.archive_pack(pack)
        self._queue: queue.Queue[tuple[Record, Future] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="tongcheng-records",
                                        daemon=True)
        self._thread.start()

    def make(self, evaluation: Any, situation: Any, *, channel: str, lang: str,
             rules: Any, headers: Any) -> Record:
        actor = headers.get(self.settings.actor_header) if self.settings.actor_header else None
        request_id = headers.get("x-request-id")
        return make_record(evaluation, situation, channel=channel, actor=actor,
                           request_id=request_id, lang=lang, rules=rules)

    def submit(self, record: Record) -> Future:
        future: Future = Future()
        self._queue.put((record, future))
        return future

    async def commit(self, record: Record) -> None:
        """Wait until ``record`` is committed (raises the store's error when it failed)."""
        await asyncio.wrap_future(self.submit(record))

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
            while len(batch) < BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)
                    break
                batch.append(more)
            if batch:
                self._write(batch)
            now = time.monotonic()
            if now >= next_seal:
                self._seal()
                next_seal = now + self.settings.seal_seconds
            if self.settings.retention_days and now >= next_purge:
                self._purge()
                next_purge = now + 3600

    def _write(self, batch: list[tuple[Record, Future]]) -> None:
        try:
            self.store.write([r for r, _ in batch])
        except Exception as exc:  # the store is down: every waiting request answers 503
            log.error("records not written: %s", exc)
            for _, future in batch:
                future.set_exception(exc)
            return
        for _, future in batch:
            future.set_result(None)

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
