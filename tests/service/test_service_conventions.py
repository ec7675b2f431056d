"""HTTP conventions portal teams expect: validators and 304s on what changes only with the pack,
request ids echoed and logged, JSON logs, gzip, CORS only for listed origins, Prometheus
metrics, and one problem format for every 4xx, as the OpenAPI document says."""

from __future__ import annotations

import gzip
import io
import json
import logging

import pytest
from servicetools import RECOGNITION_CASE, RECOGNITION_RULE, test_client

from tongcheng.service import create_app
from tongcheng.service.observe import JsonFormatter

CACHED = ["/v1/rules", f"/v1/rules/{RECOGNITION_RULE}", "/v1/zones", "/v1/zones/jiaodong",
          "/v1/parameters", "/v1/places?q=qingdao", "/v1/places/370200", "/v1/schema/situation"]


# --- ETag, Cache-Control, 304 --------------------------------------------------------------------


@pytest.mark.parametrize("path", CACHED)
def test_pack_resources_are_revalidated_with_304(client, path):
    first = client.get(path)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('W/"')
    assert first.headers["cache-control"] == "public, max-age=3600"
    assert "Accept-Language" in first.headers["vary"]
    again = client.get(path, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert client.get(path, headers={"if-none-match": '"other", ' + tag}).status_code == 304
    assert client.get(path, headers={"if-none-match": 'W/"other"'}).status_code == 200


def test_the_etag_follows_the_language_the_query_and_the_pack(client):
    tags = {client.get("/v1/rules", params=p, headers=h).headers["etag"]
            for p, h in (({}, {}), ({"lang": "en"}, {}), ({}, {"accept-language": "en"}))}
    assert len(tags) == 3
    assert (client.get("/v1/places?q=qingdao").headers["etag"]
            != client.get("/v1/places?q=yantai").headers["etag"])
    from servicetools import ROOT

    with test_client(create_app(ROOT / "tests" / "packs" / "conflict")) as other:
        assert other.get("/v1/zones").headers["etag"] != client.get("/v1/zones").headers["etag"]


def test_errors_and_evaluations_carry_no_validator(client):
    assert "etag" not in client.get("/v1/rules/nothing").headers
    r = client.post("/v1/evaluate", json={"situation": RECOGNITION_CASE})
    assert "etag" not in r.headers and r.headers["cache-control"] == "no-store"


# --- request ids and logs ------------------------------------------------------------------------


def test_request_ids_are_taken_or_made_and_echoed(client):
    assert client.get("/v1/health", headers={"x-request-id": "portal-42.a"}).headers[
        "x-request-id"] == "portal-42.a"
    made = {client.get("/v1/health").headers["x-request-id"] for _ in range(3)}
    assert len(made) == 3 and all(len(m) == 32 for m in made)
    odd = client.get("/v1/health", headers={"x-request-id": "a b\tc" + "x" * 200})
    assert odd.headers["x-request-id"] != "a b\tc"  # not a plain token: a new id
    r = client.post("/v1/evaluate", content=b"{", headers={"x-request-id": "bad-body-1",
                                                           "content-type": "application/json"})
    assert r.status_code == 422 and r.headers["x-request-id"] == "bad-body-1"


def test_access_log_lines_are_json_with_the_request_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tongcheng.service.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with test_client(create_app(access_log=True)) as c:
            c.post("/v1/evaluate", json={"situation": RECOGNITION_CASE},
                   headers={"x-request-id": "case-7"})
            c.get("/v1/rules/nothing", headers={"x-request-id": "case-8"})
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(x["request_id"], x["path"], x["status"]) for x in lines] == [
        ("case-7", "/v1/evaluate", 200), ("case-8", "/v1/rules/nothing", 404)]
    assert all(x["level"] == "info" and x["ms"] >= 0 and x["time"] for x in lines)


def test_json_formatter_writes_errors_with_their_request_id():
    from tongcheng.service.observe import REQUEST_ID

    record = logging.LogRecord("tongcheng.service", logging.ERROR, __file__, 1, "boom %s",
                               ("x",), None)
    token = REQUEST_ID.set("r-1")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["message"] == "boom x" and line["request_id"] == "r-1"
    assert line["level"] == "error"


# --- gzip ----------------------------------------------------------------------------------------


