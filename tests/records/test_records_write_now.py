"""On SQLite, a worker's event loop commits its own records (``lanes.SqliteLane``): it never
waits for the write lock (another writer holding it: the records wait for a later try, the
loop serves on), it seals the log in short steps, and the writer thread checkpoints the
write-ahead log for it. Through a live uvicorn server with tongcheng's protocol."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import threading
import time
from pathlib import Path

import httpx
from recordtools import YANTAI_QINGDAO, record_of, synthetic

from tongcheng.records.inserting import Busy
from tongcheng.records.store import RecordStore
from tongcheng.records.verify import verify_store
from tongcheng.records.writer import RecordingSettings
from tongcheng.service.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))
from servicetools import LiveServer


def _post(client: httpx.Client) -> httpx.Response:
    return client.post("/v1/evaluate", json={"situation": YANTAI_QINGDAO})


def _count(path: Path) -> int:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT count(*) FROM records").fetchone()[0]


def test_a_store_that_does_not_wait_says_busy_and_writes_once_the_lock_is_free(tmp_path):
    import tongcheng

    path = tmp_path / "r.db"
    pack = tongcheng.bundled_pack()
    with RecordStore.open(str(path)) as store:
        store.archive_pack(pack)
    records = [record_of(s, pack=pack) for s in synthetic(3)]
    now = RecordStore.open(str(path), wait=False)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    started = time.monotonic()
    try:
        now.write(records)
        raise AssertionError("the write did not say the lock was taken")
    except Busy:
        pass
    try:
        now.seal_step(10)
        raise AssertionError("the seal did not say the lock was taken")
    except Busy:
        pass
    assert time.monotonic() - started < 1  # at once, not after a busy timeout
    holder.execute("COMMIT")
    now.write(records)  # the same connection, as good as before
    assert now.seal_step(10) == 3
    assert _count(path) == 3 and verify_store(now).ok
    now.close()


def test_the_loop_waits_for_the_write_lock_without_blocking_and_answers_after_it(tmp_path):
    path = tmp_path / "r.db"
    app = create_app(recording=RecordingSettings(str(path)))
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        assert _post(client).status_code == 200
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
        answers: list[httpx.Response] = []
        waiting = threading.Thread(target=lambda: answers.append(_post(client)))
        waiting.start()
        time.sleep(0.5)
        assert not answers  # no answer before its record is committed
        with httpx.Client(base_url=server.url, timeout=5) as other:
            health = other.get("/v1/health")  # the loop is not blocked meanwhile
        assert health.status_code == 200
        assert not answers
        holder.execute("COMMIT")
        waiting.join(timeout=10)
        assert answers and answers[0].status_code == 200
        record_id = answers[0].headers["x-record-id"]
        with sqlite3.connect(path) as con:
            assert con.execute("SELECT count(*) FROM records WHERE id = ?",
                               (record_id,)).fetchone()[0] == 1
    app.state.recorder.close()
    assert _count(path) == 2


def test_the_loop_seals_and_the_thread_checkpoints(tmp_path):
    path = tmp_path / "r.db"
    app = create_app(recording=RecordingSettings(str(path), seal_seconds=0.05))
    recorder = app.state.recorder
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        ids = set()
        for _ in range(30):
            answer = _post(client)
            assert answer.status_code == 200
            ids.add(answer.headers["x-record-id"])
            time.sleep(0.01)
        assert recorder._lane.sealed_at > 0  # the event loop sealed
        # the loop's own connection leaves checkpoints to the writer thread: the database file
        # alone (its write-ahead log left behind) holds the records once the thread has run
        deadline = time.monotonic() + 5
        while True:
            alone = tmp_path / "alone.db"
            shutil.copyfile(path, alone)
            try:
                if _count(alone) == 30:
                    break
            except sqlite3.DatabaseError:
                pass  # copied in the middle of a checkpoint: again
            assert time.monotonic() < deadline, "the write-ahead log was not checkpointed"
            time.sleep(0.1)
        store = RecordStore.open(str(path), create=False)
        deadline = time.monotonic() + 5
        while store.latest_head() is None or store.latest_head().size < 30:
            assert time.monotonic() < deadline, "the log was not sealed"
            time.sleep(0.05)
        report = verify_store(store)
        assert report.ok, report
        store.close()
    recorder.close()


def test_checkpoints_keep_the_log_from_growing_while_writers_never_stop(tmp_path):
    """Writers committing all the time never let a passive checkpoint copy the whole log, and
    the log starts again only after one has: ``checkpoint`` then restarts it, so its file
    stays a fraction of what was written (passive alone: more than was written)."""
    import attrs

    import tongcheng
    from tongcheng.records.ids import new_id

    path = tmp_path / "r.db"
    pack = tongcheng.bundled_pack()
    store = RecordStore.open(str(path))
    store.archive_pack(pack)
    records = [record_of(s, pack=pack) for s in synthetic(10)]
    now = RecordStore.open(str(path), wait=False)
    stop = threading.Event()
    written = [0]

    def write() -> None:
        while not stop.is_set():
            batch = [attrs.evolve(r, id=new_id()) for r in records]
            try:
                now.write(batch)
            except Busy:
                continue
            written[0] += sum(len(r.body) for r in batch)

    writer = threading.Thread(target=write)
    writer.start()
    wal = Path(f"{path}-wal")
    largest = restarts = 0
    started = time.monotonic()
    # (three seconds: the log's largest size is what is written between two restarts, so a
    # longer run leaves more room below the bound when a busy machine delays the checkpoints)
    while time.monotonic() - started < 3:
        restarts += store.checkpoint(restart_frames=64)
        largest = max(largest, wal.stat().st_size)
        time.sleep(0.02)
    stop.set()
    writer.join()
    assert written[0] > 4_000_000, written  # (enough written to tell)
    assert restarts >= 3, restarts
    assert largest < written[0] / 2, (largest, written[0])  # (passive alone: ~2.5 times)
    now.close()
    store.close()
