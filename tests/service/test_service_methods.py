"""HEAD, as load balancers and uptime checks send it: every resource that answers GET answers
HEAD with the same status and headers and no body (RFC 9110 §9.3.2), on a real server."""

from __future__ import annotations

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