def test_large_answers_are_gzipped_when_asked_small_ones_never(client):
    big = client.get("/v1/rules", headers={"accept-encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    assert int(big.headers["content-length"]) < len(big.content) / 3  # decoded by the client
    raw = client.get("/v1/rules", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.json() == big.json()
    small = client.get("/v1/health", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers
    r = client.post("/v1/evaluate", json={"situation": RECOGNITION_CASE},
                    headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.json()["decisions"]


def test_gzip_bytes_are_gzip():
    with test_client(create_app()) as c:
        r = c.get("/v1/rules", headers={"accept-encoding": "gzip"})
        stream = c.stream("GET", "/v1/rules", headers={"accept-encoding": "gzip"})
        with stream as s:
            compressed = b"".join(s.iter_raw())
    assert json.loads(gzip.decompress(compressed)) == r.json()


# --- CORS ----------------------------------------------------------------------------------------


def preflight(c, origin):
    return c.options("/v1/evaluate", headers={"origin": origin,
                                              "access-control-request-method": "POST",
                                              "access-control-request-headers": "content-type"})


def test_cors_is_off_by_default(client):
    r = client.get("/v1/health", headers={"origin": "https://portal.example.cn"})
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-origin" not in preflight(client, "https://x.cn").headers


def test_cors_answers_listed_origins_only():
    with test_client(create_app(cors_origins=["https://portal.example.cn"])) as c:
        ok = preflight(c, "https://portal.example.cn")
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "https://portal.example.cn"
        assert "POST" in ok.headers["access-control-allow-methods"]
        r = c.post("/v1/evaluate", json={"situation": RECOGNITION_CASE},
                   headers={"origin": "https://portal.example.cn"})
        assert r.headers["access-control-allow-origin"] == "https://portal.example.cn"
        assert "X-Request-Id" in r.headers["access-control-expose-headers"]
        other = preflight(c, "https://evil.example")
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers


# --- metrics -------------------------------------------------------------------------------------


def sample(text: str, name: str, **labels) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {name}{{{want}}}")


def test_metrics_count_requests_by_route_and_decisions_by_rule():
    with test_client(create_app()) as c:
        for _ in range(3):
            c.post("/v1/evaluate", json={"situation": RECOGNITION_CASE})
        c.get(f"/v1/rules/{RECOGNITION_RULE}")
        c.get("/v1/rules/nothing")
        for i in range(5):
            c.get(f"/v1/probe-{i}")  # unknown paths share one label
        text = c.get("/metrics").text
    assert sample(text, "tongcheng_http_requests_total", method="POST", route="/v1/evaluate",
                  status="200") == 3
    assert sample(text, "tongcheng_http_requests_total", method="GET",
                  route="/v1/rules/{rule_id}", status="404") == 1
    assert sample(text, "tongcheng_http_requests_total", route="unmatched", status="404") == 5
    assert sample(text, "tongcheng_http_request_duration_seconds_count",
                  route="/v1/evaluate") == 3
    assert sample(text, "tongcheng_decisions_total", rule=RECOGNITION_RULE,
                  status="eligible") == 3
    assert "probe-" not in text


# --- one problem format --------------------------------------------------------------------------


def test_every_4xx_of_every_operation_is_documented_as_problems(client):
    spec = client.get("/v1/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            codes = [c for c in operation["responses"] if c.startswith("4")]
            assert "4XX" in codes, (method, path)
            for code in codes:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ProblemsOut"}, (path, code)


@pytest.mark.parametrize(
    ("method", "url", "status", "path"),
    [("GET", "/v1/places?limit=0", 422, "limit"), ("GET", "/v1/places?limit=x", 422, "limit"),
     ("GET", "/v1/rules?lang=fr", 422, "lang"), ("GET", "/v1/places/37", 422, "code"),
     ("GET", "/v1/nowhere", 404, ""), ("DELETE", "/v1/rules", 405, ""),
     ("POST", "/v1/evaluate?fields=x", 422, "fields[0]"),
     ("POST", "/v1/evaluate?trace=maybe", 422, "trace")],
)
def test_query_and_path_problems_have_the_same_shape(client, method, url, status, path):
    r = client.request(method, url, json={"situation": {}})
    assert r.status_code == status, r.text
    problems = r.json()["problems"]
    assert problems and problems[0]["path"] == path and problems[0]["message"]
