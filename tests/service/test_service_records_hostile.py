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


# --- the actor header ------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["api", "batch", "page"])
def test_a_caseworker_named_in_utf8_is_recorded_by_name(server, channel):
    """Header values travel as bytes and servers hand them over as Latin-1: 张三 sent as UTF-8
    was recorded as 'å¼\\xa0ä¸\\x89', a caseworker who does not exist."""
    answer, record_id = _decided(server, channel, [(b"x-caseworker", "张三".encode())])
    assert answer.status_code == 200
    assert _record(server, record_id)["actor"] == "张三"


_NAMES_NO_ONE = [
    (b"\xff\xfe cw", "不是 UTF-8 文本"),
    (b"cw\t1", "控制字符"),
    ("cw\u202e1".encode(), "控制字符"),
    (b"x" * 201, "最多 200 个字符"),
]


@pytest.mark.parametrize(("sent", "words"), _NAMES_NO_ONE)
def test_an_actor_header_naming_no_one_is_refused_naming_the_header(server, sent, words):
    """Refused before anything is decided, in the request's language, naming the header;
    nothing is recorded (no record id) for the API, the batch or the page."""
    headers = [(b"x-caseworker", sent)]
    for answer in (server.post("/v1/evaluate", json=EVALUATE, headers=headers),
                   server.post("/v1/evaluate/batch", json=[EVALUATE], headers=headers)):
        assert answer.status_code == 422, answer.text
        assert "x-record-id" not in answer.headers and "record" not in answer.text
        [problem] = answer.json()["problems"]
        assert problem["path"] == "X-Caseworker" and words in problem["message"]
    english = server.post("/v1/evaluate", json=EVALUATE,
                          headers=[*headers, (b"accept-language", b"en")])
    assert english.status_code == 422
    assert not re.search(r"[\u4e00-\u9fff]", english.json()["problems"][0]["message"])
    page = server.post("/", data=PAGE_FORM, headers=headers)
    assert page.status_code == 422 and words in page.text
    assert not RECORD_ID.search(page.text)
    assert 'value="2025-06-01"' in page.text  # the form is kept


def test_a_blank_actor_header_records_no_actor(server):
    answer, record_id = _decided(server, "api", [(b"x-caseworker", b"")])
    assert answer.status_code == 200
    assert _record(server, record_id)["actor"] is None


# --- reopening a case -------------------------------------------------------------------------


@pytest.mark.parametrize("declared", [True, False])
def test_an_oversized_reopen_form_is_refused_on_the_page_in_its_words(server, declared):
    """The reopen form is the page's: a body too large is said on the page (HTML, the
    caseworker's words), as the main form's is, not as the API's JSON problems."""
    body = ("token=x&record=" + "A" * 300_000).encode()
    if declared:
        answer = server.post("/v1/records/reopen", content=body, headers={
            "content-type": "application/x-www-form-urlencoded"})
    else:  # sent in chunks, its length unknown until read
        answer = server.post("/v1/records/reopen", content=iter([body[:1000], body[1000:]]),
                             headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "提交的内容过大" in answer.text
