"""Recording from the HTTP service: answers carry their record id, ``GET /v1/records/{id}``
only with the deployment's token; two server workers under 32 clients write exactly one record
per answer and the log verifies; a SIGKILL of the server under load leaves a store that opens,
verifies, and holds no partial record."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pgcluster import free_port
from recordtools import RECOGNITION, YANTAI_QINGDAO

import tongcheng
from tongcheng.records import schema
from tongcheng.records.store import RecordStore
from tongcheng.records.verify import verify_store
from tongcheng.records.writer import RecordingSettings
from tongcheng.service.app import create_app

TOKEN = "s3cret-token"
ROOT = Path(__file__).resolve().parents[2]


def test_answers_carry_their_record_id_and_records_need_the_token(store_url):
    settings = RecordingSettings(store_url, token=TOKEN, actor_header="X-Caseworker",
                                 seal_seconds=0.2)
    app = create_app(recording=settings)
    with TestClient(app) as client:
        answer = client.post("/v1/evaluate", json={"situation": YANTAI_QINGDAO, "lang": "en"},
                             headers={"X-Caseworker": "cw-42", "X-Request-Id": "req-1"})
        assert answer.status_code == 200
        record_id = answer.headers["x-record-id"]
        assert answer.json()["record"] == record_id
        assert answer.json()["decisions"][0]["rule"]  # the contract's answer, plus its id
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            refused = client.get(f"/v1/records/{record_id}", headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert YANTAI_QINGDAO["target"] not in refused.text
        auth = {"Authorization": f"Bearer {TOKEN}"}
        got = client.get(f"/v1/records/{record_id}", headers=auth)
        assert got.status_code == 200
        record = got.json()
        assert (record["id"], record["channel"], record["actor"], record["request_id"],
                record["lang"]) == (record_id, "api", "cw-42", "req-1", "en")
        decided = {d["rule"]: d for d in record["decisions"]}
        assert decided[RECOGNITION]["outcome"]["recognized_months"] == 305
        assert client.get("/v1/records/01M95F408HFXCWC01GFV6G9ETY",
                          headers=auth).status_code == 404
        assert client.get("/v1/records/nope", headers=auth).status_code == 404
        bad = client.post("/v1/evaluate", json={"situation": {"target": "9"}})
        assert bad.status_code == 422 and "x-record-id" not in bad.headers
    app.state.recorder.close()
    store = RecordStore.open(store_url)
    assert store.count() == 1 and verify_store(store).ok
    store.close()


def test_recording_off_records_nothing_and_reveals_nothing():
    with TestClient(create_app()) as client:
        answer = client.post("/v1/evaluate", json={"situation": YANTAI_QINGDAO})
        assert answer.status_code == 200 and "x-record-id" not in answer.headers
        assert "record" not in answer.json()
        assert client.get("/v1/records/01M95F408HFXCWC01GFV6G9ETY").status_code == 404


# --- a real server: two workers, 32 clients --------------------------------------------------


def _serve(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "TONGCHENG_RECORDS_TOKEN": TOKEN,
           "TONGCHENG_RECORDS_SEAL_SECONDS": "0.5"}
    return subprocess.Popen(
        [sys.executable, "-m", "tongcheng.cli", "serve", "--workers", "2", "--port", str(port),
         "--records", url, "--actor-header", "X-Caseworker", "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _wait_up(port: int, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert child.poll() is None, child.stderr.read().decode()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _clients(port: int, per_client: int, answers: list, stop: threading.Event) -> list:
    bodies = []
    for k in range(per_client):
        s = json.loads(json.dumps(YANTAI_QINGDAO))
        s["person"]["birth_date"] = f"{1950 + k % 30}-05-10"
        bodies.append({"situation": s, "trace": False})

    def client(n: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for k, body in enumerate(bodies):
                if stop.is_set():
                    return
                try:
                    r = http.post("/v1/evaluate", json=body,
                                  headers={"X-Caseworker": f"cw-{n}", "X-Request-Id": f"{n}-{k}"})
                except httpx.HTTPError:
                    return  # the server was killed
                answers.append((r.status_code, r.headers.get("x-record-id")))

    return [threading.Thread(target=client, args=(n,)) for n in range(32)]


def _stop(child: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)
    child.wait(30)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_two_workers_32_clients_one_record_per_answer(engine, tmp_path, request):
    url = (str(tmp_path / "r.db") if engine == "sqlite"
           else request.getfixturevalue("postgres").new_database())
    port = free_port()
    child = _serve(url, port)
    try:
        _wait_up(port, child)
        answers: list = []
        threads = _clients(port, 8, answers, threading.Event())
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        _stop(child, signal.SIGTERM)
    assert len(answers) == 32 * 8 and {s for s, _ in answers} == {200}
    store = RecordStore.open(url)
    ids = {i for _, i in answers}
    assert len(ids) == len(answers)
    with store.engine.connect() as conn:
        stored = {r for (r,) in conn.execute(sa.select(schema.records.c.id))}
    assert stored == ids  # one record per answer, none more
    store.seal()
    report = verify_store(store)
    assert report.ok and report.sealed == len(answers), report.findings
    actors = {r.actor for r in store.select(limit=50)}
    assert actors <= {f"cw-{n}" for n in range(32)}
    store.close()


def test_sigkill_under_load_leaves_a_store_that_verifies_with_no_partial_record(tmp_path):
    url = str(tmp_path / "r.db")
    port = free_port()
    child = _serve(url, port)
    answers: list = []
    stop = threading.Event()
    try:
        _wait_up(port, child)
        threads = _clients(port, 200, answers, stop)
        for t in threads:
            t.start()
        while len(answers) < 150:
            time.sleep(0.02)
        _stop(child, signal.SIGKILL)  # the whole process group: the server and its workers
        stop.set()
        for t in threads:
            t.join()
    finally:
        if child.poll() is None:
            _stop(child, signal.SIGKILL)
    store = RecordStore.open(url)
    report = verify_store(store)  # every record whole: its columns match its body
    assert report.ok, report.findings
    answered = {i for s, i in answers if s == 200}
    with store.engine.connect() as conn:
        stored = {i: decided for i, decided in conn.execute(
            sa.select(schema.records.c.id, schema.records.c.decided))}
    assert answered <= set(stored)  # every answer given was recorded before it was sent
    rules = len(tongcheng.bundled_pack().rules)
    # no record without all its decisions
    assert all(len(decided.split("\n")) == rules for decided in stored.values())
    store.seal()
    assert verify_store(store).ok
    store.close()
