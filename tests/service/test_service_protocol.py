"""tongcheng's HTTP protocol on a live server: a response's head leaves with its body in one
write to the socket, a ``100 Continue`` is never held back, streamed answers still stream."""

from __future__ import annotations

import json
import socket
from asyncio import selector_events
from pathlib import Path

import httpx
import pytest
from servicetools import LiveServer

from tongcheng.service.app import create_app
from tongcheng.situation import load_situation

ROOT = Path(__file__).resolve().parents[2]
WORKER = load_situation(ROOT / "examples" / "recognition-yantai-qingdao.yaml").to_dict()


@pytest.fixture(scope="module")
def server():
    with LiveServer(create_app(), loop="asyncio") as live:  # as tongcheng serve runs
        yield live


def test_head_and_body_leave_in_one_write(server, monkeypatch):
    writes: list[bytes] = []
    real = selector_events._SelectorSocketTransport.write

    def counted(transport, data):  # every write the server makes to a client's socket
        writes.append(bytes(data))
        return real(transport, data)

    monkeypatch.setattr(selector_events._SelectorSocketTransport, "write", counted)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        answer = client.post("/v1/evaluate", json={"situation": WORKER, "trace": False},
                             headers={"Accept-Encoding": "identity"})
        health = client.get("/v1/health")
    assert answer.status_code == 200 and health.status_code == 200
    assert len(writes) == 2, [w[:40] for w in writes]  # one each, head and body together
    assert writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert writes[0].endswith(answer.content)
    assert json.loads(writes[0].split(b"\r\n\r\n", 1)[1])["decisions"]


def test_100_continue_is_sent_before_the_body_arrives(server):
    body = json.dumps({"situation": WORKER, "trace": False}).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode()
                  + b"\r\n\r\n")
        interim = s.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
        s.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < 10:
            answer += s.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")


def test_a_streamed_batch_answer_still_streams_line_by_line(server):
    items = [{"situation": WORKER}, {"situation": {"target": "9"}}, {"situation": WORKER}]
    with httpx.Client(base_url=server.url, timeout=30) as client, client.stream(
            "POST", "/v1/evaluate/batch", json=items,
            headers={"Accept": "application/x-ndjson"}) as answer:
        assert answer.status_code == 200
        lines = [json.loads(line) for line in answer.iter_lines() if line]
    assert [(line["index"], line["status"]) for line in lines] == [(0, 200), (1, 422), (2, 200)]
    assert lines[0]["answer"]["decisions"] == lines[2]["answer"]["decisions"]
    assert lines[1]["problems"][0]["path"]
