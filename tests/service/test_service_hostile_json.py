"""JSON that parses but no request may hold — a key named twice, a lone surrogate — named by its
path, in a single request and in each item of a batch, where one such item never fails the
others (the batch's promise)."""

from __future__ import annotations

import json

import pytest
from servicetools import RECOGNITION_CASE

GOOD = {"situation": RECOGNITION_CASE, "trace": False, "fields": ["status"],
        "rules": ["transit.senior_free_ride"]}
GOOD_TEXT = json.dumps(GOOD)
TWICE = '{"situation": {"target": "370200", "person": {"sex": "male", "sex": "female"}}}'
SURROGATE = '{"situation": {"target": "370200", "person": {"hukou": "\\ud800"}}}'


def _lines(answer) -> list[dict]:
    assert answer.status_code == 200, answer.text
    return [json.loads(line) for line in answer.text.splitlines()]


@pytest.mark.parametrize(("body", "path"), [
    (TWICE, "person.sex"),
    ('{"situation": {"target": "370200"}, "lang": "en", "lang": "zh"}', "lang"),
    ('{"situation": {"insurance": [{"scheme": "pension", "scheme": "pension"}]}}',
     "insurance[0].scheme"),
])
def test_a_key_named_twice_is_named_by_its_path(client, body, path):
    answer = client.post("/v1/evaluate", content=body,
                         headers={"content-type": "application/json"})
    assert answer.status_code == 422
    [problem] = answer.json()["problems"]
    assert problem["path"] == path
    assert problem["message"] == f"键 '{path.rsplit('.', 1)[-1].split('[')[0]}' 出现了两次"


def test_every_key_named_twice_is_listed_at_once(client):
    body = ('{"situation": {"target": "370200", "target": "370200", "person": {"sex": "male",'
            ' "sex": "male"}}}')
    answer = client.post("/v1/evaluate?lang=en", content=body,
                         headers={"content-type": "application/json"})
    assert [(p["path"], p["message"]) for p in answer.json()["problems"]] == [
        ("target", "duplicate key 'target'"), ("person.sex", "duplicate key 'sex'")]


@pytest.mark.parametrize(("bad", "path", "words"), [
    (TWICE, "person.sex", "出现了两次"),
    (SURROGATE, "person.hukou", "孤立的代理码元"),
])
def test_one_such_item_of_a_json_array_batch_never_fails_the_others(client, bad, path, words):
    body = f'[{GOOD_TEXT}, {bad[:-1]}, "id": "b-2"}}, {GOOD_TEXT}]'
    lines = _lines(client.post("/v1/evaluate/batch", content=body,
                               headers={"content-type": "application/json"}))
    assert [line["status"] for line in lines] == [200, 422, 200]
    [problem] = lines[1]["problems"]
    assert lines[1]["id"] == "b-2"
    assert problem["path"] == path and words in problem["message"]


def test_problems_of_an_ndjson_line_keep_their_paths(client):
    body = "\n".join([GOOD_TEXT, TWICE, SURROGATE, '{"situation": {"a": 1, "a": 2, "b": [}'])
    lines = _lines(client.post("/v1/evaluate/batch", content=body,
                               headers={"content-type": "application/x-ndjson"}))
    assert [line["status"] for line in lines] == [200, 422, 422, 422]
    assert [p["path"] for p in lines[1]["problems"]] == ["person.sex"]
    assert [p["path"] for p in lines[2]["problems"]] == ["person.hukou"]
    # a line that is no JSON is named by its column, in the request's language
    [syntax] = lines[3]["problems"]
    assert syntax["path"] == "" and syntax["message"].startswith("第 38 列:不是有效的 JSON")
