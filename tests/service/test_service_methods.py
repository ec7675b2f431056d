"""HEAD, as load balancers and uptime checks send it: every resource that answers GET answers
HEAD with the same status and headers and no body (RFC 9110 §9.3.2), on a real server."""

from __future__ import annotations

import json
import socket

import httpx
import pytest


@pytest.mark.parametrize("path", ["/v1/health", "/v1/version", "/v1/rules", "/v1/places/370200",
                                  "/", "/?lang=en", "/static/style.css"])
def test_head_answers_as_get_without_a_body(live_server, path):
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        got = client.get(path)
        head = client.head(path)
        assert got.status_code == 200
        assert head.status_code == 200, head.text
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == got.headers["content-length"]
        # the connection is still good for the next request
        assert client.get("/v1/health").status_code == 200


def test_head_of_a_post_only_route_is_405_saying_what_it_takes(live_server):
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        head = client.head("/v1/evaluate")
        assert head.status_code == 405 and head.content == b""
        assert head.headers["allow"] == "POST"


def test_head_of_a_cached_resource_revalidates_like_get(live_server):
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        tag = client.get("/v1/rules").headers["etag"]
        head = client.head("/v1/rules", headers={"If-None-Match": tag})
        assert head.status_code == 304


def test_head_requests_are_counted_under_their_route(live_server):
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        client.head("/v1/zones")
        metrics = client.get("/metrics").text
    assert 'method="HEAD",route="/v1/zones",status="200"' in metrics


# --- requests no HTTP/1.1 parser can read -------------------------------------------------------

_BODY = b'{"situation": {"target": "370200"}}'
_UNREADABLE = [
    # a body both counted and chunked (request smuggling)
    b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n23\r\n" + _BODY + b"\r\n0\r\n\r\n",
    b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 99\r\n\r\n",
    b"GET /v1/health?\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /v1/health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
]


@pytest.mark.parametrize("request_bytes", _UNREADABLE)
def test_an_unreadable_request_is_400_in_the_problems_shape(live_server, request_bytes):
    """uvicorn answered these in English plain text ("Invalid HTTP request received."): the
    service's one problem format, said in Chinese (the request's language cannot be read),
    and the connection closed."""
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=5) as s:
        s.sendall(request_bytes)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), answer
    assert b"content-type: application/json" in head.lower()
    assert b"connection: close" in head.lower()
    [problem] = json.loads(body)["problems"]
    assert problem == {"path": "", "message": "无法读取该请求:请求行或请求头不符合 HTTP/1.1"}


# --- a slash too many, a method another route of the path takes --------------------------------


@pytest.mark.parametrize(("method", "path", "to"), [
    ("GET", "/v1/rules/", "/v1/rules"),
    ("GET", "/v1/rules/?lang=en", "/v1/rules?lang=en"),
    ("POST", "/v1/evaluate/", "/v1/evaluate"),
    ("GET", "/v1/places/370200/", "/v1/places/370200"),
])
def test_a_slash_too_many_redirects_to_the_path_alone_whatever_the_host(live_server, method,
                                                                       path, to):
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        said = client.request(method, path, headers={"Host": "evil.example"},
                              content=_BODY if method == "POST" else None)
        assert said.status_code == 307, said.text
        assert said.headers["location"] == to  # relative: not the Host the client sent
        followed = client.request(method, to, content=_BODY if method == "POST" else None,
                                  headers={"Content-Type": "application/json"})
        assert followed.status_code == 200, followed.text


def test_a_path_no_route_has_with_or_without_its_slash_is_404_in_the_problems_shape(live_server):
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        for path in ("/v1/nothing/", "/v1/nothing", "/v1/places//x/"):
            said = client.get(path)
            assert said.status_code == 404, (path, said.text)
            assert said.json()["problems"][0]["message"] == "没有这个地址"
            assert "location" not in said.headers


def test_405_allows_what_every_route_of_the_path_takes(live_server):
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        # /v1/records/reopen is the page's POST form, and also the shape of a record id (GET)
        said = client.request("PATCH", "/v1/records/reopen")
        assert said.status_code == 405
        assert said.headers["allow"] == "GET, HEAD, POST"
        assert said.json()["problems"][0]["message"] == "此地址不接受该请求方法"
        assert client.request("DELETE", "/v1/rules").headers["allow"] == "GET, HEAD"


def test_a_redirect_never_names_another_host():
    from tongcheng.service.app import create_app
    from tongcheng.service.routing import slash_twin

    routes = create_app().router.routes
    scope = {"type": "http", "method": "GET", "query_string": b""}
    assert slash_twin({**scope, "path": "/v1/rules/"}, routes) == "/v1/rules"
    assert slash_twin({**scope, "path": "/v1/zones", "query_string": b"a=1"}, routes) is None
    for path in ("//evil.example/", "///", "//", "/"):
        assert slash_twin({**scope, "path": path}, routes) is None, path
