"""Recording under careless or hostile clients, on a real uvicorn server on loopback with a real
SQLite store: what a record says of who decided and of which request must be what the answer
and the logs say, whatever headers came with the request."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from servicetools import RECOGNITION_CASE, LiveServer

from tongcheng.records.writer import RecordingSettings
from tongcheng.service.app import create_app

TOKEN = "hostile-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVALUATE = {"situation": RECOGNITION_CASE, "trace": False, "fields": ["status"]}
PAGE_FORM = {"_lang": "zh", "target": "370200", "as_of": "2025-06-01", "_op": "evaluate"}
RECORD_ID = re.compile(r"\b01[0-9A-HJKMNP-TV-Z]{24}\b")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = str(tmp_path_factory.mktemp("records") / "r.db")
    app = create_app(recording=RecordingSettings(url, token=TOKEN, actor_header="X-Caseworker",
                                                 seal_seconds=0.2))
    with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        yield client
    app.state.recorder.close()


def _record(client: httpx.Client, record_id: str) -> dict:
    got = client.get(f"/v1/records/{record_id}", headers=AUTH)
    assert got.status_code == 200, got.text
    return got.json()


def _decided(client: httpx.Client, channel: str, headers: list) -> tuple[httpx.Response, str]:
    """One decision through ``channel`` (api, batch, page) and its record id."""
    if channel == "api":
        answer = client.post("/v1/evaluate", json=EVALUATE, headers=headers)
        return answer, answer.headers["x-record-id"]
    if channel == "batch":
        answer = client.post("/v1/evaluate/batch", json=[EVALUATE], headers=headers)
        return answer, json.loads(answer.text.splitlines()[0])["record"]
    answer = client.post("/", data=PAGE_FORM, headers=headers)
    found = RECORD_ID.search(answer.text)
    assert found, answer.text[:500]
    return answer, found.group()


@pytest.mark.parametrize("channel", ["api", "batch", "page"])
@pytest.mark.parametrize("sent", [b"not a plain token", b"x" * 300, b"<script>"])
def test_a_record_names_the_request_id_the_answer_and_the_logs_give(server, channel, sent):
    """A request id that is no plain token is replaced by a new one in the answer and every log
    line: the record must carry that one, not the raw header (which nothing else names)."""
    answer, record_id = _decided(server, channel, [(b"x-request-id", sent)])
    assert answer.status_code == 200
    given = answer.headers["x-request-id"]
    assert given != sent.decode()
    assert _record(server, record_id)["request_id"] == given


@pytest.mark.parametrize("channel", ["api", "batch", "page"])
def test_a_plain_request_id_is_recorded_as_sent(server, channel):
    answer, record_id = _decided(server, channel, [(b"x-request-id", b"portal-7:req.42")])
    assert answer.headers["x-request-id"] == "portal-7:req.42"
    assert _record(server, record_id)["request_id"] == "portal-7:req.42"
