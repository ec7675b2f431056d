"""A recorded answer leaves only once its record is committed, and a failed commit answers 503
with nothing recorded: through the test client (the answer sent by its request's task) and
through a live uvicorn server with tongcheng's protocol (the answer sent by the callback that
learns of the commit, ``front.run_now``). Sealing a step at a time (``seal_step``)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from recordtools import YANTAI_QINGDAO, fill, synthetic

from tongcheng.records.store import RecordStore
from tongcheng.records.verify import verify_store
from tongcheng.records.writer import RecordingSettings
from tongcheng.service.app import create_app
from tongcheng.service.front import run_now
from tongcheng.service.protocol import SEND_NOW

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))
from servicetools import LiveServer


def _break(store_url: str) -> None:
    """The store fails every write from now on (a table gone behind the program's back)."""
    store = RecordStore.open(store_url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE pending"))
    store.close()


def _answers_then_refuses(post, store_url: str) -> None:
    """``post(lang)``: an evaluate request saying ``lang`` in its body (None: saying none)."""
    before = _ids(store_url)
    ok = post(None)
    assert ok.status_code == 200
    assert ok.json()["record"] == ok.headers["x-record-id"]
    _break(store_url)
    refused = post("en")
    assert refused.status_code == 503
    assert "x-record-id" not in refused.headers
    assert "record" not in refused.text.split("problems")[0]
    message = refused.json()["problems"][0]["message"]
    assert "could not be recorded" in message and "nothing was answered" in message
    # in the request's language: Chinese when it says none
    zh = post(None)
    assert zh.status_code == 503
    assert zh.json()["problems"][0]["message"] == "未能记录本决定,因此未作答复:请重试"
    # the refused answer left no record
    assert _ids(store_url) == before | {ok.headers["x-record-id"]}


def _ids(store_url: str) -> set[str]:
    store = RecordStore.open(store_url, create=False)
    with store.engine.connect() as conn:
        ids = {r for (r,) in conn.execute(sa.text("SELECT id FROM records"))}
    store.close()
    return ids


def test_test_client_answers_after_the_commit_and_503_when_it_fails(tmp_path):
    url = str(tmp_path / "r.db")
    app = create_app(recording=RecordingSettings(url))
    with TestClient(app) as client:
        _answers_then_refuses(lambda lang: client.post("/v1/evaluate", json={
            "situation": YANTAI_QINGDAO, "lang": lang}), url)
    app.state.recorder.close()


def test_live_server_sends_from_the_commit_and_503_when_it_fails(tmp_path):
    url = str(tmp_path / "r.db")
    app = create_app(recording=RecordingSettings(url))
    seen: list[dict] = []
    front = app.front

    class Watching:  # the scope the lane is given: tongcheng's protocol says send may run now
        def takes(self, scope):
            seen.append(scope.get("extensions", {}))
            return front.takes(scope)

        def __getattr__(self, name):
            return getattr(front, name)

        async def __call__(self, *args):
            await front(*args)

    app.front = Watching()
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        many = [client.post("/v1/evaluate", json={"situation": YANTAI_QINGDAO})
                for _ in range(20)]
        assert {a.status_code for a in many} == {200}
        assert len({a.headers["x-record-id"] for a in many}) == 20
        assert all(SEND_NOW in extensions for extensions in seen)
        _answers_then_refuses(lambda lang: client.post("/v1/evaluate", json={
            "situation": YANTAI_QINGDAO, "lang": lang}), url)
    app.state.recorder.close()


def test_run_now_runs_a_coroutine_to_its_end_in_the_calling_callback():
    async def main():
        loop = asyncio.get_running_loop()
        steps: list[str] = []

        async def at_once():
            steps.append("ran")

        done = loop.create_future()
        run_now(at_once(), done)
        assert steps == ["ran"] and done.done() and done.result() is None  # no turn passed

        gate = loop.create_future()

        async def waits():
            steps.append("before")
            await gate
            await asyncio.sleep(0)  # a bare yield too
            steps.append("after")

        done = loop.create_future()
        run_now(waits(), done)
        assert steps[-1] == "before" and not done.done()
        loop.call_later(0.01, gate.set_result, None)
        await asyncio.wait_for(done, 5)
        assert steps[-1] == "after"

        async def fails():
            raise ValueError("no")

        done = loop.create_future()
        run_now(fails(), done)
        with pytest.raises(ValueError):
            done.result()

    asyncio.run(main())


def test_seal_step_seals_at_most_so_many_under_a_head_each(store_url):
    store = RecordStore.open(store_url)
    fill(store, synthetic(7))
    assert store.seal_step(3) == 3
    assert store.latest_head().size == 3
    assert store.seal_step(3) == 3
    assert store.seal_step(3) == 1
    assert store.seal_step(3) == 0  # nothing waiting
    report = verify_store(store)
    assert report.ok and (report.sealed, report.heads, report.pending) == (7, 3, 0)
    store.close()
