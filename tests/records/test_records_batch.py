"""With recording on, every decided item of ``POST /v1/evaluate/batch`` is recorded: its line
carries its record id, the record holds the item's situation and decisions (the batch's actor
and request id), refused items leave none; an item whose record cannot be committed is answered
503 in its language, its decisions not sent (nothing answered unrecorded), on SQLite and on a
real PostgreSQL server."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from recordtools import RECOGNITION, YANTAI_QINGDAO
from test_records_commit import _break, _ids

from tongcheng.records.store import RecordStore
from tongcheng.records.verify import verify_store
from tongcheng.records.writer import RecordingSettings
from tongcheng.service.app import create_app

TOKEN = "batch-token"
SENIOR = {"as_of": "2025-06-01", "target": "370600",
          "person": {"birth_date": "1950-03-01", "hukou": "370200"}}


def _lines(response) -> list[dict]:
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def _batch(client, items: list[dict], **headers: str):
    body = "\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n"
    return client.post("/v1/evaluate/batch", content=body.encode(),
                       headers={"content-type": "application/x-ndjson", **headers})


def test_every_decided_item_is_recorded_and_carries_its_record_id(store_url):
    settings = RecordingSettings(store_url, token=TOKEN, actor_header="X-Caseworker")
    app = create_app(recording=settings)
    items = [{"id": "a", "situation": YANTAI_QINGDAO},
             {"id": "b", "situation": {"target": "9"}},  # refused: no record
             {"id": 7, "situation": SENIOR, "lang": "en"}]
    with TestClient(app) as client:
        lines = _lines(_batch(client, items, **{"X-Caseworker": "cw-9",
                                                "X-Request-Id": "batch-1"}))
        assert [(x["id"], x["status"]) for x in lines] == [("a", 200), ("b", 422), (7, 200)]
        assert "record" not in lines[1]
        auth = {"Authorization": f"Bearer {TOKEN}"}
        records = [client.get(f"/v1/records/{lines[k]['record']}", headers=auth).json()
                   for k in (0, 2)]
    app.state.recorder.close()
    for line, record, lang in zip((lines[0], lines[2]), records, ("zh", "en"), strict=True):
        assert record["id"] == line["record"]
        assert (record["channel"], record["actor"], record["request_id"], record["lang"]) == (
            "api", "cw-9", "batch-1", lang)
        assert record["situation_digest"] == line["situation_digest"]
        # the record holds what the line answered, decision by decision (the answer names
        # things in its language only, the record in both)
        answered = {d["rule"]: (d["status"], d["firmness"], sorted(d["outcome"]),
                                d["missing"]) for d in line["answer"]["decisions"]}
        kept = {d["rule"]: (d["status"], d["firmness"], sorted(d["outcome"]), d["missing"])
                for d in record["decisions"]}
        assert kept == answered
    assert dict((d["rule"], d) for d in records[0]["decisions"])[RECOGNITION][
        "outcome"]["recognized_months"] == 305
    store = RecordStore.open(store_url)
    assert store.count() == 2 and verify_store(store).ok
    store.close()


def test_an_item_whose_record_cannot_be_committed_is_refused_503_alone(tmp_path):
    url = str(tmp_path / "r.db")
    app = create_app(recording=RecordingSettings(url))
    with TestClient(app) as client:
        first = _lines(_batch(client, [{"situation": YANTAI_QINGDAO}]))
        assert first[0]["status"] == 200
        _break(url)
        lines = _lines(_batch(client, [
            {"id": 1, "situation": YANTAI_QINGDAO},
            {"id": 2, "situation": {"target": "9"}},
            {"id": 3, "situation": SENIOR, "lang": "en"}]))
    app.state.recorder.close()
    assert [(x["id"], x["status"]) for x in lines] == [(1, 503), (2, 422), (3, 503)]
    assert lines[0]["problems"] == [{"path": "", "message": "未能记录本决定,因此未作答复:请重试"}]
    assert lines[2]["problems"][0]["message"].startswith("the decision could not be recorded")
    for line in (lines[0], lines[2]):  # nothing of the decision is sent
        assert "answer" not in line and "record" not in line
    assert _ids(url) == {first[0]["record"]}
