"""``POST /v1/evaluate/batch``: many situations in one request, a JSON array or NDJSON, answered
as NDJSON lines in order, each item answered or refused on its own."""

from __future__ import annotations

import copy
import json

from servicetools import RECOGNITION_CASE, RECOGNITION_RULE

from tongcheng.service.routers.batch import MAX_ITEMS

NDJSON = {"content-type": "application/x-ndjson"}


def lines(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def single(client, body: dict) -> dict:
    return client.post("/v1/evaluate", json=body).json()


def test_each_item_is_answered_as_a_single_request_would_be(client):
    other = copy.deepcopy(RECOGNITION_CASE)
    other["target"] = "370600"
    items = [{"id": "a", "situation": RECOGNITION_CASE, "lang": "en"},
             {"id": 7, "situation": other, "trace": False}]
    out = lines(client.post("/v1/evaluate/batch", json=items))
    assert [(o["index"], o["id"], o["status"]) for o in out] == [(0, "a", 200), (1, 7, 200)]
    for o, item in zip(out, items, strict=True):
        alone = {k: v for k, v in item.items() if k != "id"}
        assert o["answer"] == single(client, alone)
        r = client.post("/v1/evaluate", json=alone)
        assert o["situation_digest"] == r.headers["x-situation-digest"]


def test_one_bad_item_never_fails_the_others(client):
    bad_period = copy.deepcopy(RECOGNITION_CASE)
    bad_period["insurance"][1]["to"] = "2015-01"
    items = [{"situation": RECOGNITION_CASE}, {"situation": bad_period}, "not a request",
             {"id": True, "situation": RECOGNITION_CASE}, {"situation": RECOGNITION_CASE,
                                                          "rules": ["no.such_rule"]},
             {"situation": RECOGNITION_CASE, "rules": [RECOGNITION_RULE]}]
    out = lines(client.post("/v1/evaluate/batch?lang=en", json=items))
    assert [o["status"] for o in out] == [200, 422, 422, 422, 422, 200]
    assert out[1]["problems"] == [{"path": "insurance[1].to", "message": "month before 'from'"}]
    assert "expected a JSON object" in out[2]["problems"][0]["message"]
    assert out[3]["problems"][0]["path"] == "id"
    assert out[4]["problems"][0]["path"] == "rules[0]"
    assert [d["rule"] for d in out[5]["answer"]["decisions"]] == [RECOGNITION_RULE]


def test_ndjson_in_with_a_broken_line(client):
    body = "\n".join([json.dumps({"id": "x", "situation": RECOGNITION_CASE}), "{broken",
                      "", json.dumps({"situation": RECOGNITION_CASE}), ""])
    out = lines(client.post("/v1/evaluate/batch?lang=en", content=body, headers=NDJSON))
    assert [(o["index"], o["line"], o["status"]) for o in out] == [(0, 1, 200), (1, 2, 422),
                                                                    (2, 4, 200)]
    assert "not valid JSON" in out[1]["problems"][0]["message"]
    chinese = lines(client.post("/v1/evaluate/batch", content=body, headers=NDJSON))
    assert "不是有效的 JSON" in chinese[1]["problems"][0]["message"]
    assert out[0]["id"] == "x"


def test_query_defaults_hold_for_items_that_do_not_say(client):
    items = [{"situation": RECOGNITION_CASE}, {"situation": RECOGNITION_CASE, "lang": "zh",
                                              "fields": ["outcome"]}]
    out = lines(client.post("/v1/evaluate/batch?lang=en&fields=status,title", json=items))
    first, second = out[0]["answer"], out[1]["answer"]
    assert first["decisions"][0].keys() == {"rule", "status", "title"}
    assert first["decisions"][0]["title"].keys() == {"en"}
    assert second["decisions"][0].keys() == {"rule", "outcome"}


def test_a_pack_defect_refuses_that_item_with_409():
    from servicetools import ROOT, test_client

    from tongcheng.service import create_app

    with test_client(create_app(ROOT / "tests" / "packs" / "conflict")) as c:
        items = [{"situation": {"as_of": "2025-06-01", "target": "370200"}},
                 {"situation": {"as_of": "2025-06-01", "target": "370600"}},
                 {"situation": {"as_of": "2025-06-01", "target": "370200"}, "lang": "en"}]
        out = lines(c.post("/v1/evaluate/batch", json=items))
    assert [o["status"] for o in out] == [409, 200, 409]
    assert out[0]["rule"] == "test.conflicting_exceptions"
    # each refusal in its item's language (the request's by default: Chinese)
    assert "同时适用且结论不同" in out[0]["problems"][0]["message"]
    assert "both apply and disagree" in out[2]["problems"][0]["message"]


def test_limits_on_items_bytes_and_type(client):
    too_many = client.post("/v1/evaluate/batch", json=[{}] * (MAX_ITEMS + 1))
    assert too_many.status_code == 413
    assert f"最多 {MAX_ITEMS:,} 项" in too_many.json()["problems"][0]["message"]
    too_many = client.post("/v1/evaluate/batch?lang=en", json=[{}] * (MAX_ITEMS + 1))
    assert f"at most {MAX_ITEMS:,}" in too_many.json()["problems"][0]["message"]
    big = b"[" + b" " * (8 * 2**20) + b"]"
    assert client.post("/v1/evaluate/batch", content=big,
                       headers={"content-type": "application/json"}).status_code == 413
    assert client.post("/v1/evaluate/batch", content=b"[]",
                       headers={"content-type": "text/plain"}).status_code == 415
    for body in (b"{}", b"[]", b"", b"[1"):
        r = client.post("/v1/evaluate/batch", content=body,
                        headers={"content-type": "application/json"})
        assert r.status_code == 422, body
        assert r.json()["problems"]
    # a body over the single-request limit is fine here
    many = [{"situation": RECOGNITION_CASE, "trace": False, "fields": ["status"]}] * 700
    assert len(json.dumps(many)) > 256 * 1024
    out = lines(client.post("/v1/evaluate/batch", json=many))
    assert len(out) == 700 and {o["status"] for o in out} == {200}
