"""The HTTP service against hostile input (issue 12's review, each finding a named test): lone
surrogates, problem floods, oversized and slow heads and bodies, bodies of the wrong type, and
the headers a browser needs to keep the page and the docs safe. Each answer is a 4xx in the
problems shape, never a 500, a stall or a traceback in the log."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from servicetools import RECOGNITION_CASE, LiveServer, test_client

from tongcheng.service import create_app
from tongcheng.service.deps import MAX_PROBLEMS
from tongcheng.service.evaluating import INLINE_BODY, MAX_LIST_ITEMS

JSON_TYPE = {"content-type": "application/json"}


def raw_post(client, body: str | bytes, headers=JSON_TYPE):
    return client.post("/v1/evaluate", content=body, headers=headers)


def problem_map(response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    return {p["path"]: p["message"] for p in response.json()["problems"]}


# --- lone surrogates: refused with 422 where they are, never a 500 -------------------------------


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (r'{"situation": {"request": {"service": "\ud800"}}}', "request.service"),
        (r'{"situation": {"project": {"name": "x\udfffy"}}}', "project.name"),
        (r'{"situation": {"insurance": [{"scheme": "\udbff"}]}}', "insurance[0].scheme"),
        (r'{"situation": {"\ud800": 1}}', ""),
        (r'{"situation": {}, "lang": "\ud800"}', "lang"),
        (r'{"situation": {}, "rules": ["\udc00"]}', "rules[0]"),
        (r'{"\ud800": {}}', ""),
    ],
)
def test_lone_surrogates_are_refused_naming_where(client, body, path):
    r = raw_post(client, body)  # said in Chinese by default, in English when asked
    assert r.status_code == 422, r.text
    assert "孤立的代理码元" in problem_map(r)[path]
    json.loads(r.content.decode("utf-8"))  # the answer itself is valid UTF-8 JSON
    en = client.post("/v1/evaluate?lang=en", content=body, headers=JSON_TYPE)
    assert "lone surrogate" in problem_map(en)[path]


def test_surrogate_pairs_are_text_not_refused(client):
    """``\\ud83d\\ude00`` is one character (😀), not a lone surrogate."""
    body = json.dumps({"situation": {**RECOGNITION_CASE, "request": {"service": "😀"}},
                       "trace": False}, ensure_ascii=True)
    assert "\\ud83d\\ude00" in body
    r = raw_post(client, body)
    assert r.status_code != 500
    assert "lone surrogate" not in r.text


def test_page_extra_facts_with_a_lone_surrogate_is_a_problem_beside_the_box(client):
    form = {"_lang": "en", "target": "青岛", "_extra": '{"request": {"service": "\\ud800"}}'}
    r = client.post("/", data=form)
    assert r.status_code == 422
    assert "lone surrogate" in r.text and 'href="#f-extra"' in r.text


def test_page_remove_with_a_superscript_digit_is_ignored(client):
    """``"²".isdigit()`` is true but ``int("²")`` fails: the index must be ASCII digits. Odd
    operations change nothing (an unknown one decides the form, as the Decide button does)."""
    for op in ("remove:insurance:²", "remove:insurance:①", "remove:insurance:99999999",
               "remove:nothing:0", "add:nothing", "lang:xx", "remove:", ":::"):
        r = client.post("/", content=urlencode({"_op": op, "insurance[0].place": "烟台"}),
                        headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code in (200, 422), (op, r.text[:300])
        assert 'value="烟台' in r.text


# --- bounded work and bounded answers ------------------------------------------------------------


def test_65000_empty_periods_are_refused_at_once_with_one_problem(client):
    body = '{"lang": "en", "situation": {"insurance": [' + ",".join(["{}"] * 65_000) + "]}}"
    assert len(body) < 256 * 1024
    r = raw_post(client, body)
    assert r.status_code == 422
    assert len(r.content) < 1000  # was 13 MB of problems
    assert problem_map(r) == {
        "insurance": f"at most {MAX_LIST_ITEMS:,} items in a list, got 65,000"}


def test_problems_listed_are_capped_and_the_rest_counted(client):
    periods = [{"scheme": "pension", "place": "999999", "from": "2000-13"}] * 400
    r = raw_post(client, json.dumps({"situation": {"insurance": periods}, "lang": "en"}))
    assert r.status_code == 422
    listed = r.json()["problems"]
    assert len(listed) == MAX_PROBLEMS + 1
    assert listed[-1] == {
        "path": "", "message": f"and {800 - MAX_PROBLEMS:,} more problems "
        f"(the first {MAX_PROBLEMS} are listed)"}
    assert listed[0]["path"] == "insurance[0].place"
    zh = raw_post(client, json.dumps({"situation": {"insurance": periods}})).json()["problems"]
    assert zh[-1]["message"] == f"另有 {800 - MAX_PROBLEMS:,} 个问题(只列出前 {MAX_PROBLEMS} 个)"


def test_large_bodies_are_decided_off_the_event_loop(monkeypatch):
    """A body over ``INLINE_BODY`` is decided in a worker thread, so the event loop (and
    ``/v1/health``) is never held by it; a small one is answered on the loop."""
    from tongcheng.service import evaluating

    threads: list[str] = []
    real = evaluating.decide

    def spy(*args):
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(evaluating, "decide", spy)
    many = [{"kind": "transit", "issuer": "370200"}] * 400
    big = json.dumps({"situation": {**RECOGNITION_CASE, "cards": many}, "trace": False})
    small = json.dumps({"situation": RECOGNITION_CASE, "trace": False})
    assert len(big) > INLINE_BODY > len(small)
    with test_client(create_app()) as c:
        loop_thread = c.portal.call(lambda: threading.current_thread().name)
        assert raw_post(c, small).status_code == 200
        assert raw_post(c, big).status_code == 200
    assert threads[0] == loop_thread
    assert threads[1] != loop_thread


# --- bodies of the wrong type --------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/xml", "application/jsonp"],
)
def test_bodies_not_sent_as_json_are_415(client, content_type):
    r = raw_post(client, json.dumps({"situation": RECOGNITION_CASE}),
                 headers={"content-type": content_type})
    assert r.status_code == 415
    assert "请求体应为 JSON" in problem_map(r)["content-type"]
    en = raw_post(client, "{}", headers={"content-type": content_type, "accept-language": "en"})
    assert "expected a JSON body" in problem_map(en)["content-type"]


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8",
                     "Application/JSON", "application/problem+json"],
)
def test_json_bodies_are_accepted_with_any_json_type(client, content_type):
    r = raw_post(client, json.dumps({"situation": RECOGNITION_CASE, "trace": False}),
                 headers={"content-type": content_type})
    assert r.status_code == 200, r.text


# --- security headers ----------------------------------------------------------------------------


def test_every_answer_says_nosniff_no_framing_no_referrer(client):
    for r in (client.get("/v1/health"), client.get("/"), client.get("/v1/docs"),
              client.get("/v1/nothing"), raw_post(client, b"{"), client.get("/static/app.js")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_page_runs_only_its_own_script_and_style(client):
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "unsafe-inline" not in csp and "form-action 'self'" in csp
    assert client.get("/v1/health").headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'none'")


def test_the_docs_policy_allows_exactly_their_inline_script(client):
    import base64
    import hashlib
    import re

    r = client.get("/v1/docs")
    scripts = re.findall(r"<script>(.*?)</script>", r.text, re.S)
    assert scripts
    csp = r.headers["content-security-policy"]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "script-src https://cdn.jsdelivr.net 'sha256-" in csp


# --- slow and oversized heads and bodies, on a real server ---------------------------------------


@pytest.fixture(scope="module")
def strict_server():
    """A live server with short limits (0.6 s for a head or a body) and its error log."""
    import os

    os.environ["TONGCHENG_HEAD_TIMEOUT"] = "0.6"
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.WARNING)
    try:
        with LiveServer(create_app(body_timeout=0.6)) as server:
            for name in ("uvicorn.error", "tongcheng.service"):
                logging.getLogger(name).addHandler(handler)
            server.log = records
            yield server
    finally:
        os.environ.pop("TONGCHENG_HEAD_TIMEOUT", None)
        for name in ("uvicorn.error", "tongcheng.service"):
            logging.getLogger(name).removeHandler(handler)


def connect(server) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    return s


def read_all(s: socket.socket) -> bytes:
    out = b""
    while chunk := s.recv(65536):
        out += chunk
    return out


def test_a_slow_head_is_answered_408_and_closed(strict_server):
    conns = [connect(strict_server) for _ in range(20)]
    for s in conns:
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
    t0 = time.monotonic()
    answers = [read_all(s) for s in conns]
    assert time.monotonic() - t0 < 4
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), answers[0]
    # the request's language cannot be known before its head: the service's default, zh
    assert "未能按时收到请求行和请求头".encode() in answers[0]
    # a silent connection is closed too
    silent = connect(strict_server)
    assert read_all(silent).startswith(b"HTTP/1.1 408 ")


def test_an_oversized_head_is_431(strict_server):
    s = connect(strict_server)
    s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
    answer = read_all(s)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    # and a head that never ends is cut off once it passes the limit
    s = connect(strict_server)
    try:
        for _ in range(30):
            s.sendall(b"X-More: " + b"b" * 1000 + b"\r\n" if _ else
                      b"GET / HTTP/1.1\r\nHost: x\r\n")
    except OSError:
        pass  # the server may close before all is sent
    assert read_all(s).startswith(b"HTTP/1.1 431 ")


def test_a_slow_body_is_answered_408_and_a_dropped_one_logs_nothing(strict_server):
    head = (b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n")
    s = connect(strict_server)
    s.sendall(head + b'{"situation": ')
    answer = read_all(s)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert "未能在 0.6 秒内收到完整的请求体" in answer.decode()  # zh: the header said none
    s = connect(strict_server)
    s.sendall(head.replace(b"/v1/evaluate", b"/v1/evaluate?lang=en") + b'{"situation": ')
    assert b"request body not received within 0.6 seconds" in read_all(s)
    # a client that leaves halfway through its body: no answer to give, no traceback to log
    before = len(strict_server.log)
    for path in (b"/v1/evaluate", b"/"):
        s = connect(strict_server)
        s.sendall(head.replace(b"/v1/evaluate", path) + b'{"situation"')
        time.sleep(0.1)
        s.close()
    time.sleep(0.3)
    assert [r.getMessage() for r in strict_server.log[before:]] == []


def test_health_answers_while_slow_clients_hold_connections(strict_server):
    import httpx

    held = [connect(strict_server) for _ in range(50)]
    for s in held:
        s.sendall(b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    r = httpx.get(f"{strict_server.url}/v1/health", timeout=5)
    assert r.status_code == 200
    for s in held:
        s.close()
